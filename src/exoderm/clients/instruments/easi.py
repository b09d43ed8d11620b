"""EASI — Eczema Area and Severity Index (atopic dermatitis; clinician use only).

Scoring rule (DermNet NZ, http://dermnetnz.org/dermatitis/easi.html; PMC9154300)::

    EASI = Σ_regions  m_r × A_r × (erythema + induration/papulation + excoriation + lichenification)

Each sign is 0–3; half points are allowed only between 1 and 3 (1.5, 2.5, never 0.5),
because any sign present counts as at least mild (Hanifin et al., Dermatitis 2022,
PMC9154300, FAQ). The area grade A_r is 0–6; the region
multiplier m_r is head/neck 0.1, upper limbs 0.2, trunk 0.3, lower limbs 0.4 for
people older than 7 years, and 0.2 / 0.2 / 0.3 / 0.3 for children aged 7 or younger.
Range 0–72. Severity strata: Leshem et al., Br J Dermatol 2015;172:1353
(doi:10.1111/bjd.13662): 0 clear; 0.1–1.0 almost clear; 1.1–7.0 mild; 7.1–21.0
moderate; 21.1–50.0 severe; 50.1–72.0 very severe. Responders: EASI-50 and EASI-75
(percent improvement, Silverberg 2021 BJD 184:888 endpoint review); the absolute MCID
6.6 (Schram 2012) is unverified.
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
    band,
    number,
    region_area,
)
from exoderm.errors import UserInputError

REGIONS: tuple[str, ...] = ("head_neck", "upper_limbs", "trunk", "lower_limbs")
SIGNS: tuple[str, ...] = ("erythema", "induration", "excoriation", "lichenification")
ADULT_MULTIPLIERS = {"head_neck": 0.1, "upper_limbs": 0.2, "trunk": 0.3, "lower_limbs": 0.4}
CHILD_MULTIPLIERS = {"head_neck": 0.2, "upper_limbs": 0.2, "trunk": 0.3, "lower_limbs": 0.3}
#: Leshem et al. 2015 severity strata (upper limit inclusive).
BANDS = (
    (0.0, "clear"),
    (1.0, "almost clear"),
    (7.0, "mild"),
    (21.0, "moderate"),
    (50.0, "severe"),
    (72.0, "very severe"),
)

INFO = InstrumentInfo(
    code="easi",
    name="EASI",
    measures="extent and severity of atopic dermatitis",
    minimum=0,
    maximum=72,
    unit="points",
    direction=Direction.higher_is_worse,
    source="Hanifin et al. 2001 via DermNet NZ (dermnetnz.org/dermatitis/easi.html); "
    "strata Leshem et al. 2015",
    clinician_only=True,
    responders=(
        Responder("EASI-50", percent=50, source="Silverberg et al. 2021, BJD 184:888"),
        Responder("EASI-75", percent=75, source="Silverberg et al. 2021, BJD 184:888"),
        Responder("MCID 6.6", absolute=6.6, source="Schram et al. 2012", verified=False),
    ),
)

FIELDS = (
    "age_years",
    *(f"{r}.{s}" for r in REGIONS for s in SIGNS),
    *(f"{r}.area" for r in REGIONS),
    *(f"{r}.area_percent" for r in REGIONS),
)


SIGN_VALUES = (0.0, 1.0, 1.5, 2.0, 2.5, 3.0)


def sign_score(inputs: Mapping[str, Any], key: str) -> float:
    """A sign's intensity: 0, 1, 1.5, 2, 2.5 or 3 (no 0.5: present means at least mild)."""
    if inputs.get(key) is None:
        raise UserInputError("missing item", field=key, expected="0, 1, 1.5, 2, 2.5 or 3")
    value = number(inputs, key, 0, 3, step=0.5)
    if value not in SIGN_VALUES:
        raise UserInputError(
            "0.5 is not a valid intensity: a sign that is present scores at least 1",
            field=key,
            expected="0, 1, 1.5, 2, 2.5 or 3",
        )
    return value


def score(inputs: Mapping[str, Any]) -> InstrumentScore:
    """Score EASI; ``age_years`` (optional, default adult) picks the child multipliers."""
    age = number(inputs, "age_years", 0, 130, step=None, required=False, default=18)
    multipliers = CHILD_MULTIPLIERS if age <= 7 else ADULT_MULTIPLIERS
    components: dict[str, float] = {}
    normalised: dict[str, Any] = {"age_years": age}
    for region in REGIONS:
        signs = 0.0
        for sign in SIGNS:
            key = f"{region}.{sign}"
            normalised[key] = sign_score(inputs, key)
            signs += normalised[key]
        area = region_area(inputs, region)
        normalised[f"{region}.area"] = area
        components[region] = round(multipliers[region] * area * signs, 4)
    total = round(sum(components.values()), 4)
    return InstrumentScore("easi", total, band(total, BANDS), components, normalised)


INSTRUMENT = Instrument(INFO, score, FIELDS)
