"""Fitzpatrick skin phototype from the 10-item self-report questionnaire.

Ten items, each 0–4, in three blocks (genetic disposition, reaction to sun, tanning
habits); the sum maps to a phototype (PubMed 32491558). Two band tables circulate and
disagree, so the raw answers and the band version are always kept:

* ``a``: 0–6 I · 7–13 II · 14–20 III · 21–27 IV · 28–34 V · ≥ 35 VI
* ``b``: 0–7 I · 8–16 II · 17–25 III · 25–30 IV · > 30 V–VI

Version ``b`` overlaps at 25 (III or IV) and does not separate V from VI; we report
the lower type at 25 and V for > 30, and say so in the note, because screening treats
IV–VI alike (PIH risk) while the client's record keeps the raw score for re-banding.
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

ITEMS = tuple(f"q{i}" for i in range(1, 11))
ROMAN = ("I", "II", "III", "IV", "V", "VI")
#: (upper limit inclusive, phototype 1–6)
BANDS: dict[str, tuple[tuple[int, int], ...]] = {
    "a": ((6, 1), (13, 2), (20, 3), (27, 4), (34, 5), (40, 6)),
    "b": ((7, 1), (16, 2), (25, 3), (30, 4), (40, 5)),
}

INFO = InstrumentInfo(
    code="fitzpatrick",
    name="Fitzpatrick phototype questionnaire",
    measures="skin phototype (reaction to sun)",
    minimum=0,
    maximum=40,
    unit="points",
    direction=Direction.higher_is_better,
    source="Fitzpatrick TB 1988; questionnaire bands per PubMed 32491558 (two versions)",
    note="static trait: not used for change from baseline",
    patient_reported=True,
)


def phototype(total: int, version: str) -> tuple[int, str]:
    """The phototype (1–6) for a questionnaire sum under band ``version``, with a note."""
    for upper, kind in BANDS[version]:
        if total <= upper:
            note = ""
            if version == "b" and total == 25:
                note = "version b overlaps at 25 (III or IV); reported as III"
            if version == "b" and kind == 5:
                note = "version b does not separate V from VI; reported as V"
            return kind, note
    raise AssertionError("bands cover 0–40")


def score(inputs: Mapping[str, Any]) -> InstrumentScore:
    answers = {item: number(inputs, item, 0, 4) for item in ITEMS}
    version = choice(inputs, "band_version", ("a", "b"), "a")
    total = int(sum(answers.values()))
    kind, note = phototype(total, version)
    normalised: dict[str, Any] = {**answers, "band_version": version}
    components: dict[str, float] = {"phototype": kind}
    return InstrumentScore("fitzpatrick", total, ROMAN[kind - 1], components, normalised, note)


INSTRUMENT = Instrument(INFO, score, (*ITEMS, "band_version"))
