"""Linking dense, fast particles (acceptance point 4) and the linker's basic contract.

The scenario of nta.md §1.5: 200 particles in a periodic 512² box, 6 px per-axis steps,
σ_PSF 1.5 px, no blur — trackpy 0.7 raises ``SubnetOversizeException`` with every strategy.

Identity is *information-theoretically* ambiguous here: two particles at separation u swap
under the Brownian likelihood when their relative step projected on u is below −|u|, so a
fraction ρ·π·σ_v²/2 = 7.6e-4 · π · 72 / 2 ≈ 8.6 % of particles are in a pair whose swap is
more likely than the truth (σ_v² = 2·6² is the variance of the relative step). No
frame-to-frame linker can recover ≥ 99 % of true links in this scenario. The tests measure
that limit with an oracle (the optimal assignment on the *exact* positions of every
particle, ≈ 92 %), check that ours never fails and reaches it, and check that the diffusion
coefficient of the whole pipeline on this video stays within 2 % of the truth.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from scipy.spatial import cKDTree

from exoderm.nta.detect import DetectionSettings, locate
from exoderm.nta.link import Linker, LinkSettings
from exoderm.nta.physics import diameter_from_diffusion, water_viscosity_mpas
from exoderm.nta.synthetic import SimulationSettings, SizeComponent, VideoSimulator

STEP_PX = 6.0
PX_UM, FPS, T_C = 0.166, 30.0, 22.0


def _dense_fast_video(frames: int = 60) -> VideoSimulator:
    d_um2_s = (STEP_PX * PX_UM) ** 2 * FPS / 2
    diameter = diameter_from_diffusion(d_um2_s, T_C, water_viscosity_mpas(T_C))
    settings = SimulationSettings(
        n_frames=frames,
        n_particles=200,
        exposure_ms=0,
        sheet_half_thickness_um=None,
        xy_margin_px=0,
        fps=FPS,
        pixel_size_um=PX_UM,
        temperature_c=T_C,
        sizes=[SizeComponent(diameter_nm=diameter)],
        brightness_exponent=0,
        seed=11,
    )
    return VideoSimulator(settings)


@pytest.fixture(scope="module")
def dense() -> tuple[VideoSimulator, list]:  # type: ignore[type-arg]
    sim = _dense_fast_video(120)
    detections = [locate(frame, DetectionSettings()) for frame in sim.frames()]
    return sim, detections


def _link_accuracy(sim: VideoSimulator, detections: list, ids: list) -> float:  # type: ignore[type-arg]
    good = total = 0
    previous: dict[int, int] = {}
    previous_xy: dict[int, tuple[float, float]] = {}
    for det, track_ids, truth in zip(detections, ids, sim.truth, strict=True):
        dist, idx = cKDTree(np.column_stack([truth.x, truth.y])).query(
            np.column_stack([det.x, det.y])
        )
        particle = truth.ids[idx]
        matched = dist < 1.0
        unique, counts = np.unique(particle[matched], return_counts=True)
        single = set(unique[counts == 1].tolist())
        current = {
            int(p): int(t)
            for p, t, m in zip(particle, track_ids, matched, strict=True)
            if m and p in single
        }
        xy = {int(p): (x, y) for p, x, y in zip(truth.ids, truth.x, truth.y, strict=True)}
        for p, t in current.items():
            wrapped = (
                p in previous_xy
                and max(abs(xy[p][0] - previous_xy[p][0]), abs(xy[p][1] - previous_xy[p][1])) > 100
            )
            if p in previous and not wrapped:
                total += 1
                good += previous[p] == t
        previous, previous_xy = current, xy
    return good / total


def test_dense_fast_particles_link_at_the_ambiguity_limit(dense) -> None:  # type: ignore[no-untyped-def]
    sim, detections = dense
    linker = Linker(LinkSettings(search_range=4.5 * STEP_PX, memory=2))
    ids = [linker.add(i, d.x, d.y).track_ids for i, d in enumerate(detections)]
    accuracy = _link_accuracy(sim, detections, ids)
    density = 200 / 512**2
    ambiguous = density * math.pi * (2 * STEP_PX**2) / 2
    assert ambiguous == pytest.approx(0.086, abs=0.002)
    assert accuracy >= 1 - ambiguous  # at or above the pairwise-ambiguity limit
    assert accuracy > 0.92


def _oracle_accuracy(sim: VideoSimulator) -> float:
    """Fraction of true links the optimal frame-to-frame assignment recovers from the exact
    positions of every particle (periodic box, minimum-image distances, equal D).

    With identical particles and independent Brownian steps the likelihood of a whole
    video factorises over frame pairs, so no multi-frame or global linker can do better
    on average than this per-frame maximum-likelihood assignment.
    """
    good = total = 0
    for a, b in zip(sim.truth[:-1], sim.truth[1:], strict=True):
        d = np.column_stack([a.x, a.y])[:, None, :] - np.column_stack([b.x, b.y])[None, :, :]
        d -= 512 * np.rint(d / 512)
        rows, cols = linear_sum_assignment((d**2).sum(axis=-1))
        good += int(np.count_nonzero(a.ids[rows] == b.ids[cols]))
        total += len(rows)
    return good / total


def test_99_percent_of_links_is_beyond_the_information_limit(dense) -> None:  # type: ignore[no-untyped-def]
    """Acceptance asks ≥ 99 % of true links; the exact-position oracle itself gets ≈ 92 %."""
    sim, detections = dense
    oracle = _oracle_accuracy(sim)
    density = 200 / 512**2
    assert oracle == pytest.approx(1 - density * math.pi * (2 * STEP_PX**2) / 2, abs=0.02)
    assert oracle < 0.95
    linker = Linker(LinkSettings(search_range=4.5 * STEP_PX, memory=2))
    ids = [linker.add(i, d.x, d.y).track_ids for i, d in enumerate(detections)]
    assert _link_accuracy(sim, detections, ids) >= oracle


def test_dense_fast_video_diffusion_bias_below_2_percent() -> None:
    """The whole pipeline on the 500-frame dense video: D within 2 % of the truth.

    Measured: pooled CVE +0.0 %, D50 +0.6 % (so D −0.6 %); the statistical SE of the
    pooled estimate is ≈ 1.6 % (≈ 11,800 identity-safe steps).
    """
    from exoderm.nta.analysis import Acquisition, AnalysisSettings, analyze_tracks, track_video
    from exoderm.nta.diffusion import increments
    from exoderm.nta.frames import FrameSource
    from exoderm.nta.physics import diameter_from_diffusion as d_of
    from exoderm.nta.sizing import SizingSettings
    from exoderm.nta.tracks import estimate_drift, subtract_drift

    sim = _dense_fast_video(500)
    true_d = float(sim.diffusion_um2_s[0])
    acq = Acquisition(temperature_c=T_C, pixel_size_um=PX_UM, fps=FPS, exposure_ms=0)
    settings = AnalysisSettings(acquisition=acq, sizing=SizingSettings(bootstrap=0))
    table = track_video(FrameSource("dense", sim.frames(), 500), settings)
    result = analyze_tracks(table, settings, "dense")
    t = subtract_drift(table, estimate_drift(table, settings.drift_window))
    st = increments(t.track, t.frame, t.x * PX_UM, t.y * PX_UM, t.n_tracks, t.unambiguous)
    pooled = st.sum_sq.sum() / st.n_sq.sum() * FPS / 2 + st.sum_cov.sum() / st.n_cov.sum() * FPS
    assert st.n_sq.sum() / 2 > 8_000
    assert pooled / true_d == pytest.approx(1.0, abs=0.02)
    eta = water_viscosity_mpas(T_C)
    d50_as_d = true_d * d_of(true_d, T_C, eta) / result.summary["d50_nm"]
    assert d50_as_d / true_d == pytest.approx(1.0, abs=0.02)


def test_trackpy_raises_where_exoderm_links(dense) -> None:  # type: ignore[no-untyped-def]
    try:
        import pandas as pd
        import trackpy as tp
    except ImportError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must install the 'dev' extra (trackpy, pandas)")
        pytest.skip("trackpy not installed (pip install -e '.[dev]')")
    from trackpy.linking.utils import SubnetOversizeException

    _, detections = dense
    # frames 90–99 of this seeded video hold a conflict cluster of > 30 candidates; trackpy
    # needs ~100 frames of the video to meet one (nta.md §1.5 saw it on 500)
    detections = detections[90:100]
    frame = pd.DataFrame(
        {
            "x": np.concatenate([d.x for d in detections]),
            "y": np.concatenate([d.y for d in detections]),
            "frame": np.concatenate([np.full(len(d), i) for i, d in enumerate(detections)]),
        }
    )
    tp.quiet()
    with pytest.raises(SubnetOversizeException):
        tp.link(frame, search_range=4 * STEP_PX, memory=3)


def test_linker_contract() -> None:
    linker = Linker(LinkSettings(search_range=5.0, memory=1))
    a = linker.add(0, np.array([10.0, 50.0]), np.array([10.0, 50.0])).track_ids
    b = linker.add(1, np.array([51.0, 11.0]), np.array([50.0, 10.0])).track_ids
    assert list(b) == [a[1], a[0]]  # assignment follows proximity, not order
    # the particle at 50 vanishes for one frame and comes back: gap closed
    c = linker.add(2, np.array([12.0]), np.array([10.0]))
    d = linker.add(3, np.array([12.0, 52.0]), np.array([11.0, 50.0]))
    assert d.track_ids[1] == a[1] and d.gap_links == 1
    assert c.track_ids[0] == a[0]
    # beyond the search range: a new track
    e = linker.add(4, np.array([200.0]), np.array([200.0])).track_ids
    assert e[0] not in (a[0], a[1])


def test_identity_safe_steps_remove_the_linking_bias() -> None:
    """On exact positions (no detection), ambiguous links read D ≈ 6 % low; the steps the
    linker flags as unambiguous are unbiased (|bias| < 2 %, SE ≈ 0.7 % with 800 frames)."""
    from exoderm.nta.detect import Detections
    from exoderm.nta.diffusion import increments
    from exoderm.nta.tracks import TrackBuilder

    rng = np.random.default_rng(0)
    step = STEP_PX
    pos = rng.uniform(0, 512, (200, 2))
    linker = Linker(LinkSettings(search_range=4.5 * STEP_PX, memory=2))
    builder = TrackBuilder()
    for frame in range(800):
        x, y = pos[:, 0] % 512, pos[:, 1] % 512
        linked = linker.add(frame, x, y, shape=(512, 512))
        det = Detections(x, y, np.ones(200), np.zeros(200), 1.0)
        builder.add(frame, det, linked.track_ids, linked.unambiguous)
        pos += rng.normal(0, step, pos.shape)
    table = builder.finish()

    def pooled(usable: np.ndarray | None) -> float:
        st = increments(table.track, table.frame, table.x, table.y, table.n_tracks, usable)
        return float(st.sum_sq.sum() / st.n_sq.sum() / 2 + st.sum_cov.sum() / st.n_cov.sum())

    truth = step**2 / 2  # D in px²/frame: per-axis step variance is 2D
    assert pooled(None) / truth < 0.96  # every step: biased low by swaps
    assert pooled(table.unambiguous) / truth == pytest.approx(1.0, abs=0.02)


def test_isolation_reach_ignores_the_latest_step() -> None:
    """With blur, a step correlates with the one before it, so the isolation reach must
    not grow with a track's latest step (that would drop long steps preferentially)."""
    linker = Linker(LinkSettings(search_range=20.0, memory=0))
    linker.add(0, np.array([100.0]), np.array([100.0]))
    linker.add(1, np.array([102.0]), np.array([100.0]))
    before = linker._track_step_variance().copy()
    linker.add(2, np.array([116.0]), np.array([100.0]))  # a long step
    assert linker._track_step_variance()[0] > before[0]
    assert linker._track_step_variance(lagged=True)[0] == pytest.approx(before[0])
