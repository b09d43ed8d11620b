"""Discrete size populations by maximum likelihood: an EM mixture over per-track likelihoods.

Beside the non-parametric Walker/FTLA distribution (:mod:`exoderm.nta.sizing`), a sample
made of a few populations is described by ``K`` diffusion coefficients ``D_k`` and their
shares ``π_k``, fitted by maximising ``Σ_i log Σ_k π_k L(m_i | D_k)`` over the tracks ``i``
with the expectation–maximisation algorithm, and ``K`` is chosen by the Bayesian
information criterion — the programme of Bullerjahn & Hummer (2021, J. Chem. Phys.
154:234105, doi:10.1063/5.0051045), who fit mixtures of subpopulations differing in ``D``
by EM and assign each trajectory to them probabilistically.

**Likelihood.** Bullerjahn & Hummer evaluate the exact Gaussian likelihood of all
increments of a track. Here each track enters through its mean squared one-frame
increment per axis ``m_i`` over ``k_i`` increments, whose density is taken as a gamma of
mean ``μ = 2DΔt(1 − 2R) + 2σ²`` and the shape that matches the variance of ``k_i``
correlated increments — the chi-square likelihood of Saxton (1997, Biophys. J. 72:1744,
doi:10.1016/S0006-3495(97)78820-9) and Walker (2012, doi:10.1088/0957-0233/23/6/065605),
with the blur ``R`` and localisation variance ``σ²`` of Vestergaard et al. (2014,
doi:10.1103/PhysRevE.89.022726); it is
:func:`exoderm.nta.sizing.gamma_log_likelihood`, so the mixture and the Walker
distribution share one model. ``m_i`` discards the lag-1 covariance, which carries little
information about ``D`` when ``|ε|`` is small (the NTA case).

**EM.** E-step: responsibilities ``r_ik ∝ π_k L_ik``. M-step: ``π_k = ⟨r_ik⟩`` and, holding
each gamma shape at its current value, ``D_k`` maximises ``Σ_i r_ik α_ik (−log μ_ik −
m_i/μ_ik)``: closed form when ``σ²`` is common to all tracks, refined by two Newton steps
otherwise. Several starts (quantiles of the per-track estimates and random tracks) guard
against local maxima.

**Selection and shares.** ``BIC = −2 log L + (2K − 1) ln n`` (Schwarz 1978, Ann. Stat.
6:461, doi:10.1214/aos/1176344136) over ``K = 1 … max_components``. The fit is an
ordinary track-level likelihood (so the BIC is valid); the **number** share of a
population is then its share of the frame-by-frame census, ``Σ_i r_ik n_i / Σ_i n_i`` with
``n_i`` the positions of track ``i`` — small particles cross the sheet faster and leave
more, shorter tracks, so track counts over-represent them (the weighting argued in
:mod:`exoderm.nta.sizing`).

**Intervals.** Non-parametric bootstrap over tracks (Efron & Tibshirani 1993, *An
Introduction to the Bootstrap*, ch. 13, percentile intervals): tracks are resampled with
replacement and the EM is restarted from the estimate, for the selected ``K``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict
from scipy.special import logsumexp

from exoderm.errors import UserInputError
from exoderm.nta.physics import stokes_einstein_constant
from exoderm.nta.sizing import TrackSteps, gamma_log_likelihood

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Random starts per ``K`` besides the quantile start.
RANDOM_STARTS = 2
#: EM stops when no log-D and no share moves by more than this in one iteration.
TOLERANCE = 1e-5
#: EM iteration cap (fits of too many components converge slowly; BIC rejects them anyway).
MAX_ITERATIONS = 500
#: Track-length classes with their own mixing shares. 1 = one share per population (the
#: Bullerjahn & Hummer model). On the 50/150 nm acceptance simulation 5 classes removed a
#: +2.5 % bias of the number ratio but not the diameter-interval undercoverage, at twice
#: the run time.
STRATA = 1
#: Newton steps of the ``D_k`` update when the localisation variance varies by track.
NEWTON_STEPS = 2


class MixtureComponent(BaseModel):
    """One population: diameter, diffusion coefficient and shares, each with its interval."""

    model_config = ConfigDict(frozen=True)

    diameter_nm: float
    diameter_low_nm: float
    diameter_high_nm: float
    diffusion_um2_s: float
    diffusion_low_um2_s: float
    diffusion_high_um2_s: float
    number_fraction: float
    number_fraction_low: float
    number_fraction_high: float
    track_fraction: float
    ratio_to_first: float
    ratio_to_first_low: float
    ratio_to_first_high: float


class MixtureSummary(BaseModel):
    """The selected mixture, the BIC of every ``K`` tried, and how the intervals were made."""

    model_config = ConfigDict(frozen=True)

    n_components: int
    components: tuple[MixtureComponent, ...]
    log_likelihood: float
    bic: dict[int, float]
    n_tracks: int
    bootstrap: int
    level: float

    def to_frame(self) -> pd.DataFrame:
        """The components, smallest diameter first, one row each.

        Examples
        --------
        >>> summary = MixtureSummary(n_components=0, components=(), log_likelihood=0.0,
        ...                          bic={}, n_tracks=0, bootstrap=0, level=0.95)
        >>> list(summary.to_frame().columns)[:3]
        ['diameter_nm', 'diameter_low_nm', 'diameter_high_nm']
        """
        return pd.DataFrame(
            [c.model_dump() for c in self.components], columns=list(MixtureComponent.model_fields)
        )


@dataclass
class _Data:
    steps: TrackSteps
    sigma2: FloatArray
    positions: FloatArray
    frame_interval: float
    blur: float
    strata: IntArray

    def log_likelihood(self, diffusion: FloatArray) -> FloatArray:
        """``log L(m_i | D_k)``, shape ``(n, K)``."""
        return gamma_log_likelihood(
            self.steps, 1.0 / diffusion, 1.0, self.frame_interval, self.blur, self.sigma2
        )

    def shapes(self, diffusion: FloatArray) -> FloatArray:
        eps = self.sigma2[:, None] / (diffusion[None, :] * self.frame_interval) - 2.0 * self.blur
        rho = -eps / (2.0 * (1.0 + eps))
        k = self.steps.n_steps[:, None]
        return np.asarray(k**2 / (k + 2.0 * (k - 1.0) * rho**2))


@dataclass
class _Fit:
    diffusion: FloatArray
    weights: FloatArray
    log_likelihood: float
    responsibility: FloatArray


def length_strata(n_steps: FloatArray, strata: int = STRATA) -> IntArray:
    """Track-length class of every track: quantile bins of ``n_steps`` (≥ 200 tracks each)."""
    k = int(max(1, min(strata, len(n_steps) // 200)))
    edges = np.quantile(n_steps, np.linspace(0, 1, k + 1)[1:-1]) if k > 1 else np.empty(0)
    return np.asarray(np.searchsorted(edges, n_steps, side="right"), dtype=np.int64)


def _stratum_shares(strata: IntArray, mass: FloatArray, counts: FloatArray) -> FloatArray:
    """Mixing shares per track-length stratum, shape ``(strata, K)``."""
    n_strata = int(strata.max()) + 1
    total = np.bincount(strata, weights=counts, minlength=n_strata)
    shares = np.column_stack(
        [np.bincount(strata, weights=mass[:, j], minlength=n_strata) for j in range(mass.shape[1])]
    )
    return np.asarray(shares / np.maximum(total, 1e-300)[:, None])


def _update_diffusion(
    data: _Data, diffusion: FloatArray, resp: FloatArray, counts: FloatArray
) -> FloatArray:
    a = 2.0 * data.frame_interval * (1.0 - 2.0 * data.blur)
    m = data.steps.mean_sq_step[:, None]
    b = 2.0 * data.sigma2[:, None]
    g = counts[:, None] * resp * data.shapes(diffusion)
    total = np.maximum(g.sum(axis=0), 1e-300)
    d = ((g * (m - b)).sum(axis=0) / total) / a
    d = np.maximum(d, 1e-6 * np.max(np.abs(d)) + 1e-12)
    if np.ptp(data.sigma2) > 0:
        for _ in range(NEWTON_STEPS):
            mu = a * d[None, :] + b
            grad = (g * a * (1.0 / mu - m / mu**2)).sum(axis=0)
            hess = (g * a**2 * (2.0 * m / mu**3 - 1.0 / mu**2)).sum(axis=0)
            d = np.where(hess > 0, np.maximum(d - grad / np.maximum(hess, 1e-300), 0.5 * d), d)
    return np.asarray(d)


def _em(
    data: _Data,
    diffusion: FloatArray,
    weights: FloatArray,
    counts: FloatArray,
    max_iterations: int,
    tolerance: float,
) -> _Fit:
    log_lik = -math.inf
    resp = np.empty((len(counts), len(diffusion)))
    for _ in range(max_iterations):
        prior = np.log(np.maximum(weights, 1e-300))[data.strata]
        joint = data.log_likelihood(diffusion) + prior
        per_track = logsumexp(joint, axis=1)
        log_lik = float(np.sum(counts * per_track))
        resp = np.exp(joint - per_track[:, None])
        new_weights = _stratum_shares(data.strata, counts[:, None] * resp, counts)
        new_diffusion = _update_diffusion(data, diffusion, resp, counts)
        change = max(
            float(np.max(np.abs(np.log(new_diffusion / diffusion)))),
            float(np.max(np.abs(new_weights - weights))),
        )
        diffusion, weights = new_diffusion, new_weights
        if change <= tolerance:
            break
    return _Fit(diffusion, weights, log_lik, resp)


def _starts(data: _Data, k: int, rng: np.random.Generator) -> list[FloatArray]:
    a = 2.0 * data.frame_interval * (1.0 - 2.0 * data.blur)
    rough = (data.steps.mean_sq_step - 2.0 * data.sigma2) / a
    rough = rough[rough > 0]
    starts = [np.quantile(rough, (np.arange(k) + 0.5) / k)]
    for _ in range(RANDOM_STARTS if k > 1 else 0):
        starts.append(np.sort(rng.choice(rough, size=k, replace=False)))
    return [np.asarray(s, dtype=np.float64) for s in starts]


def _best_fit(data: _Data, k: int, rng: np.random.Generator) -> _Fit:
    counts = np.ones(len(data.sigma2))
    n_strata = int(data.strata.max()) + 1
    fits = [
        _em(data, start, np.full((n_strata, k), 1.0 / k), counts, MAX_ITERATIONS, TOLERANCE)
        for start in _starts(data, k, rng)
    ]
    return max(fits, key=lambda f: f.log_likelihood)


def _ordered(fit: _Fit, positions: FloatArray, counts: FloatArray) -> tuple[FloatArray, ...]:
    """``D`` (largest first = smallest diameter first), track and number shares, ratios."""
    order = np.argsort(-fit.diffusion)
    resp = fit.responsibility[:, order]
    census = (counts * positions)[:, None] * resp
    number = census.sum(axis=0) / census.sum()
    track = (counts[:, None] * resp).sum(axis=0) / counts.sum()
    return fit.diffusion[order], track, number, number / number[0]


def _interval(values: FloatArray, level: float) -> tuple[FloatArray, FloatArray]:
    tail = 100.0 * (1.0 - level) / 2.0
    return np.percentile(values, tail, axis=0), np.percentile(values, 100.0 - tail, axis=0)


@dataclass
class _Moments:
    """Per-track CVE moments, to pool the localisation variance (eq. 15) over any resample."""

    sq: FloatArray  # mean squared increment × terms
    n_sq: FloatArray
    lag: FloatArray  # mean adjacent product × terms
    n_lag: FloatArray

    def pooled_sigma2(self, counts: FloatArray, blur: float) -> float:
        msq = float(np.sum(counts * self.sq) / max(float(np.sum(counts * self.n_sq)), 1.0))
        lag = float(np.sum(counts * self.lag) / max(float(np.sum(counts * self.n_lag)), 1.0))
        return max(blur * msq + (2.0 * blur - 1.0) * lag, 0.0)


def _bootstrap(
    data: _Data,
    fit: _Fit,
    replicates: int,
    rng: np.random.Generator,
    moments: _Moments | None,
) -> list[tuple[FloatArray, ...]]:
    n = len(data.sigma2)
    draws = []
    for _ in range(replicates):
        counts = rng.multinomial(n, np.full(n, 1.0 / n)).astype(np.float64)
        sample = data
        if moments is not None:  # the pooled σ² is itself an estimate: re-estimate it
            s2 = np.full(n, moments.pooled_sigma2(counts, data.blur))
            sample = _Data(
                data.steps, s2, data.positions, data.frame_interval, data.blur, data.strata
            )
        again = _em(sample, fit.diffusion, fit.weights, counts, MAX_ITERATIONS, TOLERANCE)
        draws.append(_ordered(again, data.positions, counts))
    return draws


def _components(
    point: tuple[FloatArray, ...], draws: list[tuple[FloatArray, ...]], se: float, level: float
) -> tuple[MixtureComponent, ...]:
    d, track, number, ratio = point
    nan = np.full(len(d), np.nan)
    if draws:
        d_lo, d_hi = _interval(np.array([x[0] for x in draws]), level)
        n_lo, n_hi = _interval(np.array([x[2] for x in draws]), level)
        r_lo, r_hi = _interval(np.array([x[3] for x in draws]), level)
    else:
        d_lo = d_hi = n_lo = n_hi = r_lo = r_hi = nan
    return tuple(
        MixtureComponent(
            diameter_nm=se / d[j],
            diameter_low_nm=se / d_hi[j],
            diameter_high_nm=se / d_lo[j],
            diffusion_um2_s=d[j],
            diffusion_low_um2_s=d_lo[j],
            diffusion_high_um2_s=d_hi[j],
            number_fraction=number[j],
            number_fraction_low=n_lo[j],
            number_fraction_high=n_hi[j],
            track_fraction=track[j],
            ratio_to_first=ratio[j],
            ratio_to_first_low=r_lo[j],
            ratio_to_first_high=r_hi[j],
        )
        for j in range(len(d))
    )


def fit_mixture(
    tracks: pd.DataFrame,
    *,
    frame_interval_s: float,
    blur_r: float,
    temperature_c: float,
    viscosity_mpas: float,
    sigma2_um2: float | None = None,
    max_components: int = 4,
    bootstrap: int = 100,
    level: float = 0.95,
    seed: int = 0,
) -> MixtureSummary:
    """Fit 1 … ``max_components`` diffusion populations by EM, keep the BIC's choice.

    Parameters
    ----------
    tracks : pandas.DataFrame
        Per-track statistics as from :func:`exoderm.nta.track_diffusion.track_diffusion`:
        ``mean_sq_step_um2`` (per axis), ``n_steps``, ``positions``, ``n_pairs`` and
        ``mean_lag_product_um2``.
    frame_interval_s : float
        Time between frames, s.
    blur_r : float
        Motion-blur coefficient ``R``.
    temperature_c, viscosity_mpas : float
        For Stokes–Einstein (°C, mPa·s).
    sigma2_um2 : float, optional
        Known localisation variance per axis (µm²). Default: the CVE eq. 15 estimate
        pooled over the tracks, re-estimated in every bootstrap resample so its own
        uncertainty enters the intervals.
    max_components : int
        Largest ``K`` tried.
    bootstrap : int
        Bootstrap resamples over tracks for the intervals (0 = no intervals, ``nan``).
    level : float
        Confidence level of the intervals.
    seed : int
        Seeds the random starts and the bootstrap.

    Returns
    -------
    MixtureSummary
        The components (smallest diameter first; ``to_frame()`` for a table), the BIC per
        ``K`` and the log-likelihood of the selected fit.

    References
    ----------
    .. [1] Bullerjahn, J. T. & Hummer, G. (2021). Maximum likelihood estimates of diffusion
       coefficients from single-particle tracking experiments. J. Chem. Phys. 154, 234105.
       doi:10.1063/5.0051045
    .. [2] Walker, J. G. (2012). Improved nano-particle tracking analysis. Meas. Sci.
       Technol. 23, 065605. doi:10.1088/0957-0233/23/6/065605
    .. [3] Schwarz, G. (1978). Estimating the dimension of a model. Ann. Stat. 6, 461–464.
       doi:10.1214/aos/1176344136
    .. [4] Dempster, A. P., Laird, N. M. & Rubin, D. B. (1977). Maximum likelihood from
       incomplete data via the EM algorithm. J. R. Stat. Soc. B 39, 1–38.

    Examples
    --------
    >>> import numpy as np
    >>> from exoderm.nta.synthetic import simulate_tracks, track_table_from_positions
    >>> from exoderm.nta.track_diffusion import track_diffusion
    >>> rng = np.random.default_rng(0)
    >>> pos = np.concatenate([simulate_tracks(rng, 300, 30, d, 0.04, 0.04, 0.03)
    ...                       for d in (8.6, 2.9)])
    >>> table = track_table_from_positions(pos, np.full(600, 30), np.zeros(600, np.int64))
    >>> acq = dict(frame_interval_s=0.04, blur_r=0.125, temperature_c=22.0,
    ...            viscosity_mpas=0.955)
    >>> per_track = track_diffusion(table, pixel_size_um=1.0, **acq)
    >>> fit = fit_mixture(per_track, bootstrap=0, **acq)
    >>> fit.n_components, [round(c.diffusion_um2_s, 1) for c in fit.components]
    (2, [8.6, 2.9])
    """
    n = len(tracks)
    if n < 2:
        raise UserInputError("a mixture needs at least 2 sized tracks", field="tracks")
    n_steps = tracks["n_steps"].to_numpy(np.float64)
    msq = tracks["mean_sq_step_um2"].to_numpy(np.float64)
    moments = None
    if sigma2_um2 is None:
        n_pairs = tracks["n_pairs"].to_numpy(np.float64)
        lag = tracks["mean_lag_product_um2"].to_numpy(np.float64)
        moments = _Moments(msq * n_steps, n_steps, lag * n_pairs, n_pairs)
        sigma2 = np.full(n, moments.pooled_sigma2(np.ones(n), blur_r))
    else:
        sigma2 = np.full(n, sigma2_um2)
    positions = tracks["positions"].to_numpy(np.float64)
    data = _Data(
        TrackSteps(msq, n_steps, positions),
        sigma2,
        positions,
        frame_interval_s,
        blur_r,
        length_strata(n_steps),
    )
    rng = np.random.default_rng(seed)
    fits: dict[int, _Fit] = {}
    bic: dict[int, float] = {}
    for k in range(1, min(max_components, n) + 1):
        fits[k] = _best_fit(data, k, rng)
        parameters = k + (k - 1) * (int(data.strata.max()) + 1)
        bic[k] = -2.0 * fits[k].log_likelihood + parameters * math.log(n)
    best = min(bic, key=lambda k: bic[k])
    fit = fits[best]
    point = _ordered(fit, data.positions, np.ones(n))
    draws = _bootstrap(data, fit, bootstrap, rng, moments)
    se = stokes_einstein_constant(temperature_c, viscosity_mpas)
    return MixtureSummary(
        n_components=best,
        components=_components(point, draws, se, level),
        log_likelihood=fit.log_likelihood,
        bic=bic,
        n_tracks=n,
        bootstrap=len(draws),
        level=level,
    )
