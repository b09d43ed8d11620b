"""SBML export (python-libsbml) of each model, with its exosome regimen.

Each model becomes an SBML Level 3 Version 2 document: states are non-constant
parameters driven by rate rules, intermediate quantities are assignment rules, the
exosome exposure E is a state with dE/dt = -k_el E and one event per dose (E += amount),
and Φ = E/(EC50 + E). The formulas are the same equations as the Python right-hand sides
(``wound.py``, ``photoageing.py``, ``atopic.py``); a test integrates the export with
libRoadRunner and compares trajectories with exoderm's integrators.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import libsbml
import numpy as np

from exoderm.simulate.atopic import STATES as AD_STATES
from exoderm.simulate.atopic import DrugEffect
from exoderm.simulate.exposure import Exposure
from exoderm.simulate.photoageing import PhotoageingModel
from exoderm.simulate.wound import WoundModel


@dataclass
class SbmlSpec:
    """A model in SBML terms: states, constants, assignments, rates and doses."""

    model_id: str
    name: str
    time_units_note: str
    initial: dict[str, float]
    constants: dict[str, float]
    assignments: list[tuple[str, str]]
    rates: dict[str, str]
    doses: list[tuple[float, float]] = field(default_factory=list)
    notes: str = ""


def _cubic(key: str, x: str) -> str:
    return f"((({key}1*{x} + {key}2)*{x} + {key}3)*{x} + {key}4)"


def wound_spec(p: Mapping[str, float], y0: np.ndarray) -> SbmlSpec:
    """Waugh & Sherratt 2007 + wound area + exosome hooks (see ``wound.py``)."""
    assignments = [
        ("drive", "theta_wound*Phi"),
        ("alpha_raw", "alpha_slope*log10(H) + alpha_intercept"),
        ("alpha_c", "piecewise(0, alpha_raw < 0, piecewise(1, alpha_raw > 1, alpha_raw))"),
        ("a_eff", "alpha_c*(1 - eps_pol*Phi)"),
        ("crowd", "1 - (k3*(phiI + phiR) + k5*F + k6*C)"),
        ("influx", _cubic("tauK", "T")),
    ]
    rates = {
        "phiI": "a_eff*influx + k1*k2*crowd*phiI - d1*phiI",
        "phiR": "(1 - a_eff)*influx + k1*k2*crowd*phiR - d1*phiR",
        "T": "k4*phiI + k7*F - d2*T + gf_T*Phi",
        "P": "k8*(phiI + phiR) + k9*F - d3*P + gf_P*Phi",
        "F": f"{_cubic('tauM', 'P')}*(1 + drive) + k10*F*crowd - d4*F",
        "C": f"k11*F*{_cubic('tauf', 'T')}*{_cubic('taug', 'C')} - d5*F*C",
        "H": "k12*F - d6*H",
        "W": "-k_close*F*C/(C + K_C)*W",
    }
    return SbmlSpec(
        "exoderm_wound",
        "Waugh & Sherratt 2007 wound healing + exoderm extensions",
        "day",
        dict(zip(WoundModel.state_names, y0.tolist(), strict=True)),
        dict(p),
        assignments,
        rates,
        notes="BioModels MODEL1006230106 / MODEL1006230003 equations; W, hooks: exoderm",
    )


def photo_spec(p: Mapping[str, float], y0: np.ndarray) -> SbmlSpec:
    """The minimal photo-ageing dermis model (see ``photoageing.py``)."""
    assignments = [("drive", "theta_photo*Phi"), ("frag", "Cf/(Ci + Cf)")]
    rates = {
        "ROS": "k_ros*((1 + a_age*age + a_uv*uv)/(1 + w_ros*drive) - ROS)",
        "TNF": "k_tnf*(ROS/(1 + w_tnf*drive) - TNF)",
        "TGF": "k_tgf*((1 + w_tgf*drive)*(1 + c_tgf)/(1 + c_tgf*TNF) - TGF)",
        "MMP1": "k_mmp*(TNF*(1 + c_mmp*frag)/(1 + w_mmp*drive) - MMP1)",
        "PC": "k_pc*(TGF/(1 + c_pc*frag) - PC)",
        "Ci": "s_col*PC - k_deg*MMP1*Ci",
        "Cf": "k_deg*MMP1*Ci - k_clr*Cf",
    }
    return SbmlSpec(
        "exoderm_photoageing",
        "exoderm minimal photo-ageing dermis",
        "day",
        dict(zip(PhotoageingModel.state_names, y0.tolist(), strict=True)),
        dict(p),
        assignments,
        rates,
    )


def ad_spec(p: Mapping[str, float], y0: np.ndarray, drug: DrugEffect) -> SbmlSpec:
    """Miyano 2021 AD QSP with drug-effect vector and exosome hooks (see ``atopic.py``)."""
    consts = dict(p)
    consts.update(
        {
            "vehicle": 1.0 if drug.vehicle else 0.0,
            "de_il4": drug.il4,
            "de_il13": drug.il13,
            "de_il17": drug.il17,
            "de_il22": drug.il22,
            "de_il31": drug.il31,
            "de_tslp": drug.tslp,
            "de_ox40": drug.ox40,
            "de_ifng": drug.ifng_add,
            "de_ea2": drug.ea2,
        }
    )
    assignments = [
        ("exo", "eps_th2*Phi"),
        ("k3_eff", "k3*vehicle + k_cer*Phi"),
        ("eIL4", "(1 - de_il4)*(1 - exo)*IL4"),
        ("eIL13", "(1 - de_il13*de_ea2)*(1 - exo)*IL13"),
        ("eIL17", "(1 - de_il17)*IL17"),
        ("eIL22", "(1 - de_il22)*IL22"),
        ("eIL31", "(1 - de_il31)*IL31"),
        ("eTSLP", "(1 - de_tslp)*TSLP"),
        ("eOX40", "(1 - de_ox40)*OX40L"),
        ("eIFNg", "IFNg + de_ifng"),
        ("inhib", "(1 + b1*eIL4)*(1 + b2*eIL13)*(1 + b3*eIL17)*(1 + b4*eIL22)*(1 + b5*eIL31)"),
        (
            "clear",
            "(1 + d4*p)*(1 + d5*eIL17)*(1 + d6*eIL22)*(1 + d7*eIFNg)"
            "/((1 + b7*eIL4)*(1 + b8*eIL13))",
        ),
        ("den", "4 + k9*eIFNg + k10*eIL4"),
        ("th_out", "d9/(1 + b9*eOX40)"),
        ("EASI", "72*(2*p + 2*(1 - s))/4"),
    ]
    rates = {
        "s": "(1 - s)*(k1 + k2*eIL22 + k3_eff)/inhib - s*(d1*(1 + d3*p) + d2*eIL31)",
        "p": "d8/(1 + b6*s) - p*(clear + d8)",
        "Th1": "k5*p*(1 + k9*eIFNg)/den - th_out*Th1",
        "Th2": "k6*p*(1 + k10*eIL4)/den - th_out*Th2",
        "Th17": "k7*p/den - th_out*Th17",
        "Th22": "k8*p/den - th_out*Th22",
        "IL4": "k11*Th2 + k12 - d10*IL4",
        "IL13": "k13*Th2 + k14 - d11*IL13",
        "IL17": "k15*Th17 + k16 - d12*IL17",
        "IL22": "k17*Th22 + k18 - d13*IL22",
        "IL31": "k19*Th2 + k20 - d14*IL31",
        "IFNg": "k21*Th1 + k22 - d15*IFNg",
        "TSLP": "k23*p + k24 - d16*TSLP",
        "OX40L": "k25*eTSLP + k26 - d17*OX40L",
    }
    return SbmlSpec(
        "exoderm_ad",
        "Miyano, Irvine & Tanaka 2021 AD QSP + exoderm exosome hooks",
        "week",
        dict(zip(AD_STATES, y0.tolist(), strict=True)),
        consts,
        assignments,
        rates,
        notes="doi:10.1111/all.14870; jaimit19/qsp-ad",
    )


def with_exposure(spec: SbmlSpec, exposure: Exposure, row: int, days_per_unit: float) -> SbmlSpec:
    """Attach one patient's regimen: doses at model times, k_el and EC50 in model units."""
    spec.constants["k_el"] = float(np.asarray(exposure.k_el).ravel()[0]) * days_per_unit
    spec.constants["ec50"] = float(np.asarray(exposure.ec50).ravel()[0])
    spec.doses = [
        (float(t) / days_per_unit, float(a))
        for t, a in zip(exposure.times, exposure.amounts[row], strict=True)
        if a > 0
    ]
    return spec


