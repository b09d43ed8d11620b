"""The formulation sheet: INCI order, concentrations, evidence, claims, escaping."""

from __future__ import annotations

import json

import pytest

from exoderm.design import Catalogue, FormulationRequest, formulate
from exoderm.design.sheet import render_sheet, sheet_data

from .conftest import design


@pytest.fixture(scope="module")
def best():  # type: ignore[no-untyped-def]
    return design(targets={"wrinkles": 1, "pigmentation": 1, "hydration": 1}).best


def test_inci_list_is_in_descending_concentration_and_adds_to_100(best) -> None:  # type: ignore[no-untyped-def]
    data = sheet_data(best)
    percents = [i["percent"] for i in data["ingredients"]]
    assert percents == sorted(percents, reverse=True)
    assert sum(percents) == pytest.approx(100.0)
    assert data["inci_list"][0] == "Aqua"
    assert data["inci_list"] == [i["inci"] for i in data["ingredients"]]


def test_every_covered_target_has_scores_and_citations(best) -> None:  # type: ignore[no-untyped-def]
    data = sheet_data(best)
    covers = [c for i in data["ingredients"] for c in i["covers"]]
    assert covers
    for c in covers:
        assert c["score"] > 0 and c["citations"] and c["best_evidence"]
    for effect in data["expected_effects"]:
        if effect["contributors"]:
            assert effect["weighted_coverage"] > 0


def test_markdown_html_and_json_carry_the_same_sheet(best) -> None:  # type: ignore[no-untyped-def]
    md = render_sheet(best, "markdown")
    html = render_sheet(best, "html")
    data = json.loads(render_sheet(best, "json"))
    for inci in data["inci_list"]:
        assert inci in md and inci in html
    assert "## Claims" in md and "<h2>Claims</h2>" in html
    assert data["claims"] and all("rule" in c for c in data["claims"])
    assert "not probabilities" in md and "Annex register" in html


def test_html_escapes_catalogue_text(catalogue: Catalogue) -> None:
    evil = catalogue.get("niacinamide").model_copy(
        update={"key": "evil", "inci": "<script>alert(1)</script>", "role": "x & y"}
    )
    result = formulate(
        FormulationRequest(targets={"pigmentation": 1}, required=["evil"]),
        catalogue=catalogue.with_ingredients([evil]),
        use_knowledge_base=False,
    )
    html = render_sheet(result.best, "html")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html and "x &amp; y" in html


def test_generated_claims_are_checked_for_the_market() -> None:
    kr = design(targets={"pigmentation": 1, "redness": 1}, market="KR").best
    us = design(targets={"pigmentation": 1, "redness": 1}, market="US").best
    kr_claims = {c.text: c for c in kr.claims}
    us_claims = {c.text: c for c in us.claims}
    redness = "helps calm the look of redness"
    # The same evidence-backed template is fine in the US but banned wording in Korea
    # (ACRC FAQ on MFDS rules: "improving redness" evokes flushing).
    assert us_claims[redness].accepted
    assert not kr_claims[redness].accepted and kr_claims[redness].rule_id == "kr-redness"
    assert kr_claims[redness].rewording and "redness" not in kr_claims[redness].rewording
    assert any(t.startswith("with ") for t in kr_claims)
    assert all(c.reason and c.rule for c in kr.claims)


def test_expected_effects_model_section_only_when_requested(best) -> None:  # type: ignore[no-untyped-def]
    from exoderm.simulate.expectation import expected_outcomes

    assert "expected_model" not in json.loads(render_sheet(best, "json"))
    assert "Expected effects (model)" not in render_sheet(best, "markdown")
    expected = expected_outcomes(best, targets=["wrinkles"])
    data = json.loads(render_sheet(best, "json", expected=expected))
    (section,) = data["expected_model"]
    assert section["model"] == "photoageing" and section["available"]
    assert section["endpoints"]["mmp1_mean_change_pct"] < 0
    assert section["scenario"]["unit"] == "percent" and section["assumptions"]
    assert "Expected effects (model)" in render_sheet(best, "markdown", expected=expected)
    html = render_sheet(best, "html", expected=expected)
    assert "Expected effects (model)" in html and "mmp1_mean_change_pct" in html
