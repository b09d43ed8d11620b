"""vIGA-AD — validated Investigator Global Assessment for atopic dermatitis (0–4).

Simpson et al., J Am Acad Dermatol 2020 (https://usdermed.com/clinical-tools/iga):
0 clear, 1 almost clear, 2 mild, 3 moderate, 4 severe; excoriation is not rated.
Trial success is usually a grade of 0 or 1 together with a drop of at least 2 grades.
Clinician use only.
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

GRADES = ("clear", "almost clear", "mild", "moderate", "severe")

INFO = InstrumentInfo(
    code="viga_ad",
    name="vIGA-AD",
    measures="investigator's global severity of atopic dermatitis",
    minimum=0,
    maximum=4,
    unit="grade",
    direction=Direction.higher_is_worse,
    source="Simpson et al., J Am Acad Dermatol 2020 (vIGA-AD)",
    clinician_only=True,
    responders=(
        Responder(
            "IGA 0/1 with ≥ 2-grade drop",
            absolute=2,
            source="Simpson et al. 2020; usual trial success definition",
        ),
    ),
)


def score(inputs: Mapping[str, Any]) -> InstrumentScore:
    grade = number(inputs, "grade", 0, 4)
    return InstrumentScore("viga_ad", grade, GRADES[int(grade)], {}, {"grade": grade})


INSTRUMENT = Instrument(INFO, score, ("grade",))
