"""Scoring tracks against ground truth: the Particle Tracking Challenge measures.

Chenouard et al. (2014, Nat. Methods 11:281–289, doi:10.1038/nmeth.2808) compared 14
tracking methods with measures built on one *track assignment*. The distance between a
ground-truth track ``θ`` and an estimated track ``θ'`` is summed over every frame in which
either exists,

    d(θ, θ') = Σ_t ‖θ(t) − θ'(t)‖₂,ε ,   ‖a − b‖₂,ε = min(‖a − b‖₂, ε),

a position present in only one of the two tracks costing the gate ``ε``. Every
ground-truth track is paired with one estimated track or with a *dummy* track (no
positions: distance ``ε`` per ground-truth position), each estimated track used at most
once, so that the summed distance ``d(X, Y)`` is minimal; estimated tracks left unpaired
are the spurious set ``Ȳ``. Then

    α = 1 − d(X, Y) / d(X, ∅),
    β = (d(X, ∅) − d(X, Y)) / (d(X, ∅) + d(Ȳ, ∅)),

where ``d(X, ∅) = ε · (ground-truth positions)`` is the distance to an empty estimate and
``d(Ȳ, ∅) = ε · (positions of spurious tracks)``. ``α`` rates how well the ground truth is
covered and ignores spurious tracks; ``β`` also penalises them. Both are 1 for a perfect
estimate and 0 for an empty one. With the same pairing, a ground-truth position is a true
positive when its paired track has a position within ``ε`` in the same frame, and the
Jaccard similarity of detections is ``JSC = TP / (TP + FN + FP)`` (every estimated
position that is not a true positive is a false positive); the Jaccard similarity of
tracks ``JSC_θ`` counts ground-truth tracks paired with an estimated track as true
positives, those paired with a dummy as false negatives and spurious tracks as false
positives. The challenge used ``ε = 5`` px.

The optimal pairing is one linear assignment (:func:`scipy.optimize.linear_sum_assignment`,
Crouse 2016, IEEE Trans. Aerosp. Electron. Syst. 52:1679, doi:10.1109/TAES.2016.140952).
Subtracting each ground-truth track's dummy cost ``ε|θ|`` (a constant per row) leaves

    d(θ, θ') − ε|θ| = ε (|θ'| − n_shared) − Σ_{t: ‖·‖ < ε} (ε − ‖θ(t) − θ'(t)‖),

which is negative only for pairs with at least one position within the gate, so only those
pairs enter the assignment and the dummy is the zero of every row.

:func:`correct_link_fraction` scores the frame-to-frame links themselves: of the true
one-frame links whose two positions were each detected once, the share the estimate gave a
single track — the measure of the linker's ambiguity limit (see ``docs/nta.md``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.spatial import cKDTree

from exoderm.errors import UserInputError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Columns a track table must have: frame, position (px) and the track it belongs to.
TRACK_COLUMNS = ("frame", "x", "y", "particle")
#: The gate of the Particle Tracking Challenge, px (Chenouard et al. 2014).
CHALLENGE_GATE_PX = 5.0


class TrackingMetrics(BaseModel):
    """The Particle Tracking Challenge measures of one estimate against its ground truth."""

    model_config = ConfigDict(frozen=True)

    alpha: float = Field(..., description="1 − d(X,Y)/d(X,∅): coverage of the ground truth")
    beta: float = Field(..., description="α penalised by the spurious tracks")
    jaccard_tracks: float = Field(..., description="JSC_θ: Jaccard similarity of tracks")
    jaccard_detections: float = Field(..., description="JSC: Jaccard similarity of positions")
    gate: float = Field(..., gt=0, description="ε, in the units of the positions")
    rmse: float | None = Field(..., description="RMS distance of the true-positive positions")
    reference_tracks: int
    estimated_tracks: int
    paired_tracks: int
    missed_tracks: int
    spurious_tracks: int
    true_positives: int
    false_negatives: int
    false_positives: int


class LinkAccuracy(BaseModel):
    """Frame-to-frame links of the ground truth recovered by an estimate."""

    model_config = ConfigDict(frozen=True)

    correct: int = Field(..., ge=0, description="true links the estimate kept in one track")
    scored: int = Field(..., ge=0, description="true links with both positions detected once")
    fraction: float | None = Field(..., description="correct / scored (None if none scored)")


class _Tracks:
    """A track table as arrays: track index, frame and position of every row."""

    def __init__(self, table: pd.DataFrame, role: str) -> None:
        missing = [c for c in TRACK_COLUMNS if c not in table.columns]
        if missing:
            raise UserInputError(
                f"the {role} track table lacks columns {', '.join(missing)}",
                field=role,
                expected="columns frame, x, y, particle",
            )
        codes, labels = pd.factorize(table["particle"], sort=True)
        self.track = np.asarray(codes, dtype=np.int64)
        self.labels = np.asarray(labels)
        self.frame = table["frame"].to_numpy(dtype=np.int64)
        self.xy = table[["x", "y"]].to_numpy(dtype=np.float64)
        self.n_tracks = len(labels)
        self.lengths = np.bincount(self.track, minlength=self.n_tracks).astype(np.int64)
        if (
            self.track.size
            and pd.Index(self.track * (self.frame.max() + 1) + self.frame).has_duplicates
        ):
            raise UserInputError(f"a {role} track has two positions in one frame", field=role)

    def presence(self, n_frames: int) -> coo_matrix:
        """Tracks × frames indicator of where each track has a position."""
        return coo_matrix(
            (np.ones(self.track.size), (self.track, self.frame)), shape=(self.n_tracks, n_frames)
        )


def _gated_pairs(
    truth: _Tracks, estimate: _Tracks, gate: float
) -> tuple[IntArray, IntArray, FloatArray]:
    """(truth row, estimate row, distance) of every same-frame pair closer than ``gate``."""
    rows, cols, dist = [], [], []
    if truth.track.size == 0 or estimate.track.size == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    order_t = np.argsort(truth.frame, kind="stable")
    order_e = np.argsort(estimate.frame, kind="stable")
    frames_t, starts_t = np.unique(truth.frame[order_t], return_index=True)
    frames_e, starts_e = np.unique(estimate.frame[order_e], return_index=True)
    ends_t = np.r_[starts_t[1:], order_t.size]
    ends_e = np.r_[starts_e[1:], order_e.size]
    where_e = dict(zip(frames_e.tolist(), zip(starts_e, ends_e, strict=True), strict=True))
    for frame, a, b in zip(frames_t.tolist(), starts_t, ends_t, strict=True):
        if frame not in where_e:
            continue
        c, d = where_e[frame]
        it, ie = order_t[a:b], order_e[c:d]
        near = cKDTree(truth.xy[it]).sparse_distance_matrix(
            cKDTree(estimate.xy[ie]), gate, output_type="ndarray"
        )
        keep = near["v"] < gate  # the gate is exclusive, as in the challenge's software
        rows.append(it[near["i"][keep]])
        cols.append(ie[near["j"][keep]])
        dist.append(near["v"][keep])
    if not rows:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(dist)


def _pairing(
    truth: _Tracks, estimate: _Tracks, gate: float
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Optimal pairing: (truth track, estimate track, gain over the dummy) of each pair, and
    the gated distances of the true-positive positions of paired tracks."""
    row, col, dist = _gated_pairs(truth, estimate, gate)
    empty = np.empty(0, np.int64)
    if row.size == 0:
        return empty, empty, np.empty(0), np.empty(0)
    ti, ej = truth.track[row], estimate.track[col]
    # one entry per (truth track, estimate track): Σ (ε − d) over their close positions
    key = ti * estimate.n_tracks + ej
    pair_key, inverse = np.unique(key, return_inverse=True)
    closeness = np.bincount(inverse, weights=gate - dist)
    pi, pj = pair_key // estimate.n_tracks, pair_key % estimate.n_tracks
    n_frames = int(max(truth.frame.max(), estimate.frame.max())) + 1
    shared_all = (truth.presence(n_frames).tocsr() @ estimate.presence(n_frames).T.tocsc()).tocsr()
    shared = np.asarray(shared_all[pi, pj]).ravel()
    gain = gate * (estimate.lengths[pj] - shared) - closeness  # d(θ, θ') − ε|θ|
    good = gain < 0
    pi, pj, gain = pi[good], pj[good], gain[good]
    if pi.size == 0:
        return empty, empty, np.empty(0), np.empty(0)
    ur, ri = np.unique(pi, return_inverse=True)
    uc, ci = np.unique(pj, return_inverse=True)
    matrix = np.zeros((ur.size, uc.size))
    matrix[ri, ci] = gain
    r, c = linear_sum_assignment(matrix)
    real = matrix[r, c] < 0
    paired_t, paired_e = ur[r[real]], uc[c[real]]
    chosen = np.zeros((truth.n_tracks,), dtype=np.int64) - 1
    chosen[paired_t] = paired_e
    matched = chosen[ti] == ej
    return paired_t, paired_e, matrix[r, c][real], dist[matched]


