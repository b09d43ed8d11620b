"""SCORAD — SCORing Atopic Dermatitis (clinician use only).

European Task Force on Atopic Dermatitis, Dermatology 1993;186:23 (course material:
http://adserver.sante.univ-nantes.fr/Scorad_Course/Total_score.html)::

    A = extent, % body surface area (0–100, rule of nines)
    B = intensity: erythema, oedema/papulation, oozing/crusts, excoriation,
        lichenification, dryness — each 0–3 (0–18)
    C = itch VAS (0–10) + sleeplessness VAS (0–10)
    SCORAD = A/5 + 7B/2 + C   (0–103);   oSCORAD = A/5 + 7B/2   (0–83)

The extent A is entered directly (``extent_percent``) or per body region as the percent
of that region affected (``<region>.area_percent``), weighted by the rule of nines of the
SCORAD sheet for people aged 2 years or more: head and neck 9 %, each upper limb 9 %,
anterior trunk 18 %, back 18 %, each lower limb 18 %, genitals 1 %. (Under 2 years the
sheet uses head and neck 17 % and each lower limb 12 %; enter A directly then.)

Bands: mild < 25, moderate 25–50, severe > 50 (Kunz et al., Dermatology 1997;195:10,
doi:10.1159/000245677). Responder: SCORAD-35
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
from exoderm.errors import UserInputError

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

#: Rule of nines: the share (%) of the body surface of each region, age 2 years or more.
RULE_OF_NINES: dict[str, float] = {
    "head_neck": 9,
    "upper_limb_left": 9,
    "upper_limb_right": 9,
    "anterior_trunk": 18,
    "back": 18,
    "lower_limb_left": 18,
    "lower_limb_right": 18,
    "genitals": 1,
}
REGION_FIELDS = tuple(f"{region}.area_percent" for region in RULE_OF_NINES)
FIELDS = ("extent_percent", *REGION_FIELDS, *SIGNS, "itch", "sleeplessness")


def extent(inputs: Mapping[str, Any]) -> float:
    """A: the % of the body surface affected, given directly or by region (rule of nines).

    Parameters
    ----------
    inputs
        ``extent_percent`` (0–100), or ``<region>.area_percent`` (0–100 % of that region)
        for some of the regions in :data:`RULE_OF_NINES`; not both.

    Returns
    -------
    float
        The extent A in % of the body surface (0–100).

    References
    ----------
    European Task Force on Atopic Dermatitis (1993). Severity scoring of atopic
    dermatitis: the SCORAD index. Dermatology 186(1):23–31. doi:10.1159/000247298

    Examples
    --------
    >>> extent({"back.area_percent": 50, "head_neck.area_percent": 100})
    18.0
    """
    given = [f for f in REGION_FIELDS if inputs.get(f) not in (None, "")]
    if not given:
        return number(inputs, "extent_percent", 0, 100, step=None)
    if inputs.get("extent_percent") not in (None, ""):
        raise UserInputError(
            "give the extent as a total or by region, not both",
            field="extent_percent",
            expected="extent_percent alone, or the <region>.area_percent items",
        )
    total = sum(
        RULE_OF_NINES[f.split(".")[0]] * number(inputs, f, 0, 100, step=None) / 100 for f in given
    )
    return round(total, 4)


def _band(value: float) -> str:
    if value < 25:
        return "mild"
    return "moderate" if value <= 50 else "severe"


def score(inputs: Mapping[str, Any]) -> InstrumentScore:
    """Score SCORAD; the objective part (oSCORAD) is returned as a component."""
    area = extent(inputs)
    intensity = sum(number(inputs, s, 0, 3) for s in SIGNS)
    symptoms = number(inputs, "itch", 0, 10, step=None) + number(
        inputs, "sleeplessness", 0, 10, step=None
    )
    objective = area / 5 + 7 * intensity / 2
    total = round(objective + symptoms, 4)
    components = {
        "A_extent": area,
        "B_intensity": intensity,
        "C_symptoms": symptoms,
        "oSCORAD": round(objective, 4),
    }
    normalised = {k: inputs[k] for k in FIELDS if k in inputs}
    return InstrumentScore("scorad", total, _band(total), components, normalised)


INSTRUMENT = Instrument(INFO, score, FIELDS)
