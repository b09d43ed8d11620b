"""GAIS — Global Aesthetic Improvement Scale (1–5), rated by investigator and by subject.

Narins et al., Dermatol Surg 2003;29:588; descriptors from DocCheck Flexikon
(https://flexikon.doccheck.com/de/Global_Aesthetic_Improvement_Scale): 1 very much
improved, 2 much improved, 3 improved, 4 no change, 5 worse. GAIS already rates change
against the pre-treatment state, so it has no baseline; no validated responder cut-off
exists. (A 0–4 variant circulates; this is the 1–5 form.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exoderm.clients.instruments.base import (
    Direction,
    Instrument,
    InstrumentInfo,
    InstrumentScore,
    choice,
    number,
)

GRADES = ("very much improved", "much improved", "improved", "no change", "worse")

INFO = InstrumentInfo(
    code="gais",
    name="GAIS",
    measures="global aesthetic improvement since treatment began",
    minimum=1,
    maximum=5,
    unit="grade",
    direction=Direction.higher_is_worse,
    source="Narins et al., Dermatol Surg 2003;29:588 (GAIS 1–5)",
    note="rates change itself; no validated cut-offs",
)


def score(inputs: Mapping[str, Any]) -> InstrumentScore:
    grade = number(inputs, "grade", 1, 5)
    rater = choice(inputs, "rater", ("investigator", "subject"), "investigator")
    return InstrumentScore(
        "gais", grade, GRADES[int(grade) - 1], {}, {"grade": grade, "rater": rater}
    )


INSTRUMENT = Instrument(INFO, score, ("grade", "rater"))
