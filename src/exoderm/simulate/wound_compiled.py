"""The wound model compiled: a million virtual patients, endpoints streamed, memory bounded.

The same equations as :class:`~exoderm.simulate.wound.WoundModel` (Waugh & Sherratt 2007
with exoderm's wound-area state and exosome hooks) and the same classical fixed-step
Runge–Kutta 4 scheme as :func:`~exoderm.simulate.integrate.solve_rk4`, compiled with
numba (Lam et al. 2015) and run in parallel over patients on every core. Each patient is
integrated alone and only its endpoints are kept — the time to 95 % closure (log-linear
between the 0.1-day records, as :func:`~exoderm.simulate.endpoints.time_to_fraction`),
the closure at days 7 and 14 and the collagen at the end — so no trajectory is stored.
:func:`~exoderm.simulate.population.stream_wound_cohort` samples and integrates patients
in chunks, which bounds memory whatever the cohort size.

Exposure between doses decays by a constant factor per half step,
``E(t + h/2) = E(t) exp(-k_el h/2)``: the bolus model of
:mod:`~exoderm.simulate.exposure` evaluated recursively, equal to its closed form to
rounding (the tests compare both engines to 1e-12).

References
----------
.. [1] Waugh, H.V. & Sherratt, J.A. (2007). Modeling the effects of treating diabetic
   wounds with engineered skin substitutes. Wound Repair and Regeneration 15(4), 556-565.
   doi:10.1111/j.1524-475X.2007.00255.x
.. [2] Lam, S.K., Pitrou, A. & Seibert, S. (2015). Numba: a LLVM-based Python JIT
   compiler. Proc. Second Workshop on the LLVM Compiler Infrastructure in HPC, 7:1-7:6.
   doi:10.1145/2833157.2833162
"""

from __future__ import annotations

from collections.abc import Mapping

import numba
import numpy as np
from numpy.typing import NDArray

from exoderm.simulate.exposure import Exposure

Array = NDArray[np.float64]

#: Endpoint columns of the kernel's output, in order.
ENDPOINTS = ("time_to_95_closure_days", "closure_day7_pct", "closure_day14_pct", "collagen_end")
#: The kernel's last column: 1 where a state went negative (see :func:`wound_endpoints_compiled`).
OUTSIDE = "outside_model"
#: Parameter order of the compiled right-hand side (indices below are positions in it).
PARAMETERS = (
    "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "k11", "k12",
    "d1", "d2", "d3", "d4", "d5", "d6",
    "tauK1", "tauK2", "tauK3", "tauK4", "tauM1", "tauM2", "tauM3", "tauM4",
    "tauf1", "tauf2", "tauf3", "tauf4", "taug1", "taug2", "taug3", "taug4",
    "alpha_slope", "alpha_intercept",
    "phiI0", "phiR0", "T0", "P0", "F0", "C0", "H0",
    "k_close", "K_C", "gf_T", "gf_P", "eps_pol", "theta_wound",
)  # fmt: skip
(
    K1, K2, K3, K4, K5, K6, K7, K8, K9, K10, K11, K12,
    D1, D2, D3, D4, D5, D6,
    TAU_K1, TAU_K2, TAU_K3, TAU_K4, TAU_M1, TAU_M2, TAU_M3, TAU_M4,
    TAU_F1, TAU_F2, TAU_F3, TAU_F4, TAU_G1, TAU_G2, TAU_G3, TAU_G4,
    ALPHA_SLOPE, ALPHA_INTERCEPT,
    PHI_I0, PHI_R0, T0, P0, F0, C0, H0,
    K_CLOSE, K_C, GF_T, GF_P, EPS_POL, THETA,
) = range(len(PARAMETERS))  # fmt: skip
#: Open-area fraction that counts as 95 % closed, and the recording interval (days).
REMAINING = 0.05
RECORD_DAYS = 0.1


@numba.njit(inline="always", fastmath=True, cache=True)
def _cubic(c1: float, c2: float, c3: float, c4: float, x: float) -> float:  # pragma: no cover
    return ((c1 * x + c2) * x + c3) * x + c4


