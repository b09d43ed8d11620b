"""DLQI — Dermatology Life Quality Index (Finlay & Khan, Clin Exp Dermatol 1994;19:210).

Ten items, each 0–3 ("not relevant" scores 0, as the published scoring rules say); total
0–30. Score bands (Hongbo et al., J Invest Dermatol 2005;125:659,
doi:10.1111/j.0022-202X.2005.23621.x): 0–1 no effect on the patient's life, 2–5 small,
6–10 moderate, 11–20 very large, 21–30 extremely large effect. Minimal clinically
important difference: 4 points (Basra et al., Dermatology 2015;230:27).
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
#: Hongbo et al. 2005 bands (upper limit inclusive).
BANDS = (
    (1, "no effect"),
    (5, "small effect"),
    (10, "moderate effect"),
    (20, "very large effect"),
    (30, "extremely large effect"),
)

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
