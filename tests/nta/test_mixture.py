"""EM mixture of diffusion populations (issue 17 acceptance: 50/150 nm 1:1 mixture).

Tracks are simulated without images (exact blur and localisation statistics,
:func:`exoderm.nta.synthetic.simulate_tracks`) at NanoSight-like settings: 25 fps, 30 ms
exposure (R = 0.125), 40 nm localisation error per axis, water at 22 °C. Track lengths
mimic a light sheet: a particle stays in focus for a time ∝ 1/D, so track length is
10 + a geometric number of frames with mean 20 · D(100 nm)/D (mean 19 positions at 50 nm,
39 at 150 nm). A 1:1 mixture *by number* means equal particle-frames per population, so
the 50 nm population gets 3900 tracks and the 150 nm one 1900 (3900 × 19 = 1900 × 39),
about what a 1-min video with ~50 particles per frame gives.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from exoderm.nta.mixture import MixtureSummary, fit_mixture
from exoderm.nta.physics import diffusion_from_diameter, water_viscosity_mpas
from exoderm.nta.synthetic import simulate_tracks, track_table_from_positions
from exoderm.nta.track_diffusion import track_diffusion

TEMPERATURE_C = 22.0
VISCOSITY = water_viscosity_mpas(TEMPERATURE_C)
FPS = 25.0
EXPOSURE_S = 0.030
DT = 1.0 / FPS
BLUR = EXPOSURE_S / DT / 6.0
SIGMA_UM = 0.040
ACQ = {
    "frame_interval_s": DT,
    "blur_r": BLUR,
    "temperature_c": TEMPERATURE_C,
    "viscosity_mpas": VISCOSITY,
}
SEEDS = range(20)


def _mean_length(diameter_nm: float) -> float:
    d100 = diffusion_from_diameter(100.0, TEMPERATURE_C, VISCOSITY)
    return 20.0 * d100 / diffusion_from_diameter(diameter_nm, TEMPERATURE_C, VISCOSITY)


def _sample(seed: int, populations: dict[float, int]) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    blocks, lengths = [], []
    for diameter, n_tracks in populations.items():
        d = diffusion_from_diameter(diameter, TEMPERATURE_C, VISCOSITY)
        length = np.minimum(9 + rng.geometric(1.0 / _mean_length(diameter), n_tracks), 400)
        blocks.append(
            simulate_tracks(rng, n_tracks, int(length.max()), d, DT, SIGMA_UM, EXPOSURE_S)
        )
        lengths.append(length)
    width = max(b.shape[1] for b in blocks)
    positions = np.concatenate(
        [np.pad(b, ((0, 0), (0, width - b.shape[1]), (0, 0))) for b in blocks]
    )
    all_lengths = np.concatenate(lengths)
    table = track_table_from_positions(
        positions, all_lengths, rng.integers(0, 1500, all_lengths.size)
    )
    return track_diffusion(table, pixel_size_um=1.0, **ACQ)


@functools.cache
def _acceptance_fits() -> tuple[MixtureSummary, ...]:
    return tuple(
        fit_mixture(_sample(seed, {50.0: 3900, 150.0: 1900}), bootstrap=60, seed=seed, **ACQ)
        for seed in SEEDS
    )


def test_mixture_recovers_both_modes_and_the_ratio() -> None:
    # equal particle-frames (mean track length 9 + mean of the geometric, see module)
    assert abs(3900 * (9 + _mean_length(50.0)) / (1900 * (9 + _mean_length(150.0))) - 1) < 0.01
    errors = []
    for fit in _acceptance_fits():
        assert fit.n_components == 2, fit.bic
        small, large = fit.components
        ratio = large.ratio_to_first  # n(150 nm) / n(50 nm), truth 1
        errors.append((small.diameter_nm / 50 - 1, large.diameter_nm / 150 - 1, ratio - 1))
    worst = np.max(np.abs(np.array(errors)), axis=0)
    assert worst[0] < 0.03 and worst[1] < 0.03, worst
    assert worst[2] < 0.10, worst


@pytest.mark.xfail(
    strict=True,
    reason="issue 17 acceptance not yet met: the 95 % bootstrap intervals of the 50 nm "
    "mode contain the truth in 15 of 20 seeds (150 nm: 19, ratio: 19); the mixture's "
    "mode estimates carry a bias of about −0.25 % (50 nm), comparable to their SE",
)
def test_mixture_intervals_contain_the_truth_in_18_of_20_seeds() -> None:
    hits = {"small": 0, "large": 0, "ratio": 0}
    for fit in _acceptance_fits():
        small, large = fit.components
        hits["small"] += small.diameter_low_nm <= 50.0 <= small.diameter_high_nm
        hits["large"] += large.diameter_low_nm <= 150.0 <= large.diameter_high_nm
        hits["ratio"] += large.ratio_to_first_low <= 1.0 <= large.ratio_to_first_high
    assert all(count >= 18 for count in hits.values()), hits


def test_bic_picks_one_component_for_a_monodisperse_sample() -> None:
    per_track = _sample(99, {100.0: 4000})
    fit = fit_mixture(per_track, bootstrap=20, seed=1, **ACQ)
    assert fit.n_components == 1, fit.bic
    (only,) = fit.components
    assert abs(only.diameter_nm / 100.0 - 1.0) < 0.03
    assert only.diameter_low_nm <= 100.0 <= only.diameter_high_nm
    assert only.number_fraction == 1.0
    assert list(fit.to_frame()["diameter_nm"]) == [only.diameter_nm]
