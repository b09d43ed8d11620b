"""Calibration of the exosome-effect parameters by weighted least squares.

Procedure (reproduced by ``exoderm simulate calibrate``):

1. Unknowns, all positive, estimated on a log scale: ``a_age``, ``a_uv``, ``s_col``,
   ``theta_photo`` (photo-ageing), ``ec50_ug`` (exposure giving half the maximal effect,
   shared by all models) and ``theta_wound`` (wound potency).
2. Residuals r_j = (model_j - target_j) / sigma_j for the ``fit`` rows of
   ``data/targets.json`` only: W1 (Liu 2024), P1 ×3 (Yanuar 2023), P2 (Varani) and the F1
   anchor (Fligiel 2003). sigma_j is the published 95 % interval or the target's stated tolerance
   converted to a standard deviation (see the file).
   The targets carry no information on saturation (the Yanuar arms rise *faster* than
   linearly), so alone they leave EC50 unidentified (only θ/EC50 is). A weakly
   informative log-normal prior closes the gap: log EC50 ~ N(log 150 µg, 1.0²), centred
   on the in-vivo doses of the ADSC-EV photo-ageing study (150 and 300 µg SC weekly,
   PMC7329484) on the assumption that published doses sit near the effective range. It
   enters as one more residual, so the fit is a maximum a posteriori estimate.
3. ``scipy.optimize.least_squares`` (trust-region reflective, bounds in log space, 2-point
   finite-difference Jacobian) minimises sum r_j².
4. Uncertainty: covariance of the log-parameters = (JᵀJ)⁻¹ at the optimum, J the
   Jacobian of the weighted residuals (the residuals are already in units of the target
   standard deviations, so no rescaling by the residual variance). Standard errors on
   the natural scale by the delta method (se = value × se_log); 95 % intervals are
   exp(log value ± 1.96 se_log).

Six unknowns meet six target residuals and the prior: the covariance (a Laplace
approximation of the posterior) shows how tightly targets and prior pin each parameter,
not a goodness of fit. Other published results are for validation only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import least_squares

from exoderm.simulate import experiments
from exoderm.simulate.parameters import read_data

Array = NDArray[np.float64]
NAMES: tuple[str, ...] = ("a_age", "a_uv", "s_col", "theta_photo", "ec50_ug", "theta_wound")
START: dict[str, float] = {
    "a_age": 0.5,
    "a_uv": 1.0,
    "s_col": 0.005,
    "theta_photo": 1.0,
    "ec50_ug": 10.0,
    "theta_wound": 4.0,
}
LOWER = np.log([1e-3, 1e-3, 1e-5, 1e-2, 1e-2, 1e-2])
UPPER = np.log([10.0, 100.0, 1.0, 1e4, 1e5, 1e4])
#: Weakly informative prior on EC50 (µg): median and standard deviation of log EC50.
EC50_PRIOR_UG = 150.0
EC50_PRIOR_SD_LOG = 1.0


def targets() -> list[dict[str, Any]]:
    """The calibration and validation targets (``data/targets.json``)."""
    rows: list[dict[str, Any]] = read_data("targets.json")["targets"]
    return rows


def model_values(fitted: dict[str, float]) -> dict[str, float]:
    """The model's value for every ``fit`` target, in the target's units."""
    arms = experiments.yanuar_arms(fitted)
    w = experiments.wound_closure_difference(fitted)
    return {
        "W1": float(np.mean(w)),
        "P1-0": float(arms[0]),
        "P1-1": float(arms[1]),
        "P1-1.5": float(arms[2]),
        "P2": experiments.varani_ratio(fitted),
        "F1": experiments.photoaged_fragmentation(fitted),
    }


def fit_ids(exclude: tuple[str, ...] = ()) -> list[str]:
    """The ``fit`` targets used, without those in ``exclude`` (leave-one-out refits)."""
    return [t["id"] for t in targets() if t["kind"] == "fit" and t["id"] not in exclude]


def residuals(log_values: Array, exclude: tuple[str, ...] = ()) -> Array:
    """Weighted residuals (model - target) / sigma for the ``fit`` targets, then the prior."""
    fitted = dict(zip(NAMES, np.exp(log_values).tolist(), strict=True))
    values = model_values(fitted)
    used = fit_ids(exclude)
    fit_rows = [t for t in targets() if t["id"] in used]
    prior = (np.log(fitted["ec50_ug"]) - np.log(EC50_PRIOR_UG)) / EC50_PRIOR_SD_LOG
    return np.array([*((values[t["id"]] - t["value"]) / t["sigma"] for t in fit_rows), prior])


@dataclass(frozen=True)
class CalibrationResult:
    """Fitted values, standard errors, 95 % intervals and the fit's diagnostics."""

    values: dict[str, float]
    log_x: list[float]
    jacobian: list[list[float]]
    se: dict[str, float]
    ci95: dict[str, tuple[float, float]]
    covariance_log: list[list[float]]
    residuals: dict[str, float]
    cost: float
    nfev: int

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "parameter": n,
                "value": self.values[n],
                "se": self.se[n],
                "ci95_low": self.ci95[n][0],
                "ci95_high": self.ci95[n][1],
            }
            for n in NAMES
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "note": "written by `exoderm simulate calibrate --write`; procedure in "
            "exoderm.simulate.calibration and docs/simulate.md",
            "parameters": {
                n: {"value": self.values[n], "se": self.se[n], "ci95": list(self.ci95[n])}
                for n in NAMES
            },
            "covariance_log": self.covariance_log,
            "parameter_order": list(NAMES),
            "weighted_residuals": self.residuals,
            "cost": self.cost,
        }


