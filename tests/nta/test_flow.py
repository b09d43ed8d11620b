"""Flow and drift diagnostics on simulated tracks (issue 17).

NanoSight-like settings: 100 nm particles in water at 22 °C (D ≈ 4.3 µm²/s), 25 fps, 30 ms
exposure, 40 nm localisation error, 1500 frames (1 min), 800 tracks of 30 positions
(~16 particles in view per frame). Positions are simulated in µm, so the pixel size is 1.
"""

from __future__ import annotations

import numpy as np

from exoderm.nta.flow import flow_diagnostics
from exoderm.nta.physics import diffusion_from_diameter, water_viscosity_mpas
from exoderm.nta.synthetic import simulate_tracks, track_table_from_positions
from exoderm.nta.tracks import TrackTable

DT = 0.04
EXPOSURE = 0.03
SIGMA = 0.04
D100 = diffusion_from_diameter(100.0, 22.0, water_viscosity_mpas(22.0))
N_TRACKS, LENGTH, FRAMES = 800, 30, 1500
FIELD_UM = 85.0  # 512 px × 0.166 µm


def _table(seed: int, drift: np.ndarray | tuple[float, float] = (0.0, 0.0)) -> TrackTable:
    rng = np.random.default_rng(seed)
    pos = simulate_tracks(rng, N_TRACKS, LENGTH, D100, DT, SIGMA, EXPOSURE, drift=drift)
    start_xy = rng.uniform(0, FIELD_UM, (N_TRACKS, 2))
    pos += start_xy[:, None, :]
    starts = rng.integers(0, FRAMES - LENGTH, N_TRACKS)
    return track_table_from_positions(pos, np.full(N_TRACKS, LENGTH), starts)


def _diagnose(table: TrackTable):  # type: ignore[no-untyped-def]
    return flow_diagnostics(table, pixel_size_um=1.0, frame_interval_s=DT)


def test_no_warning_in_a_still_liquid() -> None:
    for seed in range(3):
        out = _diagnose(_table(seed))
        assert out.warnings == (), out.warnings
        assert out.drift.p_value > 1e-3 and out.field_p_value > 1e-3
        assert out.trend is not None and out.trend.p_value > 1e-3


def test_uniform_drift_of_one_micron_per_second_is_reported() -> None:
    v = 1.0 * DT  # 1 µm/s, a slow flow through the cell
    out = _diagnose(_table(5, drift=(v, 0.0)))
    assert abs(out.drift.vx_um_s - 1.0) < 0.15
    assert abs(out.drift.vy_um_s) < 0.15
    assert out.drift.p_value < 1e-6
    assert any("systematic drift" in w and "µm/s" in w for w in out.warnings)
    assert out.field_p_value > 1e-3  # a uniform drift is not a flow field


def test_convection_roll_is_found_in_the_field() -> None:
    table0 = _table(7)
    # a roll: x-velocity ±2 µm/s changing sign across y; mean over the field ~0
    y0 = np.array([table0.positions(t)[2][0] for t in range(table0.n_tracks)])
    vx = 2.0 * np.sin(2.0 * np.pi * y0 / FIELD_UM) * DT
    velocity = np.column_stack([vx, np.zeros_like(vx)])
    pos = np.stack([np.column_stack(table0.positions(t)[1:]) for t in range(table0.n_tracks)])
    pos = pos + velocity[:, None, :] * np.arange(LENGTH)[None, :, None]
    starts = np.array([table0.positions(t)[0][0] for t in range(table0.n_tracks)])
    table = track_table_from_positions(pos, np.full(N_TRACKS, LENGTH), starts)
    out = _diagnose(table)
    assert out.drift.p_value > 1e-3, out.drift  # no net drift to see
    assert out.field_p_value < 1e-6
    # peak 2 µm/s; a cell mean of ~670 steps carries ~0.5 µm/s of Brownian noise
    assert 1.0 < out.field_max_speed_um_s < 4.0
    assert any("position-dependent flow" in w for w in out.warnings)
    frame = out.field_frame()
    upper = frame[frame.y_px < FIELD_UM / 2].vx_um_s.mean()
    lower = frame[frame.y_px > FIELD_UM / 2].vx_um_s.mean()
    assert upper > 0.5 and lower < -0.5


def test_rising_diffusion_is_detected() -> None:
    rng = np.random.default_rng(11)
    groups, n_tracks = 15, 5000  # ~100 particles in view per frame
    blocks, starts = [], []
    for g in range(groups):
        start = rng.integers(g * 100, (g + 1) * 100, n_tracks // groups)
        d = D100 * (1.0 + 0.2 * (g + 0.5) / groups)  # +20 % over the minute (~8 K warming)
        blocks.append(simulate_tracks(rng, start.size, LENGTH, d, DT, SIGMA, EXPOSURE))
        starts.append(start)
    pos = np.concatenate(blocks)
    pos += rng.uniform(0, FIELD_UM, (pos.shape[0], 1, 2))
    table = track_table_from_positions(pos, np.full(pos.shape[0], LENGTH), np.concatenate(starts))
    out = _diagnose(table)
    assert out.trend is not None
    expected = 0.2 * D100 / (FRAMES * DT)  # µm²/s per s
    assert out.trend.slope_low_um2_s2 < expected < out.trend.slope_high_um2_s2
    assert out.trend.p_value < 1e-3
    assert any("D changes during the recording" in w for w in out.warnings)
