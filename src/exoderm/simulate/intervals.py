"""90 % intervals of a scenario's predictions over the calibration's parameter uncertainty.

The fitted exosome-effect parameters (``a_age``, ``a_uv``, ``s_col``, ``theta_photo``,
``ec50_ug``, ``theta_wound``) are drawn from the Laplace approximation of the
calibration's posterior, N(optimum, (JᵀJ)⁻¹) on the log scale, clipped to the fit's
bounds (:func:`exoderm.simulate.oos.sample_parameters`; Bates & Watts 1988, ch. 2;
Gelman et al. 2013, §4.1). Every draw is pushed through the scenario's model, treated and
untreated, in one vectorised integration (one row per draw and arm, as the cohort runs
patients); the interval is the 5th-95th percentile over :data:`DRAWS` draws (seeded).

* **Paired.** Each draw's treated and control arms use the same parameters, so the
  interval of the treated - control difference is that of the per-draw differences,
  not a difference of two intervals.
* **Control arms.** In the wound and atopic-dermatitis models the fitted parameters act
  only through the exosome effect Φ (θ Φ, EC50), which is 0 without a dose, so the
  untreated (vehicle) arm is integrated once and its interval has zero width. The
  photo-ageing model's ``a_age``, ``a_uv`` and ``s_col`` also set the untreated skin, so
  there every draw has its own control row.
* **Assumed parameters.** The dose layer's assumed factors — the scenario's F_route and
  F_source (unless they are the reference injection, ADSC or HUVEC, which set the fit's
  scale) and ``k_el`` — carry exoderm's own assumed priors in ``data/exosome_layer.json``
  (log-normal with median at the value and a stated geometric SD; no publication gives a
  range). Each draw takes one value of each from its prior (:func:`assumed_draws`), in a
  stream of its own, so the fitted draws are the same with or without them.
* **What the interval does not cover.** The dose conversions (particles or % w/w to µg)
  and the literature parameters of each model are held at their values; the interval is
  therefore a lower bound on the predictive uncertainty, and every output says so
  (:data:`INTERVAL_LABEL`).
* **Not reached.** A draw whose endpoint is not reached within the simulated time (time
  to 95 % closure) counts as later than any reached value; a bound that falls on such a
  draw is ``None`` ("not reached").

A wound scenario with 200 draws over 60 days takes about 0.5 s.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from exoderm.simulate.atopic import PLACEBO, AtopicModel, ad_parameters, easi
from exoderm.simulate.calibrated import calibrated
from exoderm.simulate.calibration import NAMES
from exoderm.simulate.endpoints import percent_change, time_to_fraction, value_at
from exoderm.simulate.exposure import LAYER_FILE, Exposure, layer_values, scenario_dose_ug
from exoderm.simulate.integrate import solve_rk4, solve_stacked
from exoderm.simulate.oos import SEED, draw_column, sample_parameters
from exoderm.simulate.outcomes import PHOTO_DT, WOUND_DT, ad_baseline
from exoderm.simulate.parameters import load_table
from exoderm.simulate.photoageing import FITTED, PhotoageingModel, photo_parameters, steady_state
from exoderm.simulate.scenario import ModelName, TreatmentScenario
from exoderm.simulate.wound import WoundModel, wound_parameters

Array = NDArray[np.float64]

#: Posterior draws per scenario (Monte Carlo); :data:`SEED` makes them reproducible.
DRAWS = 200
#: The interval's percentiles (a central 90 % interval).
PERCENTILES = (5.0, 95.0)
#: What every face prints next to an interval.
INTERVAL_LABEL = (
    "90 % interval over the fit's parameter uncertainty and the assumed ranges of route, "
    "source and k_el (dose conversions and the models' literature parameters held at "
    "their values, so the true uncertainty is wider)"
)
#: Offset of the assumed parameters' random stream from the fitted draws' seed.
ASSUMED_STREAM = 21

__all__ = [
    "DRAWS",
    "INTERVAL_LABEL",
    "AssumedDraws",
    "Band",
    "HeadlineBand",
    "PredictionIntervals",
    "assumed_draws",
    "fitted_draws",
    "scenario_intervals",
]


class Band(BaseModel):
    """A prediction at the fitted optimum and its 90 % interval (``None``: not reached)."""

    model_config = ConfigDict(frozen=True)

    value: float | None
    low: float | None
    high: float | None

    def text(self, digits: int = 3) -> str:
        """``"12.3 (90 % interval 11.0–13.5)"``, as the CLI and pages print it."""

        def num(x: float | None) -> str:
            return "not reached" if x is None else f"{x:.{digits}g}"

        if self.value is None and self.low is None and self.high is None:
            return "not reached (in any draw)"
        return f"{num(self.value)} (90 % interval {num(self.low)}–{num(self.high)})"


class HeadlineBand(BaseModel):
    """A headline quantity for the treated and control arms and their paired difference."""

    model_config = ConfigDict(frozen=True)

    key: str
    quantity: str
    unit: str
    treated: Band
    control: Band
    difference: Band


class PredictionIntervals(BaseModel):
    """90 % intervals of every endpoint and of each headline quantity of one scenario."""

    model_config = ConfigDict(frozen=True)

    label: str = INTERVAL_LABEL
    draws: int
    seed: int
    endpoints: dict[str, Band]
    headline: list[HeadlineBand]


#: Headline quantities per model: key -> (quantity, unit).
HEADLINE: dict[ModelName, dict[str, tuple[str, str]]] = {
    ModelName.wound: {
        "closure_day7": ("Wound closed at day 7", "% of the initial area"),
        "closure_day14": ("Wound closed at day 14", "% of the initial area"),
        "time_to_95_closure": ("Time to 95 % closure", "days"),
    },
    ModelName.photoageing: {
        "mmp1_mean": ("MMP-1 (time-averaged)", "relative to young skin"),
        "procollagen_i_mean": ("Procollagen I (time-averaged)", "relative to young skin"),
        "collagen_end": ("Intact collagen at the end", "area fraction (0–1)"),
    },
    ModelName.ad: {
        "easi_end": ("EASI at the end", "points (0–72)"),
        "barrier_integrity_end": ("Barrier integrity at the end", "fraction (0–1)"),
    },
}


@dataclass(frozen=True)
class _Runs:
    """Per parameter set (row 0: the optimum): every endpoint, and headline arm pairs."""

    endpoints: dict[str, Array]
    headline: dict[str, tuple[Array, Array]]


def fitted_draws(
    n: int = DRAWS, seed: int = SEED, covariance_scale: float = 1.0
) -> list[dict[str, float]]:
    """``n`` draws of the fitted parameters from the shipped calibration's posterior.

    Parameters
    ----------
    n : int
        Number of draws.
    seed : int
        Random seed.
    covariance_scale : float
        Multiplies the covariance (1: the fit's; larger: a wider posterior).

    Returns
    -------
    list of dict
        Parameter sets on the natural scale (:data:`calibration.NAMES`).

    References
    ----------
    .. [1] Bates DM, Watts DG (1988). Nonlinear Regression Analysis and Its Applications,
       ch. 2. Wiley. doi:10.1002/9780470316757.

    Examples
    --------
    >>> a, b = fitted_draws(5), fitted_draws(5)
    >>> len(a), a == b
    (5, True)
    """
    shipped = calibrated()
    log_x = np.log([shipped["parameters"][name]["value"] for name in NAMES])
    cov = covariance_scale * np.asarray(shipped["covariance_log"], dtype=float)
    return sample_parameters(log_x, cov, n, seed)


def _optimum() -> dict[str, float]:
    return {name: float(calibrated()["parameters"][name]["value"]) for name in NAMES}


@dataclass(frozen=True)
class AssumedDraws:
    """Per parameter set (0: the assumed values): F_route x F_source and ``k_el``."""

    factor: Array
    k_el: Array
    sampled: tuple[str, ...]


def assumed_draws(scenario: TreatmentScenario, n: int = DRAWS, seed: int = SEED) -> AssumedDraws:
    """The assumed parameters of a scenario's dose layer: the values, then ``n`` draws.

    Each assumed parameter with a prior in ``data/exosome_layer.json`` is drawn
    log-normally with its median at the assumed value: ``value * gsd ** z``, z standard
    normal. Parameters without a prior (the reference route and sources) stay at their
    value.

    Parameters
    ----------
    scenario : TreatmentScenario
        Its route and source pick the factors.
    n : int
        Draws after the assumed values.
    seed : int
        Seed; the stream is ``default_rng([seed, ASSUMED_STREAM])``.

    Returns
    -------
    AssumedDraws
        ``factor`` (F_route x F_source) and ``k_el`` (1/day), each of length ``n + 1``,
        and the names of the parameters sampled.

    References
    ----------
    .. [1] Limpert E, Stahel WA, Abbt M (2001). Log-normal distributions across the
       sciences: keys and clues. BioScience 51(5), 341-352.
       doi:10.1641/0006-3568(2001)051[0341:LNDATS]2.0.CO;2
    .. [2] JCGM 101:2008. Propagation of distributions using a Monte Carlo method. BIPM.

    Examples
    --------
    >>> from exoderm.simulate.scenario import build_scenario
    >>> d = assumed_draws(build_scenario(model="wound", dose=1e12, route="topical"), 50)
    >>> d.sampled, round(float(d.factor[0]), 3), bool(d.factor[1:].std() > 0)
    (('k_el', 'route_topical'), 0.05, True)
    """
    table = load_table(LAYER_FILE)
    rng = np.random.default_rng([seed, ASSUMED_STREAM])
    names = ("k_el", f"route_{scenario.route.value}", f"source_{scenario.source.value}")
    values: dict[str, Array] = {}
    for name in names:
        param = table.parameters[name]
        z = rng.standard_normal(n)
        spread = np.log(param.prior.gsd) if param.prior else 0.0
        values[name] = param.value * np.exp(np.concatenate([[0.0], spread * z]))
    return AssumedDraws(
        factor=values[names[1]] * values[names[2]],
        k_el=values["k_el"],
        sampled=tuple(n for n in names if table.parameters[n].prior is not None),
    )


def _exposure(
    scenario: TreatmentScenario,
    ec50: Array,
    treated: NDArray[np.bool_],
    factor: Array,
    k_el: Array,
) -> Exposure:
    """One row per entry of ``ec50``; rows where ``treated`` is False get no dose."""
    layer = layer_values()
    amount = scenario_dose_ug(scenario, layer) * factor
    times = np.asarray(scenario.schedule, dtype=float)
    amounts = np.where(treated, amount, 0.0)[:, None] * np.ones((len(ec50), len(times)))
    return Exposure(times, amounts, k_el, ec50)


def _record(duration: float, step: float) -> Array:
    return np.round(np.arange(0.0, duration + step / 2, step), 10)


def _wound(
    scenario: TreatmentScenario, sets: list[dict[str, float]], assumed: AssumedDraws
) -> _Runs:
    """Row 0 untreated (Φ = 0: the fitted parameters do not enter), rows 1.. treated."""
    model = WoundModel()
    m = len(sets)
    p: dict[str, float | Array] = dict(wound_parameters(scenario.diabetic))
    p["theta_wound"] = np.concatenate(
        [draw_column(sets[:1], "theta_wound"), draw_column(sets, "theta_wound")]
    )
    ec50 = np.concatenate([draw_column(sets[:1], "ec50_ug"), draw_column(sets, "ec50_ug")])
    ex = _exposure(scenario, ec50, np.arange(m + 1) > 0, *_with_control_row(assumed))
    times = _record(scenario.duration, 0.1)
    tr = solve_rk4(model, p, model.initial_state(p, m + 1), ex, times, WOUND_DT, states=["W", "C"])
    w, c = tr.state("W"), tr.state("C")
    t95 = time_to_fraction(times, w)
    closure = 100.0 * (1.0 - w)
    d7, d14 = value_at(times, closure, 7.0), value_at(times, closure, 14.0)
    same = np.ones(m)
    return _Runs(
        endpoints={
            "time_to_95_closure_days": t95[1:],
            "time_to_95_closure_control_days": t95[0] * same,
            "closure_day7_pct": d7[1:],
            "closure_day14_pct": d14[1:],
            "closure_difference_day7_pp": d7[1:] - d7[0],
            "closure_difference_day14_pp": d14[1:] - d14[0],
            "collagen_change_pct": percent_change(c[1:, -1], c[0, -1]),
        },
        headline={
            "closure_day7": (d7[1:], d7[0] * same),
            "closure_day14": (d14[1:], d14[0] * same),
            "time_to_95_closure": (t95[1:], t95[0] * same),
        },
    )


def _photoageing(
    scenario: TreatmentScenario, sets: list[dict[str, float]], assumed: AssumedDraws
) -> _Runs:
    """Rows 0..m-1 untreated, m..2m-1 treated: the fitted parameters set both arms."""
    model = PhotoageingModel()
    m = len(sets)
    preset = "photoaged" if scenario.photoaged else "aged"
    p: dict[str, float | Array] = dict(photo_parameters(preset))
    for name in FITTED:
        p[name] = np.tile(draw_column(sets, name), 2)
    y0 = np.tile(np.stack([steady_state(photo_parameters(preset, fitted=s)) for s in sets]), (2, 1))
    ex = _exposure(
        scenario,
        np.tile(draw_column(sets, "ec50_ug"), 2),
        np.arange(2 * m) >= m,
        np.tile(assumed.factor, 2),
        np.tile(assumed.k_el, 2),
    )
    times = _record(scenario.duration, 1.0)
    tr = solve_rk4(model, p, y0, ex, times, PHOTO_DT)
    ep: dict[str, Array] = {}
    for state, label in [
        ("MMP1", "mmp1"),
        ("TNF", "tnf_alpha"),
        ("ROS", "ros"),
        ("TGF", "tgf_beta"),
        ("PC", "procollagen_i"),
    ]:
        x = tr.state(state).mean(axis=1)
        ep[f"{label}_mean_change_pct"] = percent_change(x[m:], x[:m])
    ci, cf = tr.state("Ci")[:, -1], tr.state("Cf")[:, -1]
    ep["collagen_change_pct"] = percent_change(ci[m:], ci[:m])
    ep["collagen_deposition_pct"] = 100.0 * ci[m:]
    ep["fragmented_fraction"] = cf[m:] / (ci[m:] + cf[m:])
    mmp, pc = tr.state("MMP1").mean(axis=1), tr.state("PC").mean(axis=1)
    return _Runs(
        endpoints=ep,
        headline={
            "mmp1_mean": (mmp[m:], mmp[:m]),
            "procollagen_i_mean": (pc[m:], pc[:m]),
            "collagen_end": (ci[m:], ci[:m]),
        },
    )


def _ad(scenario: TreatmentScenario, sets: list[dict[str, float]], assumed: AssumedDraws) -> _Runs:
    """Row 0 vehicle (only EC50 is fitted and Φ = 0 there), rows 1.. treated."""
    model = AtopicModel(PLACEBO)
    m = len(sets)
    p = ad_parameters()
    ec50 = np.concatenate([draw_column(sets[:1], "ec50_ug"), draw_column(sets, "ec50_ug")])
    ex = _exposure(scenario, ec50, np.arange(m + 1) > 0, *_with_control_row(assumed))
    weeks = _record(scenario.duration / 7.0, 0.1)
    tr = solve_stacked(model, p, np.tile(ad_baseline(p), (m + 1, 1)), ex, weeks)
    s, e = tr.state("s"), easi(tr.state("s"), tr.state("p"))
    change = percent_change(e[:, -1], e[:, 0])
    tewl = percent_change(1.0 - s[:, -1], 1.0 - s[:, 0])
    phi = np.stack([ex.effect(7.0 * w, 7.0 * w) for w in weeks], axis=1)
    eff = model.effective(tr.states, p, phi)
    vehicle = model.effective(tr.states, p, np.zeros_like(phi))
    same = np.ones(m)
    return _Runs(
        endpoints={
            "easi_baseline": e[1:, 0],
            "easi_end": e[1:, -1],
            "easi_change_pct": change[1:],
            "easi_change_vehicle_pct": change[0] * same,
            "barrier_integrity_end": s[1:, -1],
            "barrier_integrity_vehicle_end": s[0, -1] * same,
            "tewl_change_pct": tewl[1:],
            "tewl_change_vehicle_pct": tewl[0] * same,
            "il4_mean_vs_vehicle_pct": percent_change(
                eff["IL4"][1:].mean(axis=1), vehicle["IL4"][0].mean()
            ),
            "il13_mean_vs_vehicle_pct": percent_change(
                eff["IL13"][1:].mean(axis=1), vehicle["IL13"][0].mean()
            ),
        },
        headline={
            "easi_end": (e[1:, -1], e[0, -1] * same),
            "barrier_integrity_end": (s[1:, -1], s[0, -1] * same),
        },
    )


def _with_control_row(assumed: AssumedDraws) -> tuple[Array, Array]:
    """The assumed draws for rows [control, set 0, set 1, ...] (the control has no dose)."""
    return (
        np.concatenate([assumed.factor[:1], assumed.factor]),
        np.concatenate([assumed.k_el[:1], assumed.k_el]),
    )


_Runner = Callable[[TreatmentScenario, list[dict[str, float]], AssumedDraws], _Runs]
_RUNNERS: Mapping[ModelName, _Runner] = {
    ModelName.wound: _wound,
    ModelName.photoageing: _photoageing,
    ModelName.ad: _ad,
}


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _band(values: Array) -> Band:
    """Row 0 is the value at the optimum; the percentiles run over the draws after it."""
    draws = np.where(np.isnan(values[1:]), np.inf, values[1:])
    method: Literal["linear", "inverted_cdf"] = (
        "linear" if np.isfinite(draws).all() else "inverted_cdf"
    )
    low, high = np.percentile(draws, PERCENTILES, method=method)
    return Band(value=_finite(values[0]), low=_finite(low), high=_finite(high))


def scenario_intervals(
    scenario: TreatmentScenario,
    draws: int = DRAWS,
    seed: int = SEED,
    covariance_scale: float = 1.0,
) -> PredictionIntervals:
    """The 90 % interval of every endpoint and headline quantity of one scenario.

    Parameters
    ----------
    scenario : TreatmentScenario
        Model, dose, unit, source, route, schedule and skin state.
    draws : int
        Posterior draws (Monte Carlo).
    seed : int
        Random seed of the draws (same seed, same intervals).
    covariance_scale : float
        Multiplies the fit's covariance (1 for predictions; larger for sensitivity).

    Returns
    -------
    PredictionIntervals
        ``endpoints``: each endpoint of :func:`exoderm.simulate.outcomes.predict_outcomes`
        at the fitted optimum with its 5th-95th percentile over the draws;
        ``headline``: treated, control and paired treated - control difference of each
        headline quantity; ``label`` says what the interval covers.

    References
    ----------
    .. [1] Bates DM, Watts DG (1988). Nonlinear Regression Analysis and Its Applications,
       ch. 2 (linear approximation inference). Wiley. doi:10.1002/9780470316757.
    .. [2] Gelman A, Carlin JB, Stern HS, Dunson DB, Vehtari A, Rubin DB (2013). Bayesian
       Data Analysis, 3rd ed., §4.1 (normal approximation to the posterior). CRC Press.
    .. [3] JCGM 101:2008. Evaluation of measurement data — Supplement 1 to the "Guide to
       the expression of uncertainty in measurement" — Propagation of distributions
       using a Monte Carlo method. BIPM.

    Examples
    --------
    >>> from exoderm.simulate.scenario import build_scenario
    >>> out = scenario_intervals(build_scenario(model="wound", dose=1e12, schedule=(0, 7)),
    ...                          draws=20)
    >>> band = out.endpoints["closure_difference_day14_pp"]
    >>> control = out.headline[0].control
    >>> band.low <= band.value <= band.high, control.low == control.high
    (True, True)
    """
    sets = [_optimum(), *fitted_draws(draws, seed, covariance_scale)]
    runs = _RUNNERS[scenario.model](scenario, sets, assumed_draws(scenario, draws, seed))
    endpoints = {k: _band(v) for k, v in runs.endpoints.items()}
    headline = []
    for key, (quantity, unit) in HEADLINE[scenario.model].items():
        treated, control = runs.headline[key]
        headline.append(
            HeadlineBand(
                key=key,
                quantity=quantity,
                unit=unit,
                treated=_band(treated),
                control=_band(control),
                difference=_band(treated - control),
            )
        )
    return PredictionIntervals(draws=draws, seed=seed, endpoints=endpoints, headline=headline)
