"""The public question: what would this formulation and regimen do?

:func:`predict_outcomes` runs the chosen model for a :class:`TreatmentScenario` and for the
same scenario without exosomes (control / vehicle), and returns an :class:`OutcomeSummary`
of endpoints and time courses. Design and personalisation call this; the CLI prints it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from exoderm.simulate.atopic import PLACEBO, AtopicModel, ad_parameters, easi
from exoderm.simulate.calibrated import calibrated_value
from exoderm.simulate.endpoints import percent_change, time_to_fraction, value_at
from exoderm.simulate.exposure import Exposure, exposure_for
from exoderm.simulate.integrate import Trajectory, solve_rk4, solve_stacked
from exoderm.simulate.photoageing import PhotoageingModel, photo_parameters
from exoderm.simulate.scenario import ModelName, TreatmentScenario
from exoderm.simulate.wound import WoundModel, alpha, wound_parameters

Array = NDArray[np.float64]
WOUND_DT = 0.05
PHOTO_DT = 0.05


@dataclass(frozen=True)
class OutcomeSummary:
    """Endpoints (treated, control and their difference) plus the time courses."""

    scenario: TreatmentScenario
    endpoints: dict[str, float]
    times: Array
    treated: dict[str, Array] = field(repr=False)
    control: dict[str, Array] = field(repr=False)
    time_unit: str = "day"

    def as_dict(self) -> dict[str, Any]:
        """Endpoints as plain values; NaN (endpoint not reached) becomes ``None``."""
        clean = {k: (None if np.isnan(v) else v) for k, v in self.endpoints.items()}
        return {"model": self.scenario.model.value, **clean}


def _ec50() -> float:
    return calibrated_value("ec50_ug")


def _arms(scenario: TreatmentScenario) -> Exposure:
    return exposure_for([scenario.untreated(), scenario], _ec50())


def _record(duration: float, step: float) -> Array:
    return np.round(np.arange(0.0, duration + step / 2, step), 10)


def predict_wound(scenario: TreatmentScenario) -> OutcomeSummary:
    """Waugh 2007 wound (normal or diabetic) with and without the exosome regimen."""
    model = WoundModel()
    p = wound_parameters(scenario.diabetic)
    times = _record(scenario.duration, 0.1)
    tr = solve_rk4(model, p, model.initial_state(p, 2), _arms(scenario), times, WOUND_DT)
    w, c = tr.state("W"), tr.state("C")
    t95 = time_to_fraction(times, w)
    closure = 100.0 * (1.0 - w)
    ep = {
        "time_to_95_closure_days": float(t95[1]),
        "time_to_95_closure_control_days": float(t95[0]),
        "closure_day7_pct": float(value_at(times, closure, 7.0)[1]),
        "closure_day14_pct": float(value_at(times, closure, 14.0)[1]),
        "closure_difference_day7_pp": float(np.diff(value_at(times, closure, 7.0))[0]),
        "closure_difference_day14_pp": float(np.diff(value_at(times, closure, 14.0))[0]),
        "collagen_change_pct": float(percent_change(c[1, -1], c[0, -1])),
    }
    return _summary(scenario, ep, tr, extra={"alpha": alpha(p, tr.state("H"))})


def predict_photoageing(scenario: TreatmentScenario) -> OutcomeSummary:
    """Photo-ageing dermis (photoaged or intrinsically aged) with and without exosomes.

    Mediator endpoints are time-averaged over the simulation (they follow E(t) within
    days); collagen is read at the end.
    """
    model = PhotoageingModel()
    p = photo_parameters("photoaged" if scenario.photoaged else "aged")
    times = _record(scenario.duration, 1.0)
    tr = solve_rk4(model, p, model.initial_state(p, 2), _arms(scenario), times, PHOTO_DT)
    ep: dict[str, float] = {}
    for name, label in [
        ("MMP1", "mmp1"),
        ("TNF", "tnf_alpha"),
        ("ROS", "ros"),
        ("TGF", "tgf_beta"),
        ("PC", "procollagen_i"),
    ]:
        x = tr.state(name).mean(axis=1)  # time-averaged: the mediators follow E(t)
        ep[f"{label}_mean_change_pct"] = float(percent_change(x[1], x[0]))
    ci_end = tr.state("Ci")[:, -1]
    ep["collagen_change_pct"] = float(percent_change(ci_end[1], ci_end[0]))
    ci, cf = tr.state("Ci")[:, -1], tr.state("Cf")[:, -1]
    ep["collagen_deposition_pct"] = float(100.0 * ci[1])
    ep["fragmented_fraction"] = float(cf[1] / (ci[1] + cf[1]))
    return _summary(scenario, ep, tr)


def ad_baseline(p: dict[str, Any], n: int = 1) -> Array:
    """Miyano 2021 baseline: 1000 weeks from the published initial conditions."""
    model = AtopicModel()
    y0 = model.published_initial_state(p, n)
    tr = solve_stacked(model, p, y0, Exposure.none(n), np.array([0.0, 1000.0]))
    return tr.final


def predict_ad(scenario: TreatmentScenario) -> OutcomeSummary:
    """AD QSP: vehicle (k3 on, the published placebo arm) with and without exosomes."""
    model = AtopicModel(PLACEBO)
    p = ad_parameters()
    y0 = np.tile(ad_baseline(p), (2, 1))
    weeks = _record(scenario.duration / 7.0, 0.1)
    ex = _arms(scenario)
    tr = solve_stacked(model, p, y0, ex, weeks)
    s, pa = tr.state("s"), tr.state("p")
    e = easi(s, pa)
    change = percent_change(e[:, -1], e[:, 0])
    tewl = percent_change(1.0 - s[:, -1], 1.0 - s[:, 0])
    phi = np.stack([_phi_at(ex, 7.0 * w) for w in weeks], axis=1)
    eff = model.effective(tr.states, p, phi)
    eff_vehicle = model.effective(tr.states, p, np.zeros_like(phi))
    ep = {
        "easi_baseline": float(e[1, 0]),
        "easi_end": float(e[1, -1]),
        "easi_change_pct": float(change[1]),
        "easi_change_vehicle_pct": float(change[0]),
        "barrier_integrity_end": float(s[1, -1]),
        "barrier_integrity_vehicle_end": float(s[0, -1]),
        "tewl_change_pct": float(tewl[1]),
        "tewl_change_vehicle_pct": float(tewl[0]),
        "il4_mean_vs_vehicle_pct": float(
            percent_change(eff["IL4"][1].mean(), eff_vehicle["IL4"][0].mean())
        ),
        "il13_mean_vs_vehicle_pct": float(
            percent_change(eff["IL13"][1].mean(), eff_vehicle["IL13"][0].mean())
        ),
    }
    return _summary(scenario, ep, tr, time_unit="week", extra={"EASI": e})


def _phi_at(ex: Exposure, day: float) -> Array:
    return ex.effect(day, day)


def _summary(
    scenario: TreatmentScenario,
    endpoints: dict[str, float],
    tr: Trajectory,
    time_unit: str = "day",
    extra: dict[str, Array] | None = None,
) -> OutcomeSummary:
    series = {name: tr.state(name) for name in tr.state_names}
    series.update(extra or {})
    return OutcomeSummary(
        scenario,
        endpoints,
        tr.times,
        treated={k: v[1] for k, v in series.items()},
        control={k: v[0] for k, v in series.items()},
        time_unit=time_unit,
    )


def predict_outcomes(scenario: TreatmentScenario) -> OutcomeSummary:
    """Expected outcome of a formulation and regimen (the simulator's public question)."""
    if scenario.model is ModelName.wound:
        return predict_wound(scenario)
    if scenario.model is ModelName.photoageing:
        return predict_photoageing(scenario)
    return predict_ad(scenario)
