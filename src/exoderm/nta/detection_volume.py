"""Concentration without a standard: the detection volume measured from the tracks.

A particle is seen while it is inside a box: the field of view (minus the border the
detector skips) times a slab ``|z| < z_d`` around the focal plane, where ``z_d`` is the
depth at which its defocused, sheet-weighted spot falls below the detection threshold.
``z_d`` is what a calibration standard normally supplies. Here it is read from how long
particles stay in view: they diffuse in z with the same ``D`` as in x and y (measured from
their in-plane steps), so the time a particle remains detected grows as ``z_d² / D``.

**Model.** Take any detection. By stationarity the particle is uniformly distributed over
the detection box, and x, y and z move independently, so the time it *remains* in the
track (the forward residual time) has survival ``S(n) = S_z(n) S_x(n) S_y(n)``, each a
one-dimensional first-passage survival out of a slab with a uniform start (Redner 2001,
§2.2; the continuous-time series is ``(8/π²) Σ_odd k⁻² exp(−k²π²Dt/W²)``, Carslaw & Jaeger
1959, §3.3). The video is sampled every ``Δt`` and the linker closes gaps of up to
``memory`` frames, so a track ends only after ``memory + 1`` consecutive frames out of
view. Both are modelled exactly, without the continuous-time formula: the position
density of a Gaussian random walk (step SD ``√(2DΔt)``) is propagated on a grid through
the states "in view" and "missed k frames" (:func:`slab_survival`). For ``memory = 0`` and a
wide slab this reproduces the discrete-monitoring shift of the boundary by
``0.5826·√(2DΔt)`` (Broadie, Glasserman & Kou 1997), checked in the doctest.

**Estimator.** Every detection contributes its residual track length ``r`` (frames from it
to its track's last detection). Tracks that may continue after the last frame are
right-censored (``log S``); the video start needs no care because only forward times are
used. ``z_d`` maximises the summed log-likelihood (a composite likelihood: detections of
one track are dependent, which moves the interval, not the estimate). Two nuisances are
read from the same tracks: the in-slab detection efficiency ``η`` (missed frames inside
tracks beyond those the walk's brief excursions explain, :func:`gap_per_detection`) and
the rate at which the linker splits tracks (track ends followed by a new track starting
within a few step SDs, chance coincidences subtracted, :func:`break_rate`). Then
``V = η · A · 2 z_d`` and ``c = particles per frame / V × dilution``. The interval is a
Poisson bootstrap over tracks, which carries both the count noise of the particles per
frame and the spread of ``z_d``.

**What is not used.** The intensity profile along a track (brightness versus time as a
particle crosses focus) is a second handle on the axial extent, but it needs the axial
point-spread function and the particle's brightness; in a light sheet the detection edge is
set by the sheet profile, not the defocus alone, so the track-duration route, which needs
neither, is the one implemented.

**Assumptions.** A sharp detection edge (flicker at a soft edge is absorbed by the gap
closing, up to ``memory`` frames); one population ``D`` (with a broad size distribution the
slow and fast particles have different ``z_d``; the pooled estimate is then biased by
Jensen's inequality); no flow along z; tracks neither split nor merged by the linker.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field
from scipy import ndimage
from scipy.optimize import brentq, minimize_scalar
from scipy.spatial import cKDTree

from exoderm.nta.concentration import (
    ML_PER_PL,
    Calibration,
    ConcentrationResult,
    concentration,
    correlation_frames,
)
from exoderm.nta.tracks import TrackTable

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Expected overshoot of a Gaussian random walk over a level, in step SDs: −ζ(1/2)/√(2π)
#: (Broadie, Glasserman & Kou 1997, Math. Finance 7:325, doi:10.1111/1467-9965.00035).
DISCRETE_BOUNDARY_SHIFT = 0.5825971579390106
#: Grid cells per step SD in :func:`slab_survival` (8 cells change the mean track length
#: by < 0.02 %).
CELLS_PER_STEP = 4
#: Survival below which the walk is treated as ended (avoids log 0).
SURVIVAL_FLOOR = 1e-300
#: Lowest in-slab detection probability considered (below it the tracks are not tracks).
MIN_EFFICIENCY = 0.3
#: Bounds of the half-depth search, in step SDs.
SEARCH_BOUNDS = (0.5, 200.0)


class DetectionVolume(BaseModel):
    """The effective detection volume measured from the track durations."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    half_depth_um: float = Field(..., gt=0, description="z_d: half-depth of the detected slab")
    half_depth_ci_um: tuple[float, float]
    width_um: float = Field(..., gt=0, description="detectable field of view, x")
    height_um: float = Field(..., gt=0, description="detectable field of view, y")
    efficiency: float = Field(
        ..., gt=0, le=1, description="probability a particle inside is detected in a frame"
    )
    volume_pl: float = Field(..., gt=0, description="efficiency × area × 2 z_d")
    diffusion_um2_s: float = Field(..., gt=0, description="D used for the axial motion")
    memory: int = Field(..., ge=0)
    break_rate: float = Field(..., ge=0, description="linker splits per detection (estimated)")
    detections: int = Field(..., ge=0)
    tracks: int = Field(..., ge=0)


