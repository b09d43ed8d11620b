"""Wound healing: Waugh & Sherratt 2007, extended with a wound-area state and exosome hooks.

Equations (time in days; φ, F in cells/mm³; T, P in pg/mm³; C, H in µg/mm³), from the
SBML of BioModels MODEL1006230106 (model A, normal) / MODEL1006230003 (model B,
diabetic) as in their SBML files (BioModels MODEL1006230106, MODEL1006230003)::

    crowd  = 1 - (k3 (φI + φR) + k5 F + k6 C)
    α      = clip(-0.197 log10 H + 0.4407, 0, 1)          (hyaluronan sets the phenotype)
    dφI/dt = α K(T) + k1 k2 φI crowd - d1 φI
    dφR/dt = (1 - α) K(T) + k1 k2 φR crowd - d1 φR
    dT/dt  = k4 φI + k7 F - d2 T
    dP/dt  = k8 (φI + φR) + k9 F - d3 P
    dF/dt  = M(P) + k10 F crowd - d4 F
    dC/dt  = k11 F f(T) g(C) - d5 F C
    dH/dt  = k12 F - d6 H
    K, M, f, g: cubic polynomials τ1 x³ + τ2 x² + τ3 x + τ4

exoderm extension (not in Waugh & Sherratt 2007; an assumed form, no published source):
the wound area fraction W (1 at wounding)::

    dW/dt  = -k_close F C/(C + K_C) W              (k_close, K_C: assumptions)

Exosome hooks, with Φ ∈ [0, 1) the exosome effect and θ the fitted wound potency
(``calibrated.json``):

* M1 -> M2 shift: α -> α (1 - eps_pol Φ) (eps_pol = 0.5, assumption: at full effect half
  of the incoming inflammatory macrophages are diverted to the repair phenotype);
* growth-factor input: + gf_T Φ into dT/dt and + gf_P Φ into dP/dt, bounded by the
  Waugh 2007 model-C skin-substitute pulse rates (T +0.4, P +1 per day) so that P stays
  in the range where the published cubic M(P) was fitted;
* fibroblast proliferation and recruitment: M(P) -> M(P) (1 + θ Φ), θ fitted to W1. (The logistic
  term k10 F crowd turns negative once the wound is crowded — crowd < 0 from about day 3
  in model A — so scaling k10 would *slow* healing; the hook acts on the PDGF-driven
  source M(P) instead.)

With Φ = 0 the equations are exactly the published ones (tests check the reference
trajectories within 1 %).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from exoderm.simulate.parameters import Params, load_table

Array = NDArray[np.float64]
TABLE = "waugh2007.json"

#: Reader-facing name and unit of each state (units of Waugh & Sherratt 2007; W is the
#: exoderm wound-area extension; ``alpha`` the phenotype fraction the model derives).
STATE_LABELS: dict[str, tuple[str, str]] = {
    "phiI": ("Inflammatory (M1) macrophages", "cells/mm³"),
    "phiR": ("Repair (M2) macrophages", "cells/mm³"),
    "T": ("TGF-β", "pg/mm³"),
    "P": ("PDGF", "pg/mm³"),
    "F": ("Fibroblasts", "cells/mm³"),
    "C": ("Collagen", "µg/mm³"),
    "H": ("Hyaluronan", "µg/mm³"),
    "W": ("Open wound area", "fraction of the initial area"),
    "alpha": ("Share of incoming macrophages that are inflammatory", "fraction"),
}
#: Reader-facing name and unit of each endpoint of :func:`~.outcomes.predict_wound`.
ENDPOINT_LABELS: dict[str, tuple[str, str]] = {
    "time_to_95_closure_days": ("Time to 95 % closure, treated", "days"),
    "time_to_95_closure_control_days": ("Time to 95 % closure, untreated", "days"),
    "closure_day7_pct": ("Wound closed at day 7, treated", "% of the initial area"),
    "closure_day14_pct": ("Wound closed at day 14, treated", "% of the initial area"),
    "closure_difference_day7_pp": ("Closure at day 7, treated − untreated", "percentage points"),
    "closure_difference_day14_pp": (
        "Closure at day 14, treated − untreated",
        "percentage points",
    ),
    "collagen_change_pct": ("Collagen at the end, treated vs untreated", "% change"),
    # cohort endpoints (population.cohort)
    "collagen_end": ("Collagen at the end, treated", "µg/mm³"),
    "rate_outside_model": ("Virtual patients outside the model's domain", "% of patients"),
}


def _cubic(p: Params, key: str, x: Array) -> Array:
    out: Array = ((p[f"{key}1"] * x + p[f"{key}2"]) * x + p[f"{key}3"]) * x + p[f"{key}4"]
    return out


def alpha(p: Params, h: Array) -> Array:
    """Fraction of incoming macrophages that are inflammatory (clipped to [0, 1])."""
    a: Array = np.clip(p["alpha_slope"] * np.log10(h) + p["alpha_intercept"], 0.0, 1.0)
    return a


class WoundModel:
    """Waugh & Sherratt 2007 + wound area W + exosome hooks, vectorised over patients."""

    name = "wound"
    days_per_time_unit = 1.0
    state_names: tuple[str, ...] = ("phiI", "phiR", "T", "P", "F", "C", "H", "W")

    def rhs(self, t: float, y: Array, p: Params, phi: Array) -> Array:
        pI, pR, T, P, F, C, H, W = (y[:, i] for i in range(8))
        drive = p["theta_wound"] * phi
        a = alpha(p, H) * (1.0 - p["eps_pol"] * phi)
        crowd = 1.0 - (p["k3"] * (pI + pR) + p["k5"] * F + p["k6"] * C)
        influx = _cubic(p, "tauK", T)
        prolif = p["k1"] * p["k2"] * crowd
        dy = np.empty_like(y)
        dy[:, 0] = a * influx + prolif * pI - p["d1"] * pI
        dy[:, 1] = (1.0 - a) * influx + prolif * pR - p["d1"] * pR
        dy[:, 2] = p["k4"] * pI + p["k7"] * F - p["d2"] * T + p["gf_T"] * phi
        dy[:, 3] = p["k8"] * (pI + pR) + p["k9"] * F - p["d3"] * P + p["gf_P"] * phi
        dy[:, 4] = _cubic(p, "tauM", P) * (1.0 + drive) + p["k10"] * F * crowd - p["d4"] * F
        dy[:, 5] = p["k11"] * F * _cubic(p, "tauf", T) * _cubic(p, "taug", C) - p["d5"] * F * C
        dy[:, 6] = p["k12"] * F - p["d6"] * H
        dy[:, 7] = -p["k_close"] * F * C / (C + p["K_C"]) * W
        return dy

    def initial_state(self, p: Params, n: int) -> Array:
        """The published initial conditions (model A/B) and an open wound (W = 1)."""
        row = [p["phiI0"], p["phiR0"], p["T0"], p["P0"], p["F0"], p["C0"], p["H0"], 1.0]
        return np.tile(np.asarray(row, dtype=float), (n, 1))


def wound_parameters(diabetic: bool = False, theta: float | None = None) -> dict[str, float]:
    """Literature parameters (normal = model A, diabetic = model B) plus the fitted potency."""
    from exoderm.simulate.calibrated import calibrated_value

    values = load_table(TABLE).values("diabetic" if diabetic else "normal")
    values["theta_wound"] = calibrated_value("theta_wound") if theta is None else theta
    return values
