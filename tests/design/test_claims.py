"""The claims checker: drug claims rejected for cosmetics, compliant ones accepted."""

from __future__ import annotations

import pytest

from exoderm.design import EVIDENCE_LEVELS, check_claim
from exoderm.errors import UserInputError

DRUG_CLAIMS = [
    ("heals wounds", "disease-treatment"),
    ("treats eczema", "disease-treatment"),
    ("regenerates skin cells", "regeneration"),
    ("stimulates collagen production", "collagen-elastin"),
    ("boosts collagen and elastin", "collagen-elastin"),
    ("reduces inflammation", "inflammation"),
    ("a topical alternative to injections", "procedure-equivalence"),
    ("reduces wrinkles", "missing-appearance"),
]
COMPLIANT = [
    "visibly reduces the appearance of fine lines",
    "helps skin feel hydrated",
    "for smoother-looking skin",
    "helps reduce the look of pores",
]


@pytest.mark.parametrize(("text", "rule_id"), DRUG_CLAIMS)
def test_drug_claims_are_rejected_for_us_cosmetics(text: str, rule_id: str) -> None:
    verdict = check_claim(text, "US", "cosmetic")
    assert not verdict.accepted
    assert verdict.rule_id == rule_id
    assert verdict.reason and verdict.rule
    assert "FD&C Act 201" in verdict.rule
    assert verdict.rewording, "a rejected claim gets a compliant rewording"
    again = check_claim(verdict.rewording, "US", "cosmetic")
    assert again.accepted, again.reason


@pytest.mark.parametrize("text", COMPLIANT)
@pytest.mark.parametrize("market", ["US", "EU", "KR", "CN", "ZA"])
def test_compliant_claims_are_accepted(text: str, market: str) -> None:
    verdict = check_claim(text, market, "cosmetic")
    assert verdict.accepted, verdict.reason
    assert verdict.reason and verdict.rule
    assert verdict.rewording is None
    assert "needs" in verdict.substantiation


@pytest.mark.parametrize("market", ["EU", "KR", "CN"])
def test_drug_claims_are_rejected_in_other_markets_with_their_own_rule(market: str) -> None:
    verdict = check_claim("regenerates skin cells", market, "cosmetic")
    assert not verdict.accepted
    assert "FD&C" not in verdict.rule


def test_korea_bans_the_word_exosome_but_the_us_does_not() -> None:
    kr = check_claim("with plant-derived exosomes for glow", "KR", "cosmetic")
    assert not kr.accepted and kr.rule_id == "exosome-word"
    assert "21 Jan 2025" in kr.rule
    assert kr.rewording and "exosome" not in kr.rewording.lower()
    us = check_claim("with centella vesicles for glow", "US", "cosmetic")
    assert us.accepted


def test_plant_exosome_is_not_an_inci_name() -> None:
    verdict = check_claim("with centella exosomes", "EU", "cosmetic")
    assert not verdict.accepted and verdict.rule_id == "plant-exosome"
    assert verdict.rewording == "with centella vesicles"


def test_human_derived_ingredient_claim_in_eu() -> None:
    verdict = check_claim("with human adipose stem cell exosomes", "EU", "cosmetic")
    assert not verdict.accepted
    assert "Annex II entry 416" in verdict.rule


def test_regulatory_status_claims_are_rejected_in_every_class() -> None:
    for cls in ("cosmetic", "drug"):
        verdict = check_claim("FDA-approved exosome serum", "US", cls)
        assert not verdict.accepted and verdict.rule_id == "regulatory-status"


def test_drug_class_may_make_treatment_claims() -> None:
    verdict = check_claim("treats atrophic acne scars", "US", "drug")
    assert verdict.accepted
    assert "authorisation" in verdict.rule


def test_substantiation_level_decides() -> None:
    text = "visibly reduces the appearance of fine lines"
    weak = check_claim(text, "EU", "cosmetic", evidence_level="in_vitro")
    assert not weak.accepted and weak.rule_id == "substantiation"
    assert "655/2013" in weak.rule and "criterion 3" in weak.rule
    assert weak.rewording and check_claim(weak.rewording, "EU", "cosmetic").accepted
    strong = check_claim(text, "EU", "cosmetic", evidence_level="controlled_human")
    assert strong.accepted
    feel = check_claim("helps skin feel hydrated", "EU", "cosmetic", "consumer_perception")
    assert feel.accepted
    clinical = check_claim(
        "clinically proven to reduce the look of pores", "EU", "cosmetic", "controlled_human"
    )
    assert not clinical.accepted


def test_korea_only_bans() -> None:
    assert not check_claim("visibly improves redness", "KR", "cosmetic").accepted
    assert check_claim("visibly improves redness", "US", "cosmetic").accepted
    assert not check_claim("V-line contour serum", "KR", "cosmetic").accepted


def test_bad_input_is_a_user_error() -> None:
    with pytest.raises(UserInputError, match="market"):
        check_claim("helps skin feel soft", "XX", "cosmetic")
    with pytest.raises(UserInputError, match="class"):
        check_claim("helps skin feel soft", "EU", "potion")
    with pytest.raises(UserInputError, match="evidence level"):
        check_claim("helps skin feel soft", "EU", "cosmetic", "anecdote")
    with pytest.raises(UserInputError, match="empty"):
        check_claim("   ", "EU", "cosmetic")
    assert EVIDENCE_LEVELS[0] == "none"
