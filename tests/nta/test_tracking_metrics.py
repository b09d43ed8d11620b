"""Chenouard et al. (2014) track-assignment measures and the correct-link fraction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exoderm.errors import UserInputError
from exoderm.nta.tracking_metrics import correct_link_fraction, score_tracking

GATE = 5.0


def _truth(n_tracks: int = 4, n_frames: int = 10, seed: int = 0) -> pd.DataFrame:
    """Well-separated random walks (tracks 100 px apart, 1 px steps)."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n_tracks):
        xy = np.array([100.0 * k, 50.0]) + np.cumsum(rng.normal(0, 1, (n_frames, 2)), axis=0)
        rows.append(
            pd.DataFrame(
                {"frame": np.arange(n_frames), "x": xy[:, 0], "y": xy[:, 1], "particle": k}
            )
        )
    return pd.concat(rows, ignore_index=True)


def test_identical_tracks_score_one() -> None:
    truth = _truth()
    relabelled = truth.assign(particle=truth["particle"] + 100)  # labels need not agree
    m = score_tracking(truth, relabelled, gate=GATE)
    assert (m.alpha, m.beta, m.jaccard_detections, m.jaccard_tracks) == (1.0, 1.0, 1.0, 1.0)
    assert m.paired_tracks == 4 and m.spurious_tracks == 0 and m.rmse == 0.0


def test_localisation_error_lowers_alpha_by_the_gated_distance() -> None:
    truth = _truth()
    shifted = truth.assign(x=truth["x"] + 1.0)
    m = score_tracking(truth, shifted, gate=GATE)
    assert m.alpha == pytest.approx(1 - 1.0 / GATE)  # every position 1 px off, ε = 5
    assert m.jaccard_detections == 1.0 and m.rmse == pytest.approx(1.0)


def _swap_after(truth: pd.DataFrame, frame: int) -> pd.DataFrame:
    """Tracks 0 and 1 exchange identities from ``frame`` on (one wrong link each)."""
    est = truth.copy()
    late = est["frame"] >= frame
    est.loc[late & (truth["particle"] == 0), "particle"] = 1
    est.loc[late & (truth["particle"] == 1), "particle"] = 0
    return est


def test_a_swapped_link_lowers_alpha() -> None:
    truth = _truth(n_frames=10)
    m = score_tracking(truth, _swap_after(truth, 6), gate=GATE)
    # each of the two tracks is paired with the estimate that holds its first 6 positions;
    # its last 4 are in the other estimate: 8 of 40 positions unmatched
    assert m.alpha == pytest.approx(1 - 8 / 40)
    assert m.jaccard_tracks == 1.0
    assert m.true_positives == 32 and m.false_negatives == 8 and m.false_positives == 8
    links = correct_link_fraction(truth, _swap_after(truth, 6))
    assert (links.correct, links.scored) == (34, 36)


def test_spurious_tracks_lower_beta_but_not_alpha() -> None:
    truth = _truth()
    noise = pd.DataFrame(
        {"frame": np.arange(10), "x": 900.0, "y": 900.0 + np.arange(10), "particle": 99}
    )
    m = score_tracking(truth, pd.concat([truth, noise], ignore_index=True), gate=GATE)
    assert m.alpha == 1.0
    assert m.spurious_tracks == 1
    assert m.beta == pytest.approx(40 / (40 + 10))  # d(X,∅) = 40ε, d(Ȳ,∅) = 10ε
    assert m.jaccard_tracks == pytest.approx(4 / 5)
    assert m.jaccard_detections == pytest.approx(40 / 50)


def test_empty_estimate_scores_zero() -> None:
    truth = _truth()
    m = score_tracking(truth, truth.iloc[:0], gate=GATE)
    assert (m.alpha, m.beta, m.jaccard_detections, m.jaccard_tracks) == (0.0, 0.0, 0.0, 0.0)
    assert m.missed_tracks == 4 and m.rmse is None


def test_far_estimate_pairs_with_the_dummy() -> None:
    """An estimate entirely beyond the gate is no better than nothing: α = 0, all spurious."""
    truth = _truth()
    far = truth.assign(y=truth["y"] + 3 * GATE)
    m = score_tracking(truth, far, gate=GATE)
    assert m.alpha == 0.0 and m.paired_tracks == 0 and m.spurious_tracks == 4


def test_fragmented_track_pairs_with_its_longest_piece() -> None:
    truth = _truth(n_tracks=1, n_frames=10)
    est = truth.assign(particle=np.where(truth["frame"] < 7, 0, 1))  # broken after frame 6
    m = score_tracking(truth, est, gate=GATE)
    assert m.alpha == pytest.approx(7 / 10)
    assert m.spurious_tracks == 1 and m.beta == pytest.approx((10 - 3) / (10 + 3))


def test_bad_tables_are_rejected() -> None:
    truth = _truth()
    with pytest.raises(UserInputError, match="lacks columns"):
        score_tracking(truth.drop(columns="particle"), truth)
    with pytest.raises(UserInputError, match="two positions in one frame"):
        score_tracking(truth, pd.concat([truth, truth.iloc[:1]], ignore_index=True))
    with pytest.raises(UserInputError, match="no tracks"):
        score_tracking(truth.iloc[:0], truth)


def test_link_fraction_on_shared_links_only() -> None:
    truth = _truth(n_frames=10)
    partial = truth[~((truth["particle"] == 2) & (truth["frame"] == 5))]  # one miss
    full = correct_link_fraction(truth, truth)
    same = correct_link_fraction(truth, truth, among=partial)
    assert full.scored == 36 and same.scored == 34 and same.fraction == 1.0
