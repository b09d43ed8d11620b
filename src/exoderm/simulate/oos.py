"""Out-of-sample validation: leave-one-out refits and independent published outcomes.

Uncertainty (both parts): the fitted log-parameters are drawn from the Laplace
(linearised) approximation of the posterior of the weighted least-squares fit, a
multivariate normal centred on the optimum with covariance (JᵀJ + Λ)⁻¹, J the Jacobian of
the weighted residuals (Bates & Watts 1988, ch. 2; Gelman et al. 2013, §4.1). Draws are
clipped to the fit's bounds and pushed through the model (Monte Carlo propagation); the
90 % interval is the 5th-95th percentile of the draws.

* **Leave-one-out** (:func:`loo_rows`): for each ``fit`` target the calibration of
  :mod:`exoderm.simulate.calibration` is rerun *from its fixed starting values* without it
  (so the held-out value cannot leak in through the start). Six parameters meet six
  targets and one prior, so dropping a target often leaves a parameter unidentified; Λ is
  then a weak normal prior on every log-parameter spanning the search bounds (±2 sd =
  the bounds), which keeps the covariance finite and makes an uninformative prediction
  show as a wide interval instead of a falsely precise one. The predictive draw adds the
  target's own measurement sd (its ``sigma``). Pass: the published value inside the
  90 % predictive interval.
* **Independent outcomes** (:func:`independent_rows`): ``data/independent_outcomes.json``,
  published results never used in any fit, each with its citation, regimen and the
  assumptions its set-up needs. The shipped fit and its covariance (Λ = 0) are sampled.
  The published magnitudes are mostly not reported in numbers, so each outcome is a
  direction with a minimum effect: pass when the whole 90 % interval lies on the
  published side of zero, beyond ``min_effect`` (an effect that a small animal or
  split-face study could have detected), which fails a model whose effect at that dose is
  negligible or uncertain in sign.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from exoderm.simulate.atopic import PLACEBO, AtopicModel, ad_parameters
from exoderm.simulate.calibrated import calibrated
from exoderm.simulate.calibration import (
    LOWER,
    NAMES,
    UPPER,
    calibrate,
    fit_ids,
    model_values,
    targets,
)
from exoderm.simulate.exposure import Exposure, dose_in_ug, layer_values
from exoderm.simulate.integrate import solve_rk4, solve_stacked
from exoderm.simulate.outcomes import ad_baseline
from exoderm.simulate.parameters import load_table, read_data
from exoderm.simulate.photoageing import PhotoageingModel, steady_state
from exoderm.simulate.scenario import DoseUnit
from exoderm.simulate.wound import WoundModel

Array = NDArray[np.float64]
OUTCOMES_FILE = "independent_outcomes.json"
#: Draws per prediction (Monte Carlo); the seed makes the report reproducible.
DRAWS = 64
#: Draws per leave-one-out prediction, and the refit's evaluation budget (run time).
LOO_DRAWS = 24
LOO_MAX_NFEV = 60
SEED = 20261206
#: Weak prior for leave-one-out refits: sd of each log-parameter (bounds = ±2 sd).
BOUND_PRIOR_SD = (UPPER - LOWER) / 4.0


def sample_parameters(
    log_x: Array, cov_log: Array, n: int, seed: int = SEED
) -> list[dict[str, float]]:
    """``n`` draws of the fitted parameters from N(log_x, cov_log), clipped to the bounds.

    Parameters
    ----------
    log_x : ndarray
        Log-parameters at the optimum, in :data:`calibration.NAMES` order.
    cov_log : ndarray
        Their covariance (Laplace approximation of the posterior).
    n : int
        Number of draws.
    seed : int
        Random seed.

    Returns
    -------
    list of dict
        One parameter set per draw, on the natural scale.

    References
    ----------
    .. [1] Bates DM, Watts DG (1988). Nonlinear Regression Analysis and Its Applications,
       ch. 2 (linear approximation inference). Wiley. doi:10.1002/9780470316757.
    .. [2] Gelman A, Carlin JB, Stern HS, Dunson DB, Vehtari A, Rubin DB (2013). Bayesian
       Data Analysis, 3rd ed., §4.1 (normal approximation to the posterior). CRC Press.

    Examples
    --------
    >>> import numpy as np
    >>> draws = sample_parameters(np.zeros(6), np.eye(6) * 0.01, 3)
    >>> len(draws), sorted(draws[0]) == sorted(NAMES)
    (3, True)
    """
    rng = np.random.default_rng(seed)
    cov = (np.asarray(cov_log) + np.asarray(cov_log).T) / 2.0
    x = rng.multivariate_normal(np.asarray(log_x), cov, size=n, method="eigh")
    x = np.clip(x, LOWER, UPPER)
    return [dict(zip(NAMES, np.exp(row).tolist(), strict=True)) for row in x]


def draw_column(draws: list[dict[str, float]], name: str, repeat: int = 1) -> Array:
    """One parameter over the draws, each value repeated ``repeat`` times (one per arm).

    Parameters
    ----------
    draws : list of dict
        Parameter sets, e.g. from :func:`sample_parameters`.
    name : str
        The parameter.
    repeat : int
        Consecutive copies of each draw's value (2: a treated and a control row).

    Returns
    -------
    ndarray
        Shape ``(len(draws) * repeat,)``.

    References
    ----------
    .. [1] Gelman A, Carlin JB, Stern HS, Dunson DB, Vehtari A, Rubin DB (2013). Bayesian
       Data Analysis, 3rd ed., §1.9 (computation with posterior draws). CRC Press.

    Examples
    --------
    >>> draw_column([{"k": 1.0}, {"k": 2.0}], "k", 2).tolist()
    [1.0, 1.0, 2.0, 2.0]
    """
    return np.repeat(np.array([d[name] for d in draws]), repeat)


# -- vectorised experiments (one row per draw and arm) ----------------------------------


def wound_difference(
    draws: list[dict[str, float]],
    amount_ug: float,
    schedule: tuple[float, ...],
    days: tuple[float, ...],
    diabetic: bool = False,
    state: str = "W",
) -> Array:
    """Treated - control per draw at ``days``: closure in pp (``W``) or % change (``C``)."""
    model = WoundModel()
    p: dict[str, Any] = load_table("waugh2007.json").values("diabetic" if diabetic else "normal")
    n = len(draws)
    p["theta_wound"] = draw_column(draws, "theta_wound", 2)
    times = np.asarray(schedule, dtype=float)
    amounts = np.zeros((2 * n, len(times)))
    amounts[1::2] = amount_ug
    ex = Exposure(times, amounts, layer_values()["k_el"], draw_column(draws, "ec50_ug", 2))
    record = np.array([0.0, *days])
    tr = solve_rk4(model, p, model.initial_state(p, 2 * n), ex, record, 0.05, states=[state])
    x = tr.states[:, 1:, 0]
    if state == "W":
        closure = 100.0 * (1.0 - x)
        out: Array = closure[1::2] - closure[0::2]
        return out
    change: Array = 100.0 * (x[1::2] / x[0::2] - 1.0)
    return change


def photo_change(
    draws: list[dict[str, float]],
    preset: str,
    amount_ug: float,
    schedule: tuple[float, ...],
    duration: float,
    state: str,
) -> Array:
    """% change treated vs untreated per draw: time-mean for mediators, end for ``Ci``."""
    model = PhotoageingModel()
    base = load_table("photoageing.json").values(preset)
    p: dict[str, Any] = dict(base)
    for name in ("a_age", "a_uv", "s_col", "theta_photo"):
        p[name] = draw_column(draws, name, 2)
    y0 = []
    for d in draws:
        one = dict(base)
        one.update({k: d[k] for k in ("a_age", "a_uv", "s_col", "theta_photo")})
        y0.extend([steady_state(one)] * 2)
    times = np.asarray(schedule, dtype=float)
    amounts = np.zeros((2 * len(draws), len(times)))
    amounts[1::2] = amount_ug
    ex = Exposure(times, amounts, layer_values()["k_el"], draw_column(draws, "ec50_ug", 2))
    record = np.arange(0.0, duration + 0.5, 1.0)
    tr = solve_rk4(model, p, np.asarray(y0), ex, record, 0.1, states=[state])
    x = tr.states[:, -1, 0] if state == "Ci" else tr.states[:, :, 0].mean(axis=1)
    change: Array = 100.0 * (x[1::2] / x[0::2] - 1.0)
    return change


def ad_il4_change(
    draws: list[dict[str, float]], amount_ug: float, schedule: tuple[float, ...], duration: float
) -> Array:
    """Effective IL-4 (time mean) vs vehicle, %, per draw (only EC50 enters the AD model)."""
    model = AtopicModel(PLACEBO)
    p = ad_parameters()
    n = len(draws)
    y0 = np.tile(ad_baseline(p), (n + 1, 1))
    times = np.asarray(schedule, dtype=float)
    amounts = np.zeros((n + 1, len(times)))
    amounts[1:] = amount_ug
    ec50 = np.array([1.0, *[d["ec50_ug"] for d in draws]])
    ex = Exposure(times, amounts, layer_values()["k_el"], ec50)
    weeks = np.arange(0.0, duration / 7.0 + 1e-9, 0.5)
    tr = solve_stacked(model, p, y0, ex, weeks)
    phi = np.stack([ex.effect(7.0 * w, 7.0 * w) for w in weeks], axis=1)
    il4 = model.effective(tr.states, p, phi)["IL4"].mean(axis=1)
    change: Array = 100.0 * (il4[1:] / il4[0] - 1.0)
    return change


# -- leave-one-out ------------------------------------------------------------------------


def _held_out_value(tid: str, draws: list[dict[str, float]]) -> Array:
    """The model's value of target ``tid`` for every draw (vectorised where it matters)."""
    if tid == "W1":
        diff = wound_difference(draws, _w1_amount(), (0.0,), (7.0, 14.0))
        out: Array = diff.mean(axis=1)
        return out
    return np.array([model_values(d)[tid] for d in draws])


