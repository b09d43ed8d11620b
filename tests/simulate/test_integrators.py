"""The vectorised integrators agree with the per-patient reference on the same equations."""

from __future__ import annotations

import time

import numpy as np

from exoderm.simulate.atopic import PLACEBO, AtopicModel, ad_parameters
from exoderm.simulate.exposure import Exposure
from exoderm.simulate.integrate import solve_each, solve_stacked
from exoderm.simulate.population import lognormal, wound_cohort_input, wound_endpoints
from exoderm.simulate.scenario import build_scenario


def test_rk4_cohort_matches_solve_ivp_endpoints() -> None:
    sc = build_scenario(model="wound", dose=1e12, schedule=(0, 7, 14))
    inp = wound_cohort_input(sc, 8, seed=3)
    fast = wound_endpoints(inp, "rk4")
    slow = wound_endpoints(inp, "solve_ivp", rtol=1e-8, atol=1e-10)
    for name in fast:
        ok = np.isfinite(slow[name])
        assert np.array_equal(np.isfinite(fast[name]), ok)
        assert np.max(np.abs(fast[name][ok] / slow[name][ok] - 1)) < 1e-3, name


def test_stacked_bdf_matches_per_patient_for_ad() -> None:
    rng = np.random.default_rng(0)
    p = lognormal(ad_parameters(), ("k1", "d8"), 0.2, 3, rng)
    y0 = AtopicModel.published_initial_state(p, 3)
    ex = Exposure(np.array([0.0, 7.0]), np.full((3, 2), 50.0), 0.693, 100.0)
    t = np.array([0.0, 0.5, 2.0, 4.0])
    a = solve_stacked(AtopicModel(PLACEBO), p, y0, ex, t)
    b = solve_each(AtopicModel(PLACEBO), p, y0, ex, t)
    np.testing.assert_allclose(a.states, b.states, rtol=1e-5)


def test_ten_thousand_wound_patients_in_seconds() -> None:
    sc = build_scenario(model="wound", dose=1e12, schedule=(0, 7, 14))
    inp = wound_cohort_input(sc, 10_000, seed=0)
    t0 = time.perf_counter()
    ep = wound_endpoints(inp, "rk4")
    assert time.perf_counter() - t0 < 30.0
    assert ep["closure_day7_pct"].shape == (10_000,)
    assert np.all((ep["closure_day7_pct"] > 0) & (ep["closure_day7_pct"] < 100))
