"""Screening: each acceptance case names the rule that decided it."""

from __future__ import annotations

from typing import Any

import pytest

from exoderm.clients import parse_profile, screen
from exoderm.clients.screening import procedures, rules


def profile(**data: Any):  # type: ignore[no-untyped-def]
    base: dict[str, Any] = {"fitzpatrick": {"phototype": 2}, "concerns": [{"name": "wrinkles"}]}
    base.update(data)
    return parse_profile(base)


def injectables() -> list[str]:
    return [k for k, p in procedures().items() if p.injectable]


def test_pregnant_client_never_gets_an_injectable() -> None:
    result = screen(profile(pregnant=True))
    assert injectables()
    for option in injectables():
        assert option not in result.allowed_procedures
        assert "pregnancy-no-injection" in {v.rule for v in result.blockers_of(option)}
    assert all(procedures()[p].in_clinic is False for p in result.allowed_procedures)


def test_injection_pregnancy_rule_is_specific_to_pregnancy() -> None:
    result = screen(profile())
    assert "pregnancy-no-injection" not in {v.rule for v in result.blocked}
    assert "microneedling" in result.allowed_procedures


def test_allergy_excludes_the_ingredient_with_rule() -> None:
    result = screen(profile(allergies=["Lavender Oil", "niacinamide"]))
    assert set(result.excluded_ingredients) >= {"lavender oil", "niacinamide"}
    rules_for = {v.option: v.rule for v in result.blocked if v.kind == "ingredient"}
    assert rules_for["lavender oil"] == "allergy-excludes-ingredient"


def test_active_herpes_at_site_gets_no_procedure() -> None:
    result = screen(profile(history={"herpes_active_at_site": True}))
    in_clinic = [k for k, p in procedures().items() if p.in_clinic]
    for option in in_clinic:
        assert option not in result.allowed_procedures
        assert "herpes-active-postpone" in {v.rule for v in result.blockers_of(option)}
    assert {v.rule for v in result.warnings_for("home_care_topical")} == {
        "herpes-active-no-topical-on-lesion"
    }


def test_isotretinoin_follows_the_2017_consensus() -> None:
    result = screen(profile(history={"isotretinoin": "current"}))
    assert "dermabrasion_mechanical" not in result.allowed_procedures
    assert "laser_ablative_full" not in result.allowed_procedures
    for option in ("chemical_peel_superficial", "laser_fractional_ablative", "dermabrasion_manual"):
        assert option in result.allowed_procedures
        assert "isotretinoin-no-delay-needed" in {v.rule for v in result.warnings_for(option)}
    stopped_long_ago = screen(profile(history={"isotretinoin": "stopped_over_6_months"}))
    assert "dermabrasion_mechanical" in stopped_long_ago.allowed_procedures


def test_pih_risk_from_phototype_or_asian_ancestry() -> None:
    dark = screen(profile(fitzpatrick={"phototype": 5}))
    assert "pih-risk-phototype" in {v.rule for v in dark.warnings_for("microneedling")}
    assert "pih_risk" not in screen(profile(fitzpatrick={"phototype": 3})).flags
    assert "pih_risk" in screen(profile(fitzpatrick={"phototype": 3}, asian_ancestry=True)).flags


def test_keloid_tendency_is_a_warning_not_a_block() -> None:
    result = screen(profile(history={"keloid_tendency": True}))
    assert "microneedling" in result.allowed_procedures
    assert "keloid-caution" in {v.rule for v in result.warnings_for("microneedling")}


@pytest.mark.parametrize(
    ("market", "blocked"), [("EU", True), ("CN", True), ("US", False), ("KR", False)]
)
def test_human_origin_ev_only_where_the_market_allows(market: str, blocked: bool) -> None:
    result = screen(profile(market=market))
    assert ("human-derived EV" in result.excluded_ingredients) is blocked
    if market == "KR":
        assert "human-ev-korea-advertising" in {
            v.rule for v in result.warnings_for("human-derived EV")
        }


def test_every_rule_has_source_severity_and_unique_id() -> None:
    ids = [r.id for r in rules()]
    assert len(ids) == len(set(ids))
    for rule in rules():
        assert rule.source.strip() and rule.reason.strip() and rule.severity


def test_every_verdict_names_its_rule() -> None:
    result = screen(profile(pregnant=True, allergies=["x"], history={"keloid_tendency": True}))
    known = {r.id for r in rules()}
    assert result.blocked and result.warnings
    assert all(v.rule in known and v.reason for v in [*result.blocked, *result.warnings])


def test_medication_names_set_flags() -> None:
    result = screen(profile(medications=["Warfarin 5 mg", "methotrexate", "isotretinoin 20mg"]))
    assert {"anticoagulants", "immunosuppressants"} <= set(result.flags)
    assert "anticoagulants-review" in {v.rule for v in result.warnings_for("microneedling")}
    assert "isotretinoin_recent" in result.flags
    assert "anticoagulants" not in screen(profile(medications=["heparinoid cream"])).flags
    assert screen(profile(medications=["vitamin d"])).flags == screen(profile()).flags


@pytest.mark.parametrize(
    ("flag", "rule", "postponed", "still_allowed"),
    [
        ("filler_within_12_months", "recent-filler-postpone", "microneedling", "home_care_topical"),
        (
            "neurotoxin_within_3_months",
            "recent-neurotoxin-postpone",
            "laser_nonablative",
            "home_care_topical",
        ),
        (
            "deep_peel_within_30_days",
            "recent-deep-peel-postpone",
            "chemical_peel_superficial",
            "home_care_topical",
        ),
        (
            "facial_surgery_within_12_months",
            "recent-facial-surgery-postpone",
            "microneedling",
            "laser_nonablative",
        ),
    ],
)
def test_recent_procedures_postpone_with_their_rule(
    flag: str, rule: str, postponed: str, still_allowed: str
) -> None:
    result = screen(profile(history={flag: True}))
    assert postponed not in result.allowed_procedures
    assert rule in {v.rule for v in result.blockers_of(postponed)}
    assert still_allowed in result.allowed_procedures
    assert postponed in screen(profile()).allowed_procedures  # the flag made the difference
