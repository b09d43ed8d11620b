"""Local maxima of a band-passed frame, compiled: candidate particles and crowding.

A candidate is a pixel above the threshold that is brighter than every other pixel
within ``separation`` (Crocker & Grier 1996, the dilation test). Ties on a flat top go to
the first pixel in raster order, so a plateau gives one maximum. A maximum is *crowded*
when a fainter 3×3 local maximum lies within ``separation`` + 0.5 px of it: a second
particle may be hidden under the spot. One pass over the frame in compiled code (numba),
releasing the GIL, replaces the vectorised neighbour comparisons that took a third of a
frame's detection time.

References
----------
.. [1] Crocker, J.C. & Grier, D.G. (1996). Methods of digital video microscopy for
   colloidal studies. Journal of Colloid and Interface Science 179(1), 298-310.
   doi:10.1006/jcis.1996.0217
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = ["local_maxima"]


@numba.njit(nogil=True, cache=True)
def _wins(
    image: NDArray[np.float32], i: int, j: int, radius: int, reach2: float
) -> bool:  # pragma: no cover - compiled; tested against the vectorised definition
    """Brighter than every pixel with dy² + dx² <= reach2 (r² + 0.5: the disc of radius r);
    ties go to the earlier pixel in raster order."""
    value = image[i, j]
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            if (dy == 0 and dx == 0) or dy * dy + dx * dx > reach2:
                continue
            other = image[i + dy, j + dx]
            later = dy > 0 or (dy == 0 and dx > 0)
            if value < other or (value == other and not later):
                return False
    return True


@numba.njit(nogil=True, cache=True)
def _scan(
    image: NDArray[np.float32], threshold: float, separation: int, border: int
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.bool_]]:  # pragma: no cover
    rows, cols = image.shape
    hidden = np.zeros((rows, cols), dtype=np.bool_)
    found_r = np.empty(rows * cols // 4 + 1, dtype=np.intp)
    found_c = np.empty(rows * cols // 4 + 1, dtype=np.intp)
    n = 0
    disc2 = separation * separation + 0.5
    for i in range(border, rows - border):
        for j in range(border, cols - border):
            if not image[i, j] > threshold or not _wins(image, i, j, 1, 1.5):
                continue
            if _wins(image, i, j, separation, disc2):
                if n == found_r.size:
                    found_r = np.concatenate((found_r, np.empty(found_r.size, np.intp)))
                    found_c = np.concatenate((found_c, np.empty(found_c.size, np.intp)))
                found_r[n], found_c[n] = i, j
                n += 1
            else:
                hidden[i, j] = True
    crowded = np.zeros(n, dtype=np.bool_)
    reach = separation + 1
    near2 = (separation + 0.5) ** 2
    for m in range(n):
        i, j = found_r[m], found_c[m]
        for dy in range(-reach, reach + 1):
            for dx in range(-reach, reach + 1):
                y, x = i + dy, j + dx
                inside = 0 <= y < rows and 0 <= x < cols
                if inside and dy * dy + dx * dx < near2 and hidden[y, x]:
                    crowded[m] = True
    return found_r[:n].copy(), found_c[:n].copy(), crowded


def local_maxima(
    filtered: NDArray[np.float32], threshold: float, separation: int, border: int
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.bool_]]:
    """Rows and columns of the local maxima of a band-passed frame, and which are crowded.

    Parameters
    ----------
    filtered : ndarray of float32
        The band-passed frame.
    threshold : float
        A maximum must be brighter than this.
    separation : int
        Disc radius (px) within which a maximum is brighter than every other pixel.
    border : int
        Pixels left out at each edge; at least ``separation`` so no neighbour leaves the
        frame.

    Returns
    -------
    rows, columns : ndarray of intp
        The maxima in raster order.
    crowded : ndarray of bool
        A fainter 3×3 local maximum lies within ``separation`` + 0.5 px.

    References
    ----------
    .. [1] Crocker, J.C. & Grier, D.G. (1996). J. Colloid Interface Sci. 179, 298-310.

    Examples
    --------
    >>> import numpy as np
    >>> frame = np.zeros((13, 13), np.float32)
    >>> frame[6, 6], frame[6, 8] = 5.0, 3.0
    >>> rows, cols, crowded = local_maxima(frame, 1.0, 3, 4)
    >>> rows.tolist(), cols.tolist(), crowded.tolist()
    ([6], [6], [True])
    """
    if border < separation:
        raise ValueError(f"border {border} is smaller than the separation {separation}")
    image = np.ascontiguousarray(filtered, dtype=np.float32)
    rows, cols, crowded = _scan(image, float(threshold), int(separation), int(border))
    return rows, cols, crowded
