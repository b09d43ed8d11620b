"""Gaussian smoothing of a frame, compiled: scipy's numbers, faster, without the GIL.

The detector's band-pass starts with a Gaussian of width ``noise_size`` (Crocker & Grier
1996). ``scipy.ndimage.gaussian_filter`` spends most of a frame's detection time in it.
This is the same separable filter — the same normalised kernel out to ``truncate`` SDs,
the same half-sample-symmetric ("reflect") border, a float32 pass along the rows and then
along the columns, each accumulated in float64 — compiled with numba, with the inner
loop over contiguous memory. It gives scipy's float32 values bit for bit (tested) in
about half the time, and it releases the GIL, so frames smoothed on several threads run
in parallel.

References
----------
.. [1] Crocker, J.C. & Grier, D.G. (1996). Methods of digital video microscopy for
   colloidal studies. Journal of Colloid and Interface Science 179(1), 298-310.
   doi:10.1006/jcis.1996.0217
.. [2] Virtanen, P. et al. (2020). SciPy 1.0: fundamental algorithms for scientific
   computing in Python. Nature Methods 17, 261-272 (``scipy.ndimage.gaussian_filter``).
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = ["gaussian_smooth"]


@numba.njit(nogil=True, cache=True)
def _reflect(index: int, size: int) -> int:  # pragma: no cover - compiled
    """Half-sample-symmetric border (d c b a | a b c d | d c b a), repeated if needed."""
    while index < 0 or index >= size:
        index = -index - 1 if index < 0 else 2 * size - index - 1
    return index


@numba.njit(nogil=True, cache=True)
def _along_rows(
    image: NDArray[Any], weights: NDArray[np.float64], out: NDArray[np.float32]
) -> None:  # pragma: no cover - compiled; tested against scipy
    """Axis 0: each output row is a weighted sum of whole input rows."""
    rows, cols = image.shape
    r = (weights.size - 1) // 2
    acc = np.empty(cols)
    for i in range(rows):
        for j in range(cols):
            acc[j] = image[i, j] * weights[r]
        for k in range(1, r + 1):
            above, below = _reflect(i - k, rows), _reflect(i + k, rows)
            w = weights[r + k]
            for j in range(cols):
                acc[j] += (np.float64(image[above, j]) + np.float64(image[below, j])) * w
        for j in range(cols):
            out[i, j] = acc[j]


@numba.njit(nogil=True, cache=True)
def _along_columns(
    image: NDArray[np.float32], weights: NDArray[np.float64], out: NDArray[np.float32]
) -> None:  # pragma: no cover - compiled; tested against scipy
    """Axis 1: along each contiguous row."""
    rows, cols = image.shape
    r = (weights.size - 1) // 2
    inner_start, inner_end = min(r, cols), max(cols - r, min(r, cols))
    acc = np.empty(cols)
    for i in range(rows):
        row = image[i]
        for j in range(cols):
            acc[j] = row[j] * weights[r]
        for k in range(1, r + 1):
            w = weights[r + k]
            # the interior needs no reflection; slices keep every index non-negative so
            # the loop compiles without wrap-around checks and vectorises
            left, right = row[inner_start - k : inner_end - k], row[inner_start + k : inner_end + k]
            middle = acc[inner_start:inner_end]
            for m in range(middle.size):
                middle[m] += (np.float64(left[m]) + np.float64(right[m])) * w
            for e in range(inner_start + cols - inner_end):  # the two borders
                j = e if e < inner_start else inner_end + e - inner_start
                left, right = _reflect(j - k, cols), _reflect(j + k, cols)
                acc[j] += (np.float64(row[left]) + np.float64(row[right])) * w
        for j in range(cols):
            out[i, j] = acc[j]


def _kernel(sigma: float, truncate: float) -> NDArray[np.float64]:
    radius = int(truncate * float(sigma) + 0.5)
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    weights = np.exp(-0.5 / float(sigma) ** 2 * x**2)
    out: NDArray[np.float64] = weights / weights.sum()
    return out


def gaussian_smooth(
    frame: NDArray[Any], sigma: float, truncate: float = 3.0
) -> NDArray[np.float32]:
    """A 2-D frame smoothed by a Gaussian of SD ``sigma`` pixels, as float32.

    Parameters
    ----------
    frame : ndarray
        One 2-D frame (any real dtype; integer camera frames are usual).
    sigma : float
        Gaussian SD in pixels.
    truncate : float
        Kernel half-width in SDs (the kernel has ``2 int(truncate sigma + 0.5) + 1`` taps).

    Returns
    -------
    ndarray of float32
        Equal to ``scipy.ndimage.gaussian_filter(frame, sigma, truncate=truncate,
        output=np.float32)``.

    References
    ----------
    .. [1] Crocker, J.C. & Grier, D.G. (1996). J. Colloid Interface Sci. 179, 298-310.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import ndimage
    >>> frame = np.arange(64, dtype=np.uint16).reshape(8, 8)
    >>> bool((gaussian_smooth(frame, 1.0) ==
    ...       ndimage.gaussian_filter(frame, 1.0, truncate=3.0, output=np.float32)).all())
    True
    """
    image = np.ascontiguousarray(frame)
    if image.ndim != 2:
        raise ValueError(f"a frame has 2 dimensions, not {image.ndim}")
    weights = _kernel(sigma, truncate)
    across = np.empty(image.shape, np.float32)
    out = np.empty(image.shape, np.float32)
    _along_rows(image, weights, across)
    _along_columns(across, weights, out)
    return out
