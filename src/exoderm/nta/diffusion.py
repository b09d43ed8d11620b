"""Per-track diffusion coefficients: the covariance-based estimator and an MSD fit.

**CVE** (Vestergaard, Blainey & Flyvbjerg 2014, Phys. Rev. E 89:022726, eqs. 14–16,
doi:10.1103/PhysRevE.89.022726). For increments ``Δx_n = x_n − x_{n−1}`` of a track
observed every ``Δt`` with
exposure-blur coefficient ``R`` (:func:`exoderm.nta.physics.blur_factor`) and unknown static
localisation error ``σ``:

- eq. 14: ``D̂ = ⟨Δx_n²⟩ / (2Δt) + ⟨Δx_n Δx_{n+1}⟩ / Δt``
- eq. 15: ``σ̂² = R ⟨Δx_n²⟩ + (2R − 1) ⟨Δx_n Δx_{n+1}⟩``
- eq. 16 (σ known): ``D̂ = (⟨Δx_n²⟩ − 2σ²) / (2 (1 − 2R) Δt)``

Both averages run over the two axes. Because ``⟨Δx²⟩ = 2DΔt(1 − 2R) + 2σ²`` and
``⟨Δx_n Δx_{n+1}⟩ = 2RDΔt − σ²``, eq. 14 is unbiased whatever the blur and noise — the
naive ``MSD(1)/(4Δt)`` is biased by ``−2R + σ²/(DΔt)``, −15 to −27 % at real NTA exposures
(R = 0.09–0.14 in public NanoSight exports). Gaps (closed by the linker) are skipped: only
increments between consecutive
frames, and pairs of adjacent such increments, enter the averages.

**Precision**: the CVE variance (Vestergaard et al. 2014) per axis is
``Var D̂ / D² = (6 + 4ε + 2ε²)/N + 4(1 + ε)²/N²`` with ``ε = σ²/(DΔt) − 2R``; the Cramér–Rao
bound (Michalet & Berglund 2012, Phys. Rev. E 85:061916, asymptotic form,
doi:10.1103/PhysRevE.85.061916) is
``Var D̂ / D² ≥ 2/(dN) · [1 + 2√(1 + 2ε)]`` for ``d`` dimensions. The CVE is within a few
per cent of the bound for ``ε ≲ 0.3``.

**MSD fit** (alternative): least-squares line through the first ``p`` points of the
time-averaged MSD, ``p = ⌊2 + 2.3 x^0.52⌋`` (Michalet 2010, Phys. Rev. E 82:041914, as used in
vbSPT's ``lsqMSD``), with the blur term ``MSD(n) = 4Dn Δt + 4(σ² − 2RDΔt)`` in 2-D, so the
slope gives ``D`` and the intercept ``σ²``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass
class TrackIncrements:
    """Per-track sums of squared increments and of adjacent-increment products (2 axes)."""

    track: IntArray  # track index per row of the result arrays
    sum_sq: FloatArray
    n_sq: FloatArray  # number of (increment, axis) terms
    sum_cov: FloatArray
    n_cov: FloatArray
    n_positions: IntArray


def increments(
    track_index: IntArray,
    frame: IntArray,
    x: FloatArray,
    y: FloatArray,
    n_tracks: int,
    usable: NDArray[np.bool_] | None = None,
) -> TrackIncrements:
    """Sufficient statistics of the CVE for every track, fully vectorised.

    Rows must be sorted by track and then by frame. ``usable[k]`` (optional) says whether
    the increment *ending* at row ``k`` may be used (the linker's ambiguity flag).
    """
    same = track_index[1:] == track_index[:-1]
    consecutive = same & (frame[1:] - frame[:-1] == 1)
    if usable is not None:
        consecutive &= usable[1:]
    dx = np.diff(x)
    dy = np.diff(y)
    owner = track_index[1:]
    sq = np.where(consecutive, dx * dx + dy * dy, 0.0)
    sum_sq: FloatArray = np.bincount(owner, weights=sq, minlength=n_tracks).astype(np.float64)
    n_sq: FloatArray = np.bincount(
        owner, weights=np.where(consecutive, 2.0, 0.0), minlength=n_tracks
    ).astype(np.float64)
    pair = consecutive[1:] & consecutive[:-1] & (owner[1:] == owner[:-1])
    prod = np.where(pair, dx[1:] * dx[:-1] + dy[1:] * dy[:-1], 0.0)
    sum_cov: FloatArray = np.bincount(owner[1:], weights=prod, minlength=n_tracks).astype(float)
    n_cov: FloatArray = np.bincount(
        owner[1:], weights=np.where(pair, 2.0, 0.0), minlength=n_tracks
    ).astype(np.float64)
    n_positions = np.bincount(track_index, minlength=n_tracks).astype(np.int64)
    return TrackIncrements(
        np.arange(n_tracks, dtype=np.int64), sum_sq, n_sq, sum_cov, n_cov, n_positions
    )


@dataclass
class CveEstimate:
    """Per-track CVE results (units of the input positions and of ``Δt``)."""

    diffusion: FloatArray
    sigma2: FloatArray
    mean_sq_step: FloatArray  # ⟨Δx²⟩ per axis
    n_steps: FloatArray  # consecutive increments per track


def cve(stats: TrackIncrements, frame_interval: float, blur: float) -> CveEstimate:
    """Eq. 14 and 15 of Vestergaard et al. 2014 for every track (``nan`` if too short)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        msq = stats.sum_sq / stats.n_sq
        mcov = stats.sum_cov / stats.n_cov
    diffusion = msq / (2.0 * frame_interval) + mcov / frame_interval
    sigma2 = blur * msq + (2.0 * blur - 1.0) * mcov
    return CveEstimate(diffusion, sigma2, msq, stats.n_sq / 2.0)


def cve_known_sigma(
    mean_sq_step: FloatArray, sigma2: float | FloatArray, frame_interval: float, blur: float
) -> FloatArray:
    """Eq. 16: ``D̂`` when the localisation variance ``σ²`` is known."""
    return np.asarray((mean_sq_step - 2.0 * sigma2) / (2.0 * (1.0 - 2.0 * blur) * frame_interval))


def reduced_error(sigma2: float, diffusion: float, frame_interval: float, blur: float) -> float:
    """``ε = σ²/(DΔt) − 2R``: the one number that sets every estimator's precision."""
    return sigma2 / (diffusion * frame_interval) - 2.0 * blur


def cve_relative_variance(n_steps: float, epsilon: float, dims: int = 2) -> float:
    """``Var(D̂)/D²`` of the CVE, averaged over ``dims`` independent axes."""
    per_axis = (6 + 4 * epsilon + 2 * epsilon**2) / n_steps + 4 * (1 + epsilon) ** 2 / n_steps**2
    return per_axis / dims


def cramer_rao_relative_variance(n_steps: float, epsilon: float, dims: int = 2) -> float:
    """Asymptotic Cramér–Rao bound on ``Var(D̂)/D²`` (Michalet & Berglund 2012)."""
    return 2.0 / (dims * n_steps) * (1.0 + 2.0 * math.sqrt(1.0 + 2.0 * epsilon))


def msd_points(reduced_localisation_error: float) -> int:
    """Michalet's optimal number of MSD points for a line fit: ``⌊2 + 2.3 x^0.52⌋``."""
    x = max(reduced_localisation_error, 0.0)
    return max(2, math.floor(2 + 2.3 * x**0.52))


def msd_fit(
    positions: FloatArray, frame_interval: float, blur: float, n_points: int = 2
) -> tuple[float, float]:
    """``(D, σ²)`` from an unweighted line fit to the first ``n_points`` MSD lags of one
    gap-free track ``(n, 2)``: slope ``4DΔt``, intercept ``4(σ² − 2RDΔt)``."""
    n = len(positions)
    lags = np.arange(1, min(n_points, n - 1) + 1)
    if lags.size < 2:
        return math.nan, math.nan
    msd = np.array([np.mean(np.sum((positions[k:] - positions[:-k]) ** 2, axis=1)) for k in lags])
    slope, intercept = np.polyfit(lags.astype(float), msd, 1)
    diffusion = slope / (4.0 * frame_interval)
    sigma2 = intercept / 4.0 + 2.0 * blur * diffusion * frame_interval
    return float(diffusion), float(sigma2)
