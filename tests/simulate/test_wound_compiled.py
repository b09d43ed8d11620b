"""The compiled wound engine: the numpy engine's numbers, streamed in chunks, reproducible."""

from __future__ import annotations

import numpy as np
import pytest

from exoderm.simulate.exposure import Exposure
from exoderm.simulate.integrate import solve_rk4
from exoderm.simulate.population import (
    WoundCohortInput,
    cohort,
    stream_wound_cohort,
    wound_cohort_input,
    wound_endpoints,
)
from exoderm.simulate.scenario import build_scenario
from exoderm.simulate.wound import WoundModel


@pytest.mark.parametrize(
    ("diabetic", "schedule", "days"),
    [(False, (0, 7, 14), 60), (True, (0, 3, 10, 21), 45), (False, (2,), 30)],
)
def test_compiled_equals_the_numpy_engine(
    diabetic: bool, schedule: tuple[int, ...], days: int
) -> None:
    sc = build_scenario(
        model="wound", dose=3e12, schedule=schedule, duration_days=days, diabetic=diabetic
    )
    inp = wound_cohort_input(sc, 300, seed=4)
    compiled = wound_endpoints(inp, "compiled")
    outside = compiled["outside_model"] > 0
    # the patients flagged are exactly those whose numpy trajectory has a negative state
    model = WoundModel()
    with np.errstate(invalid="ignore"):
        states = solve_rk4(
            model, inp.params, model.initial_state(inp.params, 300), inp.exposure, inp.times, 0.05
        ).states
    negative = ~np.all(states >= 0.0, axis=(1, 2))
    np.testing.assert_array_equal(outside, negative)
    if diabetic:
        assert outside.any(), "the diabetic regimen should take some patients outside"
    with np.errstate(invalid="ignore"):
        numpy_rk4 = wound_endpoints(inp, "rk4")
    for name, values in numpy_rk4.items():
        assert np.all(np.isnan(compiled[name][outside])), name
        got, want = compiled[name][~outside], values[~outside]
        assert np.array_equal(np.isfinite(got), np.isfinite(want)), name
        np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True)
    # the cohort differs between patients, so equality is not trivially of one patient
    assert np.nanstd(compiled["closure_day7_pct"]) > 1.0


def test_a_cohort_reports_the_share_outside_the_model() -> None:
    sc = build_scenario(model="wound", dose=3e12, schedule=(0, 3, 10, 21), diabetic=True)
    summary = cohort(sc, 300, seed=4)
    share = summary["rate_outside_model"]["rate_pct"]
    assert 0.0 < share < 10.0
    kept = round(300 * (1 - share / 100))
    assert summary["collagen_end"]["n_missing"] == 0
    assert kept < 300


def test_an_untreated_cohort_is_the_published_model() -> None:
    sc = build_scenario(model="wound", dose=1e12, schedule=(0,), duration_days=30)
    inp = wound_cohort_input(sc, 20, seed=1)
    none = Exposure(inp.exposure.times, np.zeros_like(inp.exposure.amounts), 1.0, 1.0)
    untreated = WoundCohortInput(inp.params, none, inp.times)
    treated = wound_endpoints(inp, "compiled")
    control = wound_endpoints(untreated, "compiled")
    np.testing.assert_allclose(
        control["closure_day7_pct"], wound_endpoints(untreated, "rk4")["closure_day7_pct"]
    )
    assert np.all(treated["closure_day7_pct"] > control["closure_day7_pct"])


def test_streamed_in_chunks_and_reproducible() -> None:
    sc = build_scenario(model="wound", dose=1e12, schedule=(0, 7), duration_days=30)
    chunks = list(stream_wound_cohort(sc, 250, seed=3, chunk=100))
    assert [len(c["collagen_end"]) for c in chunks] == [100, 100, 50]
    again = list(stream_wound_cohort(sc, 250, seed=3, chunk=100))
    for a, b in zip(chunks, again, strict=True):
        for name in a:
            np.testing.assert_array_equal(a[name], b[name])
    # later chunks draw new patients, not a copy of the first
    assert not np.array_equal(chunks[0]["collagen_end"][:50], chunks[2]["collagen_end"])
    # the first chunk is the cohort the numpy engine draws for the same seed
    first = wound_endpoints(wound_cohort_input(sc, 100, seed=3), "rk4")
    np.testing.assert_allclose(chunks[0]["closure_day7_pct"], first["closure_day7_pct"], rtol=1e-12)


def test_cohort_summary_uses_the_compiled_engine_unchanged() -> None:
    sc = build_scenario(model="wound", dose=1e12, schedule=(0, 7))
    summary = cohort(sc, 200, seed=2)
    reference = wound_endpoints(wound_cohort_input(sc, 200, seed=2), "rk4")
    assert summary["closure_day7_pct"]["median"] == pytest.approx(
        float(np.median(reference["closure_day7_pct"])), rel=1e-12
    )


def test_a_dosing_day_off_the_step_grid_is_refused() -> None:
    sc = build_scenario(model="wound", dose=1e12, schedule=(0, 7), duration_days=30)
    inp = wound_cohort_input(sc, 3, seed=1)
    off = Exposure(np.array([0.0, 7.03]), inp.exposure.amounts, 0.7, 100.0)
    with pytest.raises(ValueError, match="not on the RK4 grid"):
        wound_endpoints(WoundCohortInput(inp.params, off, inp.times), "compiled")
