"""The dose scan agrees with the full simulation and finds the dose where an effect starts."""

from __future__ import annotations

import time

import numpy as np
import pytest

from exoderm.simulate.effective_range import MEANINGFUL_SHARE, effective_range
from exoderm.simulate.outcomes import predict_outcomes
from exoderm.simulate.scenario import build_scenario

README = {
    "model": "wound",
    "source": "adipose-msc",
    "dose": 1e10,
    "route": "injection",
    "schedule": (0, 7, 14),
    "diabetic": True,
}


def _headline_of_full_run(scenario_fields: dict[str, object]) -> tuple[float, float]:
    out = predict_outcomes(build_scenario(**scenario_fields))
    model = out.scenario.model.value
    if model == "wound":
        i = int(np.argmin(np.abs(out.times - 14.0)))
        return 100 * (1 - out.treated["W"][i]), 100 * (1 - out.control["W"][i])
    if model == "photoageing":
        return float(out.treated["MMP1"].mean()), float(out.control["MMP1"].mean())
    return float(out.treated["EASI"][-1]), float(out.control["EASI"][-1])


@pytest.mark.parametrize("model", ["wound", "photoageing", "ad"])
def test_scan_reads_the_same_numbers_as_the_full_simulation(model: str) -> None:
    fields = {**README, "model": model, "dose": 1e12}
    found = effective_range(build_scenario(**fields))
    treated, control = _headline_of_full_run(fields)
    assert found.treated == pytest.approx(
        treated, rel=1e-6
    )  # the AD solver is adaptive: n-dependent steps
    assert found.control == pytest.approx(
        control, rel=1e-6
    )  # the AD solver is adaptive: n-dependent steps


def test_readme_dose_is_below_the_effective_range_and_the_range_starts_higher() -> None:
    t0 = time.perf_counter()
    found = effective_range(build_scenario(**README))
    assert time.perf_counter() - t0 < 1.0
    assert not found.meaningful
    assert abs(found.difference) < MEANINGFUL_SHARE * found.control
    start = found.lowest_meaningful_dose
    assert start is not None and start > found.dose
    at_start = build_scenario(**{**README, "dose": start})
    assert effective_range(at_start).meaningful
    below = [p for p in found.grid if p.dose < start]
    assert below and not any(p.meaningful for p in below)
    assert "no meaningful difference" in found.sentence()


def test_a_strong_dose_is_meaningful_and_said_so() -> None:
    found = effective_range(build_scenario(**{**README, "dose": 1e13}))
    assert found.meaningful and found.difference > 10
    assert found.sentence().startswith("At this dose the model predicts a difference")
