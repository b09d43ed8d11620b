"""Linking detections into tracks: a global assignment per frame with gap closing.

Why not trackpy's linker: Crocker–Grier subnetwork enumeration is exponential in the size
of a conflict cluster, so for fast, dense particles (6 px steps, 200 particles per 512²
frame) trackpy 0.7 raises ``SubnetOversizeException`` (trackpy issue #222). Here every frame is
one linear assignment problem (LAP) in the spirit of Jaqaman et al. (2008, Nat. Methods
5:695), solved exactly with the Jonker–Volgenant algorithm
(:func:`scipy.optimize.linear_sum_assignment`) on the connected components of a
k-d-tree-gated candidate graph, so cost grows with conflicts polynomially, never fails.

Costs are Brownian negative log-likelihoods. A track last seen ``g`` frames ago (``g = 0``:
previous frame) with per-axis step variance ``s²`` reaches a detection at distance ``r``
with density ``exp(-r²/(2 s² (g+1))) / (2π s² (g+1))``, so

    cost = r² / (2 s² (g+1)) + ln(s² (g+1)) + g · gap_penalty.

``s²`` is each track's own running estimate (its mean squared step, shrunk towards the
population value with ``prior_steps`` pseudo-observations), so a slow vesicle and a fast one
competing for a detection are each judged by their own mobility. A pair that is not linked
costs ``no_link_cost`` (death of the track plus birth of a new one); with the LAP padded by
that constant, linking ``k`` pairs minimises ``Σ cost − k·no_link_cost``, which is exactly
the augmented birth/death matrix of Jaqaman et al. (see :func:`_solve_component`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Neighbours considered per track: more than any physical conflict cluster needs.
MAX_CANDIDATES = 8
#: The smallest per-axis step variance (px²) a track may be given: the variance of the
#: uniform error of placing a position on the pixel grid, 1/12 px² (Widrow, B. & Kollár,
#: I. (2008). Quantization Noise, Cambridge University Press, ch. 4), so motionless
#: particles (identical frames) keep a finite link cost instead of dividing by zero.
MIN_STEP_VARIANCE = 1.0 / 12.0


class LinkSettings(BaseModel):
    """How detections are joined into tracks. Lengths in pixels, times in frames."""

    model_config = ConfigDict(extra="forbid")

    search_range: float = Field(
        ..., gt=0, description="largest one-frame displacement considered (px)"
    )
    memory: int = Field(2, ge=0, le=20, description="frames a particle may vanish (gap closing)")
    gap_penalty: float = Field(2.0, ge=0, description="extra cost per missed frame")
    prior_steps: float = Field(3.0, gt=0, description="weight of the population step variance")
    isolation: float = Field(
        3.0, gt=0, description="relative-step SDs beyond which a neighbour cannot swap"
    )

    @classmethod
    def from_max_speed(
        cls,
        max_speed_um_s: float,
        *,
        pixel_size_um: float,
        frame_interval_s: float,
        memory: int = 2,
        max_diffusion_um2_s: float | None = None,
        sigmas: float = 4.5,
        gap_penalty: float = 2.0,
        prior_steps: float = 3.0,
        isolation: float = 3.0,
    ) -> LinkSettings:
        """Settings whose search range reaches the fastest particle across the longest gap.

        A particle carried at ``v_max`` travels ``v_max·Δt·(g+1)`` while it is missed for
        ``g`` frames, and diffuses with per-axis SD ``√(2·D_max·Δt)`` per frame. The
        one-frame range is set to the whole travel over the longest gap plus ``sigmas``
        diffusive step SDs,

            search_range = v_max·Δt·(memory+1) / pixel + sigmas·√(2·D_max·Δt) / pixel.

        The linker's own gap gate, ``search_range·√(g+1)`` (see :meth:`Linker._assign`),
        would reach that particle with a range smaller by ``√(memory+1)``, but its cost is
        Brownian: the population prior step variance ``(search_range/4.5)²`` must be wide
        enough that a directed step across a gap costs less than the no-link cost of
        ending the track and starting a new one, which the narrower range does not give
        (tested: a 6 px/frame particle missed for two frames is then split in two).
        ``sigmas = 4.5`` is the per-axis gate of :attr:`prior_step_variance` (a true step
        beyond it has probability 4e-5).

        Parameters
        ----------
        max_speed_um_s : float
            Largest directed speed (flow, drift) expected, µm/s; 0 for pure diffusion.
        pixel_size_um : float
            µm per pixel.
        frame_interval_s : float
            Time between frames, s.
        memory : int
            Frames a particle may vanish (gap closing).
        max_diffusion_um2_s : float, optional
            Diffusion coefficient of the most mobile (smallest) particle of interest.
        sigmas : float
            Per-axis standard deviations of the diffusive step allowed.
        gap_penalty, prior_steps, isolation : float
            As the fields of the same names.

        Returns
        -------
        LinkSettings
            With ``search_range`` in pixels.

        References
        ----------
        .. [1] Jaqaman, K. et al. (2008). Robust single-particle tracking in live-cell
           time-lapse sequences. Nat. Methods 5, 695–702. doi:10.1038/nmeth.1237 (search
           radius from the expected displacement, widened with the gap length).
        .. [2] Einstein, A. (1905). Ann. Phys. 322, 549–560 (per-axis displacement
           variance ``2DΔt``).

        Examples
        --------
        >>> s = LinkSettings.from_max_speed(10.0, pixel_size_um=0.166, frame_interval_s=1 / 30,
        ...                                 memory=2)
        >>> round(s.search_range, 2), s.memory
        (6.02, 2)
        >>> LinkSettings.from_max_speed(0.0, pixel_size_um=0.166, frame_interval_s=1 / 30,
        ...                             max_diffusion_um2_s=15.0).search_range > 4.5 * 5.7
        True
        """
        if max_speed_um_s < 0 or pixel_size_um <= 0 or frame_interval_s <= 0:
            raise ValueError("speed must be ≥ 0, pixel size and frame interval > 0")
        directed = max_speed_um_s * frame_interval_s * (memory + 1.0)
        diffusive = 0.0
        if max_diffusion_um2_s is not None:
            if max_diffusion_um2_s < 0:
                raise ValueError("max_diffusion_um2_s must be ≥ 0")
            diffusive = sigmas * math.sqrt(2.0 * max_diffusion_um2_s * frame_interval_s)
        reach = (directed + diffusive) / pixel_size_um
        if reach <= 0:
            raise ValueError("give a positive max_speed_um_s or max_diffusion_um2_s")
        return cls(
            search_range=reach,
            memory=memory,
            gap_penalty=gap_penalty,
            prior_steps=prior_steps,
            isolation=isolation,
        )

    @property
    def prior_step_variance(self) -> float:
        """Per-axis step variance implied by the search range (gate at 4.5 σ per axis).

        A 2-D Gaussian step exceeds ``4.5 s`` with probability ``exp(-4.5²/2) = 4e-5``, so
        a search range set this way loses essentially no true links.
        """
        return (self.search_range / 4.5) ** 2

    @property
    def no_link_cost(self) -> float:
        """Death + birth: the cost of a one-frame link at the edge of the search range."""
        s2 = self.prior_step_variance
        return self.search_range**2 / (2.0 * s2) + math.log(s2)


@dataclass
class _Active:
    """Tracks that may still be extended (seen within the last ``memory + 1`` frames)."""

    ids: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    x: FloatArray = field(default_factory=lambda: np.empty(0))
    y: FloatArray = field(default_factory=lambda: np.empty(0))
    last_frame: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    sum_d2: FloatArray = field(default_factory=lambda: np.empty(0))
    n_steps: FloatArray = field(default_factory=lambda: np.empty(0))
    last_d2: FloatArray = field(default_factory=lambda: np.empty(0))


@dataclass
class LinkedFrame:
    """Track ids given to one frame's detections, and how many links used a gap.

    ``unambiguous[j]`` is true when detection ``j`` continues its track from the previous
    frame and that track had no other live track within ``isolation`` step SDs of its
    relative motion (see :meth:`Linker._isolated`).
    """

    track_ids: IntArray
    gap_links: int
    unambiguous: NDArray[np.bool_]


class Linker:
    """Streaming linker: call :meth:`add` once per frame, in order; it keeps only live tracks."""

    def __init__(self, settings: LinkSettings) -> None:
        self.settings = settings
        self._active = _Active()
        self._next_id = 0
        self._population_s2 = settings.prior_step_variance
        self._pop_sum = 0.0
        self._pop_n = 0

    def add(
        self, frame: int, x: FloatArray, y: FloatArray, shape: tuple[int, int] | None = None
    ) -> LinkedFrame:
        """Link this frame's detections to live tracks; returns a track id per detection.

        ``shape`` (rows, columns) of the frame lets the isolation test treat the frame edge
        as a possible hidden neighbour (particles outside the field enter unseen).
        """
        act = self._active
        n_det = len(x)
        alive = act.last_frame >= frame - 1 - self.settings.memory
        if not alive.all():
            self._active = act = _Active(
                act.ids[alive],
                act.x[alive],
                act.y[alive],
                act.last_frame[alive],
                act.sum_d2[alive],
                act.n_steps[alive],
                act.last_d2[alive],
            )
        ids = np.full(n_det, -1, dtype=np.int64)
        unambiguous = np.zeros(n_det, dtype=bool)
        gap_links = 0
        if n_det and len(act.ids):
            detections = cKDTree(np.column_stack([x, y]))  # shared by both queries below
            rows, cols = self._assign(frame, detections, len(x))
            ids[cols] = act.ids[rows]
            gap = frame - 1 - act.last_frame[rows]
            gap_links = int(np.count_nonzero(gap))
            isolated, reach = self._isolated(frame, shape)
            alone = self._alone_in_frame(detections, len(x), rows, cols, reach[rows])
            unambiguous[cols] = isolated[rows] & alone & (gap == 0)
            d2 = ((x[cols] - act.x[rows]) ** 2 + (y[cols] - act.y[rows]) ** 2) / (gap + 1)
            act.sum_d2[rows] += d2
            act.n_steps[rows] += 1
            act.last_d2[rows] = d2
            act.x[rows], act.y[rows] = x[cols], y[cols]
            act.last_frame[rows] = frame
            self._pop_sum += float(d2.sum())
            self._pop_n += len(rows)
            if self._pop_n >= 50:
                self._population_s2 = self._pop_sum / (2.0 * self._pop_n)
        born = ids < 0
        n_born = int(born.sum())
        if n_born:
            new_ids = np.arange(self._next_id, self._next_id + n_born, dtype=np.int64)
            self._next_id += n_born
            ids[born] = new_ids
            self._active = _Active(
                np.concatenate([act.ids, new_ids]),
                np.concatenate([act.x, x[born]]),
                np.concatenate([act.y, y[born]]),
                np.concatenate([act.last_frame, np.full(n_born, frame, np.int64)]),
                np.concatenate([act.sum_d2, np.zeros(n_born)]),
                np.concatenate([act.n_steps, np.zeros(n_born)]),
                np.concatenate([act.last_d2, np.zeros(n_born)]),
            )
        return LinkedFrame(ids, gap_links, unambiguous)

    def _isolated(
        self, frame: int, shape: tuple[int, int] | None = None
    ) -> tuple[NDArray[np.bool_], FloatArray]:
        """Live tracks whose identity cannot be swapped in this frame's assignment, and
        the reach (px) each was tested with.

        Two independent Brownian particles at separation ``u`` swap under the likelihood
        when their relative step, projected on ``u``, is below ``−|u|`` — probability
        ``Φ(−|u|/σ_v)`` with ``σ_v² = s_a² + s_b²``. Beyond ``isolation = 3`` SDs the
        summed swap rate is negligible (< 0.1 % of steps at 200 particles per 512² frame).
        A neighbour last seen ``g`` frames ago counts with ``g + 1`` steps of variance: gap
        closing lets it claim a detection that far away.
        Why it matters: a linker that resolves an ambiguous pair picks the *shorter*
        pairing, so ambiguous steps read diffusion low (−8 % at 6 px steps in a
        benchmark on a synthetic video). The test uses only the positions at the previous
        frame, which for
        independent particles are independent of a particle's own increments, so
        discarding non-isolated steps removes the bias without creating another. Particles
        outside the field (or in its undetected border) are unseen neighbours, so a track
        closer than the same reach to the frame edge is not isolated either (at 6 px steps
        this edge rule moves the pooled D from −3.3 % to −0.3 %).

        The reach uses each track's step variance *without its latest step*: with motion
        blur, adjacent increments are positively correlated (covariance ``2RDΔt − σ²``,
        Vestergaard et al. 2014), so a reach grown by a long previous step would drop
        steps that are likely long too. Steps two apart are independent, so the lagged
        variance carries no such selection.
        """
        act = self._active
        n = len(act.ids)
        if n == 0:
            return np.ones(0, dtype=bool), np.zeros(0)
        s2 = self._track_step_variance(lagged=True)
        s2_high = float(np.quantile(s2, 0.9))
        iso = self.settings.isolation
        reach = iso * np.sqrt(s2 + s2_high)
        isolated = np.ones(n, dtype=bool)
        if n >= 2:
            # a neighbour last seen g frames ago may have moved g + 1 steps since
            spread = np.maximum(s2, s2_high) * (frame - act.last_frame)
            k = min(n, MAX_CANDIDATES + 1)
            points = np.column_stack([act.x, act.y])
            dist, near = cKDTree(points).query(points, k=k)
            dist, near = dist[:, 1:], near[:, 1:]
            isolated = (dist > iso * np.sqrt(s2[:, None] + spread[near])).all(axis=1)
        if shape is not None:
            rows, cols = shape
            edge = np.minimum.reduce([act.x, act.y, cols - 1 - act.x, rows - 1 - act.y])
            isolated &= edge > reach
        return np.asarray(isolated), np.asarray(reach)

    def _alone_in_frame(
        self, detections: cKDTree, n_det: int, rows: IntArray, cols: IntArray, reach: FloatArray
    ) -> NDArray[np.bool_]:
        """Links with no *other* detection of this frame within ``reach`` of the track's
        previous position.

        :meth:`_isolated` sees only particles that were tracked in the previous frame. A
        particle that was not (entering the sheet, rising above the threshold, hidden
        under a neighbour's spot) can still take a track over: a long true step leaves the
        newcomer closer, the linker picks the shorter pairing, and the step reads short.
        Other particles' positions in this frame are independent of the track's own step,
        so this test selects no step by its length either.
        """
        if rows.size == 0:
            return np.ones(0, dtype=bool)
        act = self._active
        previous = np.column_stack([act.x[rows], act.y[rows]])
        k = min(2, n_det)
        dist, near = detections.query(previous, k=k)
        dist = dist.reshape(rows.size, k)
        near = near.reshape(rows.size, k)
        # the nearest detection that is not this link's own
        other = np.where(near[:, 0] == cols, dist[:, -1] if k == 2 else np.inf, dist[:, 0])
        return np.asarray(other > reach)

    def _track_step_variance(self, lagged: bool = False) -> FloatArray:
        """Each live track's per-axis step variance, shrunk towards the population value.

        ``lagged`` leaves out each track's most recent step (see :meth:`_isolated`).
        """
        act = self._active
        k0 = self.settings.prior_steps
        sum_d2, n_steps = act.sum_d2, act.n_steps
        if lagged:
            sum_d2 = sum_d2 - act.last_d2
            n_steps = np.maximum(n_steps - 1.0, 0.0)
        s2 = (sum_d2 / 2.0 + k0 * self._population_s2) / (n_steps + k0)
        return np.maximum(s2, MIN_STEP_VARIANCE)

    def _assign(self, frame: int, detections: cKDTree, n_det: int) -> tuple[IntArray, IntArray]:
        act = self._active
        st = self.settings
        gap = (frame - 1 - act.last_frame).astype(np.float64)
        reach = st.search_range * np.sqrt(st.memory + 1.0)
        k = min(MAX_CANDIDATES, n_det)
        dist, col = detections.query(
            np.column_stack([act.x, act.y]), k=k, distance_upper_bound=reach
        )
        dist = dist.reshape(len(act.ids), k)
        col = col.reshape(len(act.ids), k)
        row = np.repeat(np.arange(len(act.ids)), k).reshape(len(act.ids), k)
        scale = gap[:, None] + 1.0
        ok = np.isfinite(dist) & (dist <= st.search_range * np.sqrt(scale))
        rows, cols, d = row[ok], col[ok], dist[ok]
        if rows.size == 0:
            return rows.astype(np.int64), cols.astype(np.int64)
        s2 = self._track_step_variance()[rows]
        g = gap[rows]
        cost = d**2 / (2.0 * s2 * (g + 1.0)) + np.log(s2 * (g + 1.0)) + g * st.gap_penalty
        return _solve(rows, cols, cost, len(act.ids), n_det, st.no_link_cost)


def _solve(
    rows: IntArray, cols: IntArray, cost: FloatArray, n_rows: int, n_cols: int, no_link: float
) -> tuple[IntArray, IntArray]:
    """Optimal links on each connected component of the candidate graph."""
    useful = cost < no_link
    rows, cols, cost = rows[useful], cols[useful], cost[useful]
    if rows.size == 0:
        return rows.astype(np.int64), cols.astype(np.int64)
    graph = coo_matrix(
        (np.ones(rows.size), (rows, n_rows + cols)), shape=(n_rows + n_cols, n_rows + n_cols)
    )
    _, label = connected_components(graph, directed=False)
    comp = label[rows]
    order = np.argsort(comp, kind="stable")
    rows, cols, cost, comp = rows[order], cols[order], cost[order], comp[order]
    starts = np.flatnonzero(np.r_[True, comp[1:] != comp[:-1]])
    sizes = np.diff(np.r_[starts, comp.size])
    single = starts[sizes == 1]
    out_r = [rows[single]]
    out_c = [cols[single]]
    conflict = np.repeat(sizes > 1, sizes)
    if conflict.any():
        # all conflict clusters in one padded matrix: clusters share no candidates, so
        # the no-link padding between them never wins and the optimum is per cluster
        r, c = _solve_component(rows[conflict], cols[conflict], cost[conflict], no_link)
        out_r.append(r)
        out_c.append(c)
    return np.concatenate(out_r).astype(np.int64), np.concatenate(out_c).astype(np.int64)


def _solve_component(
    rows: IntArray, cols: IntArray, cost: FloatArray, no_link: float
) -> tuple[IntArray, IntArray]:
    """Dense LAP on one conflict cluster, non-candidates padded with ``no_link``.

    With every missing pair priced at death+birth, a matching of size ``min(m, n)`` that
    uses ``k`` real links costs ``Σ cost + (min(m, n) − k)·no_link``: minimising it is the
    same as minimising the augmented Jaqaman matrix, and padded pairs are dropped afterwards.
    """
    ur, ri = np.unique(rows, return_inverse=True)
    uc, ci = np.unique(cols, return_inverse=True)
    matrix = np.full((ur.size, uc.size), no_link)
    matrix[ri, ci] = cost
    r, c = linear_sum_assignment(matrix)
    real = matrix[r, c] < no_link
    return ur[r[real]], uc[c[real]]
