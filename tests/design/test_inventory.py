"""The CosIng inventory: every INCI name recognised, checked against the source file itself.

The golden values come from the Commission's inventory as distributed (the read-only data
folder beside the project), read here with the standard library, independently of the
packaged copy and of exoderm's reader.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random

import pytest

from exoderm.cli.main import main
from exoderm.design.inventory import fold_inci, inventory_entry, inventory_stats
from exoderm.errors import NotFoundError, UserInputError
from exoderm.markets import Market
from tests.shared import SHARED_DATA, needs

COSING = SHARED_DATA / "cosing" / "cosing_ingredients.csv.gz"


def _source_rows() -> list[dict[str, str]]:
    with gzip.open(COSING, "rt", encoding="utf-8") as fh:
        return list(csv.DictReader(io.StringIO(fh.read())))


@needs(COSING)
def test_every_entry_of_the_source_ships() -> None:
    assert inventory_stats().entries == len(_source_rows()) == 30_070


@needs(COSING)
def test_a_random_sample_matches_the_source_field_by_field() -> None:
    rows = _source_rows()
    by_name: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_name.setdefault(fold_inci(r["inci_name"]), []).append(r)
    sample = random.Random(13).sample(rows, 400)
    for row in sample:
        entry = inventory_entry(row["inci_name"].lower())
        assert entry.inci_name == row["inci_name"]
        assert entry.cosing_ref_no == row["cosing_ref_no"]
        cas = [c.strip() for c in row["cas_no"].split(",") if c.strip() not in ("", "-")]
        assert entry.cas_numbers == cas
        functions = [f.strip() for f in row["function"].split(",") if f.strip()]
        assert entry.functions == functions
        assert entry.restriction_text == row["restriction"]
        for ref in entry.annex_references:
            assert ref in row["restriction"]


@pytest.mark.parametrize("typed", ["Phenoxyethanol", " PHENOXYETHANOL ", "phenoxy-ethanol"])
def test_phenoxyethanol_in_any_spelling(typed: str) -> None:
    entry = inventory_entry(typed)
    assert entry.cas_numbers == ["122-99-6"]
    assert entry.functions == ["ANTIMICROBIAL", "PRESERVATIVE"]
    [annex_v] = entry.restrictions
    assert (annex_v.annex, annex_v.entry) == ("V", "29")
    assert set(annex_v.markets) == {Market.EU, Market.UK}
    assert Market.US in entry.not_covered
    assert "Commission" in entry.source


def test_human_origin_material_carries_annex_ii_416() -> None:
    entry = inventory_entry("Human Adipocyte Conditioned Media Extract")
    assert [(r.annex, r.entry) for r in entry.restrictions] == [("II", "416")]


def test_disagreement_between_inventory_and_register_is_shown() -> None:
    entry = inventory_entry("1,5-NAPHTHALENEDIOL")
    assert entry.annex_references == ["III/32"]
    assert any("III/32" in n for n in entry.notes)


def test_unknown_and_empty_names() -> None:
    with pytest.raises(NotFoundError, match="did you mean PHENOXYETHANOL"):
        inventory_entry("phenoxyethanl")
    with pytest.raises(UserInputError):
        inventory_entry("  --  ")


def test_cli_ingredient_show_and_stats(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--format", "json", "design", "ingredient", "show", "phenoxyethanol"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["cas_numbers"] == ["122-99-6"] and "Annex V entry 29" in shown["restrictions"][0]
    assert main(["--format", "json", "design", "stats"]) == 0
    assert json.loads(capsys.readouterr().out)["inventory_entries"] == 30_070
    assert main(["design", "ingredient", "show", "no such inci"]) == 3
