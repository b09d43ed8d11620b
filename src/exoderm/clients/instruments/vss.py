"""VSS — Vancouver Scar Scale (Sullivan et al., J Burn Care Rehabil 1990;11:256).

Vascularity 0–3 (normal, pink, red, purple); pigmentation 0–2 (normal, hypo, hyper);
pliability 0–5 (normal, supple, yielding, firm, banding, contracture); height 0–3
(flat … > 5 mm). Total 0–13. Variants with pigmentation 0–3 or pliability 0–4 exist;
this is the original 0–13 form (skinoncology.net summary, secondary source).
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

ITEMS: dict[str, int] = {"vascularity": 3, "pigmentation": 2, "pliability": 5, "height": 3}

INFO = InstrumentInfo(
    code="vss",
    name="Vancouver Scar Scale",
    measures="burn and surgical scar severity",
    minimum=0,
    maximum=13,
    unit="points",
    direction=Direction.higher_is_worse,
    source="Sullivan et al., J Burn Care Rehabil 1990;11:256 (original 0–13 form)",
)


def score(inputs: Mapping[str, Any]) -> InstrumentScore:
    values = {item: number(inputs, item, 0, top) for item, top in ITEMS.items()}
    return InstrumentScore("vss", sum(values.values()), None, values, dict(values))


INSTRUMENT = Instrument(INFO, score, tuple(ITEMS))
