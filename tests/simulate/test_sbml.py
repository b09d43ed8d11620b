"""SBML exports simulate identically in libRoadRunner."""

from __future__ import annotations

import numpy as np
import pytest
import roadrunner

from exoderm.simulate.atopic import PLACEBO, AtopicModel, ad_parameters
from exoderm.simulate.calibrated import calibrated_value
from exoderm.simulate.exposure import exposure_for
from exoderm.simulate.integrate import solve_each
from exoderm.simulate.outcomes import ad_baseline
from exoderm.simulate.photoageing import PhotoageingModel, photo_parameters, steady_state
from exoderm.simulate.sbml import ad_spec, photo_spec, to_sbml, with_exposure, wound_spec
from exoderm.simulate.scenario import build_scenario
from exoderm.simulate.wound import WoundModel, wound_parameters


def _roadrunner(text: str, t_end: float, n: int, names: list[str]) -> np.ndarray:
    rr = roadrunner.RoadRunner(text)
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-12
    out: np.ndarray = np.asarray(rr.simulate(0.0, t_end, n, ["time", *names]))
    return out


@pytest.mark.parametrize("diabetic", [False, True])
def test_wound_export(diabetic: bool) -> None:
    sc = build_scenario(model="wound", dose=3e12, schedule=(0, 7, 14), diabetic=diabetic)
    ex = exposure_for([sc], calibrated_value("ec50_ug"))
    m = WoundModel()
    p = wound_parameters(diabetic)
    y0 = m.initial_state(p, 1)
    text = to_sbml(with_exposure(wound_spec(p, y0[0]), ex, 0, 1.0))
    got = _roadrunner(text, 30.0, 61, list(m.state_names))
    ref = solve_each(m, p, y0, ex, got[:, 0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got[:, 1:], ref.states[0], rtol=1e-5, atol=1e-8)


def test_photoageing_export() -> None:
    sc = build_scenario(model="photoageing", dose=3e12, schedule=(0, 7, 14, 21))
    ex = exposure_for([sc], calibrated_value("ec50_ug"))
    m = PhotoageingModel()
    p = photo_parameters("photoaged")
    y0 = steady_state(p)
    text = to_sbml(with_exposure(photo_spec(p, y0), ex, 0, 1.0))
    got = _roadrunner(text, 28.0, 57, list(m.state_names))
    ref = solve_each(m, p, y0[None, :], ex, got[:, 0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got[:, 1:], ref.states[0], rtol=1e-5, atol=1e-9)


def test_ad_export() -> None:
    sc = build_scenario(model="ad", dose=3e13, schedule=(0, 7, 14, 21))
    ex = exposure_for([sc], calibrated_value("ec50_ug"))
    p = ad_parameters()
    y0 = ad_baseline(p)
    text = to_sbml(with_exposure(ad_spec(p, y0[0], PLACEBO), ex, 0, 7.0))
    m = AtopicModel(PLACEBO)
    got = _roadrunner(text, 8.0, 81, list(m.state_names))
    ref = solve_each(m, p, y0, ex, got[:, 0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got[:, 1:], ref.states[0], rtol=1e-5, atol=1e-9)