def _w1_amount() -> float:
    from exoderm.simulate.experiments import W1_DOSE_UG

    layer = layer_values()
    return W1_DOSE_UG * layer["route_injection"] * layer["source_adipose-msc"]


def loo_rows(draws: int = LOO_DRAWS) -> list[dict[str, Any]]:
    """One row per ``fit`` target: in-sample value, LOO prediction and 90 % interval.

    Parameters
    ----------
    draws : int
        Monte Carlo draws per prediction.

    Returns
    -------
    list of dict
        ``id``, ``quantity``, ``target``, ``in_sample``, ``loo_median``, ``loo_p05``,
        ``loo_p95``, ``result`` (inside the interval or not), ``width_ratio`` (LOO
        interval width over the in-sample interval width: large = not identified without
        the target) and ``source``.

    References
    ----------
    .. [1] Bates DM, Watts DG (1988). Nonlinear Regression Analysis and Its Applications.
       Wiley. doi:10.1002/9780470316757.

    Examples
    --------
    Each row refits the calibration without one target (about 15 s per target), so this
    example only shows which targets take part; ``tests/simulate/test_oos.py`` runs it.

    >>> from exoderm.simulate.calibration import fit_ids
    >>> fit_ids(exclude=("P2",))
    ['W1', 'P1-0', 'P1-1', 'P1-1.5', 'F1']
    """
    shipped = calibrated()
    fitted = {n: v["value"] for n, v in shipped["parameters"].items()}
    in_sample = model_values(fitted)
    full_draws = sample_parameters(
        np.log([fitted[n] for n in NAMES]), np.asarray(shipped["covariance_log"]), draws
    )
    by_id = {t["id"]: t for t in targets()}
    rng = np.random.default_rng(SEED + 1)
    rows = []
    for tid in fit_ids():
        t = by_id[tid]
        fit = calibrate(exclude=(tid,), max_nfev=LOO_MAX_NFEV)
        jac = np.asarray(fit.jacobian)
        cov = np.linalg.inv(jac.T @ jac + np.diag(1.0 / BOUND_PRIOR_SD**2))
        pred = _held_out_value(tid, sample_parameters(np.asarray(fit.log_x), cov, draws))
        pred = pred[np.isfinite(pred)]  # draws far outside the data can fail to integrate
        pred = pred + rng.normal(0.0, t["sigma"], size=pred.shape)
        lo, med, hi = np.percentile(pred, [5.0, 50.0, 95.0])
        ins = _held_out_value(tid, full_draws) + rng.normal(0.0, t["sigma"], size=draws)
        ins_lo, ins_hi = np.percentile(ins, [5.0, 95.0])
        rows.append(
            {
                "id": tid,
                "quantity": t["quantity"],
                "target": t["value"],
                "in_sample": round(in_sample[tid], 4),
                "in_sample_p05": round(float(ins_lo), 4),
                "in_sample_p95": round(float(ins_hi), 4),
                "loo_median": round(float(med), 4),
                "loo_p05": round(float(lo), 4),
                "loo_p95": round(float(hi), 4),
                "width_ratio": round(float((hi - lo) / max(ins_hi - ins_lo, 1e-12)), 2),
                "result": "pass" if lo <= t["value"] <= hi else "fail",
                "source": t["source"],
            }
        )
    return rows


