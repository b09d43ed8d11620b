"""Size distributions (acceptance point 2) and the Walker/FTLA deconvolution.

Trajectory-level tests simulate tracks with exact motion blur (exposure 75 % of the frame
interval), localisation noise and a realistic track-length distribution (faster particles
leave the light sheet sooner), so they test the estimator against exact ground truth.
The image-level test runs the whole pipeline on a rendered video.
"""

from __future__ import annotations

import numpy as np
import pytest

from exoderm.nta.analysis import Acquisition, AnalysisSettings, analyze
from exoderm.nta.diffusion import increments
from exoderm.nta.frames import FrameSource
from exoderm.nta.physics import stokes_einstein_constant, water_viscosity_mpas
from exoderm.nta.sizing import (
    SizingSettings,
    TrackSteps,
    bootstrap,
    summarise,
    walker_distribution,
)
from exoderm.nta.synthetic import SimulationSettings, VideoSimulator, simulate_tracks

T_C = 22.0
ETA = water_viscosity_mpas(T_C)
SE = stokes_einstein_constant(T_C, ETA)
DT, TE, SIGMA = 0.04, 0.03, 0.04  # s, s, µm
BLUR = TE / DT / 6


def _tracks(rng: np.random.Generator, diameter: float, frames_total: int) -> TrackSteps:
    """Tracks of one size until ``frames_total`` positions; mean length ∝ 1/D (sheet exit)."""
    mean_len = 25.0 * diameter / 100.0
    lengths: list[int] = []
    while sum(lengths) < frames_total:
        lengths.append(10 + int(rng.geometric(1.0 / mean_len)))
    ms, ks, ws = [], [], []
    for length in np.unique(lengths):
        m = lengths.count(int(length))
        pos = simulate_tracks(rng, m, int(length), SE / diameter, DT, SIGMA, TE)
        track = np.repeat(np.arange(m), length)
        frame = np.tile(np.arange(length), m)
        st = increments(track, frame, pos[:, :, 0].ravel(), pos[:, :, 1].ravel(), m)
        ms.append(st.sum_sq / st.n_sq)
        ks.append(st.n_sq / 2)
        ws.append(np.full(m, float(length)))
    return TrackSteps(np.concatenate(ms), np.concatenate(ks), np.concatenate(ws))


def _join(*parts: TrackSteps) -> TrackSteps:
    return TrackSteps(
        *(
            np.concatenate([getattr(p, f) for p in parts])
            for f in ("mean_sq_step", "n_steps", "weight")
        )
    )


def test_monodisperse_100nm_mode_and_median_within_2_percent() -> None:
    rng = np.random.default_rng(100)
    steps = _tracks(rng, 100.0, 36000)
    assert len(steps.weight) >= 1000
    dist, _ = walker_distribution(steps, SE, DT, BLUR, SIGMA**2, SizingSettings())
    s = summarise(dist)
    assert s["mode_nm"] == pytest.approx(100.0, rel=0.02)
    assert s["d50_nm"] == pytest.approx(100.0, rel=0.02)
    # deconvolution removes the track-length broadening: far narrower than per-track sizes
    assert s["sd_nm"] < 10.0


def test_mixture_50_150_modes_and_number_ratio() -> None:
    rng = np.random.default_rng(5150)
    steps = _join(_tracks(rng, 50.0, 30000), _tracks(rng, 150.0, 30000))
    dist, _ = walker_distribution(steps, SE, DT, BLUR, SIGMA**2, SizingSettings())
    modes = dist.local_modes(min_share=0.2)
    assert len(modes) == 2
    assert modes[0] == pytest.approx(50.0, rel=0.03)
    assert modes[1] == pytest.approx(150.0, rel=0.03)
    small = dist.fraction_below(np.sqrt(50.0 * 150.0))
    assert small / (1 - small) == pytest.approx(1.0, rel=0.10)


def test_bootstrap_interval_covers_the_estimate() -> None:
    rng = np.random.default_rng(7)
    steps = _tracks(rng, 100.0, 6000)
    settings = SizingSettings(bootstrap=30)
    dist, likelihood = walker_distribution(steps, SE, DT, BLUR, SIGMA**2, settings)
    intervals = bootstrap(likelihood, steps, dist, settings).intervals
    low, high = intervals["d50_nm"]
    assert low < summarise(dist)["d50_nm"] < high
    assert high - low < 15.0


def test_pipeline_on_rendered_video() -> None:
    """End to end on a rendered video (30 ms exposure at 25 fps, light sheet, defocus).

    The ± 5 % tolerance here is wider than the ± 2 % of the trajectory-level acceptance:
    on rendered video with strong blur, detection favours frames with little motion during
    the exposure, which reads D 1–3 % low (documented in docs/nta.md, "Known limits").
    """
    s = SimulationSettings(
        n_frames=250, concentration_per_ml=8e8, n_particles=None, brightness_exponent=2, seed=4
    )
    sim = VideoSimulator(s, record_truth=False)
    acq = Acquisition(temperature_c=22, pixel_size_um=0.166, fps=25, exposure_ms=30)
    result = analyze(
        FrameSource("sim", sim.frames(), s.n_frames),
        AnalysisSettings(acquisition=acq, sizing=SizingSettings(bootstrap=10)),
    )
    assert result.sized_tracks > 100
    assert result.summary["d50_nm"] == pytest.approx(100.0, rel=0.05)
    assert result.summary["mode_nm"] == pytest.approx(100.0, rel=0.05)
    low, high = result.intervals["d50_nm"]
    assert low <= result.summary["d50_nm"] <= high
