"""Evidence scores for catalogue links (Open Targets harmonic sum, Ochoa et al. 2021,
doi:10.1093/nar/gkaa1027).

Per item ``s = T(design) × R`` (relevance: ×0.7 when the studied route differs from the
formulation's route, times the item's own relevance for other species or material).
Items are grouped by data type (human, animal, ex vivo, in vitro/mechanism); each group
gets the Open Targets normalised harmonic sum ``Σ s_i / i² ÷ (π²/6)`` and the groups are
combined the same way with weights human 1.0, animal 0.4, ex vivo 0.3, in vitro 0.2.
Normalising by π²/6 (not by a same-length vector of ones) follows Open Targets
(``opentargets/platform-docs:associations.md``), see the known error in bixverse noted in
the reference README. Supporting and refuting (negated) items are scored separately and
never netted. The result ranks; it is not a probability.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from exoderm.design.ingredient import EvidenceItem, StudyDesign

HARMONIC_NORMALISER = math.pi**2 / 6

#: T(design): tiers from OCEBM 2011 and GRADE start levels (Howick et al. 2011;
#: Guyatt et al. 2008, doi:10.1136/bmj.39489.470347.AD).
DESIGN_TIER: dict[StudyDesign, float] = {
    StudyDesign.sr_rct: 1.0,
    StudyDesign.rct: 0.85,
    StudyDesign.non_randomised: 0.6,
    StudyDesign.uncontrolled_human: 0.35,
    StudyDesign.animal: 0.25,
    StudyDesign.ex_vivo: 0.2,
    StudyDesign.in_vitro: 0.1,
    StudyDesign.mechanism: 0.05,
}

#: Data type of each design, and the weight of each data type (§6).
DATA_TYPE: dict[StudyDesign, str] = {
    StudyDesign.sr_rct: "human",
    StudyDesign.rct: "human",
    StudyDesign.non_randomised: "human",
    StudyDesign.uncontrolled_human: "human",
    StudyDesign.animal: "animal",
    StudyDesign.ex_vivo: "ex_vivo",
    StudyDesign.in_vitro: "in_vitro",
    StudyDesign.mechanism: "in_vitro",
}
TYPE_WEIGHT: dict[str, float] = {"human": 1.0, "animal": 0.4, "ex_vivo": 0.3, "in_vitro": 0.2}

#: R: relevance multiplier for evidence gathered by another route (§6).
OTHER_ROUTE = 0.7

#: Ordinal rank of designs, best first, used for "best evidence level" labels.
DESIGN_RANK: list[StudyDesign] = list(DESIGN_TIER)


def harmonic_sum(scores: Iterable[float]) -> float:
    """Open Targets' normalised harmonic sum of scores in [0, 1]."""
    ordered = sorted((s for s in scores if s > 0), reverse=True)
    return sum(s / (i * i) for i, s in enumerate(ordered, start=1)) / HARMONIC_NORMALISER


def item_score(item: EvidenceItem, route: str | None = None) -> float:
    """``T(design) × R`` of one item for a formulation applied by ``route``."""
    relevance = item.relevance
    if route is not None and _route_family(item.route) != _route_family(route):
        relevance *= OTHER_ROUTE
    return DESIGN_TIER[item.design] * relevance


def _route_family(route: str) -> str:
    """Studied routes ('topical+microneedling') and formulation routes map to one family."""
    route = route.lower()
    if "microneedl" in route or "laser" in route or "post-procedure" in route:
        return "procedure"
    if "intradermal" in route or "inject" in route:
        return "intradermal"
    return "topical"


@dataclass(frozen=True)
class EvidenceScore:
    """Supporting and refuting scores of one link, with the items behind them."""

    supporting: float
    refuting: float
    best_design: StudyDesign | None
    citations: tuple[str, ...]


def score_items(items: Iterable[EvidenceItem], route: str | None = None) -> EvidenceScore:
    """Aggregate evidence items into one link score (supporting and refuting apart)."""
    items = list(items)
    support = [i for i in items if not i.negated]
    refute = [i for i in items if i.negated]
    best = min((DESIGN_RANK.index(i.design) for i in support), default=None)
    return EvidenceScore(
        supporting=_aggregate(support, route),
        refuting=_aggregate(refute, route),
        best_design=DESIGN_RANK[best] if best is not None else None,
        citations=tuple(i.citation for i in items),
    )


def _aggregate(items: list[EvidenceItem], route: str | None) -> float:
    by_type: dict[str, list[float]] = {}
    for item in items:
        by_type.setdefault(DATA_TYPE[item.design], []).append(item_score(item, route))
    weighted = [TYPE_WEIGHT[kind] * harmonic_sum(scores) for kind, scores in by_type.items()]
    return harmonic_sum(weighted)
