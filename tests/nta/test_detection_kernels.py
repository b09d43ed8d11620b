"""The compiled detection kernels give the vectorised definitions' results exactly."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy import ndimage
from scipy.spatial import cKDTree

from exoderm.nta.detect import DetectionSettings, _disc_offsets, bandpass, noise_level
from exoderm.nta.gaussian_smoothing import gaussian_smooth
from exoderm.nta.local_maxima import local_maxima
from exoderm.nta.synthetic import SimulationSettings, VideoSimulator


def _frames(n: int = 12) -> list[NDArray[np.uint16]]:
    sim = VideoSimulator(
        SimulationSettings(width=256, height=192, n_frames=n, n_particles=120, seed=5),
        record_truth=False,
    )
    return list(sim.frames())


@pytest.mark.parametrize("sigma", [0.7, 1.0, 1.5, 2.3])
def test_gaussian_smoothing_is_scipys_bit_for_bit(sigma: float) -> None:
    rng = np.random.default_rng(1)
    for frame in [*_frames(3), rng.integers(0, 4000, (37, 53)).astype(np.uint16),
                  rng.normal(0, 1, (5, 4)), np.ones((1, 9))]:  # fmt: skip
        want = ndimage.gaussian_filter(frame, sigma, truncate=3.0, output=np.float32)
        np.testing.assert_array_equal(gaussian_smooth(frame, sigma), want)


def reference_local_maxima(
    filtered: NDArray[np.float32], threshold: float, separation: int, border: int
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.bool_]]:
    """Rows and columns of candidate pixels brighter than every pixel within ``separation``,
    and whether each suppressed a fainter 3×3 maximum within ``separation`` (crowded).

    ``border`` must be at least ``separation`` so that no neighbour index leaves the frame.
    Ties (flat tops) go to the first pixel in raster order, so a plateau gives one maximum.
    """
    rows_n, cols_n = filtered.shape
    inner = filtered[border : rows_n - border, border : cols_n - border]
    rr, cc = np.nonzero(inner > threshold)
    flat = (rr + border) * cols_n + (cc + border)
    image = filtered.ravel()
    local3 = flat
    for radius in (1, separation):  # cheap 3×3 test first, then the full disc
        if flat.size == 0:
            break
        if radius == separation:
            local3 = flat
        dy, dx = _disc_offsets(radius)
        centre = (dy == 0) & (dx == 0)
        dy, dx = dy[~centre], dx[~centre]
        offsets = dy * cols_n + dx
        values = image[flat]
        neighbours = image[flat[:, None] + offsets[None, :]]
        later = (dy > 0) | ((dy == 0) & (dx > 0))
        wins = (values[:, None] > neighbours) | ((values[:, None] == neighbours) & later)
        flat = flat[wins.all(axis=1)]
    crowded = np.zeros(flat.size, dtype=bool)
    hidden = np.setdiff1d(local3, flat, assume_unique=True)
    if hidden.size and flat.size:
        tree = cKDTree(np.column_stack([hidden // cols_n, hidden % cols_n]))
        dist, _ = tree.query(
            np.column_stack([flat // cols_n, flat % cols_n]), distance_upper_bound=separation + 0.5
        )
        crowded = np.isfinite(dist)
    return flat // cols_n, flat % cols_n, crowded


def test_local_maxima_equal_the_vectorised_definition() -> None:
    settings = DetectionSettings(radius=4)
    border = max(settings.radius, settings.min_separation) + 1
    cases = []
    for frame in _frames():
        filtered = bandpass(frame, settings)
        cases.append((filtered, settings.threshold_snr * noise_level(filtered)))
    rng = np.random.default_rng(3)  # plateaus and ties everywhere
    cases += [(rng.integers(0, 4, (40, 50)).astype(np.float32), 0.5) for _ in range(100)]
    crowded_seen = 0
    for filtered, threshold in cases:
        want = reference_local_maxima(filtered, threshold, settings.min_separation, border)
        got = local_maxima(filtered, threshold, settings.min_separation, border)
        for a, b in zip(got, want, strict=True):
            np.testing.assert_array_equal(a, b)
        crowded_seen += int(got[2].sum())
    assert crowded_seen > 0
