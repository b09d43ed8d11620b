"""The published experiments the calibration targets come from, as simulations.

Each function sets up one experiment of ``data/targets.json`` with a given set of
exosome-effect parameters and returns the model's value for the target. Both the
calibration (:mod:`exoderm.simulate.calibration`) and the validation report
(:mod:`exoderm.simulate.validation`) call them, so what is fitted is what is reported.

Set-ups (assumptions are named):

* **W1/W5** (Liu 2024; Prasai 2022): normal parameter set (model A), a single 100 µg
  adipose-MSC exosome dose by injection at day 0 (assumed representative regimen: the
  meta-analysis pools regimens) vs no dose; closure = 100 (1 - W) at days 7 and 14.
* **P1** (Yanuar 2023): aged preset at its untreated steady state; 0, 1 and 1.5 % HUVEC
  exosome given daily for 28 days (daily application assumed; route details n/f, taken as
  fully bioavailable); collagen deposition = 100 Ci at day 28.
* **P2** (Varani): procollagen I (PC) at steady state, aged over young.
* **F1** (Fligiel 2003): fragmented fraction Cf/(Ci + Cf) at the photoaged steady state.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from exoderm.simulate.exposure import Exposure, layer_values
from exoderm.simulate.integrate import solve_rk4
from exoderm.simulate.parameters import load_table
from exoderm.simulate.photoageing import PhotoageingModel, steady_state
from exoderm.simulate.wound import WoundModel

Array = NDArray[np.float64]

W1_DOSE_UG = 100.0
P1_PERCENT = (0.0, 1.0, 1.5)
P1_DAYS = 28


def photo_values(preset: str, fitted: Mapping[str, float]) -> dict[str, float]:
    """Photo-ageing parameters of ``preset`` with the given fitted values."""
    values = load_table("photoageing.json").values(preset)
    for name in ("a_age", "a_uv", "s_col", "theta_photo"):
        values[name] = float(fitted[name])
    return values


def varani_ratio(fitted: Mapping[str, float]) -> float:
    """P2: procollagen I at steady state, aged : young."""
    pc = PhotoageingModel.state_names.index("PC")
    old = steady_state(photo_values("aged", fitted))[pc]
    young = steady_state(photo_values("young", fitted))[pc]
    return float(old / young)


def photoaged_fragmentation(fitted: Mapping[str, float]) -> float:
    """F1: fragmented collagen fraction at the photoaged steady state."""
    y = steady_state(photo_values("photoaged", fitted))
    return float(y[6] / (y[5] + y[6]))


def yanuar_arms(fitted: Mapping[str, float]) -> Array:
    """P1: collagen deposition (%) after 28 days at 0, 1 and 1.5 % exosome."""
    model = PhotoageingModel()
    p = photo_values("aged", fitted)
    layer = layer_values()
    per_percent = layer["ug_per_percent"] * layer["route_injection"] * layer["source_huvec"]
    times = np.arange(P1_DAYS, dtype=float)
    amounts = np.outer(np.asarray(P1_PERCENT) * per_percent, np.ones(P1_DAYS))
    ex = Exposure(times, amounts, layer["k_el"], float(fitted["ec50_ug"]))
    y0 = np.tile(steady_state(p), (len(P1_PERCENT), 1))
    tr = solve_rk4(model, p, y0, ex, np.array([0.0, float(P1_DAYS)]), 0.1, states=["Ci"])
    out: Array = 100.0 * tr.states[:, -1, 0]
    return out


def wound_closure_difference(fitted: Mapping[str, float], dose_ug: float = W1_DOSE_UG) -> Array:
    """W1/W5: closure (treated - control) in percentage points at days 7 and 14."""
    model = WoundModel()
    p = load_table("waugh2007.json").values("normal")
    p["theta_wound"] = float(fitted["theta_wound"])
    layer = layer_values()
    amount = dose_ug * layer["route_injection"] * layer["source_adipose-msc"]
    ex = Exposure(np.zeros(1), np.array([[0.0], [amount]]), layer["k_el"], float(fitted["ec50_ug"]))
    tr = solve_rk4(
        model, p, model.initial_state(p, 2), ex, np.array([0.0, 7.0, 14.0]), 0.05, states=["W"]
    )
    closure = 100.0 * (1.0 - tr.states[:, 1:, 0])
    diff: Array = closure[1] - closure[0]
    return diff