def score_tracking(
    truth: pd.DataFrame, estimate: pd.DataFrame, *, gate: float = CHALLENGE_GATE_PX
) -> TrackingMetrics:
    """Chenouard's α, β, JSC and JSC_θ of estimated tracks against ground-truth tracks.

    Parameters
    ----------
    truth, estimate : pandas.DataFrame
        Track tables with columns ``frame``, ``x``, ``y`` (the same length unit as
        ``gate``) and ``particle`` (the track label); at most one row per track and frame.
        A track may skip frames.
    gate : float
        ``ε``: positions farther apart count as unmatched; the challenge used 5 px.

    Returns
    -------
    TrackingMetrics
        The four measures, the track and position counts behind them, and the RMS
        distance of matched positions.

    References
    ----------
    .. [1] Chenouard, N. et al. (2014). Objective comparison of particle tracking methods.
       Nat. Methods 11, 281–289. doi:10.1038/nmeth.2808 (the measures and their pairing).
    .. [2] Crouse, D. F. (2016). On implementing 2D rectangular assignment algorithms.
       IEEE Trans. Aerosp. Electron. Syst. 52, 1679–1696. doi:10.1109/TAES.2016.140952

    Examples
    --------
    >>> truth = pd.DataFrame({"frame": [0, 1, 2, 0, 1, 2], "x": [0., 1, 2, 50, 50, 50],
    ...                       "y": [0., 0, 0, 9, 10, 11], "particle": [1, 1, 1, 2, 2, 2]})
    >>> m = score_tracking(truth, truth)
    >>> m.alpha, m.beta, m.jaccard_detections, m.jaccard_tracks
    (1.0, 1.0, 1.0, 1.0)
    >>> score_tracking(truth, truth.iloc[:0]).alpha
    0.0
    """
    if not gate > 0:
        raise UserInputError("the gate must be positive", field="gate")
    ref = _Tracks(truth, "truth")
    est = _Tracks(estimate, "estimate")
    if ref.n_tracks == 0:
        raise UserInputError("the ground truth has no tracks", field="truth")
    paired_t, paired_e, gain, matched = _pairing(ref, est, gate)
    n_ref_points, n_est_points = int(ref.lengths.sum()), int(est.lengths.sum())
    to_empty = gate * n_ref_points  # d(X, ∅)
    distance = to_empty + float(gain.sum())  # d(X, Y)
    spurious = np.ones(est.n_tracks, dtype=bool)
    spurious[paired_e] = False
    penalty = gate * float(est.lengths[spurious].sum())  # d(Ȳ, ∅)
    tp = int(matched.size)
    fn, fp = n_ref_points - tp, n_est_points - tp
    paired = int(paired_t.size)
    return TrackingMetrics(
        alpha=_clean(1.0 - distance / to_empty),
        beta=_clean((to_empty - distance) / (to_empty + penalty)),
        jaccard_tracks=paired / (ref.n_tracks + est.n_tracks - paired),
        jaccard_detections=tp / (tp + fn + fp),
        gate=gate,
        rmse=float(np.sqrt(np.mean(matched**2))) if tp else None,
        reference_tracks=ref.n_tracks,
        estimated_tracks=est.n_tracks,
        paired_tracks=paired,
        missed_tracks=ref.n_tracks - paired,
        spurious_tracks=int(spurious.sum()),
        true_positives=tp,
        false_negatives=fn,
        false_positives=fp,
    )


