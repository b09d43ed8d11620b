"""Real video: 1 µm latex beads in water (trackpy-examples bulk_water, first 100 frames).

/work/shared/data/README.md §4: 24 fps, 2.85 px/µm, dark particles (green channel,
inverted), temperature not stated. We assume room temperature, 22 °C, where
Stokes–Einstein with the IAPWS viscosity gives D = 0.453 µm²/s (4D = 1.81 µm²/s).

What the data show (see docs/nta.md, "bulk_water"): the apparent one-frame mobility of the
ensemble jumps every 12th frame interval (a periodic timing irregularity of the recording),
and the MSD is slightly super-diffusive (trackpy's walkthrough fits n = 1.08). Short-lag
estimators (the CVE) therefore read D ≈ 0.33 µm²/s, while the MSD slope over 5–20 frames,
which averages the timing irregularity and cancels static offsets, reads ≈ 0.40 µm²/s —
the same as trackpy's published fit (A = 4D = 1.602 µm²/s on all 300 frames).
"""

from __future__ import annotations

import numpy as np
import pytest

from exoderm.nta.analysis import Acquisition, AnalysisSettings, track_video
from exoderm.nta.detect import DetectionSettings
from exoderm.nta.frames import open_frames
from exoderm.nta.physics import diffusion_from_diameter, water_viscosity_mpas
from exoderm.nta.tracks import estimate_drift, subtract_drift
from tests.shared import SHARED_DATA, needs

DATA = SHARED_DATA / "bulk_water"
ASSUMED_T_C = 22.0
PX_UM = 100 / 285
DT = 1 / 24

pytestmark = needs(DATA)


@pytest.fixture(scope="module")
def table():  # type: ignore[no-untyped-def]
    acq = Acquisition(temperature_c=ASSUMED_T_C, pixel_size_um=PX_UM, fps=24, exposure_ms=0)
    settings = AnalysisSettings(
        acquisition=acq,
        detection=DetectionSettings(radius=5, invert=True, separation=6, background_block=64),
        search_range_px=5,
    )
    table = track_video(open_frames(DATA, channel=1), settings)
    assert table.n_frames == 100
    assert 300 < table.detections_per_frame.mean() < 700  # trackpy: ≈ 600 with minmass=20
    return subtract_drift(table, estimate_drift(table, 25))


def _msd(table, weight: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Ensemble MSD (µm²) at lags 1–20, each track counted ``weight[track]`` times."""
    out = []
    for lag in range(1, 21):
        same = (table.track[lag:] == table.track[:-lag]) & (
            table.frame[lag:] - table.frame[:-lag] == lag
        )
        w = np.where(same, weight[table.track[lag:]], 0.0)
        d2 = (table.x[lag:] - table.x[:-lag]) ** 2 + (table.y[lag:] - table.y[:-lag]) ** 2
        out.append(float((d2 * w).sum() / w.sum()) * PX_UM**2)
    return np.array(out)


@pytest.fixture(scope="module")
def msd(table) -> np.ndarray:  # type: ignore[no-untyped-def]
    return _msd(table, (table.lengths() >= 25).astype(float))


def _slope_diffusion(msd: np.ndarray) -> float:
    return float((msd[19] - msd[4]) / (4 * 15 * DT))


def test_diffusion_interval_overlaps_the_expected_band(table) -> None:  # type: ignore[no-untyped-def]
    """95 % bootstrap interval (resampling tracks) of 4D against what a correct tracker
    should give on this video (shared/data README §4): A = 4D within about 1.6–1.9 µm²/s,
    from trackpy's published fit (1.602 on all 300 frames) and Stokes–Einstein for a
    1.000 µm sphere at 20–25 °C (1.71–1.96). Measured here on 100 frames: 4D = 1.58,
    interval ≈ 1.48–1.67."""
    rng = np.random.default_rng(0)
    long_ids = np.flatnonzero(table.lengths() >= 25)
    values = []
    for _ in range(100):
        pick = rng.choice(long_ids, long_ids.size)
        weight = np.bincount(pick, minlength=table.n_tracks).astype(float)
        values.append(4 * _slope_diffusion(_msd(table, weight)))
    low, high = np.percentile(values, [2.5, 97.5])
    assert high - low < 0.3
    assert low < 1.602 < high  # trackpy's own result on the full video
    assert high > 1.6 and low < 1.9  # overlaps the expected band


def test_long_lag_diffusion_near_stokes_einstein(msd: np.ndarray) -> None:
    d_long = _slope_diffusion(msd)
    expected = diffusion_from_diameter(1000.0, ASSUMED_T_C, water_viscosity_mpas(ASSUMED_T_C))
    # consistent with trackpy's published fit on the same video (4D = 1.602 µm²/s)
    assert 4 * d_long == pytest.approx(1.602, rel=0.05)
    # and within 15 % of Stokes–Einstein at the assumed 22 °C (0.453 µm²/s); the gap is
    # discussed in docs/nta.md (timing irregularity, wall hindrance, unknown temperature)
    assert d_long == pytest.approx(expected, rel=0.15)


def test_msd_is_nearly_linear(msd: np.ndarray) -> None:
    lags = np.arange(1, 21)
    slope, _ = np.polyfit(np.log(lags[4:]), np.log(msd[4:]), 1)
    assert slope == pytest.approx(1.0, abs=0.1)  # trackpy: n = 1.08
