"""The UK market: retained EU cosmetics law (Annex II 416), retained 655/2013, CAP Code."""

from __future__ import annotations

import json

import pytest

from exoderm.cli.main import main
from exoderm.cli.output import NOT_COMPLIANT_EXIT
from exoderm.design import FormulationRequest, Origin, ProductClass, check_claim
from exoderm.design.catalogue import packaged_catalogue
from exoderm.design.regulation import status
from exoderm.markets import Market

from .conftest import design


def test_human_origin_material_is_prohibited_in_uk_cosmetics_as_in_the_eu() -> None:
    human = [i for i in packaged_catalogue() if i.origin is Origin.human]
    assert human
    for item in human:
        uk = status(item, Market.UK, ProductClass.cosmetic)
        eu = status(item, Market.EU, ProductClass.cosmetic)
        assert uk.status == eu.status
        if uk.status.value == "prohibited" and "Annex II entry 416" in eu.basis:
            assert "SI 2019/696" in uk.basis or "retained" in uk.basis


def test_uk_formulation_excludes_human_derived_evs() -> None:
    best = design(targets={"collagen": 1, "wrinkles": 1}, market="UK").best
    catalogue = packaged_catalogue()
    assert best.market == "UK"
    assert all(catalogue.get(k).origin is not Origin.human for k in best.selected)


def test_uk_request_takes_any_case() -> None:
    assert (
        FormulationRequest.model_validate({"targets": {"hydration": 1}, "market": "uk"}).market
        is Market.UK
    )


@pytest.mark.parametrize(
    ("text", "rule_id"),
    [
        ("with human adipose stem cell exosomes", "human-exosome"),
        ("treats eczema", "disease-treatment"),
        ("regenerates skin cells", "regeneration"),
    ],
)
def test_uk_claims_follow_the_retained_rules(text: str, rule_id: str) -> None:
    verdict = check_claim(text, "UK", "cosmetic")
    assert not verdict.accepted and verdict.rule_id == rule_id and verdict.market == "UK"
    assert "UK" in verdict.rule or "retained" in verdict.rule or "CAP Code" in verdict.rule


def test_uk_appearance_claim_cites_cap_code_and_retained_655() -> None:
    verdict = check_claim("visibly reduces the appearance of fine lines", "UK", "cosmetic")
    assert verdict.accepted and "CAP Code" in verdict.rule and "retained" in verdict.rule
    thin = check_claim("visibly reduces the appearance of fine lines", "UK", "cosmetic", "in_vitro")
    assert not thin.accepted and "CAP Code rule 12.1" in thin.rule


def test_cli_formulate_for_the_uk(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["--format", "json", "design", "formulate", "-t", "collagen", "--market", "UK", "--no-kb"]
    )
    out, _ = capsys.readouterr()
    assert code == 0
    (row,) = json.loads(out)
    catalogue = packaged_catalogue()
    assert all(catalogue.get(k).origin is not Origin.human for k in row["actives"])


def test_cli_claims_check_for_the_uk(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["--format", "json", "design", "claims", "check", "with human exosomes", "--market", "uk"]
    )
    out, _ = capsys.readouterr()
    assert code == NOT_COMPLIANT_EXIT and json.loads(out)["rule_id"] == "human-exosome"
