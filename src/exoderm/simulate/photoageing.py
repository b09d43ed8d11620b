"""Photo-ageing dermis: a minimal ROS → TNF-α → MMP-1 / TGF-β → procollagen → collagen model.

No published ODE model of this pathway is known, so this is a new
minimal model ("Photoageing dermis"; Fisher et al. 2002, Arch Dermatol 138:1462,
doi:10.1001/archderm.138.11.1462) built on
the Fisher/Varani fragmentation feedback loop (PMC2887041). Mediators are normalised to 1
in young, unexposed skin; collagen is the Masson's-trichrome area fraction (0–1), the
quantity Yanuar 2023 reports. Time in days. Equations::

    dROS/dt = k_ros [ (1 + a_age·age + a_uv·uv) / (1 + w_ros θ Φ) - ROS ]
    dTNF/dt = k_tnf [ ROS / (1 + w_tnf θ Φ) - TNF ]
    dTGF/dt = k_tgf [ (1 + w_tgf θ Φ)(1 + c_tgf)/(1 + c_tgf TNF) - TGF ]
    dMMP/dt = k_mmp [ TNF (1 + c_mmp frag) / (1 + w_mmp θ Φ) - MMP ]
    dPC/dt  = k_pc  [ TGF / (1 + c_pc frag) - PC ]
    dCi/dt  = s_col PC - k_deg MMP Ci
    dCf/dt  = k_deg MMP Ci - k_clr Cf            frag = Cf / (Ci + Cf)

Exosome hooks lower ROS, TNF-α and MMP-1 and raise TGF-β (Hu 2019, PMC7032013; Oh 2018;
PMC7329484; Liang 2020). **MMP-1 goes down**: the whitepaper says exosomes result "in
higher MMP-1", which the primary literature contradicts (Hu et al. 2019, PMC7032013:
MSC exosomes lower MMP-1).
Procollagen I rises only through the mediators (lower TNF-α, higher TGF-β), as Hu 2019
describes.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq

from exoderm.simulate.parameters import Params, load_table

Array = NDArray[np.float64]
TABLE = "photoageing.json"
FITTED = ("a_age", "a_uv", "s_col", "theta_photo")

_RELATIVE = "relative to young unexposed skin (= 1)"
#: Reader-facing name and unit of each state (mediators normalised to young, unexposed
#: skin; collagen as the Masson's-trichrome area fraction Yanuar 2023 reports).
STATE_LABELS: dict[str, tuple[str, str]] = {
    "ROS": ("Reactive oxygen species", _RELATIVE),
    "TNF": ("TNF-α", _RELATIVE),
    "TGF": ("TGF-β", _RELATIVE),
    "MMP1": ("MMP-1 (collagenase)", _RELATIVE),
    "PC": ("Procollagen I synthesis", _RELATIVE),
    "Ci": ("Intact collagen", "area fraction (0–1)"),
    "Cf": ("Fragmented collagen", "area fraction (0–1)"),
}
#: Reader-facing name and unit of each endpoint of :func:`~.outcomes.predict_photoageing`.
ENDPOINT_LABELS: dict[str, tuple[str, str]] = {
    "mmp1_mean_change_pct": ("MMP-1 (time-averaged), treated vs untreated", "% change"),
    "tnf_alpha_mean_change_pct": ("TNF-α (time-averaged), treated vs untreated", "% change"),
    "ros_mean_change_pct": (
        "Reactive oxygen species (time-averaged), treated vs untreated",
        "% change",
    ),
    "tgf_beta_mean_change_pct": ("TGF-β (time-averaged), treated vs untreated", "% change"),
    "procollagen_i_mean_change_pct": (
        "Procollagen I (time-averaged), treated vs untreated",
        "% change",
    ),
    "collagen_change_pct": ("Intact collagen at the end, treated vs untreated", "% change"),
    "collagen_deposition_pct": ("Collagen deposition at the end, treated", "% of the area"),
    "fragmented_fraction": ("Fragmented share of collagen at the end, treated", "fraction"),
}


class PhotoageingModel:
    """The minimal photo-ageing dermis model, vectorised over patients."""

    name = "photoageing"
    days_per_time_unit = 1.0
    state_names: tuple[str, ...] = ("ROS", "TNF", "TGF", "MMP1", "PC", "Ci", "Cf")

    def rhs(self, t: float, y: Array, p: Params, phi: Array) -> Array:
        ros, tnf, tgf, mmp, pc, ci, cf = (y[:, i] for i in range(7))
        drive = p["theta_photo"] * phi
        frag = cf / (ci + cf)
        dy = np.empty_like(y)
        ros_in = (1.0 + p["a_age"] * p["age"] + p["a_uv"] * p["uv"]) / (1.0 + p["w_ros"] * drive)
        dy[:, 0] = p["k_ros"] * (ros_in - ros)
        dy[:, 1] = p["k_tnf"] * (ros / (1.0 + p["w_tnf"] * drive) - tnf)
        tgf_in = (1.0 + p["w_tgf"] * drive) * (1.0 + p["c_tgf"]) / (1.0 + p["c_tgf"] * tnf)
        dy[:, 2] = p["k_tgf"] * (tgf_in - tgf)
        mmp_in = tnf * (1.0 + p["c_mmp"] * frag) / (1.0 + p["w_mmp"] * drive)
        dy[:, 3] = p["k_mmp"] * (mmp_in - mmp)
        dy[:, 4] = p["k_pc"] * (tgf / (1.0 + p["c_pc"] * frag) - pc)
        cleave = p["k_deg"] * mmp * ci
        dy[:, 5] = p["s_col"] * pc - cleave
        dy[:, 6] = cleave - p["k_clr"] * cf
        return dy

    def initial_state(self, p: Params, n: int) -> Array:
        """The untreated steady state of the preset (e.g. aged skin before treatment)."""
        return np.tile(steady_state(p), (n, 1))


def steady_state(p: Params) -> Array:
    """Untreated steady state (scalar parameters), solved exactly.

    With Φ = 0 the mediator equations decouple: ROS* = 1 + a_age·age + a_uv·uv,
    TNF* = ROS*, TGF* = (1 + c_tgf)/(1 + c_tgf TNF*). The fragmented fraction f then
    solves f = r(f)/(1 + r(f)) with r(f) = k_deg MMP(f)/k_clr and
    MMP(f) = TNF* (1 + c_mmp f), a scalar root found by Brent's method; the rest follow.
    """
    ros = 1.0 + p["a_age"] * p["age"] + p["a_uv"] * p["uv"]
    tnf = ros
    tgf = (1.0 + p["c_tgf"]) / (1.0 + p["c_tgf"] * tnf)

    def gap(f: float) -> float:
        r = p["k_deg"] * tnf * (1.0 + p["c_mmp"] * f) / p["k_clr"]
        return float(r / (1.0 + r) - f)

    frag = brentq(gap, 0.0, 1.0, xtol=1e-14)
    mmp = tnf * (1.0 + p["c_mmp"] * frag)
    pc = tgf / (1.0 + p["c_pc"] * frag)
    ci = p["s_col"] * pc / (p["k_deg"] * mmp)
    cf = p["k_deg"] * mmp * ci / p["k_clr"]
    return np.array([ros, tnf, tgf, mmp, pc, ci, cf], dtype=float)


def photo_parameters(
    preset: str = "aged", fitted: dict[str, float] | None = None
) -> dict[str, float]:
    """Parameters of a preset (young / aged / photoaged) with the fitted values applied."""
    from exoderm.simulate.calibrated import calibrated_value

    values = load_table(TABLE).values(preset)
    for name in FITTED:
        values[name] = fitted[name] if fitted and name in fitted else calibrated_value(name)
    return values