def calibrate(
    start: dict[str, float] | None = None, max_nfev: int = 200, exclude: tuple[str, ...] = ()
) -> CalibrationResult:
    """Run the weighted least-squares fit from ``start`` (default: fixed starting values).

    ``exclude`` drops fit targets by id (leave-one-out validation refits without them).
    """
    x0 = np.log([float((start or START)[n]) for n in NAMES])
    fit = least_squares(
        residuals,
        np.clip(x0, LOWER + 1e-9, UPPER - 1e-9),
        bounds=(LOWER, UPPER),
        x_scale=1.0,
        diff_step=1e-4,
        xtol=1e-10,
        ftol=1e-10,
        gtol=1e-10,
        max_nfev=max_nfev,
        args=(tuple(exclude),),
    )
    jac = np.asarray(fit.jac)
    cov = np.linalg.pinv(jac.T @ jac)
    se_log = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    values = np.exp(fit.x)
    used = [*fit_ids(tuple(exclude)), "prior_ec50"]
    return CalibrationResult(
        values=dict(zip(NAMES, values.tolist(), strict=True)),
        log_x=np.asarray(fit.x).tolist(),
        jacobian=jac.tolist(),
        se=dict(zip(NAMES, (values * se_log).tolist(), strict=True)),
        ci95={
            n: (float(np.exp(max(x - 1.96 * s, -700.0))), float(np.exp(min(x + 1.96 * s, 700.0))))
            for n, x, s in zip(NAMES, fit.x, se_log, strict=True)
        },
        covariance_log=cov.tolist(),
        residuals=dict(zip(used, np.asarray(fit.fun).tolist(), strict=True)),
        cost=float(fit.cost),
        nfev=int(fit.nfev),
    )


def shipped_path() -> Path:
    """Where the package keeps the fitted parameters."""
    return Path(__file__).parent / "data" / "calibrated.json"


def write_calibration(result: CalibrationResult, path: Path | None = None) -> Path:
    """Write the result as the shipped ``calibrated.json`` (or to ``path``)."""
    target = path or shipped_path()
    target.write_text(json.dumps(result.to_json(), indent=2) + "\n", encoding="utf-8")
    from exoderm.simulate.calibrated import calibrated
    from exoderm.simulate.directions import _cached_endpoints

    calibrated.cache_clear()
    _cached_endpoints.cache_clear()
    return target
