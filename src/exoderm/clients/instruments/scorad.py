"""SCORAD — SCORing Atopic Dermatitis (clinician use only).

European Task Force on Atopic Dermatitis, Dermatology 1993;186:23 (course material:
http://adserver.sante.univ-nantes.fr/Scorad_Course/Total_score.html)::

    A = extent, % body surface area (0–100, rule of nines)
    B = intensity: erythema, oedema/papulation, oozing/crusts, excoriation,
        lichenification, dryness — each 0–3 (0–18)
    C = itch VAS (0–10) + sleeplessness VAS (0–10)
    SCORAD = A/5 + 7B/2 + C   (0–103);   oSCORAD = A/5 + 7B/2   (0–83)

Bands: mild < 25, moderate 25–50, severe > 50 [secondary source]. Responder: SCORAD-35
(percent change; Northwestern/BJD 2021 endpoint review).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exoderm.clients.instruments.base import (
    Direction,
    Instrument,
    InstrumentInfo,
    InstrumentScore,
    Responder,
    number,
)

SIGNS: tuple[str, ...] = (
    "erythema",
    "oedema",
    "oozing",
    "excoriation",
    "lichenification",
    "dryness",
)

INFO = InstrumentInfo(
    code="scorad",
    name="SCORAD",
    measures="extent, intensity and symptoms of atopic dermatitis",
    minimum=0,
    maximum=103,
    unit="points",
    direction=Direction.higher_is_worse,
    source="European Task Force on Atopic Dermatitis, Dermatology 1993;186:23",
    clinician_only=True,
    responders=(Responder("SCORAD-35", percent=35, source="Silverberg et al. 2021, BJD"),),
)

FIELDS = ("extent_percent", *SIGNS, "itch", "sleeplessness")


def _band(value: float) -> str:
    if value < 25:
        return "mild"
    return "moderate" if value <= 50 else "severe"


def score(inputs: Mapping[str, Any]) -> InstrumentScore:
    """Score SCORAD; the objective part (oSCORAD) is returned as a component."""
    extent = number(inputs, "extent_percent", 0, 100, step=None)
    intensity = sum(number(inputs, s, 0, 3) for s in SIGNS)
    symptoms = number(inputs, "itch", 0, 10, step=None) + number(
        inputs, "sleeplessness", 0, 10, step=None
    )
    objective = extent / 5 + 7 * intensity / 2
    total = round(objective + symptoms, 4)
    components = {
        "A_extent": extent,
        "B_intensity": intensity,
        "C_symptoms": symptoms,
        "oSCORAD": round(objective, 4),
    }
    normalised = {k: inputs[k] for k in FIELDS if k in inputs}
    return InstrumentScore("scorad", total, _band(total), components, normalised)


INSTRUMENT = Instrument(INFO, score, FIELDS)
