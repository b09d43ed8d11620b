"""ECCA — échelle d'évaluation clinique des cicatrices d'acné (Dréno et al. 2007).

Dermatology 2007;214:46. Six scar types, each graded 0–3 semi-quantitatively, multiplied
by a weight and summed. The weights (V-shaped 15, U-shaped 20, M-shaped 25, superficial
elastolysis 50, hypertrophic < 1 year 25, keloid/hypertrophic > 1 year 45) and the
maximum 540 come from secondary summaries (Clark et al., Am J Clin Dermatol 2018 review)
and are **unverified** against the original paper; the grades and weights below give
exactly that maximum (3 × 180 = 540). Used as the primary outcome of the exosome
acne-scar RCT (Kwon 2020: −32.5 % vs −19.9 %).
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

WEIGHTS: dict[str, int] = {
    "v_shaped": 15,
    "u_shaped": 20,
    "m_shaped": 25,
    "superficial_elastolysis": 50,
    "hypertrophic_recent": 25,
    "keloid_or_hypertrophic_old": 45,
}

INFO = InstrumentInfo(
    code="ecca",
    name="ECCA acne-scar scale",
    measures="atrophic and hypertrophic acne scars",
    minimum=0,
    maximum=540,
    unit="points",
    direction=Direction.higher_is_worse,
    source="Dréno et al., Dermatology 2007;214:46 (weights unverified [U])",
    note="weights unverified against the primary paper; MCID not published",
)


def score(inputs: Mapping[str, Any]) -> InstrumentScore:
    grades = {kind: number(inputs, kind, 0, 3) for kind in WEIGHTS}
    components = {kind: grades[kind] * weight for kind, weight in WEIGHTS.items()}
    return InstrumentScore("ecca", sum(components.values()), None, components, dict(grades))


INSTRUMENT = Instrument(INFO, score, tuple(WEIGHTS))
