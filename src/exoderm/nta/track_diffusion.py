"""Each track's diffusion coefficient with its variance and a 95 % interval.

The point estimate is the CVE of Vestergaard, Blainey & Flyvbjerg (2014, Phys. Rev. E
89:022726, doi:10.1103/PhysRevE.89.022726), eq. 14, computed by
:func:`exoderm.nta.diffusion.cve`; it needs neither the localisation error nor the blur.
Its variance is their closed form for a gap-free track of ``N`` increments, per axis
``Var D̂ / D² = (6 + 4ε + 2ε²)/N + 4(1 + ε)²/N²`` with ``ε = σ²/(DΔt) − 2R``, halved for the
average over two independent axes (:func:`exoderm.nta.diffusion.cve_relative_variance`).

**Interval.** ``D̂/D`` is treated as a gamma variable of mean 1 and shape
``a = 1 / (Var D̂ / D²)`` — the two moments above, with the right-skew that a normal
interval lacks for tracks of 10–50 steps. The interval is the set of ``D`` for which
``D̂/D`` lies between the 2.5 % and 97.5 % gamma quantiles; because ``a`` depends on ``D``
through ``ε`` it is found by fixed-point iteration (a test-inversion, "score"-type
interval: the variance is evaluated at each candidate ``D``, not only at ``D̂``). The
localisation variance ``σ²`` enters only through ``ε``; it is the CVE eq. 15 estimate
pooled over all tracks unless given. Tracks whose ``D̂ ≤ 0`` (possible for very short,
noisy tracks) get ``D_low = 0`` and no upper bound.

Diameters follow from ``D`` by Stokes–Einstein (:mod:`exoderm.nta.physics`); the
diameter interval is the image of the ``D`` interval (a monotone map).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from exoderm.nta.diffusion import CveEstimate, TrackIncrements, cve, increments
from exoderm.nta.physics import stokes_einstein_constant
from exoderm.nta.tracks import TrackTable

FloatArray = NDArray[np.float64]

#: Fixed-point iterations of the interval (the shape changes by < 0.1 % after three).
INTERVAL_ITERATIONS = 6

COLUMNS = [
    "particle",
    "positions",
    "n_steps",
    "mean_sq_step_um2",
    "n_pairs",
    "mean_lag_product_um2",
    "sigma2_um2",
    "D_um2_s",
    "D_var",
    "D_low_um2_s",
    "D_high_um2_s",
    "diameter_nm",
    "diameter_low_nm",
    "diameter_high_nm",
]


def pooled_localisation_variance(stats_: TrackIncrements, blur_r: float) -> float:
    """CVE eq. 15 pooled over every track: ``σ̂² = R⟨Δx²⟩ + (2R − 1)⟨Δx_nΔx_{n+1}⟩`` (≥ 0)."""
    msq = float(stats_.sum_sq.sum() / max(stats_.n_sq.sum(), 1.0))
    cov = float(stats_.sum_cov.sum() / max(stats_.n_cov.sum(), 1.0))
    return max(blur_r * msq + (2.0 * blur_r - 1.0) * cov, 0.0)


def relative_variance(
    n_steps: FloatArray,
    diffusion: FloatArray,
    sigma2: FloatArray,
    frame_interval_s: float,
    blur_r: float,
) -> FloatArray:
    """``Var(D̂)/D²`` of the two-axis CVE (Vestergaard et al. 2014), element-wise."""
    with np.errstate(divide="ignore", invalid="ignore"):
        eps = sigma2 / (diffusion * frame_interval_s) - 2.0 * blur_r
        n = np.maximum(n_steps, 1.0)
        per_axis = (6.0 + 4.0 * eps + 2.0 * eps**2) / n + 4.0 * (1.0 + eps) ** 2 / n**2
    return np.asarray(per_axis / 2.0)


def gamma_interval(
    estimate: FloatArray,
    n_steps: FloatArray,
    sigma2: FloatArray,
    frame_interval_s: float,
    blur_r: float,
    level: float = 0.95,
) -> tuple[FloatArray, FloatArray]:
    """Lower and upper bounds of ``D`` from ``D̂/D ~ Gamma(a(D), 1/a(D))`` (see module)."""
    tail = (1.0 - level) / 2.0
    positive = estimate > 0
    d_hat = np.where(positive, estimate, np.nan)
    bounds = []
    for q in (1.0 - tail, tail):  # the upper quantile gives the lower bound
        d = d_hat.copy()
        for _ in range(INTERVAL_ITERATIONS):
            shape = 1.0 / relative_variance(n_steps, d, sigma2, frame_interval_s, blur_r)
            d = d_hat / stats.gamma.ppf(q, shape, scale=1.0 / shape)
        bounds.append(d)
    low = np.where(positive, bounds[0], 0.0)
    return np.asarray(low), np.asarray(bounds[1])


def _table_increments(table: TrackTable, pixel_size_um: float) -> TrackIncrements:
    return increments(
        table.track,
        table.frame,
        table.x * pixel_size_um,
        table.y * pixel_size_um,
        table.n_tracks,
        table.unambiguous,
    )


def _frame(
    est: CveEstimate,
    inc: TrackIncrements,
    ids: NDArray[np.int64],
    sigma2: float,
    frame_interval_s: float,
    blur_r: float,
    se_constant: float,
) -> pd.DataFrame:
    d = est.diffusion[ids]
    n = est.n_steps[ids]
    s2 = np.full(ids.size, sigma2)
    low, high = gamma_interval(d, n, s2, frame_interval_s, blur_r)
    with np.errstate(divide="ignore", invalid="ignore"):
        var = relative_variance(n, d, s2, frame_interval_s, blur_r) * d**2
        diameter = np.where(d > 0, se_constant / d, np.nan)
        d_low = np.where(high > 0, se_constant / high, np.nan)
        d_high = np.where(low > 0, se_constant / low, np.inf)
    return pd.DataFrame(
        {
            "particle": ids,
            "positions": inc.n_positions[ids],
            "n_steps": n.astype(np.int64),
            "mean_sq_step_um2": est.mean_sq_step[ids],
            "n_pairs": (inc.n_cov[ids] / 2.0).astype(np.int64),
            "mean_lag_product_um2": np.where(
                inc.n_cov[ids] > 0, inc.sum_cov[ids] / np.maximum(inc.n_cov[ids], 1.0), 0.0
            ),
            "sigma2_um2": s2,
            "D_um2_s": d,
            "D_var": np.where(d > 0, var, np.nan),
            "D_low_um2_s": low,
            "D_high_um2_s": high,
            "diameter_nm": diameter,
            "diameter_low_nm": d_low,
            "diameter_high_nm": d_high,
        },
        columns=COLUMNS,
    )


def track_diffusion(
    table: TrackTable,
    *,
    pixel_size_um: float,
    frame_interval_s: float,
    blur_r: float,
    temperature_c: float,
    viscosity_mpas: float,
    sigma2_um2: float | None = None,
    min_positions: int = 10,
) -> pd.DataFrame:
    """Per-track CVE diffusion coefficients with variances, 95 % intervals and diameters.

    Parameters
    ----------
    table : TrackTable
        Linked detections in pixels, sorted by track and frame (as the linker leaves them).
    pixel_size_um : float
        µm per pixel in the sample plane.
    frame_interval_s : float
        Time between frames, s.
    blur_r : float
        Motion-blur coefficient ``R`` (:func:`exoderm.nta.physics.blur_factor`).
    temperature_c, viscosity_mpas : float
        Sample temperature (°C) and viscosity (mPa·s) for Stokes–Einstein.
    sigma2_um2 : float, optional
        Localisation variance per axis (µm²); default the CVE eq. 15 estimate pooled over
        all tracks.
    min_positions : int
        Tracks with fewer positions, or fewer than 2 consecutive increments, are left out.

    Returns
    -------
    pandas.DataFrame
        One row per track: ``particle``, ``positions``, ``n_steps``, ``mean_sq_step_um2``
        (per axis), ``n_pairs`` and ``mean_lag_product_um2`` (adjacent increments, per
        axis; the CVE's second moment), ``sigma2_um2``, ``D_um2_s``, ``D_var``
        ((µm²/s)²), ``D_low_um2_s``, ``D_high_um2_s``, ``diameter_nm``,
        ``diameter_low_nm``, ``diameter_high_nm``.

    References
    ----------
    .. [1] Vestergaard, C. L., Blainey, P. C. & Flyvbjerg, H. (2014). Optimal estimation of
       diffusion coefficients from single-particle trajectories. Phys. Rev. E 89, 022726.
       doi:10.1103/PhysRevE.89.022726
    .. [2] Einstein, A. (1905). Ann. Phys. 322, 549–560. doi:10.1002/andp.19053220806

    Examples
    --------
    >>> import numpy as np
    >>> from exoderm.nta.synthetic import simulate_tracks, track_table_from_positions
    >>> rng = np.random.default_rng(1)
    >>> pos = simulate_tracks(rng, 200, 30, diffusion=4.3, frame_interval=0.04,
    ...                       sigma=0.04, exposure=0.03)
    >>> table = track_table_from_positions(pos, np.full(200, 30), np.zeros(200, np.int64))
    >>> out = track_diffusion(table, pixel_size_um=1.0, frame_interval_s=0.04,
    ...                       blur_r=0.125, temperature_c=22.0, viscosity_mpas=0.955)
    >>> len(out), bool(((out.D_low_um2_s < 4.3) & (4.3 < out.D_high_um2_s)).mean() > 0.9)
    (200, True)
    """
    inc = _table_increments(table, pixel_size_um)
    est = cve(inc, frame_interval_s, blur_r)
    ids = np.flatnonzero((inc.n_positions >= min_positions) & (est.n_steps >= 2))
    sigma2 = pooled_localisation_variance(inc, blur_r) if sigma2_um2 is None else sigma2_um2
    se = stokes_einstein_constant(temperature_c, viscosity_mpas)
    return _frame(est, inc, ids.astype(np.int64), sigma2, frame_interval_s, blur_r, se)
