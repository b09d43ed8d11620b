"""Direction checks: the sign of each exosome effect at every dose tested, monotone in dose.

Expected directions (MMP-1 goes down with exosomes: Hu et al. 2019, PMC7032013):

* photo-ageing: MMP-1, TNF-α and ROS down; procollagen I and TGF-β up (Hu 2019,
  PMC7032013; Oh 2018; PMC7329484; Liang 2020). **MMP-1 down**, against the whitepaper.
* atopic dermatitis: effective IL-4 and IL-13 down, EASI down, barrier integrity up.
* wound: time to 95 % closure shorter.

Each quantity is compared with the untreated arm at every dose, and successive doses must
move it further in the same direction.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from exoderm.simulate.outcomes import predict_outcomes
from exoderm.simulate.scenario import build_scenario

#: Doses tested (particles per administration; 3.3, 33, 333 and 3333 µg at 3e10 p/µg).
DOSES: tuple[float, ...] = (1e11, 1e12, 1e13, 1e14)

#: (model, endpoint, expected sign of the change, description)
CHECKS: tuple[tuple[str, str, int, str], ...] = (
    ("photoageing", "mmp1_mean_change_pct", -1, "MMP-1"),
    ("photoageing", "tnf_alpha_mean_change_pct", -1, "TNF-alpha"),
    ("photoageing", "ros_mean_change_pct", -1, "ROS"),
    ("photoageing", "procollagen_i_mean_change_pct", +1, "procollagen I"),
    ("photoageing", "tgf_beta_mean_change_pct", +1, "TGF-beta"),
    ("ad", "il4_mean_vs_vehicle_pct", -1, "effective IL-4 vs vehicle"),
    ("ad", "il13_mean_vs_vehicle_pct", -1, "effective IL-13 vs vehicle"),
    ("ad", "easi_vs_vehicle", -1, "EASI at end vs vehicle"),
    ("ad", "barrier_vs_vehicle", +1, "barrier integrity at end vs vehicle"),
    ("wound", "t95_vs_control_days", -1, "time to 95 % closure vs control (normal)"),
    ("wound-diabetic", "closure_day14_vs_control", +1, "closure at day 14 vs control (diabetic)"),
)

SCHEDULES: dict[str, tuple[float, ...]] = {
    "photoageing": tuple(float(d) for d in range(0, 28, 7)),
    "ad": tuple(float(d) for d in range(0, 112, 7)),
    "wound": (0.0, 7.0, 14.0),
    "wound-diabetic": (0.0, 7.0, 14.0),
}


@lru_cache(maxsize=64)
def _cached_endpoints(model: str, dose: float) -> tuple[tuple[str, float], ...]:
    return tuple(_endpoints(model, dose).items())


def _endpoints(model: str, dose: float) -> dict[str, float]:
    base = "wound" if model.startswith("wound") else model
    sc = build_scenario(
        model=base,
        dose=dose,
        unit="particles",
        route="injection",
        schedule=SCHEDULES[model],
        diabetic=model == "wound-diabetic",
    )
    ep = dict(predict_outcomes(sc).endpoints)
    if base == "ad":
        ep["easi_vs_vehicle"] = ep["easi_end"] - ep["easi_baseline"] * (
            1 + ep["easi_change_vehicle_pct"] / 100
        )
        ep["barrier_vs_vehicle"] = ep["barrier_integrity_end"] - ep["barrier_integrity_vehicle_end"]
    if base == "wound":
        ep["t95_vs_control_days"] = (
            ep["time_to_95_closure_days"] - ep["time_to_95_closure_control_days"]
        )
        ep["closure_day14_vs_control"] = ep["closure_difference_day14_pp"]
    return ep


def direction_table(doses: tuple[float, ...] = DOSES) -> dict[tuple[str, str], list[float]]:
    """The change of every checked quantity at every dose."""
    cache: dict[tuple[str, float], dict[str, float]] = {}
    table: dict[tuple[str, str], list[float]] = {}
    for model, key, _, _ in CHECKS:
        for d in doses:
            if (model, d) not in cache:
                cache[(model, d)] = dict(_cached_endpoints(model, d))
        table[(model, key)] = [cache[(model, d)][key] for d in doses]
    return table


def direction_checks(doses: tuple[float, ...] = DOSES) -> list[dict[str, Any]]:
    """Validation rows: right sign at every dose and strictly monotone in dose."""
    table = direction_table(doses)
    rows = []
    for model, key, sign, label in CHECKS:
        values = np.asarray(table[(model, key)])
        signs_ok = bool(np.all(np.sign(values) == sign))
        mono_ok = bool(np.all(sign * np.diff(values) > 0))
        rows.append(
            {
                "id": f"D-{model}-{key}",
                "quantity": f"{model}: {label} {'down' if sign < 0 else 'up'} at doses "
                f"{', '.join(f'{d:.0e}' for d in doses)} particles, monotone",
                "target": "all " + ("< 0" if sign < 0 else "> 0") + ", monotone",
                "model": ", ".join(f"{v:.3g}" for v in values),
                "result": "pass" if signs_ok and mono_ok else "fail",
                "source": "Hu 2019 PMC7032013"
                if model == "photoageing"
                else "expected direction of the treated arm",
            }
        )
    return rows
