"""Detection on simulated frames: recall, sub-pixel accuracy, no pixel locking, inversion."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial import cKDTree
from scipy.stats import chisquare

from exoderm.nta.detect import DetectionSettings, locate
from exoderm.nta.synthetic import SimulationSettings, SizeComponent, VideoSimulator


def _frames(n: int = 6, **overrides: object) -> tuple[list[np.ndarray], VideoSimulator]:
    settings = SimulationSettings(
        n_frames=n,
        n_particles=150,
        exposure_ms=0,
        sheet_half_thickness_um=None,
        brightness_exponent=0,
        sizes=[SizeComponent(diameter_nm=100)],
        seed=3,
        **overrides,  # type: ignore[arg-type]
    )
    sim = VideoSimulator(settings)
    return list(sim.frames()), sim


def test_recall_and_subpixel_accuracy() -> None:
    frames, sim = _frames()
    errors, fractions, found, isolated = [], [], 0, 0
    for frame, truth in zip(frames, sim.truth, strict=True):
        det = locate(frame, DetectionSettings())
        true_xy = np.column_stack([truth.x, truth.y])
        inside = (true_xy > 8).all(axis=1) & (true_xy < 504).all(axis=1)
        nn = cKDTree(true_xy).query(true_xy, k=2)[0][:, 1]
        lonely = inside & (nn > 10)
        dist, idx = cKDTree(np.column_stack([det.x, det.y])).query(true_xy[lonely])
        isolated += int(lonely.sum())
        found += int((dist < 1.0).sum())
        ok = dist < 1.0
        errors.append(np.column_stack([det.x, det.y])[idx[ok]] - true_xy[lonely][ok])
        fractions.append(det.x % 1.0)
    err = np.concatenate(errors)
    assert found / isolated > 0.99
    rms = np.sqrt((err**2).mean(axis=0))
    assert (rms < 0.15).all(), rms
    assert np.abs(err.mean(axis=0)).max() < 0.02
    # no pixel locking: sub-pixel parts are uniform (χ² on 5 bins, p > 0.001)
    counts = np.histogram(np.concatenate(fractions), bins=5, range=(0, 1))[0]
    assert chisquare(counts).pvalue > 1e-3


def test_dark_particles_need_invert() -> None:
    frames, _ = _frames(1)
    dark = (2 * 100 - frames[0].astype(np.int32)).clip(0, 65535).astype(np.uint16)
    assert len(locate(dark, DetectionSettings(invert=True))) == pytest.approx(
        len(locate(frames[0], DetectionSettings())), rel=0.03
    )
    assert len(locate(dark, DetectionSettings())) < 10


def test_empty_frame_gives_no_detections() -> None:
    rng = np.random.default_rng(0)
    frame = rng.normal(100, 5, (128, 128)).astype(np.float32)
    assert len(locate(frame, DetectionSettings())) == 0
