"""Regulatory status by market and class; CosIng annexes through on-the-list."""

from __future__ import annotations

from exoderm.design import Catalogue, Kind, Origin, ProductClass, Route, Status
from exoderm.design.annexes import annex_findings, register_description
from exoderm.design.regulation import route_allowed, status


def test_human_origin_is_prohibited_in_eu_and_china_cosmetics(catalogue: Catalogue) -> None:
    humans = [i for i in catalogue.of_kind(Kind.ev_source) if i.origin is Origin.human]
    assert len(humans) >= 4
    for item in humans:
        for market, cite in (("EU", "Annex II entry 416"), ("CN", "item 390")):
            verdict = status(item, market, ProductClass.cosmetic)
            if ProductClass.cosmetic in item.classes:
                assert verdict.status is Status.prohibited and cite in verdict.basis
        us = status(item, "US", ProductClass.drug)
        assert us.status is Status.investigational and "no FDA-approved" in us.basis


def test_plant_sources_are_usable_in_eu_cosmetics(catalogue: Catalogue) -> None:
    for item in catalogue.of_kind(Kind.ev_source):
        if item.origin is Origin.plant:
            assert status(item, "EU", ProductClass.cosmetic).status.usable


def test_on_the_list_finds_annex_entries_by_inci_name() -> None:
    [finding] = annex_findings("Human Adipocyte Conditioned Media Extract")
    assert finding.annex == "II" and finding.reference == "416"
    assert any(f.annex == "V" and f.reference == "29" for f in annex_findings("Phenoxyethanol"))
    # Exact matching only: an INCI name the annex does not print is not found, which is
    # why the human-origin gate works on the ingredient's origin.
    assert annex_findings("Human Adipose Stromal Cell Exosomes") == ()
    assert "28/08/2026" in register_description()


def test_annex_ii_name_makes_an_imported_ingredient_prohibited(catalogue: Catalogue) -> None:
    item = catalogue.get("centella-vesicles").model_copy(
        update={"inci": "Human Adipocyte Conditioned Media Extract", "origin": Origin.plant}
    )
    verdict = status(item, "EU", ProductClass.cosmetic)
    assert verdict.status is Status.prohibited and "Annex II, entry 416" in verdict.basis


def test_injection_is_a_drug_route_only() -> None:
    assert route_allowed(Route.intradermal, ProductClass.cosmetic).status is Status.prohibited
    assert route_allowed(Route.intradermal, ProductClass.drug).status is Status.permitted
    assert route_allowed(Route.leave_on, ProductClass.cosmetic).status is Status.permitted