# -- independent outcomes -----------------------------------------------------------------


def independent_outcomes() -> list[dict[str, Any]]:
    """The independent published outcomes (``data/independent_outcomes.json``)."""
    rows: list[dict[str, Any]] = read_data(OUTCOMES_FILE)["outcomes"]
    return rows


def delivered_ug(outcome: Mapping[str, Any]) -> float:
    """Delivered µg per administration by the dose layer's rules (unit, route, source)."""
    layer = layer_values()
    dose = outcome["dose"]
    ug = dose_in_ug(float(dose["value"]), DoseUnit(dose["unit"]), layer)
    return ug * layer[f"route_{outcome['route']}"] * layer[f"source_{outcome['source']}"]


def predict_independent(outcome: Mapping[str, Any], draws: list[dict[str, float]]) -> Array:
    """The model's prediction of one independent outcome for every draw."""
    amount = delivered_ug(outcome)
    schedule = tuple(float(d) for d in outcome["schedule"])
    duration = float(outcome["duration_days"])
    model, endpoint = outcome["model"], outcome["endpoint"]
    if model == "wound":
        diabetic = outcome["setting"] == "diabetic"
        if endpoint == "closure_difference_pp":
            return wound_difference(draws, amount, schedule, (duration,), diabetic)[:, 0]
        return wound_difference(draws, amount, schedule, (duration,), diabetic, "C")[:, 0]
    if model == "photoageing":
        state = {
            "ros_change_pct": "ROS",
            "mmp1_change_pct": "MMP1",
            "procollagen_change_pct": "PC",
            "collagen_change_pct": "Ci",
        }[endpoint]
        return photo_change(draws, outcome["setting"], amount, schedule, duration, state)
    return ad_il4_change(draws, amount, schedule, duration)