@numba.njit(inline="always", fastmath=True, cache=True)
def _rhs(p: Array, y: Array, phi: float, dy: Array) -> None:  # pragma: no cover
    """dy/dt of one patient: the equations of :class:`~exoderm.simulate.wound.WoundModel`."""
    pi, pr, t, pdgf, f, c, h, w = y[0], y[1], y[2], y[3], y[4], y[5], y[6], y[7]
    a = min(max(p[ALPHA_SLOPE] * np.log10(h) + p[ALPHA_INTERCEPT], 0.0), 1.0)
    a *= 1.0 - p[EPS_POL] * phi
    crowd = 1.0 - (p[K3] * (pi + pr) + p[K5] * f + p[K6] * c)
    influx = _cubic(p[TAU_K1], p[TAU_K2], p[TAU_K3], p[TAU_K4], t)
    prolif = p[K1] * p[K2] * crowd
    dy[0] = a * influx + prolif * pi - p[D1] * pi
    dy[1] = (1.0 - a) * influx + prolif * pr - p[D1] * pr
    dy[2] = p[K4] * pi + p[K7] * f - p[D2] * t + p[GF_T] * phi
    dy[3] = p[K8] * (pi + pr) + p[K9] * f - p[D3] * pdgf + p[GF_P] * phi
    source = _cubic(p[TAU_M1], p[TAU_M2], p[TAU_M3], p[TAU_M4], pdgf)
    dy[4] = source * (1.0 + p[THETA] * phi) + p[K10] * f * crowd - p[D4] * f
    synthesis = _cubic(p[TAU_F1], p[TAU_F2], p[TAU_F3], p[TAU_F4], t)
    feedback = _cubic(p[TAU_G1], p[TAU_G2], p[TAU_G3], p[TAU_G4], c)
    dy[5] = p[K11] * f * synthesis * feedback - p[D5] * f * c
    dy[6] = p[K12] * f - p[D6] * h
    dy[7] = -p[K_CLOSE] * f * c / (c + p[K_C]) * w


@numba.njit(parallel=True, fastmath=True, cache=True)
def _integrate(
    base: Array,
    varied_at: NDArray[np.int64],
    varied: Array,
    dose_steps: NDArray[np.int64],
    amounts: Array,
    k_el: float,
    ec50: float,
    dt: float,
    n_steps: int,
    record_every: int,
    day7_step: int,
    day14_step: int,
    out: Array,
) -> None:  # pragma: no cover - compiled; tested against the numpy engine
    for i in numba.prange(varied.shape[0]):
        p = base.copy()
        for j in range(varied_at.size):
            p[varied_at[j]] = varied[i, j]
        y = np.empty(8)
        k1, k2, k3, k4, stage = np.empty(8), np.empty(8), np.empty(8), np.empty(8), np.empty(8)
        for q in range(7):
            y[q] = p[PHI_I0 + q]
        y[7] = 1.0
        half, full = np.exp(-k_el * dt / 2.0), np.exp(-k_el * dt)
        level, given = 0.0, 0
        # a flag, not isnan: fastmath lets the compiler assume no NaN
        previous, closed = y[7], y[7] <= REMAINING
        if closed:
            out[i, 0] = 0.0
        for step in range(n_steps):
            while given < dose_steps.size and dose_steps[given] == step:
                level += amounts[i, given]
                given += 1
            mid, end = level * half, level * full
            _rhs(p, y, level / (ec50 + level), k1)
            for q in range(8):
                stage[q] = y[q] + dt / 2.0 * k1[q]
            _rhs(p, stage, mid / (ec50 + mid), k2)
            for q in range(8):
                stage[q] = y[q] + dt / 2.0 * k2[q]
            _rhs(p, stage, mid / (ec50 + mid), k3)
            for q in range(8):
                stage[q] = y[q] + dt * k3[q]
            _rhs(p, stage, end / (ec50 + end), k4)
            lowest = 0.0
            for q in range(8):
                y[q] += dt / 6.0 * (k1[q] + 2.0 * k2[q] + 2.0 * k3[q] + k4[q])
                lowest = min(lowest, y[q])
            if lowest < 0.0:  # a density or concentration below zero: outside the model
                for col in range(4):
                    out[i, col] = np.nan
                out[i, 4] = 1.0
                break
            level = end
            done = step + 1
            if done % record_every == 0:
                if not closed and y[7] <= REMAINING:
                    la, lb = np.log(previous), np.log(y[7])
                    frac = (la - np.log(REMAINING)) / (la - lb)
                    out[i, 0] = (done - record_every + frac * record_every) * dt
                    closed = True
                previous = y[7]
            if done == day7_step:
                out[i, 1] = 100.0 * (1.0 - y[7])
            if done == day14_step:
                out[i, 2] = 100.0 * (1.0 - y[7])
        if out[i, 4] == 0.0:
            out[i, 3] = y[5]


