"""Unmodified models reproduce the published reference numbers within 1 %."""

from __future__ import annotations

import numpy as np
import pytest

from exoderm.simulate.atopic import DUPILUMAB, PLACEBO, AtopicModel, ad_parameters, easi
from exoderm.simulate.exposure import Exposure
from exoderm.simulate.integrate import solve_each, solve_stacked
from exoderm.simulate.outcomes import ad_baseline
from exoderm.simulate.parameters import read_data
from exoderm.simulate.validation import baseline_rows
from exoderm.simulate.wound import WoundModel, alpha, wound_parameters


@pytest.mark.parametrize(
    ("diabetic", "day", "phi_i"),
    [(False, 14, 38.0), (False, 28, 8.7), (True, 14, 140.0), (True, 28, 51.0)],
)
def test_waugh_inflammatory_macrophages(diabetic: bool, day: float, phi_i: float) -> None:
    """skin-models.md §1.2: φI at days 14 and 28 for models A (normal) and B (diabetic)."""
    m = WoundModel()
    p = wound_parameters(diabetic, theta=0.0)
    tr = solve_each(m, p, m.initial_state(p, 1), Exposure.none(1), np.array([0.0, day]))
    assert tr.state("phiI")[0, -1] == pytest.approx(phi_i, rel=0.01)


def test_waugh_alpha_and_collagen_plateau() -> None:
    m = WoundModel()
    p = wound_parameters(False, theta=0.0)
    tr = solve_each(m, p, m.initial_state(p, 1), Exposure.none(1), np.array([0.0, 14, 60]))
    assert tr.state("C")[0, 1] == pytest.approx(1250.0, rel=0.01)
    assert alpha(p, tr.state("H")[0, -1:])[0] == pytest.approx(0.48, rel=0.01)


def test_miyano_trajectory_matches_published_output() -> None:
    """Rows of the reference code's own output (python_res.csv) within 1 % for all states."""
    ref = read_data("baselines.json")["miyano"]["trajectory"]
    p = ad_parameters()
    weeks = np.array([0.0, *[r["week"] for r in ref]])
    tr = solve_stacked(
        AtopicModel(), p, AtopicModel.published_initial_state(p, 1), Exposure.none(1), weeks
    )
    for i, row in enumerate(ref, start=1):
        np.testing.assert_allclose(tr.states[0, i], row["states"], rtol=0.01)


def test_miyano_arms_a1() -> None:
    """A1: baseline EASI 25.2; week-16 improvement 44 % placebo, 78 % dupilumab."""
    p = ad_parameters()
    base = ad_baseline(p)
    e0 = float(easi(base[0, 0], base[0, 1]))
    assert e0 == pytest.approx(25.2, rel=0.01)
    for drug, want in [(PLACEBO, 44.0), (DUPILUMAB, 78.0)]:
        tr = solve_stacked(AtopicModel(drug), p, base, Exposure.none(1), np.array([0.0, 16.0]))
        imp = 100 * (1 - float(easi(tr.final[0, 0], tr.final[0, 1])) / e0)
        assert imp == pytest.approx(want, rel=0.01)


def test_validation_baseline_rows_all_pass() -> None:
    rows = baseline_rows()
    assert len(rows) >= 14
    assert [r["id"] for r in rows if r["result"] != "pass"] == []