class CalibrationFreeConcentration(BaseModel):
    """Concentration from the measured detection volume, with the calibrated one if given."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    particles_per_frame: float
    volume: DetectionVolume
    in_cell_per_ml: float
    concentration_per_ml: float
    ci_low_per_ml: float
    ci_high_per_ml: float
    dilution: float
    level: float
    bootstrap: int
    calibrated: ConcentrationResult | None = None
    warnings: tuple[str, ...] = ()


def slab_survival(
    half_width: float, memory: int, n_steps: int, efficiency: float = 1.0
) -> FloatArray:
    """Survival of a track of a random walk started uniformly in a slab, with gap closing.

    A walk with unit-SD Gaussian steps starts uniformly in ``|z| < half_width``; a frame
    with ``|z| < half_width`` is a detection, and the track ends at the ``memory + 1``-th
    consecutive frame outside. The density is propagated on a grid of
    :data:`CELLS_PER_STEP` cells per step SD through the states "detected" and "missed k
    frames" (``k = 1 … memory``); mass reaching ``6√(memory + 1)`` SDs outside is ended.

    Parameters
    ----------
    half_width : float
        Half-width of the slab in step SDs (``z_d / √(2DΔt)``).
    memory : int
        Frames a track may be missed and still continue.
    n_steps : int
        Number of frames to propagate.
    efficiency : float
        Probability that a particle inside the slab is detected in a frame (misses are
        independent; a miss inside counts towards ``memory`` like a frame outside).

    Returns
    -------
    ndarray
        ``S[n]``, ``n = 0 … n_steps``: probability that the track has not ended after
        ``n`` frames (``S[0] = 1``).

    References
    ----------
    .. [1] Redner, S. (2001). A Guide to First-Passage Processes. Cambridge University
       Press, §2.2 (first passage out of an interval). doi:10.1017/CBO9780511606014
    .. [2] Broadie, M., Glasserman, P. & Kou, S. (1997). A continuity correction for
       discrete barrier options. Math. Finance 7, 325–349. doi:10.1111/1467-9965.00035

    Examples
    --------
    Without gap closing the mean number of frames to the end is, for a wide slab, the
    continuous exit time from a uniform start in ``|z| < w`` through walls moved out to
    ``w + 0.5826`` (D = ½ in step units): ``(w + 0.5826)² − w²/3``.

    >>> s = slab_survival(20.0, memory=0, n_steps=5000)
    >>> round(float(s.sum() / ((20 + DISCRETE_BOUNDARY_SHIFT) ** 2 - 20**2 / 3)), 2)
    1.0
    """
    chain = _GapChain(half_width, memory, efficiency)
    survival = np.zeros(n_steps + 1)
    survival[0] = 1.0
    for step in range(1, n_steps + 1):
        chain.step()
        survival[step] = chain.state.sum()
        if survival[step] < 1e-15:
            break
    return survival


def residual_survival(
    half_width: float, memory: int, n_steps: int, efficiency: float = 1.0, hazard: float = 0.0
) -> tuple[FloatArray, FloatArray]:
    """``P(R ≥ r)`` of the residual track length and the track's alive probability.

    The walk of :func:`slab_survival`; in addition, after every detection the linker may
    break the track with probability ``hazard`` (its last detection is then that one).
    ``R`` counts frames from the start to the track's last detection.

    Returns
    -------
    tuple of ndarray
        ``P(R ≥ r)`` for ``r = 0 … n_steps − memory − 1`` and ``S[n]`` (not ended after
        ``n`` frames) for ``n = 0 … n_steps``.

    Examples
    --------
    >>> at_least, alive = residual_survival(5.0, memory=2, n_steps=300)
    >>> bool(abs(at_least[10] - alive[12]) < 1e-12)  # no breaks: ends m + 1 frames later
    True
    >>> bool(residual_survival(5.0, 2, 300, hazard=0.05)[0][10] < at_least[10])
    True
    """
    chain = _GapChain(half_width, memory, efficiency, hazard)
    last = np.zeros(n_steps + 1)  # last[j]: ended with the last detection at frame j
    alive = np.zeros(n_steps + 1)
    alive[0] = 1.0
    for step in range(1, n_steps + 1):
        missed, broken = chain.step()
        last[step - memory - 1] += missed if step > memory else 0.0
        last[step] += broken
        alive[step] = float(chain.state.sum())
    at_least = 1.0 - np.concatenate([[0.0], np.cumsum(last)])[: n_steps - memory]
    return np.clip(at_least, 0.0, 1.0), alive


def gap_per_detection(half_width: float, memory: int, efficiency: float) -> float:
    """Expected missed frames between a detection and the next one of the same track.

    The same walk as :func:`slab_survival`, from a uniform start in the slab: a next
    detection after ``g ≤ memory`` missed frames adds ``g``; a track that ends adds 0. The
    observed ratio (missed frames inside tracks / detections) fixes ``efficiency``.

    Examples
    --------
    >>> gap_per_detection(5.0, memory=0, efficiency=0.9)
    0.0
    >>> gap_per_detection(5.0, 2, 0.9) > gap_per_detection(5.0, 2, 1.0) > 0
    True
    """
    chain = _GapChain(half_width, memory, efficiency)
    expected = 0.0
    for gap in range(memory + 1):
        chain.step()
        expected += gap * float(chain.state[0].sum())
        chain.state[0] = 0.0  # a detection closes the gap that follows the start
    return expected


class _GapChain:
    """Position density of the walk over the states "detected" and "missed k frames"."""

    def __init__(
        self, half_width: float, memory: int, efficiency: float, hazard: float = 0.0
    ) -> None:
        cells_inside = max(round(half_width * CELLS_PER_STEP), 1)
        h = half_width / cells_inside  # a cell edge falls exactly on the boundary
        pad = math.ceil(6.0 * math.sqrt(memory + 1) / h)
        n = 2 * (cells_inside + pad)
        centres = (np.arange(n) + 0.5 - n / 2) * h
        self.inside = np.abs(centres) < half_width
        reach = math.ceil(6.0 / h)
        offsets = np.arange(-reach, reach + 1) * h
        kernel = np.exp(-0.5 * offsets**2)
        self.kernel = kernel / kernel.sum()
        self.efficiency = efficiency
        self.hazard = hazard
        self.state = np.zeros((memory + 1, n))
        self.state[0, self.inside] = 1.0 / self.inside.sum()

    def step(self) -> tuple[float, float]:
        """Advance one frame; returns the mass ended by the miss rule and by a break."""
        inside = self.inside
        moved = ndimage.convolve1d(self.state, self.kernel, axis=1, mode="constant", cval=0.0)
        state = np.zeros_like(moved)
        state[0, inside] = self.efficiency * moved[:, inside].sum(axis=0)
        state[1:, ~inside] = moved[:-1, ~inside]
        state[1:, inside] = (1.0 - self.efficiency) * moved[:-1, inside]
        before = float(self.state.sum())
        broken = self.hazard * float(state[0].sum())
        state[0] *= 1.0 - self.hazard
        self.state = state
        return before - float(state.sum()) - broken, broken


def residual_lengths(
    table: TrackTable, memory: int
) -> tuple[IntArray, IntArray, NDArray[np.bool_]]:
    """Per detection: its track, frames to the track's last detection, and whether censored.

    A track whose last detection is within ``memory + 1`` frames of the video's end may
    have continued unseen: its residual lengths are right-censored.

    Examples
    --------
    >>> from exoderm.nta.synthetic import simulate_tracks, track_table_from_positions
    >>> pos = simulate_tracks(np.random.default_rng(0), 2, 6, 1.0, 0.04)
    >>> table = track_table_from_positions(pos, np.array([3, 6]), np.array([0, 0]))
    >>> track, residual, censored = residual_lengths(table, memory=0)
    >>> residual.tolist(), censored.tolist()
    ([2, 1, 0, 5, 4, 3, 2, 1, 0], [False, False, False, True, True, True, True, True, True])
    """
    last = np.full(table.n_tracks, -1, dtype=np.int64)
    np.maximum.at(last, table.track, table.frame)
    residual = last[table.track] - table.frame
    censored = last[table.track] >= table.n_frames - 1 - memory
    return table.track, residual.astype(np.int64), censored


class _Likelihood:
    """The residual-length log-likelihood as a function of the half-depth ``z_d``."""

    def __init__(
        self,
        table: TrackTable,
        memory: int,
        step_um: float,
        width_um: float,
        height_um: float,
        hazard: float,
    ) -> None:
        self.memory = memory
        self.step_um = step_um
        self.hazard = hazard
        self.observed_gap = 1.0 / span_occupancy(table) - 1.0
        self.in_plane_gap = gap_per_detection(width_um / 2 / step_um, memory, 1.0) + (
            gap_per_detection(height_um / 2 / step_um, memory, 1.0)
        )
        self.n_frames = table.n_frames
        self.n_steps = table.n_frames + memory + 1
        self.track, residual, censored = residual_lengths(table, memory)
        # censored: not ended through the video's last frame, n_frames − 1 − frame
        self.index = np.where(censored, table.n_frames - 1 - table.frame, residual)
        self.censored = censored
        self.in_plane = slab_survival(width_um / 2 / step_um, memory, self.n_steps) * (
            slab_survival(height_um / 2 / step_um, memory, self.n_steps)
        )
        # without breaks a track ends memory + 1 frames after its last detection
        self.in_plane_at_least = self.in_plane[memory:]

    def efficiency(self, half_depth_um: float) -> float:
        """In-slab detection probability whose predicted gaps match the observed ones."""
        w = half_depth_um / self.step_um

        def excess(eta: float) -> float:
            predicted = gap_per_detection(w, self.memory, eta) + self.in_plane_gap
            return (1.0 - self.hazard) * predicted - self.observed_gap

        if self.memory == 0 or excess(1.0) >= 0:
            return 1.0
        if excess(MIN_EFFICIENCY) <= 0:
            return MIN_EFFICIENCY
        return float(brentq(excess, MIN_EFFICIENCY, 1.0, xtol=1e-6))

    def per_detection(self, half_depth_um: float) -> FloatArray:
        at_least, alive = residual_survival(
            half_depth_um / self.step_um,
            self.memory,
            self.n_steps,
            self.efficiency(half_depth_um),
            self.hazard,
        )
        q = at_least * self.in_plane_at_least[: at_least.size]
        r = np.arange(self.n_frames)
        ended = np.log(np.maximum(q[r] - q[r + 1], SURVIVAL_FLOOR))
        censored = np.log(np.maximum(alive * self.in_plane, SURVIVAL_FLOOR))[r]
        return np.where(self.censored, censored[self.index], ended[self.index])

    def total(self, half_depth_um: float) -> float:
        return float(self.per_detection(half_depth_um).sum())

    def per_track(self, half_depth_um: float, n_tracks: int) -> FloatArray:
        weights = self.per_detection(half_depth_um)
        return np.bincount(self.track, weights=weights, minlength=n_tracks).astype(np.float64)


def break_rate(
    table: TrackTable, memory: int, step_px: float, area_px: float, reach: float = 3.5
) -> float:
    """Share of detections after which the linker split a track that should have continued.

    A split leaves a track end at frame ``ℓ`` and a new track starting at ``ℓ + Δ``
    (``Δ = 1 … memory + 1``) within ``reach`` diffusive step SDs (``step_px·√Δ`` per axis)
    of it. New particles also appear there by chance: that background, the density of
    track starts in frame ``ℓ + Δ`` times the disc area, is subtracted.

    Examples
    --------
    >>> from exoderm.nta.synthetic import simulate_tracks, track_table_from_positions
    >>> pos = simulate_tracks(np.random.default_rng(0), 1, 20, 1.0, 1.0)
    >>> pos = np.concatenate([pos[:, :10], pos[:, 10:]])  # one walk split into two tracks
    >>> table = track_table_from_positions(pos, np.array([10, 10]), np.array([0, 10]))
    >>> round(break_rate(table, memory=2, step_px=1.41, area_px=1e6), 3)
    0.05
    """
    if table.n_tracks < 2:
        return 0.0
    bounds = np.searchsorted(table.track, np.arange(table.n_tracks + 1))
    first, last = bounds[:-1], bounds[1:] - 1
    starts_per_frame = np.bincount(table.frame[first], minlength=table.n_frames + memory + 2)
    separate = 10.0 * (table.n_frames + math.sqrt(area_px))  # frames never within reach
    starts = np.column_stack([table.x[first], table.y[first], table.frame[first] * separate])
    tree = cKDTree(starts)
    pairs = 0.0
    for delta in range(1, memory + 2):
        radius = reach * step_px * math.sqrt(delta)
        ends = np.column_stack(
            [table.x[last], table.y[last], (table.frame[last] + delta) * separate]
        )
        pairs += float(tree.query_ball_point(ends, radius, return_length=True).sum())
        chance = starts_per_frame[table.frame[last] + delta] * math.pi * radius**2 / area_px
        pairs -= float(chance.sum())
    return min(max(pairs / table.frame.size, 0.0), 0.5)


def span_occupancy(table: TrackTable) -> float:
    """Share of the frames within track spans (first to last detection) with a detection.

    Missed frames inside tracks come from brief excursions out of the detected slab and from
    misses inside it; :func:`gap_per_detection` tells them apart.

    Examples
    --------
    >>> from exoderm.nta.synthetic import simulate_tracks, track_table_from_positions
    >>> pos = simulate_tracks(np.random.default_rng(0), 2, 6, 1.0, 0.04)
    >>> span_occupancy(track_table_from_positions(pos, np.array([3, 6]), np.array([0, 0])))
    1.0
    """
    if table.n_tracks == 0:
        return 1.0
    first = np.full(table.n_tracks, np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full(table.n_tracks, -1, dtype=np.int64)
    np.minimum.at(first, table.track, table.frame)
    np.maximum.at(last, table.track, table.frame)
    spans = (last - first + 1)[last >= 0]
    return float(table.frame.size / spans.sum())


def detectable_field_um(
    frame_shape: tuple[int, int], border_px: int, pixel_size_um: float
) -> tuple[float, float]:
    """Width and height (µm) of the region where a spot centre can be detected.

    The detector only accepts maxima at pixels ``border … size − border − 1``, i.e. centres
    in ``[border − ½, size − border − ½)``: ``size − 2·border`` pixels per axis.

    Examples
    --------
    >>> detectable_field_um((256, 512), 6, 0.1)
    (50.0, 24.4)
    """
    rows, cols = frame_shape
    return (
        round((cols - 2 * border_px) * pixel_size_um, 12),
        round((rows - 2 * border_px) * pixel_size_um, 12),
    )


def _refine_peak(grid: FloatArray, values: FloatArray) -> FloatArray:
    """Argmax of each row of ``values`` over ``grid``, refined by a parabola (log grid)."""
    best = np.clip(np.argmax(values, axis=1), 1, grid.size - 2)
    rows = np.arange(values.shape[0])
    lo, mid, hi = values[rows, best - 1], values[rows, best], values[rows, best + 1]
    curvature = lo - 2 * mid + hi
    offset = np.where(curvature < 0, 0.5 * (lo - hi) / np.where(curvature < 0, curvature, -1), 0)
    log_grid = np.log(grid)
    step = log_grid[1] - log_grid[0]
    return np.asarray(np.exp(log_grid[best] + np.clip(offset, -1, 1) * step))


def calibration_free_concentration(
    table: TrackTable,
    *,
    frame_shape: tuple[int, int],
    border_px: int,
    pixel_size_um: float,
    frame_interval_s: float,
    diffusion_um2_s: float,
    memory: int,
    dilution: float = 1.0,
    calibration: Calibration | None = None,
    bootstrap: int = 200,
    level: float = 0.95,
    seed: int = 0,
) -> CalibrationFreeConcentration:
    """Concentration from particles per frame over a detection volume measured from the tracks.

    Parameters
    ----------
    table : TrackTable
        Linked detections (pixel units) of the whole video.
    frame_shape : tuple of int
        (rows, columns) of the frames.
    border_px : int
        Pixels at each edge where the detector accepts no maximum.
    pixel_size_um, frame_interval_s : float
        The acquisition.
    diffusion_um2_s : float
        Population diffusion coefficient of the detected particles (from their xy steps).
    memory : int
        The linker's gap closing (frames a particle may be missed).
    dilution : float
        Factor the sample was diluted by before measurement.
    calibration : Calibration, optional
        When given, the calibrated concentration is reported alongside.
    bootstrap : int
        Bootstrap resamples of the tracks for the interval (0: no interval).
    level : float
        Confidence level of the intervals.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    CalibrationFreeConcentration
        Particles per mL in the sample (after the dilution) with the interval, the
        measured volume, and the calibrated result if a calibration was given.

    References
    ----------
    .. [1] Redner, S. (2001). A Guide to First-Passage Processes. Cambridge University
       Press, §2.2. doi:10.1017/CBO9780511606014
    .. [2] Carslaw, H. S. & Jaeger, J. C. (1959). Conduction of Heat in Solids, 2nd ed.
       Oxford University Press, §3.3 (diffusion in a slab).
    .. [3] Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman &
       Hall, ch. 13 (percentile intervals).
    .. [4] Hanley, J. A. & MacGibbon, B. (2006). Creating non-parametric bootstrap samples
       using Poisson frequencies. Comput. Methods Programs Biomed. 83, 57–62.
       doi:10.1016/j.cmpb.2006.04.006

    Examples
    --------
    >>> from exoderm.nta.synthetic import simulate_tracks, track_table_from_positions
    >>> rng = np.random.default_rng(1)
    >>> pos = simulate_tracks(rng, 40, 30, 4.5, 0.04)
    >>> table = track_table_from_positions(
    ...     pos / 0.166, rng.integers(2, 30, 40), rng.integers(0, 10, 40))
    >>> result = calibration_free_concentration(
    ...     table, frame_shape=(256, 256), border_px=6, pixel_size_um=0.166,
    ...     frame_interval_s=0.04, diffusion_um2_s=4.5, memory=2, bootstrap=20)
    >>> result.volume.half_depth_um > 0, result.ci_low_per_ml < result.ci_high_per_ml
    (True, True)
    """
    width, height = detectable_field_um(frame_shape, border_px, pixel_size_um)
    step = math.sqrt(2.0 * diffusion_um2_s * frame_interval_s)
    hazard = break_rate(
        table,
        memory,
        step / pixel_size_um,
        (frame_shape[0] - 2 * border_px) * (frame_shape[1] - 2 * border_px),
    )
    likelihood = _Likelihood(table, memory, step, width, height, hazard)
    lo, hi = (b * step for b in SEARCH_BOUNDS)
    fit = minimize_scalar(
        lambda log_z: -likelihood.total(math.exp(log_z)),
        bounds=(math.log(lo), math.log(hi)),
        method="bounded",
        options={"xatol": 1e-4},
    )
    half_depth = math.exp(float(fit.x))
    efficiency = likelihood.efficiency(half_depth)
    ppf = float(table.detections_per_frame.mean())
    area_um2 = width * height

    um3_per_ml = 1.0 / (1e-3 * ML_PER_PL)  # 1 µm³ = 10⁻³ pL
    in_cell = ppf / (efficiency * 2.0 * half_depth * area_um2) * um3_per_ml
    z_ci, c_ci = (half_depth, half_depth), (in_cell, in_cell)
    if bootstrap > 0 and table.n_tracks > 1:
        z_star, ppf_star = _bootstrap(likelihood, table, half_depth, bootstrap, seed)
        c_star = ppf_star / (efficiency * 2.0 * z_star * area_um2) * um3_per_ml
        tail = 50.0 * (1.0 - level)
        z_lo, z_hi = np.percentile(z_star, [tail, 100.0 - tail])
        c_lo, c_hi = np.percentile(c_star, [tail, 100.0 - tail])
        z_ci, c_ci = (float(z_lo), float(z_hi)), (float(c_lo), float(c_hi))
    warnings: list[str] = []
    if half_depth >= 0.99 * hi or half_depth <= 1.01 * lo:
        warnings.append("detection depth at the search bound: tracks too few or too short")
    calibrated = (
        concentration(
            ppf,
            table.n_frames / correlation_frames(table.lengths()),
            calibration,
            dilution,
            level,
        )
        if calibration is not None
        else None
    )
    volume = DetectionVolume(
        half_depth_um=half_depth,
        half_depth_ci_um=z_ci,
        width_um=width,
        height_um=height,
        efficiency=efficiency,
        volume_pl=efficiency * 2.0 * half_depth * area_um2 * 1e-3,
        diffusion_um2_s=diffusion_um2_s,
        memory=memory,
        break_rate=hazard,
        detections=int(table.frame.size),
        tracks=table.n_tracks,
    )
    return CalibrationFreeConcentration(
        particles_per_frame=ppf,
        volume=volume,
        in_cell_per_ml=in_cell,
        concentration_per_ml=in_cell * dilution,
        ci_low_per_ml=c_ci[0] * dilution,
        ci_high_per_ml=c_ci[1] * dilution,
        dilution=dilution,
        level=level,
        bootstrap=bootstrap,
        calibrated=calibrated,
        warnings=tuple(warnings),
    )


def _bootstrap(
    likelihood: _Likelihood, table: TrackTable, half_depth: float, replicates: int, seed: int
) -> tuple[FloatArray, FloatArray]:
    """``z_d`` and particles per frame of Poisson-bootstrap resamples of whole tracks.

    The log-likelihood of every track is tabulated once on a log grid of ``z_d`` (± a
    factor 2 around the estimate), so a replicate is a weighted sum and a parabolic peak.
    """
    n_tracks = table.n_tracks
    grid = half_depth * np.exp(np.linspace(-math.log(2.0), math.log(2.0), 41))
    per_track = np.column_stack([likelihood.per_track(z, n_tracks) for z in grid])
    rng = np.random.default_rng(seed)
    # Poisson weights: the number of particles that visit is itself random, so the
    # particles per frame vary as Σ L², not Σ (L − L̄)² (a fixed-size resample)
    weights = rng.poisson(1.0, size=(replicates, n_tracks)).astype(np.float64)
    z_star = _refine_peak(grid, weights @ per_track)
    ppf_star = np.asarray(weights @ table.lengths() / table.n_frames, dtype=np.float64)
    return z_star, ppf_star
