"""Issue 14: replicate measurements (same method, same instrument) of one batch are
combined as mean ± standard error over the replicates, n stated, every one named; the
criteria read the combined value. Checked against a hand computation."""

from __future__ import annotations

import itertools
import math

import pytest

from exoderm.accounts.actor import Actor
from exoderm.qc import create_batch, parse_batch_record, record_measurement
from exoderm.qc import service as qc
from exoderm.qc.facts import gather
from exoderm.qc.measurement import ParticleMeasurement, SizeBin
from exoderm.storage import Database
from tests.qc.conftest import passing_record

#: (mode nm, D50 nm, concentration in the cell per mL); dilution 10, not applied.
VALUES = [(97.0, 99.0, 1.0e9), (99.0, 101.5, 1.2e9), (104.0, 106.0, 1.1e9)]


def _measurement(i: int, mode: float, d50: float, conc: float) -> ParticleMeasurement:
    # all particles between 50 and 400 nm except a share that differs per replicate
    outside = 0.02 * (i + 1) * conc
    return ParticleMeasurement(
        method="NTA",
        instrument="Test NTA",
        concentration_per_ml=conc,
        mode_nm=mode,
        d50_nm=d50,
        dilution=10,
        dilution_applied=False,
        bins=[
            SizeBin(centre_nm=45, lower_nm=40, upper_nm=50, concentration_per_ml=outside),
            SizeBin(centre_nm=100, lower_nm=50, upper_nm=150, concentration_per_ml=conc - outside),
        ],
        source_file=f"/data/rep{i + 1}.csv",
        source_sha256=f"{i:064x}",
    )


def _hand(values: list[float]) -> tuple[float, float]:
    """Mean and standard error (sample SD / √n), written out by hand."""
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    return mean, sd / math.sqrt(n)


REPS = [_measurement(i, *v) for i, v in enumerate(VALUES)]


@pytest.mark.parametrize("k", [2, 3])
def test_facts_combine_replicates_with_their_standard_error(k: int) -> None:
    record = parse_batch_record(passing_record())
    facts = gather(record, REPS[:k])
    mode = facts.combined["mode_nm"]
    mean, se = _hand([v[0] for v in VALUES[:k]])
    assert mode.n == k and mode.mean == pytest.approx(mean) and mode.se == pytest.approx(se)
    assert mode.used == tuple(f"NTA Test NTA (rep{i + 1}.csv)" for i in range(k))
    stock_mean, stock_se = _hand([10 * v[2] for v in VALUES[:k]])
    stock = facts.combined["particles_per_ml"]
    assert stock.mean == pytest.approx(stock_mean) and stock.se == pytest.approx(stock_se)
    assert facts.particles_per_ml == pytest.approx(stock_mean)
    fraction_mean, _ = _hand([1 - 0.02 * (i + 1) for i in range(k)])
    assert facts.fraction_50_400 == pytest.approx(fraction_mean)


def test_hand_values_for_three_replicates() -> None:
    """The hand computation itself, for the record: modes 97, 99, 104 nm."""
    mean, se = _hand([97.0, 99.0, 104.0])
    assert mean == 100.0 and se == pytest.approx(math.sqrt(13) / math.sqrt(3))


@pytest.fixture
def db(sqlite_db: Database, analyst: Actor) -> Database:
    with sqlite_db.transaction() as s:
        create_batch(s, parse_batch_record(passing_record(lot="REP")), analyst)
        for m in REPS:
            record_measurement(s, "REP", m, analyst)
    return sqlite_db


def test_criteria_use_the_combined_value_and_name_every_replicate(
    db: Database, analyst: Actor
) -> None:
    with db.reader() as s:
        decision = qc.check_batch(s, analyst, "REP")
    rows = {c.id: c for c in decision.criteria}
    mean, se = _hand([v[0] for v in VALUES])
    size = rows["size_mode"]
    assert size.measured.startswith(f"{mean:.3g} nm ± {se:.2g}")
    assert "n = 3" in size.measured and "SE" in size.measured
    assert sorted(size.measurements) == [f"NTA Test NTA (rep{i}.csv)" for i in (1, 2, 3)]
    stock_mean, stock_se = _hand([10 * v[2] for v in VALUES])
    purity = rows["purity_ratio"]
    assert purity.measured.startswith(f"{stock_mean / 50:.3g}")
    assert f"± {stock_se / 50:.2g}" in purity.measured and "n = 3" in purity.measured
    assert len(purity.measurements) == 3
    # replicates are combined, not compared as orthogonal methods
    assert rows["orthogonal_agreement"].verdict == "n/a"


def test_combined_value_does_not_depend_on_import_order(analyst: Actor) -> None:
    record = parse_batch_record(passing_record())
    seen = set()
    for order in itertools.permutations(REPS):
        facts = gather(record, order)
        seen.add((facts.combined["mode_nm"].used, round(facts.combined["mode_nm"].mean, 9)))
    assert len(seen) == 1


def test_another_instrument_is_not_a_replicate() -> None:
    record = parse_batch_record(passing_record())
    other = REPS[1].model_copy(update={"instrument": "Other NTA", "mode_nm": 140.0})
    facts = gather(record, [REPS[0], other])
    assert facts.combined["mode_nm"].n == 1 and len(facts.replicates) == 1


def test_orthogonal_method_is_compared_with_the_combined_mean() -> None:
    record = parse_batch_record(passing_record())
    # another instrument at 118 nm: within 20 % of the replicate mean (100 nm) but not of
    # the single replicate the content order prefers (97 nm): 118 - 97 > 0.2 * 118
    other = REPS[1].model_copy(
        update={"instrument": "Zeta NTA", "mode_nm": 118.0, "source_file": "/data/o.csv"}
    )
    facts = gather(record, [*REPS, other])
    assert facts.counter is REPS[0] and facts.combined["mode_nm"].mean == 100.0
    from exoderm.qc.decision import evaluate
    from exoderm.qc.specs import load_spec

    rows = {c.id: c for c in evaluate(facts, load_spec()).criteria}
    row = rows["orthogonal_agreement"]
    assert row.verdict == "pass" and "mode 100 vs 118 nm" in row.measured
    assert len(row.measurements) == 4
