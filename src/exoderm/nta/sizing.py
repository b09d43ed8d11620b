"""Size distribution from per-track step statistics: Walker's maximum-likelihood deconvolution.

A track of ``k`` steps measures its particle's mobility with a relative error of order
``1/√k``, so a histogram of per-track sizes is the true distribution blurred by a
track-length-dependent kernel (Saveyn et al. 2010, J. Colloid Interface Sci. 352:593,
doi:10.1016/j.jcis.2010.09.006). Walker (2012, Meas. Sci. Technol. 23:065605),
implemented openly in NanoTrackJ's ``WalkerMethodEstimator``, and the "finite track length
adjustment" (FTLA) of NanoSight (Saveyn et al. 2010, J. Colloid Interface Sci. 352:593) both
undo that blur by maximum likelihood: the distribution ``p_j`` on a grid of diameters
``d_j`` maximises ``Σ_i w_i log Σ_j p_j L(m_i | k_i, d_j)``, found by the EM (Richardson–Lucy)
iteration ``p_j ← p_j Σ_i w_i L_ij / Σ_l L_il p_l / Σ_i w_i``.

The likelihood ``L`` of a track's mean squared one-frame increment per axis ``m_i`` is a
gamma density. Walker uses mean ``2DΔt`` and shape ``k``; here it is generalised
to the blur/noise model of Vestergaard et al. 2014 (doi:10.1103/PhysRevE.89.022726): mean
``μ_j = 2D_jΔt(1 − 2R) + 2σ²`` and, because blur and localisation noise correlate adjacent
increments (lag-1 covariance ``c₁ = −εD_jΔt``, variance ``c₀ = μ_j``), the shape that
matches the variance of the mean of ``k`` correlated increments,
``α = k² c₀² / (k c₀² + 2(k − 1) c₁²)``. ``D_j`` follows from ``d_j`` by Stokes–Einstein.

Two choices are explained here because they change the answer:

- **Smoothing**: plain EM converges to a spiky distribution (the ML solution is discrete).
  Each iteration is followed by a small Gaussian smoothing in log-diameter — the EMS
  algorithm of Silverman et al. (1990, J. R. Stat. Soc. B 52:271) — so the result is
  stable and the mode is well defined.
- **Weights**: each track counts by the number of frames it was seen (``w_i = positions``).
  A frame-by-frame census of the scattering volume is a number-weighted sample; counting
  tracks instead would over-count small particles, which cross the sheet faster and so
  make more, shorter tracks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field
from scipy import ndimage
from scipy.special import gammaln

FloatArray = NDArray[np.float64]


class SizingSettings(BaseModel):
    """Grid, smoothing and bootstrap of the size-distribution estimate."""

    model_config = ConfigDict(extra="forbid")

    min_diameter_nm: float = Field(20.0, gt=0)
    max_diameter_nm: float = Field(2000.0, gt=0)
    bins: int = Field(300, ge=20, le=2000)
    smoothing_bins: float = Field(1.0, ge=0, description="EMS smoothing σ in grid bins")
    max_iterations: int = Field(1000, ge=1)
    tolerance: float = Field(1e-7, gt=0, description="relative log-likelihood change to stop")
    min_track_length: int = Field(10, ge=3, description="positions a track needs to be sized")
    bootstrap: int = Field(100, ge=0, description="bootstrap resamples for the CIs (0 = none)")
    seed: int = 0


@dataclass
class TrackSteps:
    """What the deconvolution needs from each track (per-axis units: µm², s)."""

    mean_sq_step: FloatArray  # m_i, µm² per axis
    n_steps: FloatArray  # k_i
    weight: FloatArray  # w_i


@dataclass
class Distribution:
    """A number-weighted size distribution on a diameter grid."""

    edges_nm: FloatArray
    probability: FloatArray  # per bin, sums to 1

    @property
    def centres_nm(self) -> FloatArray:
        return np.sqrt(self.edges_nm[1:] * self.edges_nm[:-1])

    @property
    def density_per_nm(self) -> FloatArray:
        return self.probability / np.diff(self.edges_nm)

    def quantile(self, q: float) -> float:
        """Diameter below which a fraction ``q`` of particles lie (linear within a bin)."""
        cdf = np.concatenate([[0.0], np.cumsum(self.probability)])
        return float(np.interp(q, cdf, self.edges_nm))

    def fraction_below(self, diameter_nm: float) -> float:
        cdf = np.concatenate([[0.0], np.cumsum(self.probability)])
        return float(np.interp(diameter_nm, self.edges_nm, cdf))

    @property
    def mean_nm(self) -> float:
        return float(np.sum(self.probability * self.centres_nm))

    @property
    def sd_nm(self) -> float:
        mean = self.mean_nm
        return float(np.sqrt(np.sum(self.probability * (self.centres_nm - mean) ** 2)))

    @property
    def mode_nm(self) -> float:
        """Peak of the density per nm, refined by a parabola through the top three bins."""
        density = self.density_per_nm
        j = int(np.argmax(density))
        centres = self.centres_nm
        if 0 < j < len(density) - 1:
            y0, y1, y2 = density[j - 1 : j + 2]
            curvature = y0 - 2 * y1 + y2
            if curvature < 0:
                shift = 0.5 * (y0 - y2) / curvature
                step = np.log(centres[j + 1] / centres[j])
                return float(centres[j] * np.exp(np.clip(shift, -0.5, 0.5) * step))
        return float(centres[j])

    def local_modes(self, min_share: float = 0.05) -> list[float]:
        """Diameters of every local maximum of the density holding ≥ ``min_share`` of it."""
        density = self.density_per_nm
        peaks = np.flatnonzero((density[1:-1] > density[:-2]) & (density[1:-1] >= density[2:])) + 1
        modes = []
        for j in peaks:
            if density[j] >= min_share * density.max():
                modes.append(float(self.centres_nm[j]))
        return modes


def localisation_variance_by_brightness(
    sum_sq: FloatArray,
    n_sq: FloatArray,
    sum_cov: FloatArray,
    n_cov: FloatArray,
    brightness: FloatArray,
    blur: float,
    groups: int = 5,
) -> FloatArray:
    """Per-track ``σ²``: the CVE eq. 15 estimate pooled over tracks of similar brightness.

    A single track's ``σ̂²`` is too noisy to use, and one value for the whole video is
    wrong when dim (small) and bright (large) particles are mixed; the localisation error
    is set by the signal, so tracks are pooled by brightness quantile. Without motion
    blur, brightness is measured independently of the increments, so the grouping does
    not bias the pooled estimate, which — being linear in the increment moments — is
    itself unbiased. With blur this holds only approximately: the mass in the centroid
    disc loses light when the spot is smeared, so the brightest group gathers tracks that
    happened to move less during their exposures (on rendered video at 30 ms exposure and
    25 fps their ``⟨Δx²⟩`` read 3–4 % below the group's model). On those videos one pooled
    ``σ²`` for all tracks gives the same D50 within 0.3 %, so the grouping costs nothing
    there and keeps mixtures of dim and bright particles right.
    """
    n = len(brightness)
    k = int(max(1, min(groups, n // 50)))
    edges = np.quantile(brightness, np.linspace(0, 1, k + 1)[1:-1]) if k > 1 else np.empty(0)
    group = np.searchsorted(edges, brightness)
    out = np.zeros(n)
    for g in range(k):
        sel = group == g
        msq = sum_sq[sel].sum() / max(n_sq[sel].sum(), 1.0)
        cov = sum_cov[sel].sum() / max(n_cov[sel].sum(), 1.0)
        out[sel] = max(blur * msq + (2.0 * blur - 1.0) * cov, 0.0)
    return out


def gamma_log_likelihood(
    steps: TrackSteps,
    diameters_nm: FloatArray,
    se_constant: float,
    frame_interval: float,
    blur: float,
    sigma2: float | FloatArray,
) -> FloatArray:
    """``log L(m_i | k_i, d_j)`` for every track ``i`` and grid diameter ``j``.

    ``sigma2`` is the localisation variance per axis (µm²): one value, or one per track.
    """
    diffusion = (se_constant / diameters_nm)[None, :]  # µm²/s
    s2 = np.broadcast_to(np.asarray(sigma2, dtype=float), steps.n_steps.shape)[:, None]
    mu = 2.0 * diffusion * frame_interval * (1.0 - 2.0 * blur) + 2.0 * s2
    eps = s2 / (diffusion * frame_interval) - 2.0 * blur
    rho = -eps / (2.0 * (1.0 + eps))  # c₁ / c₀
    k = steps.n_steps[:, None]
    alpha = k**2 / (k + 2.0 * (k - 1.0) * rho**2)
    m = steps.mean_sq_step[:, None]
    return np.asarray(
        (alpha - 1.0) * np.log(m) - alpha * m / mu - alpha * np.log(mu / alpha) - gammaln(alpha)
    )


def _ems(
    likelihood: FloatArray, weight: FloatArray, start: FloatArray, settings: SizingSettings
) -> FloatArray:
    p = start.copy()
    total = weight.sum()
    previous = -math.inf
    for _ in range(settings.max_iterations):
        mix = likelihood @ p
        log_lik = float(np.sum(weight * np.log(np.maximum(mix, 1e-300))))
        p = p * (likelihood.T @ (weight / np.maximum(mix, 1e-300))) / total
        if settings.smoothing_bins > 0:
            p = ndimage.gaussian_filter1d(p, settings.smoothing_bins, mode="constant")
        p /= p.sum()
        if abs(log_lik - previous) <= settings.tolerance * abs(log_lik):
            break
        previous = log_lik
    return p


def walker_distribution(
    steps: TrackSteps,
    se_constant: float,
    frame_interval: float,
    blur: float,
    sigma2: float | FloatArray,
    settings: SizingSettings,
    start: FloatArray | None = None,
) -> tuple[Distribution, FloatArray]:
    """The ML (EMS) size distribution; also returns the scaled likelihood matrix for reuse."""
    edges = np.geomspace(settings.min_diameter_nm, settings.max_diameter_nm, settings.bins + 1)
    centres = np.sqrt(edges[1:] * edges[:-1])
    log_l = gamma_log_likelihood(steps, centres, se_constant, frame_interval, blur, sigma2)
    log_l -= log_l.max(axis=1, keepdims=True)  # scale each row: EM is invariant to it
    likelihood = np.exp(log_l)
    p0 = np.full(settings.bins, 1.0 / settings.bins) if start is None else start
    p = _ems(likelihood, steps.weight, p0, settings)
    return Distribution(edges, p), likelihood


@dataclass
class BootstrapSummary:
    """Percentile 95 % confidence intervals of the summary statistics."""

    intervals: dict[str, tuple[float, float]]
    resamples: int


def summarise(dist: Distribution) -> dict[str, float]:
    """Mean, SD, mode and D10/D50/D90 of a distribution, in nm."""
    return {
        "mean_nm": dist.mean_nm,
        "sd_nm": dist.sd_nm,
        "mode_nm": dist.mode_nm,
        "d10_nm": dist.quantile(0.10),
        "d50_nm": dist.quantile(0.50),
        "d90_nm": dist.quantile(0.90),
    }


def bootstrap(
    likelihood: FloatArray,
    steps: TrackSteps,
    estimate: Distribution,
    settings: SizingSettings,
) -> BootstrapSummary:
    """Resample tracks with replacement and re-run the EMS from the estimate (warm start).

    Resampling whole tracks keeps each track's own length and weight, so the intervals
    include both the counting noise and the per-track estimation noise.
    """
    rng = np.random.default_rng(settings.seed)
    n = len(steps.weight)
    quick = settings.model_copy(update={"max_iterations": min(settings.max_iterations, 200)})
    rows: list[dict[str, float]] = []
    for _ in range(settings.bootstrap):
        counts = rng.multinomial(n, np.full(n, 1.0 / n)).astype(float)
        p = _ems(likelihood, steps.weight * counts, estimate.probability, quick)
        rows.append(summarise(Distribution(estimate.edges_nm, p)))
    intervals = {}
    for key in rows[0] if rows else []:
        values = np.array([r[key] for r in rows])
        intervals[key] = (float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5)))
    return BootstrapSummary(intervals, len(rows))
