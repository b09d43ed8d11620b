"""Regimens: the acceptance case (atrophic acne scars, Fitzpatrick V) and its exports."""

from __future__ import annotations

import itertools
import json
import re
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
from exoderm.clients.clinician_report import clinician_report_pdf
from exoderm.clients.screening import procedures, screen
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
    procedure_choice = next(
        c
        for c in regimen.choices
        if c.topic == "procedure for acne scars" and not c.decision.startswith("not ")
    )
    assert "pih-risk-phototype" in procedure_choice.reason
    assert "fractional CO2" in procedure_choice.reason  # names the alternative it passed over
    assert procedure_choice.source
    assert any(c.topic == "priming" for c in regimen.choices)
    assert regimen.targets["pigmentation"] > 0  # the serum primes PIH-prone skin
    assert any(c.topic.startswith("active: ") and "(" in c.reason for c in regimen.choices) or (
        not regimen.product.available
    )
    pih = [w for w in regimen.warnings if w.rule == "pih-risk-phototype"]
    assert len(pih) == 1 and procedures()[chosen].name in pih[0].option
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
    assert "pih-risk-phototype" not in html  # the handout is for the client: no rule ids
    report = pypdfium2.PdfDocument(clinician_report_pdf(regimen))
    technical = "".join(report[i].get_textpage().get_text_range() for i in range(len(report)))
    assert "pih-risk-phototype" in technical  # the clinician report carries them


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
    # the sessions are simulated with the product used in them: the sterile solution
    assert plan.sessions[0].procedure == "microneedling" and plan.session_product
    assert clinic["ingredient"] in {a.name for a in plan.session_product.actives}
    assert clinic["endpoints"]["mmp1_mean_change_pct"] < 0
    html = regimen_html(plan)
    assert "Model estimate" in html
    assert "Model estimate" not in regimen_html(plain)


# --- the planner obeys screening: issue 20 ---------------------------------------------

STERILE = "sterile"


@pytest.mark.parametrize("severity", ["mild", "moderate", "severe"])
@pytest.mark.parametrize(
    "extra", [[], ["wrinkles"], ["pigmentation"], ["wrinkles", "pigmentation"]]
)
def test_phototype_v_acne_scars_never_pairs_microneedling_with_non_sterile_topicals(
    severity: str, extra: list[str]
) -> None:
    concerns = [{"name": "atrophic acne scars", "severity": severity}]
    concerns += [{"name": n, "severity": "mild"} for n in extra]
    profile = parse_profile({"fitzpatrick": {"phototype": 5}, "concerns": concerns})
    plan = build_regimen("C-TEST0101", profile, start=START)
    screening = screen(profile)
    assert plan.sessions
    for s in plan.sessions:
        assert procedures()[s.procedure].energy != "ablative"  # PIH: no ablative option
        assert s.settings  # the phototype changes the settings, not only adds a line
        assert "pih-risk-phototype" in s.rule
        if s.procedure == "microneedling":
            assert STERILE in s.product and "after" in s.product
            assert "microneedling-topicals-intradermal" in s.rule
            assert "topical exosome product" not in s.procedure_name
    # each caution once: one entry per rule, and each reason printed once in the plan
    rules = [w.rule for w in plan.warnings]
    assert len(rules) == len(set(rules))
    assert len(screening.warnings) > len(plan.warnings)  # screening had repeats per option
    text = regimen_html(plan)
    for w in plan.warnings:
        assert text.count(w.reason.split(";")[0][:40]) <= 1
    # every line of the plan says which rule shaped it
    assert all(c.rule for c in plan.choices)
    assert all(s.rule for s in plan.sessions)
    not_ablative = [c for c in plan.choices if c.decision.startswith("not ")]
    assert any(c.rule == "pih-risk-ablative" for c in not_ablative)


SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")


@pytest.mark.parametrize("simulate", [False, True])
def test_client_handout_pdf_is_plain_language(simulate: bool) -> None:
    plan = build_regimen("C-TEST0102", acne_scar_client(), start=START, simulate=simulate)
    pdf = pypdfium2.PdfDocument(regimen_pdf(plan, client_name="Ana Silva"))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "Ana Silva" in text and "When to call the clinic" in text
    assert "Your calendar" in text and plan.sessions[0].date.strftime("%d %b %Y") in text
    assert not SNAKE.findall(text), SNAKE.findall(text)[:5]
    assert "[U]" not in text and "[V]" not in text and "[S]" not in text
    assert ".md" not in text
    assert "exoderm " not in text.lower()
    if simulate and any(p.available for p in plan.expected_outcome):
        assert "Model estimate" in text
