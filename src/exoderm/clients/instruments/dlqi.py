"""DLQI — Dermatology Life Quality Index (Finlay & Khan, Clin Exp Dermatol 1994;19:210).

Ten items, each 0–3; total 0–30. Bands used in adult atopic dermatitis: 0–5 mild, 6–10
moderate, 11–30 severe (PMC5906166). Minimal clinically important difference: 4 points
(Basra et al., Dermatology 2015;230:27).
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
)

ITEMS = tuple(f"q{i}" for i in range(1, 11))
BANDS = ((5, "mild"), (10, "moderate"), (30, "severe"))

INFO = InstrumentInfo(
    code="dlqi",
    name="DLQI",
    measures="skin-related quality of life",
    minimum=0,
    maximum=30,
    unit="points",
    direction=Direction.higher_is_worse,
    source="Finlay & Khan, Clin Exp Dermatol 1994;19:210",
    patient_reported=True,
    responders=(Responder("MCID 4", absolute=4, source="Basra et al., Dermatology 2015;230:27"),),
)


def score(inputs: Mapping[str, Any]) -> InstrumentScore:
    answers = {item: number(inputs, item, 0, 3) for item in ITEMS}
    total = sum(answers.values())
    return InstrumentScore("dlqi", total, band(total, BANDS), {}, dict(answers))


INSTRUMENT = Instrument(INFO, score, ITEMS)
