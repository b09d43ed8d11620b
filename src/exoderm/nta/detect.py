"""Finding particles in one frame: band-pass, local maxima, sub-pixel centroids.

The steps follow Crocker & Grier (1996, J. Colloid Interface Sci. 179:298), the method
trackpy implements (Allan et al., trackpy v0.7, doi:10.5281/zenodo.1213240), rewritten
around whole-array NumPy/SciPy operations:

1. **Band-pass**: a Gaussian of width ``noise_size`` suppresses pixel noise (low-pass); the
   slowly varying background (high-pass) is the median of the smoothed frame in blocks of
   ``background_block`` pixels, subtracted. Crocker & Grier use a boxcar of width
   ``2·radius+1`` instead; the block median is robust to the spots themselves (a boxcar
   mean contains each spot's own light) and costs a fraction of a full-frame filter.
2. **Threshold**: the band-passed noise level is estimated robustly (median absolute
   deviation of a pixel subsample) and pixels above ``threshold_snr`` times it are candidates.
3. **Local maxima**: a candidate is a particle if no pixel within ``separation`` is brighter
   (checked only at candidate pixels, so cost grows with the number of bright pixels,
   not the frame size).
4. **Refinement**: the vertex of a parabola through the logarithms of the peak and its
   neighbours on each axis (a Gaussian is a parabola in log space), which has no
   pixel-locking bias; mass is the band-passed intensity in a disc of ``radius``.
5. **Uncertainty**: the background-noise localisation bound of Thompson et al. 2002 per
   detection (see :func:`locate`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field
from scipy.spatial import cKDTree

from exoderm.nta.gaussian_smoothing import gaussian_smooth
from exoderm.nta.local_maxima import local_maxima

FloatArray = NDArray[np.float64]


class DetectionSettings(BaseModel):
    """How spots are found. Lengths are in pixels."""

    model_config = ConfigDict(extra="forbid")

    radius: int = Field(4, ge=1, le=50, description="centroid disc radius (spot diameter ≈ 2r+1)")
    noise_size: float = Field(1.0, gt=0, description="σ of the noise-suppressing Gaussian")
    threshold_snr: float = Field(6.0, gt=0, description="peak height over band-pass noise SD")
    separation: int | None = Field(None, ge=1, description="minimum distance between maxima")
    min_mass: float = Field(0.0, ge=0, description="minimum integrated band-passed intensity")
    invert: bool = Field(False, description="dark particles on a bright background")
    background_block: int = Field(16, ge=4, le=512, description="background median block (px)")
    ridge_merge: float | None = Field(
        0.7,
        gt=0,
        le=1,
        description="maxima joined by a ridge above this fraction of the fainter peak are one"
        " blurred spot (None: never merge)",
    )

    @property
    def min_separation(self) -> int:
        return self.separation if self.separation is not None else self.radius + 1


@dataclass
class Detections:
    """Particles found in one frame (pixel units; x = column, y = row)."""

    x: FloatArray
    y: FloatArray
    mass: FloatArray
    sigma: FloatArray
    noise: float
    #: another, fainter local maximum lies within ``separation``: a second particle may be
    #: hidden under this spot (its position and identity are then unreliable)
    crowded: NDArray[np.bool_] | None = None

    def __len__(self) -> int:
        return len(self.x)


@numba.njit(nogil=True, cache=True)
def _median(values: NDArray[Any]) -> float:  # pragma: no cover - compiled; equals np.median
    """``np.median`` of a 1-D array (the mean of the two middle values in the array's own
    float type), by selection, without the GIL."""
    half = values.size // 2
    part = np.partition(values, half)
    upper = part[half]
    if values.size % 2:
        return upper
    return (np.max(part[:half]) + upper) / np.float32(2.0)


@numba.njit(nogil=True, cache=True)
def _tile_medians(
    smooth: NDArray[np.float32], n_r: int, n_c: int, b_r: int, b_c: int, step: int
) -> NDArray[np.float32]:  # pragma: no cover - compiled; tested against np.median
    tiles = np.empty((n_r, n_c), dtype=np.float32)
    sample = np.empty((b_r // step) * (b_c // step), dtype=np.float32)
    for tr in range(n_r):
        for tc in range(n_c):
            n = 0
            for i in range(tr * b_r, (tr + 1) * b_r, step):
                for j in range(tc * b_c, (tc + 1) * b_c, step):
                    sample[n] = smooth[i, j]
                    n += 1
            tiles[tr, tc] = _median_sorting(sample)
    return tiles


@numba.njit(nogil=True, cache=True)
def _median_sorting(sample: NDArray[np.float32]) -> float:  # pragma: no cover - compiled
    """The median of a small sample, sorted in place (insertion sort: no allocation)."""
    for a in range(1, sample.size):
        value, b = sample[a], a - 1
        while b >= 0 and sample[b] > value:
            sample[b + 1] = sample[b]
            b -= 1
        sample[b + 1] = value
    half = sample.size // 2
    if sample.size % 2:
        return sample[half]
    return (sample[half - 1] + sample[half]) / np.float32(2.0)


def _block_background(smooth: NDArray[np.float32], block: int) -> NDArray[np.float32]:
    """Median of every ``block``×``block`` tile (from a 1-in-16 pixel subsample), per tile."""
    rows_n, cols_n = smooth.shape
    nb_r, nb_c = max(rows_n // block, 1), max(cols_n // block, 1)
    b_r, b_c = min(block, rows_n), min(block, cols_n)
    step = next(k for k in (4, 2, 1) if b_r % k == 0 and b_c % k == 0)
    return _tile_medians(np.ascontiguousarray(smooth), nb_r, nb_c, b_r, b_c, step)


def bandpass(frame: NDArray[Any], settings: DetectionSettings) -> NDArray[np.float32]:
    """Gaussian-smoothed frame minus its block-median background."""
    image = np.asarray(frame)
    smooth = gaussian_smooth(image, settings.noise_size, truncate=3.0)
    if settings.invert:
        np.negative(smooth, out=smooth)
    tiles = _block_background(smooth, settings.background_block)
    _subtract_tiles(smooth, tiles, settings.background_block)
    return smooth


@numba.njit(nogil=True, cache=True)
def _subtract_tiles(
    smooth: NDArray[np.float32], tiles: NDArray[np.float32], block: int
) -> None:  # pragma: no cover - compiled; the band-pass tests cover it
    """Subtract from each pixel the median of its tile (the last tile takes the remainder)."""
    rows, cols = smooth.shape
    n_r, n_c = tiles.shape
    for tr in range(n_r):
        r_end = rows if tr == n_r - 1 else (tr + 1) * block
        for tc in range(n_c):
            c_end = cols if tc == n_c - 1 else (tc + 1) * block
            value = tiles[tr, tc]
            for i in range(tr * block, r_end):
                for j in range(tc * block, c_end):
                    smooth[i, j] -= value


def noise_level(filtered: NDArray[np.float32]) -> float:
    """Robust SD of the band-passed background: 1.4826 × MAD of a 1-in-16 pixel subsample."""
    sample = filtered[::4, ::4].ravel()
    median = float(_median(sample))
    mad = float(_median(np.abs(sample - median)))
    return max(1.4826 * mad, 1e-12)


def _disc_offsets(radius: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    dy, dx = np.mgrid[-radius : radius + 1, -radius : radius + 1]
    inside = dy**2 + dx**2 <= radius**2 + 0.5
    return dy[inside], dx[inside]


def _merge_ridges(
    filtered: NDArray[np.float32],
    rr: NDArray[np.intp],
    cc: NDArray[np.intp],
    reach: float,
    ratio: float,
) -> NDArray[np.bool_]:
    """Which maxima to keep when several lie on one motion-blurred streak.

    With exposure blur a spot is the PSF smeared along the particle's path; on a long
    streak, noise makes two or more local maxima. Kept apart, the far one becomes a
    detection the next frame's particle links to with a *shorter* step, and the real
    track ends: long steps go missing and D reads low. Two maxima belong to one spot when
    the band-passed intensity never drops below ``ratio`` × the fainter peak on the
    segment between them (two separate point spots of width σ dip below 0.7 once they are
    more than ≈ 2.9σ apart, which the separation rule already covers); the fainter one is
    dropped.
    """
    keep = np.ones(rr.size, dtype=bool)
    if rr.size < 2:
        return keep
    pairs = cKDTree(np.column_stack([rr, cc])).query_pairs(reach, output_type="ndarray")
    if pairs.size == 0:
        return keep
    a, b = pairs[:, 0], pairs[:, 1]
    samples = math.ceil(reach) + 1
    t = np.linspace(0.0, 1.0, samples)[None, :]
    ry = np.rint(rr[a, None] + t * (rr[b] - rr[a])[:, None]).astype(np.intp)
    rx = np.rint(cc[a, None] + t * (cc[b] - cc[a])[:, None]).astype(np.intp)
    ridge = filtered[ry, rx].min(axis=1)
    peak_a, peak_b = filtered[rr[a], cc[a]], filtered[rr[b], cc[b]]
    joined = ridge >= ratio * np.minimum(peak_a, peak_b)
    fainter = np.where(peak_a < peak_b, a, b)
    keep[fainter[joined]] = False
    return keep


def _parabolic_offset(minus: FloatArray, centre: FloatArray, plus: FloatArray) -> FloatArray:
    """Sub-pixel peak of a Gaussian from three samples: the vertex of the parabola through
    their logarithms (exact for a noise-free Gaussian; no pixel-locking, unlike a
    window centroid). Returns the offset in pixels, limited to ±0.5."""
    lm, l0, lp = np.log(minus), np.log(centre), np.log(plus)
    curvature = lm - 2.0 * l0 + lp
    safe = np.where(curvature < -1e-9, curvature, -1e-9)
    return np.clip(0.5 * (lm - lp) / safe, -0.5, 0.5)


def _refine(
    filtered: NDArray[np.float32], rr: NDArray[np.intp], cc: NDArray[np.intp], radius: int
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Sub-pixel offsets, mass (band-passed intensity in the disc) and squared spot width."""
    image = filtered.astype(np.float64, copy=False)
    floor = 1e-6 * max(float(image[rr, cc].max()), 1e-12)
    at = lambda dr, dc: np.maximum(image[rr + dr, cc + dc], floor)  # noqa: E731
    centre = at(0, 0)
    oy = _parabolic_offset(at(-1, 0), centre, at(1, 0))
    ox = _parabolic_offset(at(0, -1), centre, at(0, 1))
    curvature_x = np.log(at(0, -1)) - 2.0 * np.log(centre) + np.log(at(0, 1))
    width2 = -1.0 / np.minimum(curvature_x, -1e-3)
    dy, dx = _disc_offsets(radius)
    patch = image[rr[:, None] + dy[None, :], cc[:, None] + dx[None, :]]
    mass = np.clip(patch, 0.0, None).sum(axis=1)
    return oy, ox, mass, width2


