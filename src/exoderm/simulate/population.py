"""Virtual populations: sampled parameters -> outcome distributions, vectorised.

No published source gives between-patient distributions for the Waugh 2007
parameters, and the Miyano 2021 ``mu.csv``/``sigma.csv`` are not available to exoderm, so
variability is an **assumption**: selected rate constants are log-normal around their
literature value with coefficient of variation ``cv`` (default 0.2), and the delivered
dose has its own log-normal variability (``dose_cv``, default 0.3, for application and
penetration). Results are medians and 90 % intervals (5th–95th percentiles).

Wound cohorts run on the compiled engine (:mod:`exoderm.simulate.wound_compiled`): every
core, one patient at a time, only the endpoints kept, sampled in chunks of :data:`CHUNK`
(:func:`stream_wound_cohort`), so a million patients over 60 days take under a minute in
bounded memory. The other models are one ODE system with a patient axis
(:mod:`exoderm.simulate.integrate`); :func:`dose_sweep` spreads several cohorts over Dask
workers when asked.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from exoderm.simulate.atopic import PLACEBO, AtopicModel, ad_parameters, easi
from exoderm.simulate.calibrated import calibrated_value
from exoderm.simulate.endpoints import percent_change, time_to_fraction, value_at
from exoderm.simulate.exposure import (
    Exposure,
    bioavailable_fraction,
    layer_values,
    scenario_dose_ug,
)
from exoderm.simulate.integrate import solve_each, solve_rk4, solve_stacked
from exoderm.simulate.photoageing import PhotoageingModel, photo_parameters, steady_state
from exoderm.simulate.scenario import ModelName, TreatmentScenario
from exoderm.simulate.wound import WoundModel, wound_parameters
from exoderm.simulate.wound_compiled import OUTSIDE, wound_endpoints_compiled

Array = NDArray[np.float64]
#: Patients sampled and integrated together in a wound cohort; bounds the working memory.
CHUNK = 65_536

#: Parameters given between-patient variability (assumption; see module docstring).
VARIED: dict[ModelName, tuple[str, ...]] = {
    ModelName.wound: ("k_close", "k10", "d1", "k11", "d4"),
    ModelName.photoageing: ("a_age", "s_col", "k_deg"),
    ModelName.ad: ("k1", "d1", "k6", "k11", "k13", "d8", "k_cer"),
}


def lognormal(
    base: dict[str, Any], names: Sequence[str], cv: float, n: int, rng: np.random.Generator
) -> dict[str, Any]:
    """Copy ``base`` with ``names`` replaced by log-normal draws of mean value and CV ``cv``."""
    sigma = np.sqrt(np.log1p(cv**2))
    out = dict(base)
    for name in names:
        out[name] = base[name] * np.exp(sigma * rng.standard_normal(n) - sigma**2 / 2)
    return out


def patient_exposure(
    scenario: TreatmentScenario, n: int, dose_cv: float, rng: np.random.Generator
) -> Exposure:
    """Per-patient delivered amounts (log-normal around the scenario's) at shared times."""
    layer = layer_values()
    amount = scenario_dose_ug(scenario, layer) * bioavailable_fraction(scenario)
    times = np.asarray(scenario.schedule, dtype=float)
    sigma = np.sqrt(np.log1p(dose_cv**2))
    factor = np.exp(sigma * rng.standard_normal(n) - sigma**2 / 2)
    return Exposure(
        times,
        np.outer(amount * factor, np.ones(len(times))),
        layer["k_el"],
        calibrated_value("ec50_ug"),
    )


@dataclass(frozen=True)
class WoundCohortInput:
    """Everything needed to integrate a wound cohort (so two methods can share it)."""

    params: dict[str, Any]
    exposure: Exposure
    times: Array


def wound_cohort_input(
    scenario: TreatmentScenario,
    n: int,
    seed: int | Sequence[int] = 0,
    cv: float = 0.2,
    dose_cv: float = 0.3,
) -> WoundCohortInput:
    """Sample a wound cohort for ``scenario`` (reproducible for a given seed)."""
    rng = np.random.default_rng(seed)
    p = lognormal(wound_parameters(scenario.diabetic), VARIED[ModelName.wound], cv, n, rng)
    ex = patient_exposure(scenario, n, dose_cv, rng)
    times = np.round(np.arange(0.0, scenario.duration + 0.05, 0.1), 10)
    return WoundCohortInput(p, ex, times)


def wound_endpoints(
    inp: WoundCohortInput,
    method: str = "rk4",
    dt: float = 0.05,
    rtol: float = 1e-8,
    atol: float = 1e-10,
) -> dict[str, Array]:
    """Per-patient wound endpoints: compiled RK4, vectorised RK4 or the per-patient reference.

    ``method`` is ``compiled`` (:mod:`exoderm.simulate.wound_compiled`), ``rk4`` (numpy,
    the patient axis as one system) or ``solve_ivp`` (LSODA per patient, the reference).
    """
    if method == "compiled":
        return wound_endpoints_compiled(inp.params, inp.exposure, float(inp.times[-1]), dt)
    model = WoundModel()
    n = inp.exposure.n
    y0 = model.initial_state(inp.params, n)
    if method == "rk4":
        tr = solve_rk4(model, inp.params, y0, inp.exposure, inp.times, dt, states=["W", "C"])
    elif method == "solve_ivp":
        tr = solve_each(
            model, inp.params, y0, inp.exposure, inp.times, rtol, atol, states=["W", "C"]
        )
    else:
        raise ValueError(f"unknown method {method!r}")
    w, c = tr.state("W"), tr.state("C")
    closure = 100.0 * (1.0 - w)
    return {
        "time_to_95_closure_days": time_to_fraction(inp.times, w),
        "closure_day7_pct": value_at(inp.times, closure, 7.0),
        "closure_day14_pct": value_at(inp.times, closure, 14.0),
        "collagen_end": c[:, -1],
    }


def stream_wound_cohort(
    scenario: TreatmentScenario,
    n: int,
    seed: int = 0,
    cv: float = 0.2,
    dose_cv: float = 0.3,
    chunk: int = CHUNK,
) -> Iterator[dict[str, Array]]:
    """Endpoints of ``n`` virtual wound patients, one chunk at a time (memory bounded).

    Chunk ``c`` draws its patients from ``default_rng(seed)`` for ``c = 0`` and from
    ``default_rng([seed, c])`` after, so a seed gives the same cohort every time and a
    cohort of at most ``chunk`` patients is the one :func:`wound_cohort_input` draws.

    Parameters
    ----------
    scenario : TreatmentScenario
        A wound scenario.
    n : int
        Virtual patients.
    seed : int
        Seed of the draws.
    cv, dose_cv : float
        Between-patient coefficients of variation of the varied rate constants and of the
        delivered dose (assumptions; see the module docstring).
    chunk : int
        Patients per chunk.

    Yields
    ------
    dict of str to ndarray
        The chunk's endpoints (:data:`~exoderm.simulate.wound_compiled.ENDPOINTS`).

    References
    ----------
    .. [1] Waugh, H.V. & Sherratt, J.A. (2007). Modeling the effects of treating diabetic
       wounds with engineered skin substitutes. Wound Repair Regen 15(4), 556-565.

    Examples
    --------
    >>> from exoderm.simulate.scenario import build_scenario
    >>> sc = build_scenario(model="wound", dose=1e12, schedule=(0, 7), duration_days=30)
    >>> [len(c["collagen_end"]) for c in stream_wound_cohort(sc, 5, chunk=2)]
    [2, 2, 1]
    """
    for c, start in enumerate(range(0, n, chunk)):
        chunk_seed: int | list[int] = seed if c == 0 else [seed, c]
        inp = wound_cohort_input(scenario, min(chunk, n - start), chunk_seed, cv, dose_cv)
        yield wound_endpoints(inp, "compiled")


def _wound_cohort(
    scenario: TreatmentScenario, n: int, seed: int, cv: float, dose_cv: float
) -> dict[str, Array]:
    """Endpoints of the patients the model describes, and the share it does not."""
    chunks = list(stream_wound_cohort(scenario, n, seed, cv, dose_cv))
    outside = np.concatenate([c[OUTSIDE] for c in chunks]) > 0.0
    out = {
        name: np.concatenate([c[name] for c in chunks])[~outside]
        for name in chunks[0]
        if name != OUTSIDE
    }
    out["rate_outside_model"] = np.array([100.0 * outside.mean()])
    return out


def summarise(values: Array) -> dict[str, float]:
    """Median and 90 % interval; ``n_missing`` counts NaN (e.g. never 95 % closed)."""
    ok = values[np.isfinite(values)]
    if ok.size == 0:
        return {
            "median": float("nan"),
            "p05": float("nan"),
            "p95": float("nan"),
            "n_missing": int(values.size),
        }
    p05, med, p95 = np.percentile(ok, [5, 50, 95])
    return {
        "median": float(med),
        "p05": float(p05),
        "p95": float(p95),
        "n_missing": int(values.size - ok.size),
    }


def cohort(
    scenario: TreatmentScenario, n: int = 1000, seed: int = 0, cv: float = 0.2, dose_cv: float = 0.3
) -> dict[str, dict[str, float]]:
    """Outcome distributions (median, 90 % interval) of ``n`` virtual patients."""
    if scenario.model is ModelName.wound:
        ep = _wound_cohort(scenario, n, seed, cv, dose_cv)
    elif scenario.model is ModelName.photoageing:
        ep = _photo_cohort(scenario, n, seed, cv, dose_cv)
    else:
        ep = _ad_cohort(scenario, n, seed, cv, dose_cv)
    out = {name: summarise(v) for name, v in ep.items() if not name.startswith("rate_")}
    out.update(
        {name: {"rate_pct": float(v[0])} for name, v in ep.items() if name.startswith("rate_")}
    )
    return out


def _photo_cohort(
    scenario: TreatmentScenario, n: int, seed: int, cv: float, dose_cv: float
) -> dict[str, Array]:
    rng = np.random.default_rng(seed)
    base = photo_parameters("photoaged" if scenario.photoaged else "aged")
    p = lognormal(base, VARIED[ModelName.photoageing], cv, n, rng)
    ex = patient_exposure(scenario, n, dose_cv, rng)
    y0 = np.array(
        [
            steady_state({k: (v[i] if isinstance(v, np.ndarray) else v) for k, v in p.items()})
            for i in range(n)
        ]
    )
    model = PhotoageingModel()
    tr = solve_rk4(model, p, y0, ex, np.array([0.0, scenario.duration]), 0.05)
    end, start = tr.states[:, -1, :], tr.states[:, 0, :]
    ci = PhotoageingModel.state_names.index("Ci")
    return {
        "collagen_change_pct": percent_change(end[:, ci], start[:, ci]),
        "collagen_deposition_pct": 100.0 * end[:, ci],
    }


def _ad_cohort(
    scenario: TreatmentScenario, n: int, seed: int, cv: float, dose_cv: float
) -> dict[str, Array]:
    rng = np.random.default_rng(seed)
    p = lognormal(ad_parameters(), VARIED[ModelName.ad], cv, n, rng)
    ex = patient_exposure(scenario, n, dose_cv, rng)
    base = solve_stacked(
        AtopicModel(),
        p,
        AtopicModel.published_initial_state(p, n),
        Exposure.none(n),
        np.array([0.0, 1000.0]),
        rtol=1e-6,
        atol=1e-9,
    ).final
    weeks = np.array([0.0, scenario.duration / 7.0])
    tr = solve_stacked(AtopicModel(PLACEBO), p, base, ex, weeks, rtol=1e-6, atol=1e-9)
    e = easi(tr.state("s"), tr.state("p"))
    improvement = 100.0 * (e[:, 0] - e[:, -1]) / e[:, 0]
    s = tr.state("s")
    return {
        "easi_change_pct": -improvement,
        "tewl_change_pct": percent_change(1.0 - s[:, -1], 1.0 - s[:, 0]),
        "rate_easi50": np.array([100.0 * np.mean(improvement >= 50.0)]),
        "rate_easi75": np.array([100.0 * np.mean(improvement >= 75.0)]),
    }


def dose_sweep(
    scenario: TreatmentScenario,
    doses: Sequence[float],
    n: int = 1000,
    seed: int = 0,
    use_dask: bool = False,
    scheduler: str = "processes",
) -> list[dict[str, Any]]:
    """Cohort summaries for several doses; with ``use_dask`` each dose is a Dask task.

    ``scheduler`` is a Dask scheduler name (``processes``, ``threads``, ``synchronous``);
    with a ``dask.distributed.Client`` active, pass ``"distributed"`` to use the cluster.
    """
    scenarios = [scenario.model_copy(update={"dose": float(d)}) for d in doses]
    if use_dask:
        import dask

        tasks = [dask.delayed(cohort)(sc, n, seed) for sc in scenarios]
        results = list(dask.compute(*tasks, scheduler=scheduler))
    else:
        results = [cohort(sc, n, seed) for sc in scenarios]
    return [{"dose": sc.dose, "summary": r} for sc, r in zip(scenarios, results, strict=True)]
