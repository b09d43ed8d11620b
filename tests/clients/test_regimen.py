"""Regimens: the acceptance case (atrophic acne scars, Fitzpatrick V) and its exports."""

from __future__ import annotations

import itertools
import json
from datetime import date
from typing import Any

import pypdfium2
import pytest
from icalendar import Calendar

from exoderm.clients import (
    build_regimen,
    parse_profile,
    regimen_calendar,
    regimen_html,
    regimen_pdf,
)
from exoderm.clients.screening import procedures
from exoderm.errors import UserInputError

START = date(2026, 12, 1)


def acne_scar_client(**extra: Any):  # type: ignore[no-untyped-def]
    return parse_profile(
        {
            "fitzpatrick": {"phototype": 5},
            "concerns": [{"name": "atrophic acne scars", "severity": "moderate"}],
            **extra,
        }
    )


@pytest.fixture(scope="module")
def regimen():  # type: ignore[no-untyped-def]
    return build_regimen("C-TEST0001", acne_scar_client(), start=START)


def test_acne_scars_fitzpatrick_v_explains_choice_and_warnings(regimen) -> None:  # type: ignore[no-untyped-def]
    assert [c.model_dump() for c in regimen.concerns] == [{"name": "acne scars", "severity": 2}]
    assert regimen.targets["acne-scars"] == pytest.approx(2.0)
    assert regimen.sessions, "an in-clinic course is planned"
    chosen = regimen.sessions[0].procedure
    assert procedures()[chosen].energy != "ablative"  # PIH risk: lower-energy option
    procedure_choice = next(c for c in regimen.choices if c.topic == "procedure for acne scars")
    assert "pih-risk-phototype" in procedure_choice.reason
    assert "fractional CO2" in procedure_choice.reason  # names the alternative it passed over
    assert procedure_choice.source
    assert any(c.topic == "priming" for c in regimen.choices)
    assert regimen.targets["pigmentation"] > 0  # the serum primes PIH-prone skin
    assert any(c.topic.startswith("active: ") and "(" in c.reason for c in regimen.choices) or (
        not regimen.product.available
    )
    warned = {(w.option, w.rule) for w in regimen.warnings}
    assert (chosen, "pih-risk-phototype") in warned
    assert any(b.rule == "exosome-injection-not-approved" for b in regimen.blocked)


def test_schedule_sessions_and_reassessment(regimen) -> None:  # type: ignore[no-untyped-def]
    weeks = [s.week for s in regimen.sessions]
    assert weeks == sorted(weeks) and weeks[0] == 2  # after priming
    gaps = {b - a for a, b in itertools.pairwise(weeks)}
    assert gaps == {regimen.session_interval_weeks}
    assert 8 <= regimen.reassess_after_weeks <= 12
    kinds = [v.kind for v in regimen.visits]
    assert kinds[0] == "baseline" and kinds[-1] == "reassessment"
    assert "ecca" in regimen.visits[0].instruments
    assert "gais" in regimen.visits[-1].instruments
    assert any("sunscreen" in step for step in regimen.home_care["am"])
    assert "SPF 30" in regimen.sun_protection


def test_ics_parses_with_icalendar(regimen) -> None:  # type: ignore[no-untyped-def]
    cal = Calendar.from_ical(regimen_calendar(regimen))
    events = [c for c in cal.walk("VEVENT")]
    sessions = [e for e in events if str(e["summary"]).startswith("Clinic session")]
    assert len(sessions) == len(regimen.sessions)
    assert sessions[0].decoded("dtstart") == regimen.sessions[0].date
    assert len({str(e["uid"]) for e in events}) == len(events)
    reminders = [e for e in events if "rrule" in e]
    assert {str(e["summary"]) for e in reminders} == {"Home care (AM)", "Home care (PM)"}


def test_pdf_and_html_render(regimen) -> None:  # type: ignore[no-untyped-def]
    pdf = pypdfium2.PdfDocument(regimen_pdf(regimen, client_name="Ada <Lovelace>"))
    assert len(pdf) >= 1
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "Ada <Lovelace>" in text and "microneedling" in text
    html = regimen_html(regimen, client_name="Ada <Lovelace>")
    assert "Ada &lt;Lovelace&gt;" in html and "<Lovelace>" not in html
    assert "pih-risk-phototype" in html


def test_pregnant_client_regimen_has_no_sessions() -> None:
    plan = build_regimen("C-TEST0002", acne_scar_client(pregnant=True), start=START)
    assert plan.sessions == []
    assert all(not procedures()[s.procedure].injectable for s in plan.sessions)
    reasons = " ".join(c.reason for c in plan.choices)
    assert "pregnancy-defer-procedures" in reasons


def test_light_skin_gets_the_direct_evidence_laser() -> None:
    plan = build_regimen("C-TEST0003", acne_scar_client(fitzpatrick={"phototype": 2}), start=START)
    assert plan.sessions[0].procedure == "laser_fractional_ablative"
    assert plan.sessions[0].week == 0


def test_product_comes_from_design_engine_or_says_why_not(regimen) -> None:  # type: ignore[no-untyped-def]
    product = regimen.product
    assert product.request.no_human is True  # EU client: no human-origin EV
    if product.available:
        assert product.inci
        assert not any("Human" in i for i in product.inci)
    else:
        assert product.reason


def test_unknown_concern_and_no_concern_are_user_errors() -> None:
    with pytest.raises(UserInputError, match="no regimen data for concern"):
        parse_profile({"concerns": [{"name": "hair loss"}]})
    with pytest.raises(UserInputError, match="no concerns"):
        build_regimen("C-X", parse_profile({}), start=START)


def test_concern_synonyms_resolve_through_the_evidence_graph() -> None:
    from exoderm.clients.concerns import resolve_concern

    assert resolve_concern("Atrophic  Acne Scars") == "acne scars"
    assert resolve_concern("discolouration") == "pigmentation"  # graph synonym only
    assert resolve_concern("hypertrophic scars") == "scars"
    with pytest.raises(UserInputError, match="androgenetic alopecia"):
        resolve_concern("hair loss")  # known to the graph, but no regimen data


def test_simulated_regimen_shows_labelled_model_predictions() -> None:
    profile = parse_profile(
        {
            "fitzpatrick": {"phototype": 2},
            "market": "US",
            "concerns": [{"name": "wrinkles", "severity": "moderate"}],
        }
    )
    plain = build_regimen("C-TEST0009", profile, start=START)
    assert plain.expected_outcome == []
    plan = build_regimen("C-TEST0009", profile, start=START, simulate=True)
    parts = {p.part: p.model_dump() for p in plan.expected_outcome}
    home = parts["home care"]
    assert home["available"] and home["model"] == "photoageing"
    assert json.loads(home["scenario"])["route"] == "topical"
    assert home["endpoints"]["mmp1_mean_change_pct"] < 0
    assert home["endpoints"]["procollagen_i_mean_change_pct"] > 0
    assert "model prediction" in home["label"] and home["assumptions"]
    assert plan.sessions, "wrinkles have an in-clinic course"
    clinic = parts[plan.sessions[0].procedure_name]  # simulated on the session days
    assert json.loads(clinic["scenario"])["route"] in {"microneedling", "post-laser", "injection"}
    assert clinic["endpoints"]["mmp1_mean_change_pct"] < home["endpoints"]["mmp1_mean_change_pct"]
    html = regimen_html(plan)
    assert "Expected outcome (model prediction)" in html
    assert "Expected outcome (model prediction)" not in regimen_html(plain)