def _clean(value: float) -> float:
    """Round away the float residue of a sum, so a perfect score reads exactly 1."""
    return float(round(value, 12))


def correct_link_fraction(
    truth: pd.DataFrame,
    estimate: pd.DataFrame,
    *,
    gate: float = 1.0,
    among: pd.DataFrame | None = None,
) -> LinkAccuracy:
    """Share of the true one-frame links that the estimate kept within one track.

    Each estimated position is matched to the nearest ground-truth position of its frame
    when closer than ``gate``; ground-truth positions claimed by two estimated positions
    are not scored. A true link (one ground-truth track at frames ``t`` and ``t + 1``) is
    scored when both of its positions are matched, and correct when both matched
    positions carry the same estimated track label. Applied to an estimate built from the
    exact positions (an oracle), every link is scored.

    Parameters
    ----------
    truth, estimate : pandas.DataFrame
        Track tables with columns ``frame``, ``x``, ``y`` and ``particle``.
    gate : float
        Largest distance between an estimated position and its ground-truth position.
    among : pandas.DataFrame, optional
        Another estimate: score only the true links whose two positions it matched too,
        so two estimates (an oracle and a linker on detections) are compared on the same
        links.

    Returns
    -------
    LinkAccuracy
        Correct and scored links and their ratio.

    References
    ----------
    .. [1] Jaqaman, K. et al. (2008). Robust single-particle tracking in live-cell
       time-lapse sequences. Nat. Methods 5, 695–702. doi:10.1038/nmeth.1237 (scoring
       links against simulated ground truth).

    Examples
    --------
    >>> truth = pd.DataFrame({"frame": [0, 1, 0, 1], "x": [0., 3, 3, 0], "y": [0., 0, 1, 1],
    ...                       "particle": [1, 1, 2, 2]})
    >>> swapped = truth.assign(particle=[1, 2, 2, 1])
    >>> correct_link_fraction(truth, truth).fraction, correct_link_fraction(truth, swapped).fraction
    (1.0, 0.0)
    """
    ref = _Tracks(truth, "truth")
    label = _matched_labels(ref, _Tracks(estimate, "estimate"), gate)
    usable = np.ones(label.size, dtype=bool)
    if among is not None:
        usable = _matched_labels(ref, _Tracks(among, "among"), gate) >= 0
    order = np.lexsort((ref.frame, ref.track))
    track, frame, lab = ref.track[order], ref.frame[order], label[order]
    use = usable[order] & (lab >= 0)
    link = (track[1:] == track[:-1]) & (frame[1:] == frame[:-1] + 1)
    scored = link & use[1:] & use[:-1]
    correct = scored & (lab[1:] == lab[:-1])
    n_scored, n_correct = int(scored.sum()), int(correct.sum())
    return LinkAccuracy(
        correct=n_correct,
        scored=n_scored,
        fraction=n_correct / n_scored if n_scored else None,
    )


def _matched_labels(ref: _Tracks, est: _Tracks, gate: float) -> IntArray:
    """The estimate's track index at every ground-truth row (−1: unmatched or claimed twice)."""
    label = np.full(ref.track.size, -1, dtype=np.int64)
    for frame in np.unique(est.frame):
        it = np.flatnonzero(ref.frame == frame)
        ie = np.flatnonzero(est.frame == frame)
        if it.size == 0:
            continue
        dist, near = cKDTree(ref.xy[it]).query(est.xy[ie])
        ok = dist < gate
        hit, counts = np.unique(near[ok], return_counts=True)
        take = ok & np.isin(near, hit[counts == 1])
        label[it[near[take]]] = est.track[ie[take]]
    return label