def independent_rows(draws: int = DRAWS) -> list[dict[str, Any]]:
    """One row per independent outcome: dose, observation, prediction, 90 % interval, result.

    Parameters
    ----------
    draws : int
        Monte Carlo draws from the shipped fit's posterior approximation.

    Returns
    -------
    list of dict
        ``id``, ``citation``, ``regimen``, ``delivered_ug``, ``observed``,
        ``endpoint``, ``median``, ``p05``, ``p95``, ``criterion`` and ``result``.

    References
    ----------
    .. [1] Gelman A, Carlin JB, Stern HS, Dunson DB, Vehtari A, Rubin DB (2013). Bayesian
       Data Analysis, 3rd ed. CRC Press.

    Examples
    --------
    >>> rows = independent_rows(draws=4)
    >>> len(rows), sorted(rows[0])[:3]
    (11, ['assumptions', 'citation', 'criterion'])
    """
    shipped = calibrated()
    log_x = np.log([shipped["parameters"][n]["value"] for n in NAMES])
    sample = sample_parameters(log_x, np.asarray(shipped["covariance_log"]), draws)
    rows = []
    for o in independent_outcomes():
        pred = predict_independent(o, sample)
        lo, med, hi = np.percentile(pred, [5.0, 50.0, 95.0])
        sign, floor = int(o["observed"]["direction"]), float(o["min_effect"])
        ok = bool(lo >= floor) if sign > 0 else bool(hi <= -floor)
        c = o["citation"]
        rows.append(
            {
                "id": o["id"],
                "citation": "; ".join(
                    str(c[k]) for k in ("authors", "year", "journal", "doi") if c.get(k)
                ),
                "regimen": o["regimen"],
                "delivered_ug": round(delivered_ug(o), 3),
                "observed": o["observed"]["text"],
                "endpoint": o["endpoint"],
                "median": float(f"{med:.3g}"),
                "p05": float(f"{lo:.3g}"),
                "p95": float(f"{hi:.3g}"),
                "criterion": f"{'>=' if sign > 0 else '<='} {sign * floor:g}",
                "result": "pass" if ok else "fail",
                "assumptions": o["assumptions"],
            }
        )
    return rows


