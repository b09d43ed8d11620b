"""Atopic dermatitis: the Miyano, Irvine & Tanaka 2021 QSP model, with exosome hooks.

Re-implemented from the published equations (Allergy 2021, doi:10.1111/all.14870; MIT
code ``jaimit19/qsp-ad:originalPython/AD_QSP_model.py``) with the published point
parameter estimate (``runADmodel.py``). Time in weeks; 14 states (barrier integrity s,
infiltrated pathogens p, Th1/Th2/Th17/Th22 and eight cytokines)::

    ds/dt = (1-s)(k1 + k2 IL22 + k3)/Π(1 + b_i cytokine_i) - s (d1 (1 + d3 p) + d2 IL31)
    dp/dt = k4/(1 + b6 s) - p [(1 + d4 p)(1 + d5 IL17)(1 + d6 IL22)(1 + d7 IFNγ)
                                / ((1 + b7 IL4)(1 + b8 IL13)) + d8]          (k4 = d8)
    dTh1/dt = k5 p (1 + k9 IFNγ)/(4 + k9 IFNγ + k10 IL4) - d9 Th1/(1 + b9 OX40L)
    (Th2, Th17, Th22 alike); cytokines: production by their Th source + basal - decay.
    EASI = 72 (2p + 2(1 - s))/4

Effective cytokine levels are (1 - de)·level for the drug-effect vector ``de``; k3 (vehicle
barrier synthesis) is on only during a treatment period. The baseline is the steady state
after 1000 weeks from the published initial conditions.

Exosome hooks (exoderm's, at the model's own drug-effect and k3 inputs), both
**hypotheses** without a calibration target:
IL-4 and IL-13 suppression de_IL4 = de_IL13 = eps_th2 Φ, and barrier synthesis
k3 -> k3 + k_cer Φ (no published human data show exosomes raising ceramide).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from exoderm.simulate.parameters import Params, load_table

Array = NDArray[np.float64]
TABLE = "miyano2021.json"
STATES: tuple[str, ...] = (
    "s",
    "p",
    "Th1",
    "Th2",
    "Th17",
    "Th22",
    "IL4",
    "IL13",
    "IL17",
    "IL22",
    "IL31",
    "IFNg",
    "TSLP",
    "OX40L",
)
_MODEL_UNITS = "model units (Miyano 2021)"
#: Reader-facing name and unit of each state (the Miyano 2021 model is non-dimensional:
#: barrier integrity and pathogens on 0–1, cells and cytokines in its model units).
STATE_LABELS: dict[str, tuple[str, str]] = {
    "s": ("Skin barrier integrity", "fraction (1 = intact)"),
    "p": ("Infiltrated pathogens", "fraction (0–1)"),
    "Th1": ("Th1 cells", _MODEL_UNITS),
    "Th2": ("Th2 cells", _MODEL_UNITS),
    "Th17": ("Th17 cells", _MODEL_UNITS),
    "Th22": ("Th22 cells", _MODEL_UNITS),
    "IL4": ("IL-4", _MODEL_UNITS),
    "IL13": ("IL-13", _MODEL_UNITS),
    "IL17": ("IL-17", _MODEL_UNITS),
    "IL22": ("IL-22", _MODEL_UNITS),
    "IL31": ("IL-31", _MODEL_UNITS),
    "IFNg": ("IFN-γ", _MODEL_UNITS),
    "TSLP": ("TSLP", _MODEL_UNITS),
    "OX40L": ("OX40L", _MODEL_UNITS),
    "EASI": ("EASI score", "points (0–72)"),
}
#: Reader-facing name and unit of each endpoint of :func:`~.outcomes.predict_ad`.
ENDPOINT_LABELS: dict[str, tuple[str, str]] = {
    "rate_easi50": ("Patients reaching EASI-50 (cohort)", "% of patients"),
    "rate_easi75": ("Patients reaching EASI-75 (cohort)", "% of patients"),
    "easi_baseline": ("EASI at baseline", "points (0–72)"),
    "easi_end": ("EASI at the end, treated", "points (0–72)"),
    "easi_change_pct": ("EASI change from baseline, treated", "%"),
    "easi_change_vehicle_pct": ("EASI change from baseline, vehicle", "%"),
    "barrier_integrity_end": ("Barrier integrity at the end, treated", "fraction (1 = intact)"),
    "barrier_integrity_vehicle_end": (
        "Barrier integrity at the end, vehicle",
        "fraction (1 = intact)",
    ),
    "tewl_change_pct": ("Barrier loss (TEWL proxy) change, treated", "%"),
    "tewl_change_vehicle_pct": ("Barrier loss (TEWL proxy) change, vehicle", "%"),
    "il4_mean_vs_vehicle_pct": ("Effective IL-4 (time-averaged) vs vehicle", "% change"),
    "il13_mean_vs_vehicle_pct": ("Effective IL-13 (time-averaged) vs vehicle", "% change"),
}


@dataclass(frozen=True)
class DrugEffect:
    """The published drug-effect vector: fractional suppression of each cytokine."""

    vehicle: bool = False
    il4: float = 0.0
    il13: float = 0.0
    il17: float = 0.0
    il22: float = 0.0
    il31: float = 0.0
    tslp: float = 0.0
    ox40: float = 0.0
    ifng_add: float = 0.0
    #: IL-13 effect scale: 1 for every published arm except tralokinumab (ea2 = 0.4396).
    ea2: float = 1.0


#: Arms of the published code used as regression references.
DUPILUMAB = DrugEffect(vehicle=True, il4=0.99, il13=0.99)
PLACEBO = DrugEffect(vehicle=True)


def easi(s: Array, p: Array) -> Array:
    """EASI from barrier integrity and pathogens (Miyano 2021)."""
    out: Array = 72.0 * (2.0 * p + 2.0 * (1.0 - s)) / 4.0
    return out


class AtopicModel:
    """Miyano 2021 QSP with a drug-effect vector and exosome hooks, vectorised."""

    name = "ad"
    days_per_time_unit = 7.0
    state_names = STATES

    def __init__(self, drug: DrugEffect = DrugEffect()) -> None:
        self.drug = drug

    def rhs(self, t: float, y: Array, p: Params, phi: Array) -> Array:
        c = [y[:, i] for i in range(14)]
        de = self.drug
        exo = p["eps_th2"] * phi
        k3 = (p["k3"] if de.vehicle else 0.0) + p["k_cer"] * phi
        il4 = (1.0 - de.il4) * (1.0 - exo) * c[6]
        il13 = (1.0 - de.il13 * de.ea2) * (1.0 - exo) * c[7]
        il17 = (1.0 - de.il17) * c[8]
        il22 = (1.0 - de.il22) * c[9]
        il31 = (1.0 - de.il31) * c[10]
        tslp = (1.0 - de.tslp) * c[12]
        ox40 = (1.0 - de.ox40) * c[13]
        ifng = c[11] + de.ifng_add
        inhib = (
            (1 + p["b1"] * il4)
            * (1 + p["b2"] * il13)
            * (1 + p["b3"] * il17)
            * (1 + p["b4"] * il22)
            * (1 + p["b5"] * il31)
        )
        dy = np.empty_like(y)
        s, pa = c[0], c[1]
        dy[:, 0] = (1 - s) * (p["k1"] + p["k2"] * il22 + k3) / inhib - s * (
            p["d1"] * (1 + p["d3"] * pa) + p["d2"] * il31
        )
        clear = (
            (1 + p["d4"] * pa) * (1 + p["d5"] * il17) * (1 + p["d6"] * il22) * (1 + p["d7"] * ifng)
        ) / ((1 + p["b7"] * il4) * (1 + p["b8"] * il13))
        dy[:, 1] = p["d8"] / (1 + p["b6"] * s) - pa * (clear + p["d8"])
        den = 4 + p["k9"] * ifng + p["k10"] * il4
        out = p["d9"] / (1 + p["b9"] * ox40)
        dy[:, 2] = p["k5"] * pa * (1 + p["k9"] * ifng) / den - out * c[2]
        dy[:, 3] = p["k6"] * pa * (1 + p["k10"] * il4) / den - out * c[3]
        dy[:, 4] = p["k7"] * pa / den - out * c[4]
        dy[:, 5] = p["k8"] * pa / den - out * c[5]
        dy[:, 6] = p["k11"] * c[3] + p["k12"] - p["d10"] * c[6]
        dy[:, 7] = p["k13"] * c[3] + p["k14"] - p["d11"] * c[7]
        dy[:, 8] = p["k15"] * c[4] + p["k16"] - p["d12"] * c[8]
        dy[:, 9] = p["k17"] * c[5] + p["k18"] - p["d13"] * c[9]
        dy[:, 10] = p["k19"] * c[3] + p["k20"] - p["d14"] * c[10]
        dy[:, 11] = p["k21"] * c[2] + p["k22"] - p["d15"] * c[11]
        dy[:, 12] = p["k23"] * pa + p["k24"] - p["d16"] * c[12]
        dy[:, 13] = p["k25"] * tslp + p["k26"] - p["d17"] * c[13]
        return dy

    def effective(self, y: Array, p: Params, phi: Array) -> dict[str, Array]:
        """Effective IL-4 and IL-13 (after drug and exosome suppression) at states ``y``."""
        exo = p["eps_th2"] * phi
        return {
            "IL4": (1.0 - self.drug.il4) * (1.0 - exo) * y[..., 6],
            "IL13": (1.0 - self.drug.il13 * self.drug.ea2) * (1.0 - exo) * y[..., 7],
        }

    @staticmethod
    def published_initial_state(p: Params, n: int) -> Array:
        """The published initial conditions of the 1000-week steady-state run."""
        row = [p[f"{name}_init"] for name in STATES]
        return np.tile(np.asarray(row, dtype=float), (n, 1))


def ad_parameters() -> dict[str, float]:
    """The published point estimate plus the exosome hook hypotheses."""
    return load_table(TABLE).values()
