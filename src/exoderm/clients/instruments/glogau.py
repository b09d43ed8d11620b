"""Glogau photoageing classification, types I–IV (Glogau, Semin Cutan Med Surg 1996).

I mild ("no wrinkles"), II moderate ("wrinkles in motion"), III advanced ("wrinkles at
rest"), IV severe ("only wrinkles"). Descriptors from secondary summaries of the
original; typical ages vary by source and are therefore not used to infer the type.
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

TYPES = {
    1: "I mild: no wrinkles",
    2: "II moderate: wrinkles in motion",
    3: "III advanced: wrinkles at rest",
    4: "IV severe: only wrinkles",
}

INFO = InstrumentInfo(
    code="glogau",
    name="Glogau photoageing type",
    measures="photoageing",
    minimum=1,
    maximum=4,
    unit="type",
    direction=Direction.higher_is_worse,
    source="Glogau RG, Semin Cutan Med Surg 1996;15:134",
)


def score(inputs: Mapping[str, Any]) -> InstrumentScore:
    kind = number(inputs, "type", 1, 4)
    return InstrumentScore("glogau", kind, TYPES[int(kind)], {}, {"type": kind})


INSTRUMENT = Instrument(INFO, score, ("type",))
