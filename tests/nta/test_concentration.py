"""Concentration: calibration transfer, Poisson interval and the particles-per-frame band.

Acceptance (issue 7): within ± 5 % of the simulated number density at 20–100 particles per
frame. The volume is calibrated on one simulated standard (≈ 50 particles per frame) and
applied to samples at ≈ 20 and ≈ 100 particles per frame with the same optics.

The simulated cell is only slightly deeper than the light sheet (``depth_margin_um`` 0.3):
the number of particles in view then barely fluctuates, so the test measures the
estimator's linearity and the calibration transfer rather than the counting noise of a
short video (with a deep cell, 200 frames hold < 10 independent counts, see
``concentration.correlation_frames``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exoderm.errors import UserInputError, ValidationFailed
from exoderm.nta.analysis import Acquisition, AnalysisSettings, track_video
from exoderm.nta.calibration import calibrate_from_video
from exoderm.nta.concentration import (
    Calibration,
    concentration,
    correlation_frames,
    fit_calibration,
    load_calibration,
    poisson_interval,
)
from exoderm.nta.frames import FrameSource
from exoderm.nta.sizing import SizingSettings
from exoderm.nta.synthetic import SimulationSettings, VideoSimulator

ACQ = Acquisition(temperature_c=22, pixel_size_um=0.166, fps=25, exposure_ms=30)
SETTINGS = AnalysisSettings(acquisition=ACQ, sizing=SizingSettings(bootstrap=0))


def _video(conc: float, seed: int, frames: int = 200) -> tuple[VideoSimulator, FrameSource]:
    s = SimulationSettings(
        n_frames=frames,
        concentration_per_ml=conc,
        n_particles=None,
        brightness_exponent=2,
        depth_margin_um=0.3,
        seed=seed,
    )
    sim = VideoSimulator(s, record_truth=False)
    return sim, FrameSource(f"sim-{seed}", sim.frames(), frames)


@pytest.fixture(scope="module")
def calibration() -> Calibration:
    sim, source = _video(1.3e9, seed=1)
    return calibrate_from_video(source, SETTINGS, sim.number_density_per_ml, standard="sim std")


@pytest.mark.parametrize(
    ("conc", "seed", "ppf_band"), [(5.4e8, 2, (15, 30)), (2.3e9, 3, (85, 115))]
)
def test_concentration_within_five_percent(
    calibration: Calibration, conc: float, seed: int, ppf_band: tuple[float, float]
) -> None:
    sim, source = _video(conc, seed)
    table = track_video(source, SETTINGS)
    ppf = float(table.detections_per_frame.mean())
    assert ppf_band[0] <= ppf <= ppf_band[1]
    f_eff = table.n_frames / correlation_frames(table.lengths())
    result = concentration(ppf, f_eff, calibration, dilution=1000.0)
    truth = sim.number_density_per_ml
    assert result.in_cell_per_ml == pytest.approx(truth, rel=0.05)
    assert result.concentration_per_ml == pytest.approx(1000.0 * result.in_cell_per_ml)
    assert result.ci_low_per_ml < result.concentration_per_ml < result.ci_high_per_ml


def test_poisson_interval_matches_garwood() -> None:
    # Garwood exact 95 % interval for 10 counts: 4.795 – 18.39 (standard tables)
    low, high = poisson_interval(10)
    assert low == pytest.approx(4.795, abs=0.001)
    assert high == pytest.approx(18.39, abs=0.01)
    assert poisson_interval(0)[0] == 0.0


def test_warns_outside_recommended_band() -> None:
    cal = fit_calibration(50.0, 100.0, 1e9, "std")
    assert concentration(10.0, 100.0, cal).warnings
    assert concentration(150.0, 100.0, cal).warnings
    assert not concentration(50.0, 100.0, cal).warnings


def test_more_independent_frames_narrow_the_interval() -> None:
    cal = fit_calibration(50.0, 1e6, 1e9, "std")
    wide = concentration(50.0, 10.0, cal)
    narrow = concentration(50.0, 1000.0, cal)
    assert (narrow.ci_high_per_ml - narrow.ci_low_per_ml) < (
        wide.ci_high_per_ml - wide.ci_low_per_ml
    ) / 5


def test_correlation_frames() -> None:
    # three particles each seen for 10 frames: counts decorrelate after ~10 frames
    assert correlation_frames([10, 10, 10]) == pytest.approx(10.0)  # type: ignore[arg-type]
    assert correlation_frames([]) == 1.0  # type: ignore[arg-type]


def test_calibration_file_round_trip_and_errors(tmp_path: Path) -> None:
    cal = fit_calibration(40.0, 200.0, 2e10, "PS 100 nm lot 7", standard_dilution=100.0)
    assert cal.effective_volume_pl == pytest.approx(40.0 / 2e8 / 1e-9)
    path = tmp_path / "cal.json"
    cal.save(path)
    assert load_calibration(path) == cal
    data = json.loads(path.read_text())
    data["effective_volume_pl"] = -1
    path.write_text(json.dumps(data))
    with pytest.raises(ValidationFailed, match="effective_volume_pl"):
        load_calibration(path)
    with pytest.raises(UserInputError, match="not found"):
        load_calibration(tmp_path / "missing.json")
