"""Out-of-sample validation: independent outcomes and leave-one-out rows are produced."""

from __future__ import annotations

import numpy as np
import pytest

from exoderm.simulate import oos


def test_every_independent_outcome_has_a_row_with_an_interval() -> None:
    outcomes = oos.independent_outcomes()
    assert len(outcomes) >= 6
    rows = oos.independent_rows(draws=8)
    assert [r["id"] for r in rows] == [o["id"] for o in outcomes]
    for r in rows:
        assert r["p05"] <= r["median"] <= r["p95"], r["id"]
        assert r["result"] in {"pass", "fail"}
        assert r["citation"]


def test_dose_follows_the_layer_rules() -> None:
    o = {"dose": {"value": 3e11, "unit": "particles"}, "route": "topical", "source": "plant"}
    # 3e11 particles / 3e10 per ug = 10 ug; x topical 0.05 x plant 0.3
    assert oos.delivered_ug(o) == pytest.approx(10 * 0.05 * 0.3)


def test_sampling_respects_bounds() -> None:
    draws = oos.sample_parameters(np.zeros(6), np.eye(6) * 1e4, 50)
    for d in draws:
        for name, low, high in zip(oos.NAMES, oos.LOWER, oos.UPPER, strict=True):
            assert np.exp(low) * 0.999 <= d[name] <= np.exp(high) * 1.001


# The whole report (every leave-one-out row and independent outcome) is checked by
# tests/simulate/test_scenario_and_cli.py::test_cli_validate_writes_report.