def render_markdown(loo: list[dict[str, Any]], independent: list[dict[str, Any]]) -> str:
    """The out-of-sample section of ``docs/validation.md``."""
    inside = sum(r["result"] == "pass" for r in independent)
    loo_in = sum(r["result"] == "pass" for r in loo)
    lines = [
        "## Out-of-sample validation",
        "",
        f"Intervals: {DRAWS} Monte Carlo draws from the Laplace (linearised) approximation",
        "of the fit's posterior, N(optimum, (JᵀJ + Λ)⁻¹) on the log-parameters (Bates &",
        "Watts 1988; Gelman et al. 2013 §4.1), 5th-95th percentile. Only the fitted",
        "parameters are sampled; route, source, k_el and the effect gains are held at their",
        "documented assumed values, so the intervals are lower bounds on the uncertainty.",
        "",
        "### Leave-one-out",
        "",
        "Each fit target is dropped, the calibration rerun from its fixed start without it,",
        "and the target predicted (predictive draw includes the target's sigma). Λ = a weak",
        "prior spanning the search bounds. `width` = LOO interval width / in-sample width:",
        "a large ratio means the other targets do not pin the parameters this target needs.",
        "",
        f"**{loo_in} of {len(loo)} held-out targets fall inside their LOO 90 % interval.**",
        "",
        "| id | target | in-sample (90 %) | LOO median | LOO 90 % | width | result |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in loo:
        lines.append(
            f"| {r['id']} | {r['target']} | {r['in_sample']} [{r['in_sample_p05']}, "
            f"{r['in_sample_p95']}] | {r['loo_median']} | [{r['loo_p05']}, {r['loo_p95']}] "
            f"| {r['width_ratio']} | {r['result']} |"
        )
    lines += [
        "",
        "### Independent published outcomes (never used in any fit)",
        "",
        "Data: `src/exoderm/simulate/data/independent_outcomes.json`. Doses converted by the",
        "dose layer (unit, F_route, F_source); where a study's dose or schedule is not",
        "reported the assumption is named. Pass: the whole 90 % interval on the published",
        "side of zero and beyond the minimum effect (`criterion`). No parameter was tuned",
        "to these rows.",
        "",
        f"**{inside} of {len(independent)} independent outcomes fall inside their 90 % "
        "interval criterion.**",
        "",
        "| id | citation | regimen | delivered µg | observed | endpoint | median | 90 % "
        "| criterion | result | assumptions |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in independent:
        cells = [
            r["id"],
            r["citation"],
            r["regimen"],
            r["delivered_ug"],
            r["observed"],
            r["endpoint"],
            r["median"],
            f"[{r['p05']}, {r['p95']}]",
            r["criterion"],
            r["result"],
            r["assumptions"],
        ]
        lines.append("| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |")
    return "\n".join(lines) + "\n"