def _steps(days: float, dt: float, what: str) -> int:
    steps = round(days / dt)
    if abs(steps * dt - days) > 1e-9:
        raise ValueError(f"{what} {days:g} is not on the RK4 grid (dt = {dt:g})")
    return int(steps)


def wound_endpoints_compiled(
    params: Mapping[str, float | Array], exposure: Exposure, t_end: float, dt: float = 0.05
) -> dict[str, Array]:
    """Endpoints of every patient of one sampled cohort by the compiled RK4.

    Parameters
    ----------
    params : dict
        Wound parameters by name (:data:`PARAMETERS`); a value is a scalar or an array of
        one value per patient.
    exposure : Exposure
        Delivered amounts per patient at shared dosing times; ``k_el`` and ``ec50`` scalar.
    t_end : float
        Simulated days, a multiple of the 0.1-day recording interval (the last recorded
        time of :func:`~exoderm.simulate.population.wound_cohort_input`).
    dt : float
        RK4 step in days (default 0.05, the numpy engine's).

    Returns
    -------
    dict of str to ndarray
        One array per :data:`ENDPOINTS` name, one value per patient (NaN where the wound
        never reaches 95 % closure, or the day is past the duration), and
        :data:`OUTSIDE`: 1.0 for a patient whose cell density or concentration fell
        below zero, where the equations no longer describe tissue (the published cubic
        M(P) is negative for PDGF between about 4.5 and 6.5 pg/mm³, which some sampled
        diabetic patients reach); their endpoints are NaN and their integration stops.

    References
    ----------
    .. [1] Waugh, H.V. & Sherratt, J.A. (2007). Wound Repair Regen 15(4), 556-565.

    Examples
    --------
    >>> from exoderm.simulate.population import wound_cohort_input
    >>> from exoderm.simulate.scenario import build_scenario
    >>> sc = build_scenario(model="wound", dose=1e12, schedule=(0, 7), duration_days=30)
    >>> inp = wound_cohort_input(sc, 4, seed=1)
    >>> out = wound_endpoints_compiled(inp.params, inp.exposure, inp.times[-1])
    >>> sorted(out)[:3], out["closure_day14_pct"].shape, out["outside_model"].tolist()
    (['closure_day14_pct', 'closure_day7_pct', 'collagen_end'], (4,), [0.0, 0.0, 0.0, 0.0])
    """
    n = exposure.n
    varied_names = [k for k in PARAMETERS if np.ndim(params[k]) == 1]
    base = np.array([0.0 if k in varied_names else float(params[k]) for k in PARAMETERS])
    varied = np.empty((n, len(varied_names)))
    for j, name in enumerate(varied_names):
        varied[:, j] = params[name]
    varied_at = np.array([PARAMETERS.index(k) for k in varied_names], dtype=np.int64)
    record_every = _steps(RECORD_DAYS, dt, "the recording interval")
    n_steps = _steps(t_end, dt, "the duration")
    if n_steps % record_every:
        raise ValueError(f"the duration {t_end:g} is not a multiple of {RECORD_DAYS} days")
    dose_steps = np.array([_steps(float(t), dt, "dosing day") for t in exposure.times])
    out = np.full((n, len(ENDPOINTS) + 1), np.nan)
    out[:, -1] = 0.0
    _integrate(
        base,
        varied_at,
        varied,
        dose_steps.astype(np.int64),
        np.ascontiguousarray(exposure.amounts, dtype=float),
        float(np.asarray(exposure.k_el)),
        float(np.asarray(exposure.ec50)),
        dt,
        n_steps,
        record_every,
        round(7.0 / dt),
        round(14.0 / dt),
        out,
    )
    return {name: out[:, j].copy() for j, name in enumerate((*ENDPOINTS, OUTSIDE))}
