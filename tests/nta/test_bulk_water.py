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
def msd() -> np.ndarray:
    acq = Acquisition(temperature_c=ASSUMED_T_C, pixel_size_um=PX_UM, fps=24, exposure_ms=0)
    settings = AnalysisSettings(
        acquisition=acq,
        detection=DetectionSettings(radius=5, invert=True, separation=6, background_block=64),
        search_range_px=5,
    )
    table = track_video(open_frames(DATA, channel=1), settings)
    assert table.n_frames == 100
    assert 300 < table.detections_per_frame.mean() < 700  # trackpy: ≈ 600 with minmass=20
    table = subtract_drift(table, estimate_drift(table, 25))
    long_tracks = table.lengths() >= 25
    out = []
    for lag in range(1, 21):
        same = (table.track[lag:] == table.track[:-lag]) & (
            table.frame[lag:] - table.frame[:-lag] == lag
        )
        same &= long_tracks[table.track[lag:]]
        d2 = (table.x[lag:] - table.x[:-lag]) ** 2 + (table.y[lag:] - table.y[:-lag]) ** 2
        out.append(float(d2[same].mean()) * PX_UM**2)
    return np.array(out)


def test_long_lag_diffusion_near_stokes_einstein(msd: np.ndarray) -> None:
    d_long = (msd[19] - msd[4]) / (4 * 15 * DT)
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