def locate(frame: NDArray[Any], settings: DetectionSettings | None = None) -> Detections:
    """Find the particles in one frame, with sub-pixel positions, mass and uncertainty.

    The uncertainty is the background-noise term of Thompson, Larson & Webb (2002,
    Biophys. J. 82:2775) eq. 14, ``σ = √(8π) s² σ_pixel / mass`` with the spot width ``s``
    from the peak curvature and the raw pixel noise recovered from the smoothed noise
    (a Gaussian of width g divides white noise by ``2√π g``). Without the camera gain the
    photon term is unknown, so this is a lower bound; the diffusion estimator measures
    each track's real localisation error itself (``diffusion.cve``).
    """
    settings = settings or DetectionSettings()
    radius = settings.radius
    filtered = bandpass(frame, settings)
    noise = noise_level(filtered)
    border = max(radius, settings.min_separation) + 1
    rr, cc, crowded = local_maxima(
        filtered, settings.threshold_snr * noise, settings.min_separation, border
    )
    if settings.ridge_merge is not None:
        single = _merge_ridges(filtered, rr, cc, 4.0 * radius, settings.ridge_merge)
        rr, cc, crowded = rr[single], cc[single], crowded[single]
    if rr.size == 0:
        empty = np.empty(0)
        return Detections(empty, empty, empty, empty, noise, np.empty(0, bool))
    oy, ox, mass, width2 = _refine(filtered, rr, cc, radius)
    keep = mass > settings.min_mass
    pixel_noise = noise * 2.0 * np.sqrt(np.pi) * settings.noise_size
    spot_width2 = np.maximum(width2[keep] - settings.noise_size**2, 0.25)
    sigma = np.sqrt(8.0 * np.pi) * spot_width2 * pixel_noise / np.maximum(mass[keep], 1e-12)
    return Detections(
        cc[keep] + ox[keep], rr[keep] + oy[keep], mass[keep], sigma, noise, crowded[keep]
    )
