"""Acceptance: the default specification, the MISEV checklist and the decision."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from exoderm.accounts.actor import Actor
from exoderm.qc import create_batch, parse_batch_record, record_measurement
from exoderm.qc import service as qc
from exoderm.qc.decision import evaluate
from exoderm.qc.evmetric import ev_metric
from exoderm.qc.facts import gather
from exoderm.qc.importers import import_file
from exoderm.qc.nomenclature import nomenclature_gate
from exoderm.qc.purity import purity_tier
from exoderm.qc.specs import load_spec, load_spec_file
from exoderm.storage import Database
from tests.qc.conftest import passing_record
from tests.shared import SHARED_DATA

NTA = import_file(SHARED_DATA / "nanosight" / "beads2.csv")[0]


def _decide(record: dict[str, Any], spec: str | Path | None = None):
    facts = gather(parse_batch_record(record), [NTA])
    sheet = load_spec_file(spec) if isinstance(spec, Path) else load_spec(spec)
    return evaluate(facts, sheet)


def _verdicts(decision) -> dict[str, str]:
    return {c.id: c.verdict for c in decision.criteria}


def test_passing_batch_is_released() -> None:
    d = _decide(passing_record())
    assert d.decision == "release", d.as_rows()
    assert d.checklist.passed
    endotoxin = next(c for c in d.criteria if c.id == "endotoxin")
    assert (endotoxin.measured, endotoxin.limit, endotoxin.verdict) == (
        "0.1 EU/mL",
        "< 0.5 EU/mL",
        "pass",
    )
    assert all(c.source for c in d.criteria)


def test_removing_the_negative_marker_fails_the_checklist() -> None:
    record = passing_record()
    record["markers"] = [m for m in record["markers"] if m["protein"] != "CANX"]
    d = _decide(record)
    assert not d.checklist.passed
    assert any("contaminant" in r and "calnexin" in r for r in d.checklist.reasons)
    assert _verdicts(d)["misev_checklist"] == "review"
    assert _verdicts(d)["negative_marker"] == "review"
    assert d.decision == "needs review"


def test_removing_tem_fails_the_checklist() -> None:
    record = passing_record()
    record["imaging"] = []
    d = _decide(record)
    assert not d.checklist.passed
    assert d.checklist.reasons == [
        "single-EV imaging, wide-field and close-up: no single-vesicle imaging "
        "(TEM, cryo-EM, AFM) recorded"
    ]
    assert d.decision == "needs review"


def test_tem_without_wide_field_is_named() -> None:
    record = passing_record()
    record["imaging"] = [{"method": "TEM", "close_up": True}]
    d = _decide(record)
    assert any("lacks wide-field" in r for r in d.checklist.reasons)


def test_out_of_spec_endotoxin_and_present_calnexin_reject() -> None:
    record = passing_record()
    record["safety"]["endotoxin_eu_per_ml"] = 0.5  # the limit is strict: < 0.5
    record["markers"][3]["present"] = True
    d = _decide(record)
    v = _verdicts(d)
    assert v["endotoxin"] == "fail" and v["negative_marker"] == "fail"
    assert d.decision == "reject"


def test_gapdh_does_not_count_as_category_2() -> None:
    record = passing_record()
    record["markers"][2] = {"protein": "GAPDH", "present": True}
    d = _decide(record)
    assert any("2a" in r for r in d.checklist.reasons)


def test_product_override_tightens_endotoxin(tmp_path: Path) -> None:
    sheet = tmp_path / "serum-a.toml"
    sheet.write_text(
        'id = "serum-a"\nversion = "2"\ntitle = "Serum A"\nproduct = "Serum A"\n'
        'extends = "exoderm-default-ev@1.0"\nremove = ["potency"]\n'
        "[overrides.endotoxin]\nlimit = 0.05\n"
        'source = "STTT 2025 Table 1 (final product < 0.25 EU/mL), tightened in-house"\n'
    )
    d = _decide(passing_record(), sheet)
    assert d.spec == "serum-a@2"
    assert _verdicts(d)["endotoxin"] == "fail"
    assert "potency" not in _verdicts(d)
    assert len(d.criteria) == len(load_spec().criteria) - 1


def test_purity_tiers_and_metric_and_naming() -> None:
    assert purity_tier(5e10) == "high purity"
    assert purity_tier(1e10) == "low purity"
    assert purity_tier(1e9) == "impure"
    assert purity_tier(2.5e10) == "intermediate"
    facts = gather(parse_batch_record(passing_record()), [NTA])
    metric = ev_metric(facts)
    # applicable: 6 generic + UC (dUC used) + antibody and lysate (western blots) = 9
    assert metric.applicable == 9
    assert metric.fulfilled == 4  # EV proteins, negative markers, EM, quantitative analysis
    assert metric.score == round(100 * 4 / 9)
    assert nomenclature_gate(facts).allowed_term == "small EVs"
    plant = passing_record(product="Centella Exosome Serum")
    plant["source"] = {"kind": "plant", "species": "Centella asiatica"}
    naming = nomenclature_gate(gather(parse_batch_record(plant), [NTA]))
    assert naming.allowed_term == "vesicles" and not naming.ok
    assert _verdicts(_decide(plant))["nomenclature"] == "review"


def test_check_stored_batch(sqlite_db: Database, analyst: Actor) -> None:
    with sqlite_db.transaction() as s:
        create_batch(s, parse_batch_record(passing_record()), analyst)
        record_measurement(s, "LOT-001", NTA, analyst)
    with sqlite_db.reader() as s:
        d = qc.check_batch(s, analyst, "LOT-001")
    assert d.decision == "release"
    frac = next(c for c in d.criteria if c.id == "size_fraction_50_400")
    assert frac.verdict == "pass"


def test_no_measurement_needs_review(sqlite_db: Database, analyst: Actor) -> None:
    with sqlite_db.transaction() as s:
        create_batch(s, parse_batch_record(passing_record()), analyst)
    with sqlite_db.reader() as s:
        d = qc.check_batch(s, analyst, "LOT-001")
    assert d.decision == "needs review"
    assert {c.id: c.verdict for c in d.criteria}["size_mode"] == "review"


@pytest.mark.parametrize("bad", ['id = "x"\n', "not toml ["])
def test_bad_spec_sheet_is_a_user_error(tmp_path: Path, bad: str) -> None:
    from exoderm.errors import UserInputError

    sheet = tmp_path / "bad.toml"
    sheet.write_text(bad)
    with pytest.raises(UserInputError) as info:
        load_spec_file(sheet)
    assert str(sheet) in str(info.value)


def test_precipitation_alone_is_flagged_for_review() -> None:
    record = passing_record()
    record["separation"] = ["PEG precipitation"]
    d = _decide(record)
    sep = next(c for c in d.criteria if c.id == "separation")
    assert sep.verdict == "review" and "precipitation alone" in sep.measured
    assert d.decision == "needs review"
    record["separation"] = ["PEG precipitation", "SEC"]
    sep = next(c for c in _decide(record).criteria if c.id == "separation")
    assert sep.verdict == "pass" and "class 2" in sep.measured
    record["separation"] = ["magic beads"]
    assert _verdicts(_decide(record))["separation"] == "review"
