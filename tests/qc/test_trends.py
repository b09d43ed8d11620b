from __future__ import annotations

import pytest

from exoderm.accounts.actor import Actor
from exoderm.qc import ParticleMeasurement, create_batch, parse_batch_record, record_measurement
from exoderm.qc import service as qc
from exoderm.qc.trends import control_chart, control_chart_png
from exoderm.storage import Database
from tests.qc.conftest import passing_record


def _lots(values: list[float]) -> list[tuple[str, float]]:
    return [(f"L{i:02d}", v) for i, v in enumerate(values)]


def test_in_control_series_has_no_flags() -> None:
    chart = control_chart("m", "m", _lots([100, 102, 99, 101, 98, 100, 103, 97, 101, 99]))
    assert chart.out_of_control == []
    assert chart.mean == pytest.approx(100)


def test_point_beyond_3sd_with_baseline() -> None:
    chart = control_chart("m", "m", _lots([100, 102, 99, 101, 98, 100, 130]), baseline=6)
    assert [p.lot for p in chart.out_of_control] == ["L06"]
    assert "beyond_3sd" in chart.points[-1].flags


def test_run_rules() -> None:
    base = [100, 102, 98, 101, 99, 100, 102, 98]
    shifted = [*base, 101, 101.5, 101.2, 101.4, 101.3, 101.6, 101.1, 101.7]
    chart = control_chart("m", "m", _lots(shifted), baseline=len(base))
    assert "8_same_side" in chart.points[-1].flags
    trend = control_chart("m", "m", _lots([*base, 99, 100, 101, 102, 103, 104]), baseline=len(base))
    assert "6_trending" in trend.points[-1].flags
    two = control_chart("m", "m", _lots([*base, 103.5, 100, 103.6]), baseline=len(base))
    assert "2_of_3_beyond_2sd" in two.points[-1].flags
    assert "2_of_3_beyond_2sd" not in two.points[-2].flags


def test_lot_trends_from_stored_batches(sqlite_db: Database, analyst: Actor) -> None:
    modes = [98, 101, 99, 100, 102, 99, 100, 160]
    with sqlite_db.transaction() as s:
        for i, mode in enumerate(modes):
            record = passing_record(lot=f"A{i}")
            record["manufactured_on"] = f"2026-01-{i + 1:02d}"
            create_batch(s, parse_batch_record(record), analyst)
            record_measurement(
                s,
                f"A{i}",
                ParticleMeasurement(
                    method="NTA",
                    instrument="t",
                    concentration_per_ml=1e9 * (1 + i / 100),
                    mode_nm=mode,
                ),
                analyst,
            )
        create_batch(s, parse_batch_record(passing_record(lot="B0", product="Other")), analyst)
    with sqlite_db.reader() as s:
        charts = {c.metric: c for c in qc.lot_trends(s, analyst, "Serum A", baseline=7)}
    mode = charts["mode_nm"]
    assert [p.lot for p in mode.points] == [f"A{i}" for i in range(8)]
    assert [p.lot for p in mode.out_of_control] == ["A7"]
    assert len(charts["particles_per_ug_protein"].points) == 8
    assert control_chart_png(mode).startswith(b"\x89PNG")
