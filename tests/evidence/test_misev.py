"""The MISEV2018 marker ontology classifies proteins as the reference sheet says."""

from __future__ import annotations

import pytest

from exoderm.evidence.misev import (
    MarkerCategory,
    category_of,
    check_nomenclature,
    markers,
    nomenclature_rules,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("CD9", "1a"),
        ("cd63", "1a"),
        ("CD81", "1a"),
        ("TSG101", "2a"),
        ("ALIX", "2a"),
        ("PDCD6IP", "2a"),
        ("syntenin", "2a"),
        ("ANXA5", "2a"),
        ("GAPDH", "2b"),
        ("ACTB", "2b"),
        ("HSPA8", "2b"),
        ("APOA1", "3a"),
        ("albumin", "3a"),
        ("UMOD", "3b"),
        ("RPS6", "3b"),
        ("calnexin", "4c"),
        ("CANX", "4c"),
        ("GM130", "4c"),
        ("Grp94", "4c"),
        ("ACTN4", "4d"),
        ("TOMM20", "4b"),
        ("HIST1H1C", "4a"),
        ("TGFB1", "5a"),
        ("FN1", "5b"),
        ("COL1A1", "5b"),
        ("ITGB1", "1b"),
    ],
)
def test_category_of_known_markers(name: str, expected: str) -> None:
    assert category_of(name) == MarkerCategory(expected)


def test_unknown_protein_has_no_category() -> None:
    assert category_of("not-a-protein") is None
    assert category_of("") is None


def test_every_category_has_entries_with_sources() -> None:
    entries = markers()
    assert {e.category for e in entries} == set(MarkerCategory)
    assert all("doi:10.1080/20013078.2018.1535750" in e.source for e in entries)
    assert all(e.confidence in {"V", "U"} for e in entries)


def test_identity_and_purity_flags_follow_misev() -> None:
    assert MarkerCategory("1a").is_ev_identity
    assert MarkerCategory("2a").is_ev_identity
    assert not MarkerCategory("2b").is_ev_identity
    assert MarkerCategory("4c").is_purity_control
    assert not MarkerCategory("5a").is_purity_control


def test_nomenclature_rules_cover_exosome_and_plant_naming() -> None:
    ids = {r.id for r in nomenclature_rules()}
    assert {"exosome-needs-biogenesis", "plant-vesicles", "size-classes"} <= ids
    plant = check_nomenclature("Centella plant exosomes", plant_source=True)
    assert [f.rule.id for f in plant] == ["plant-vesicles"]
    mammal = check_nomenclature("Adipose exosomes")
    assert [f.rule.id for f in mammal] == ["exosome-needs-biogenesis"]
    assert check_nomenclature("Adipose exosomes", endosomal_origin_shown=True) == []
