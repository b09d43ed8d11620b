"""Separation and concentration methods with their MISEV2018 recovery/specificity class.

MISEV2018 places each EV separation design on a recovery-versus-specificity grid
(Théry et al. 2018, doi:10.1080/20013078.2018.1535750, section 3; the four classes below
are as commonly summarised from that figure, not yet verified against the paper):

1. high recovery, low specificity: precipitation polymers, low-MWCO ultrafiltration alone;
2. intermediate recovery and specificity: SEC, differential ultracentrifugation,
   filtration + UC;
3. low recovery, high specificity: density gradient, immuno-affinity, *combinations of
   methods*;
4. high recovery and high specificity: not achievable with any single method today.

A preparation separated by precipitation alone carries polymer and protein carry-over
(Membranes 12:55 (2022), PMC8780510, Table 1), so it gets a purity-risk flag.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass


class MisevClass(enum.IntEnum):
    """The MISEV2018 recovery/specificity class (1 = high recovery / low specificity)."""

    high_recovery_low_specificity = 1
    intermediate = 2
    low_recovery_high_specificity = 3


#: Method name (lower case, as users write it) → class (Théry et al. 2018, section 3).
METHOD_CLASSES: dict[str, MisevClass] = {
    "precipitation": MisevClass.high_recovery_low_specificity,
    "peg precipitation": MisevClass.high_recovery_low_specificity,
    "polymer precipitation": MisevClass.high_recovery_low_specificity,
    "ultrafiltration": MisevClass.high_recovery_low_specificity,
    "sec": MisevClass.intermediate,
    "size-exclusion chromatography": MisevClass.intermediate,
    "duc": MisevClass.intermediate,
    "differential ultracentrifugation": MisevClass.intermediate,
    "ultracentrifugation": MisevClass.intermediate,
    "filtration + uc": MisevClass.intermediate,
    "density gradient": MisevClass.low_recovery_high_specificity,
    "immunoaffinity": MisevClass.low_recovery_high_specificity,
    "immuno-affinity": MisevClass.low_recovery_high_specificity,
}

DENSITY_GRADIENT_METHODS = frozenset({"density gradient"})
PRECIPITATION_METHODS = frozenset({"precipitation", "peg precipitation", "polymer precipitation"})
ULTRACENTRIFUGATION_METHODS = frozenset(
    {"duc", "differential ultracentrifugation", "ultracentrifugation", "filtration + uc"}
)


def method_class(method: str) -> MisevClass | None:
    """The class of one method, or None when exoderm does not know the method."""
    return METHOD_CLASSES.get(method.strip().lower())


@dataclass(frozen=True)
class SeparationAssessment:
    """The overall class of a separation design and whether it is a purity risk."""

    overall: MisevClass | None
    per_method: dict[str, MisevClass | None]
    purity_risk: str | None


def assess_separation(methods: Sequence[str]) -> SeparationAssessment:
    """Classify a sequence of separation/concentration steps.

    The design's class is the most specific step's class; MISEV2018 counts a combination
    of two different methods of class ≥ 2 as class 3.
    """
    per = {m: method_class(m) for m in methods}
    known = [c for c in per.values() if c is not None]
    overall = max(known) if known else None
    distinct = {m.strip().lower() for m, c in per.items() if c is not None and c >= 2}
    if len(distinct) >= 2:
        overall = MisevClass.low_recovery_high_specificity
    risk = None
    lowered = {m.strip().lower() for m in methods}
    if lowered and lowered <= PRECIPITATION_METHODS:
        risk = "precipitation alone: low specificity, polymer and protein carry-over"
    elif overall is MisevClass.high_recovery_low_specificity:
        risk = "only high-recovery / low-specificity methods used"
    return SeparationAssessment(overall, per, risk)
