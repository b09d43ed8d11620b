"""The packaged catalogue and the import format: provenance, naming, error reporting."""

from __future__ import annotations

from pathlib import Path

import pytest

from exoderm.design import Catalogue, Kind, Origin, read_ingredient_file
from exoderm.design.catalogue import parse_ingredients
from exoderm.errors import NotFoundError, UserInputError, ValidationFailed

ISSUE_SOURCES = [
    "centella",
    "ginseng",
    "rose",
    "grape",
    "lemon",
    "aloe",
    "dendropanax",
    "adsc",
    "bm-msc",
    "uc-msc",
    "prp",
    "bovine-milk",
]


def test_catalogue_covers_the_issue_kinds(catalogue: Catalogue) -> None:
    keys = " ".join(catalogue.ingredients)
    for name in ISSUE_SOURCES:
        assert name in keys, name
    for key in [
        "sodium-hyaluronate",
        "palmitoyl-pentapeptide-4",
        "acetyl-hexapeptide-8",
        "ascorbic-acid",
        "tocopherol",
        "niacinamide",
        "ceramide-np",
        "serum",
        "cream",
        "hydrogel",
        "sheet-mask",
        "injectable-solution",
        "microneedling",
        "fractional-laser",
        "peptide-functionalisation",
    ]:
        assert key in catalogue.ingredients, key
    assert {i.origin for i in catalogue.of_kind(Kind.ev_source)} >= {
        Origin.plant,
        Origin.human,
        Origin.animal,
    }


def test_every_number_has_a_source(catalogue: Catalogue) -> None:
    for item in catalogue:
        assert item.risk_basis
        for block in (item.use_level, item.ph, item.stability):
            if block is not None:
                assert len(block.source) > 3, item.key
        for effect in item.effects:
            assert effect.target in catalogue.targets, (item.key, effect.target)
            for evidence in effect.evidence:
                assert evidence.citation and any(
                    m in evidence.citation for m in ("[V", "[S", "[U", "doi", "PMC", "PMID")
                )
    for synergy in catalogue.synergies:
        assert all(e.citation for e in synergy.evidence)


def test_plant_vesicles_follow_inci_naming(catalogue: Catalogue) -> None:
    # Whitepaper correction 5: plant material is named "... Vesicles", never exosomes.
    for item in catalogue.of_kind(Kind.ev_source):
        if item.origin is Origin.plant:
            assert item.inci.endswith("Vesicles"), item.inci
            assert "exosome" not in item.inci.lower()


def test_targets_resolve_by_alias(catalogue: Catalogue) -> None:
    assert catalogue.target("Fine lines").id == "wrinkles"
    assert catalogue.target("HYPERPIGMENTATION").id == "pigmentation"
    with pytest.raises(UserInputError, match="did you mean"):
        catalogue.target("colagen")
    with pytest.raises(NotFoundError, match="did you mean"):
        catalogue.get("niacinamid")


GOOD = """\
ingredients:
  - key: snail-vesicles
    name: Snail mucus vesicles
    inci: Snail Secretion Filtrate Vesicles
    kind: ev_source
    origin: animal
    role: EV source
    routes: [leave-on]
    classes: [cosmetic]
    vegan: false
    cost_tier: 2
    risk: 0.1
    risk_basis: "test entry"
    effects:
      - target: hydration
        evidence: [{design: in_vitro, citation: "test citation [U]"}]
"""


def test_import_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "extra.yaml"
    path.write_text(GOOD, encoding="utf-8")
    [item] = read_ingredient_file(path)
    assert item.key == "snail-vesicles" and item.effects[0].target == "hydration"


def test_import_errors_name_file_line_and_field(tmp_path: Path) -> None:
    bad = GOOD.replace("cost_tier: 2", "cost_tier: 9").replace("kind: ev_source", "kind: potion")
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        read_ingredient_file(path)
    problems = caught.value.problems
    assert len(problems) == 2
    by_field = {p.location.field: p for p in problems}
    kind = by_field["ingredients[0] (snail-vesicles).kind"]
    tier = by_field["ingredients[0] (snail-vesicles).cost_tier"]
    assert kind.location.line == 5 and tier.location.line == 11
    assert str(kind.location.file) == str(path)


def test_duplicate_keys_and_syntax_errors(tmp_path: Path) -> None:
    doubled = GOOD + GOOD.split("ingredients:\n", 1)[1]
    with pytest.raises(ValidationFailed, match="duplicate key 'snail-vesicles'"):
        parse_ingredients(doubled, "dup.yaml")
    with pytest.raises(UserInputError, match=r"broken.yaml, line 3: not valid YAML"):
        parse_ingredients("ingredients:\n  - key: [unclosed\n", "broken.yaml")
    with pytest.raises(UserInputError, match="ingredients"):
        parse_ingredients("foods: []\n", "wrong.yaml")
    with pytest.raises(UserInputError, match="cannot read"):
        read_ingredient_file(tmp_path / "missing.yaml")