def _check(code: int, what: str) -> None:
    if code != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise RuntimeError(
            f"libsbml: {what} failed ({libsbml.OperationReturnValue_toString(code)})"
        )


def _param(model: Any, pid: str, value: float, constant: bool) -> None:
    par = model.createParameter()
    _check(par.setId(pid), f"id {pid}")
    _check(par.setValue(float(value)), f"value {pid}")
    _check(par.setConstant(constant), f"constant {pid}")


def _math(formula: str) -> Any:
    ast = libsbml.parseL3Formula(formula)
    if ast is None:
        raise RuntimeError(f"libsbml cannot parse {formula!r}: {libsbml.getLastParseL3Error()}")
    return ast


def to_sbml(spec: SbmlSpec) -> str:
    """Serialise a spec as SBML L3V2 text."""
    doc = libsbml.SBMLDocument(3, 2)
    model = doc.createModel()
    model.setId(spec.model_id)
    model.setName(spec.name)
    model.setNotes(
        f'<body xmlns="http://www.w3.org/1999/xhtml"><p>time unit: '
        f"{spec.time_units_note}. {spec.notes}</p></body>"
    )
    for pid, value in spec.constants.items():
        _param(model, pid, value, True)
    for pid, value in spec.initial.items():
        _param(model, pid, value, False)
    e0 = sum(a for t, a in spec.doses if t <= 0.0)
    _param(model, "E", e0, False)
    for pid, _ in [*spec.assignments, ("Phi", "")]:
        _param(model, pid, 0.0, False)
    rule = model.createAssignmentRule()
    rule.setVariable("Phi")
    rule.setMath(_math("E/(ec50 + E)"))
    for pid, formula in spec.assignments:
        rule = model.createAssignmentRule()
        rule.setVariable(pid)
        _check(rule.setMath(_math(formula)), f"assignment {pid}")
    for pid, formula in spec.rates.items():
        rate = model.createRateRule()
        rate.setVariable(pid)
        _check(rate.setMath(_math(formula)), f"rate {pid}")
    rate = model.createRateRule()
    rate.setVariable("E")
    rate.setMath(_math("-k_el*E"))
    for i, (t, amount) in enumerate(d for d in spec.doses if d[0] > 0.0):
        # each later dose is a named constant, so an ensemble varies it without new SBML
        _param(model, f"dose_{i}", amount, True)
        ev = model.createEvent()
        ev.setId(f"dose_{i}")
        ev.setUseValuesFromTriggerTime(True)
        trig = ev.createTrigger()
        trig.setInitialValue(False)
        trig.setPersistent(True)
        trig.setMath(_math(f"time >= {t!r}"))
        ea = ev.createEventAssignment()
        ea.setVariable("E")
        ea.setMath(_math(f"E + dose_{i}"))
    text: str = libsbml.writeSBMLToString(doc)
    return text


def export_scenario(scenario: Any) -> str:
    """SBML for a :class:`~exoderm.simulate.scenario.TreatmentScenario` (treated arm)."""
    from exoderm.simulate.atopic import PLACEBO, ad_parameters
    from exoderm.simulate.calibrated import calibrated_value
    from exoderm.simulate.exposure import exposure_for
    from exoderm.simulate.outcomes import ad_baseline
    from exoderm.simulate.photoageing import photo_parameters, steady_state
    from exoderm.simulate.scenario import ModelName
    from exoderm.simulate.wound import wound_parameters

    ex = exposure_for([scenario], calibrated_value("ec50_ug"))
    if scenario.model is ModelName.wound:
        p = wound_parameters(scenario.diabetic)
        spec = wound_spec(p, WoundModel().initial_state(p, 1)[0])
        return to_sbml(with_exposure(spec, ex, 0, 1.0))
    if scenario.model is ModelName.photoageing:
        p = photo_parameters("photoaged" if scenario.photoaged else "aged")
        return to_sbml(with_exposure(photo_spec(p, steady_state(p)), ex, 0, 1.0))
    p = ad_parameters()
    return to_sbml(with_exposure(ad_spec(p, ad_baseline(p)[0], PLACEBO), ex, 0, 7.0))
