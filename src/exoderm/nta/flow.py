"""Flow and drift diagnostics of a linked NTA video: uniform drift, flow fields, a drifting D.

Sizing assumes free Brownian motion in a still liquid. Three departures are tested on the
one-frame increments ``Δr`` of the linked tracks (consecutive frames of one track only):

- **Uniform drift** (stage creep, a slow flow through the cell): the mean increment
  ``v̄`` over all steps, tested against zero per axis with a t statistic from the per-step
  spread, ``t = v̄ / (s/√N)``; the two axes are combined by Bonferroni. Adjacent
  increments of a blurred, noisy track are negatively correlated (Vestergaard et al.
  2014, doi:10.1103/PhysRevE.89.022726), so the per-step spread overstates the error of
  ``v̄`` and the test is conservative. A uniform drift biases ``D`` by ``v²Δt/2`` per axis
  and is removed by the pipeline's drift correction (:mod:`exoderm.nta.tracks`).
- **A position-dependent flow** (convection rolls from a warm laser sheet, a leak): the
  field of view is cut into a grid; each track is placed in the cell where it starts (not
  where each step lies: a step's own end point would select steps that moved towards a
  cell and fake a flow); in each cell the mean increment after removing each
  frame's mean (the uniform drift) is compared with zero,
  ``χ² = Σ_cells Σ_axes n_c ⟨Δr⟩_c² / s²`` with ``2C`` degrees of freedom under a still
  liquid (Pearson's χ² of a sum of squared standard normal means). Drift correction
  cannot remove such a flow.
- **A time trend of D** (the laser warms the sample: water's viscosity falls ~2.4 %/K
  near 22 °C, Huber et al. 2009, doi:10.1063/1.3088050, so ``D ∝ T/η`` rises by
  ~2.6 %/K): the recording is cut into windows, each window's pooled CVE
  ``D_w = ⟨Δx²⟩/(2Δt) + ⟨Δx_nΔx_{n+1}⟩/Δt`` (eq. 14 of Vestergaard et al. 2014, which
  needs neither the blur nor the localisation error) is computed after removing the
  window's mean increment, and a least-squares line ``D_w = a + b t`` gives the slope
  with a Student-t interval from the residuals (so changes in which particles are in
  view count as noise, not as trend).

Each test warns when its p-value is below ``alpha`` (default 0.001), in a sentence that
states the measured size of the effect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict
from scipy import stats

from exoderm.nta.tracks import TrackTable

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Cells with fewer steps are left out of the flow-field test.
MIN_CELL_STEPS = 30


class DriftTest(BaseModel):
    """Mean one-frame displacement of all tracks, with its t test against zero."""

    model_config = ConfigDict(frozen=True)

    vx_px_per_frame: float
    vy_px_per_frame: float
    vx_um_s: float
    vy_um_s: float
    t_x: float
    t_y: float
    p_value: float
    steps: int


class FlowCell(BaseModel):
    """Mean residual displacement (uniform drift removed) in one cell of the grid."""

    model_config = ConfigDict(frozen=True)

    x_px: float
    y_px: float
    steps: int
    vx_um_s: float
    vy_um_s: float


class DiffusionTrend(BaseModel):
    """Least-squares slope of the windowed pooled ``D`` against time."""

    model_config = ConfigDict(frozen=True)

    window_time_s: tuple[float, ...]
    window_diffusion_um2_s: tuple[float, ...]
    slope_um2_s2: float
    slope_low_um2_s2: float
    slope_high_um2_s2: float
    relative_per_min: float
    p_value: float


class FlowDiagnostics(BaseModel):
    """Drift, flow-field and D-trend tests of one video, with plain-language warnings."""

    model_config = ConfigDict(frozen=True)

    drift: DriftTest
    field_chi2: float
    field_dof: int
    field_p_value: float
    field_max_speed_um_s: float
    cells: tuple[FlowCell, ...]
    trend: DiffusionTrend | None
    alpha: float
    warnings: tuple[str, ...]

    def field_frame(self) -> pd.DataFrame:
        """The flow field, one row per grid cell that had enough steps."""
        return pd.DataFrame(
            [c.model_dump() for c in self.cells], columns=list(FlowCell.model_fields)
        )


@dataclass
class _Steps:
    frame: IntArray  # frame at which each increment ends
    x: FloatArray  # where the step's track started, px (see _field)
    y: FloatArray
    dx: FloatArray  # px
    dy: FloatArray
    next_index: IntArray  # index of the following increment of the same track, or −1


def _steps(table: TrackTable) -> _Steps:
    link = (table.track[1:] == table.track[:-1]) & (table.frame[1:] - table.frame[:-1] == 1)
    index = np.flatnonzero(link)
    dx = np.diff(table.x)[index]
    dy = np.diff(table.y)[index]
    following = np.full(index.size, -1, dtype=np.int64)
    adjacent = np.flatnonzero(index[1:] == index[:-1] + 1)
    following[adjacent] = adjacent + 1
    first = np.searchsorted(table.track, table.track[index])  # each track's first row
    return _Steps(
        table.frame[1:][index],
        table.x[first],
        table.y[first],
        dx,
        dy,
        following,
    )


def _drift(steps: _Steps, px: float, dt: float) -> DriftTest:
    n = steps.dx.size
    means = [float(np.mean(d)) if n else 0.0 for d in (steps.dx, steps.dy)]
    sds = [float(np.std(d, ddof=1)) if n > 1 else math.inf for d in (steps.dx, steps.dy)]
    t = [m / (s / math.sqrt(max(n, 1))) if s > 0 else 0.0 for m, s in zip(means, sds, strict=True)]
    p_axes = [2.0 * float(stats.t.sf(abs(v), max(n - 1, 1))) for v in t]
    return DriftTest(
        vx_px_per_frame=means[0],
        vy_px_per_frame=means[1],
        vx_um_s=means[0] * px / dt,
        vy_um_s=means[1] * px / dt,
        t_x=t[0],
        t_y=t[1],
        p_value=min(1.0, 2.0 * min(p_axes)),
        steps=n,
    )


def _frame_residuals(steps: _Steps, n_frames: int) -> tuple[FloatArray, FloatArray]:
    count = np.maximum(np.bincount(steps.frame, minlength=n_frames), 1)
    mx = np.bincount(steps.frame, weights=steps.dx, minlength=n_frames) / count
    my = np.bincount(steps.frame, weights=steps.dy, minlength=n_frames) / count
    return steps.dx - mx[steps.frame], steps.dy - my[steps.frame]


def _field(
    steps: _Steps, n_frames: int, grid: int, px: float, dt: float
) -> tuple[float, int, float, tuple[FlowCell, ...]]:
    rx, ry = _frame_residuals(steps, n_frames)
    if steps.dx.size < 2:
        return 0.0, 0, 1.0, ()
    edges_x = np.linspace(steps.x.min(), steps.x.max() + 1e-9, grid + 1)
    edges_y = np.linspace(steps.y.min(), steps.y.max() + 1e-9, grid + 1)
    cx = np.clip(np.searchsorted(edges_x, steps.x, side="right") - 1, 0, grid - 1)
    cy = np.clip(np.searchsorted(edges_y, steps.y, side="right") - 1, 0, grid - 1)
    cell = cy * grid + cx
    count = np.bincount(cell, minlength=grid * grid)
    sum_x = np.bincount(cell, weights=rx, minlength=grid * grid)
    sum_y = np.bincount(cell, weights=ry, minlength=grid * grid)
    var_x, var_y = float(np.var(rx)), float(np.var(ry))
    used = np.flatnonzero(count >= MIN_CELL_STEPS)
    chi2 = float(
        np.sum(sum_x[used] ** 2 / count[used]) / max(var_x, 1e-300)
        + np.sum(sum_y[used] ** 2 / count[used]) / max(var_y, 1e-300)
    )
    dof = 2 * used.size
    p = float(stats.chi2.sf(chi2, dof)) if dof else 1.0
    centre_x = 0.5 * (edges_x[:-1] + edges_x[1:])
    centre_y = 0.5 * (edges_y[:-1] + edges_y[1:])
    cells = tuple(
        FlowCell(
            x_px=float(centre_x[c % grid]),
            y_px=float(centre_y[c // grid]),
            steps=int(count[c]),
            vx_um_s=float(sum_x[c] / count[c] * px / dt),
            vy_um_s=float(sum_y[c] / count[c] * px / dt),
        )
        for c in used
    )
    return chi2, dof, p, cells


def _window_diffusion(
    steps: _Steps, window: IntArray, windows: int, px: float, dt: float
) -> FloatArray:
    out = np.full(windows, np.nan)
    for w in range(windows):
        sel = window == w
        if sel.sum() < 10:
            continue
        rx = steps.dx - steps.dx[sel].mean()
        ry = steps.dy - steps.dy[sel].mean()
        msq = float(np.mean(rx[sel] ** 2 + ry[sel] ** 2) / 2.0)
        pair = np.flatnonzero(sel & (steps.next_index >= 0))
        nxt = steps.next_index[pair]
        lag = float(np.mean(rx[pair] * rx[nxt] + ry[pair] * ry[nxt]) / 2.0) if pair.size else 0.0
        out[w] = (msq / (2.0 * dt) + lag / dt) * px**2
    return out


def _trend(
    steps: _Steps, n_frames: int, windows: int, px: float, dt: float
) -> DiffusionTrend | None:
    if n_frames < windows or windows < 3:
        return None
    window = np.minimum(steps.frame * windows // n_frames, windows - 1).astype(np.int64)
    d = _window_diffusion(steps, window, windows, px, dt)
    time = (np.arange(windows) + 0.5) * n_frames / windows * dt
    ok = np.isfinite(d)
    if ok.sum() < 3:
        return None
    fit = stats.linregress(time[ok], d[ok])
    dof = int(ok.sum()) - 2
    half = float(stats.t.ppf(0.975, dof) * fit.stderr)
    mean_d = float(np.mean(d[ok]))
    return DiffusionTrend(
        window_time_s=tuple(float(t) for t in time[ok]),
        window_diffusion_um2_s=tuple(float(v) for v in d[ok]),
        slope_um2_s2=float(fit.slope),
        slope_low_um2_s2=float(fit.slope) - half,
        slope_high_um2_s2=float(fit.slope) + half,
        relative_per_min=float(fit.slope) * 60.0 / mean_d if mean_d > 0 else math.nan,
        p_value=float(fit.pvalue),
    )


def _warnings(
    drift: DriftTest,
    field: tuple[float, int, float, tuple[FlowCell, ...]],
    trend: DiffusionTrend | None,
    alpha: float,
) -> tuple[str, ...]:
    out = []
    if drift.p_value < alpha:
        out.append(
            f"systematic drift of ({drift.vx_um_s:.3g}, {drift.vy_um_s:.3g}) µm/s "
            f"({drift.vx_px_per_frame:.3g}, {drift.vy_px_per_frame:.3g} px/frame; "
            f"t = {drift.t_x:.1f}, {drift.t_y:.1f}; p = {drift.p_value:.2g}): a flow or a "
            "moving stage; uniform drift inflates D unless drift correction is on"
        )
    chi2, dof, p, cells = field
    if dof and p < alpha:
        top = max(math.hypot(c.vx_um_s, c.vy_um_s) for c in cells)
        out.append(
            f"position-dependent flow: mean displacements differ across the field of view "
            f"(χ² = {chi2:.0f} on {dof} degrees of freedom, p = {p:.2g}; up to {top:.3g} µm/s "
            "in one cell), as from convection in the cell; drift correction removes only "
            "uniform drift, so sizes are biased small"
        )
    if trend is not None and trend.p_value < alpha:
        out.append(
            f"D changes during the recording by {100 * trend.relative_per_min:+.2g} %/min "
            f"(slope {trend.slope_um2_s2:.3g} µm²/s², 95 % interval "
            f"{trend.slope_low_um2_s2:.3g} to {trend.slope_high_um2_s2:.3g}; "
            f"p = {trend.p_value:.2g}): the sample may be warming under the laser "
            "(+2.6 % in D per kelvin) or the population is changing"
        )
    return tuple(out)


def flow_diagnostics(
    table: TrackTable,
    *,
    pixel_size_um: float,
    frame_interval_s: float,
    grid: int = 6,
    windows: int = 10,
    alpha: float = 1e-3,
) -> FlowDiagnostics:
    """Test linked tracks for uniform drift, a flow field and a time trend of ``D``.

    Parameters
    ----------
    table : TrackTable
        Linked detections in pixels, **before** drift correction.
    pixel_size_um : float
        µm per pixel in the sample plane.
    frame_interval_s : float
        Time between frames, s.
    grid : int
        The flow field is measured on ``grid × grid`` cells over the tracks' extent.
    windows : int
        Time windows for the trend of ``D``.
    alpha : float
        Significance level below which a test warns.

    Returns
    -------
    FlowDiagnostics
        The three tests (``field_frame()`` for the field as a table) and the warnings.

    References
    ----------
    .. [1] Vestergaard, C. L., Blainey, P. C. & Flyvbjerg, H. (2014). Optimal estimation of
       diffusion coefficients from single-particle trajectories. Phys. Rev. E 89, 022726.
       doi:10.1103/PhysRevE.89.022726
    .. [2] Huber, M. L. et al. (2009). New international formulation for the viscosity of
       H2O. J. Phys. Chem. Ref. Data 38, 101–125. doi:10.1063/1.3088050
    .. [3] Allan, D. B. et al. trackpy v0.7 (``compute_drift``). doi:10.5281/zenodo.1213240

    Examples
    --------
    >>> import numpy as np
    >>> from exoderm.nta.synthetic import simulate_tracks, track_table_from_positions
    >>> rng = np.random.default_rng(0)
    >>> pos = simulate_tracks(rng, 400, 30, 25.0, 1.0, drift=(0.5, 0.0))  # px², px/frame
    >>> table = track_table_from_positions(pos, np.full(400, 30), rng.integers(0, 500, 400))
    >>> out = flow_diagnostics(table, pixel_size_um=0.166, frame_interval_s=0.04)
    >>> round(out.drift.vx_px_per_frame, 1), len(out.warnings) >= 1
    (0.5, True)
    """
    steps = _steps(table)
    drift = _drift(steps, pixel_size_um, frame_interval_s)
    field = _field(steps, table.n_frames, grid, pixel_size_um, frame_interval_s)
    trend = _trend(steps, table.n_frames, windows, pixel_size_um, frame_interval_s)
    chi2, dof, p, cells = field
    return FlowDiagnostics(
        drift=drift,
        field_chi2=chi2,
        field_dof=dof,
        field_p_value=p,
        field_max_speed_um_s=max((math.hypot(c.vx_um_s, c.vy_um_s) for c in cells), default=0.0),
        cells=cells,
        trend=trend,
        alpha=alpha,
        warnings=_warnings(drift, field, trend, alpha),
    )
