"""POSAS 2.0 — Patient and Observer Scar Assessment Scale (observer and patient scales).

Draaijers et al., Plast Reconstr Surg 2004;113:1960; reliability ICC 0.80 (PMC5064192).
Each scale has six items rated 1 (like normal skin) to 10 (worst imaginable); the sum
runs from 6 to 60. The overall-opinion item (1–10) is recorded but not summed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exoderm.clients.instruments.base import (
    Direction,
    Instrument,
    InstrumentInfo,
    InstrumentScore,
    number,
)

OBSERVER_ITEMS = (
    "vascularity",
    "pigmentation",
    "thickness",
    "relief",
    "pliability",
    "surface_area",
)
PATIENT_ITEMS = ("pain", "itch", "colour", "stiffness", "thickness", "irregularity")
SOURCE = "Draaijers et al., Plast Reconstr Surg 2004;113:1960 (POSAS 2.0); PMC5064192"


def _scale(code: str, items: tuple[str, ...]) -> Instrument:
    def score(inputs: Mapping[str, Any]) -> InstrumentScore:
        values = {item: number(inputs, item, 1, 10) for item in items}
        normalised: dict[str, Any] = dict(values)
        components: dict[str, float] = dict(values)
        if inputs.get("overall") is not None:
            normalised["overall"] = number(inputs, "overall", 1, 10)
            components["overall_not_summed"] = normalised["overall"]
        return InstrumentScore(code, sum(values.values()), None, components, normalised)

    info = InstrumentInfo(
        code=code,
        name=f"POSAS {code.split('_')[1]} scale",
        measures="scar quality",
        minimum=6,
        maximum=60,
        unit="points",
        direction=Direction.higher_is_worse,
        source=SOURCE,
        patient_reported=code == "posas_patient",
        note="MCID not found in the source; overall opinion is not part of the sum",
    )
    return Instrument(info, score, (*items, "overall"))


OBSERVER = _scale("posas_observer", OBSERVER_ITEMS)
PATIENT = _scale("posas_patient", PATIENT_ITEMS)
