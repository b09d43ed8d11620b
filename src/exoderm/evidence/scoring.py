"""Evidence scores: one number per claim, and an Open Targets-style aggregate per edge,
path and association.

Why: the numbers rank evidence; Open Targets states its association score "should not be
interpreted as a confidence score" and the same caveat applies here. The formula is the
Open Targets harmonic sum (Ochoa et al. 2021, Nucleic Acids Res 49:D1302,
doi:10.1093/nar/gkaa1027) with GRADE-style modifiers (Guyatt et al. 2008, BMJ 336:924):

* claim score ``s = T(design) × Q × R × C`` — T from the study design (OCEBM 2011 levels and
  GRADE starting points), Q = 0.7^downgrades × 1.2^upgrades (≤ 1), R relevance, C = 0.5 +
  0.5 × EV-METRIC (1 when not reported);
* per data type (human, animal, ex vivo, in vitro, …): sort descending,
  ``H = Σ s_i / i²`` and divide by π²/6, the sum over an infinite vector of ones
  (Open Targets ``associations.md``). Not by a vector of ones of the same length — that
  is the error in GregorLueg/bixverse (0.965 instead of 0.799 for [1, 0.9, 0.8]);
* overall: the same harmonic sum over the weighted data-type scores.

Supporting and refuting (negated) evidence are aggregated separately and never netted.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from exoderm.evidence.model import Claim, DataType, EvidenceLevel

#: π²/6 = Σ 1/i² over i = 1…∞: the "max theoretical harmonic sum" of Open Targets.
MAX_HARMONIC_SUM = math.pi**2 / 6

#: T(design): tiers follow the OCEBM 2011 levels (OCEBM Levels of Evidence Working Group,
#: Oxford 2011) and the GRADE start levels (Guyatt et al. 2008, BMJ 336:924). The
#: marketing-whitepaper value (below "mechanism/expert" 0.05) and curated-ontology value
#: (definitional, not evidence; it must not weaken a path) are exoderm's choices.
DESIGN_WEIGHT: dict[EvidenceLevel, float] = {
    EvidenceLevel.SYSTEMATIC_REVIEW: 1.0,
    EvidenceLevel.RCT: 0.85,
    EvidenceLevel.NON_RANDOMISED_CLINICAL: 0.6,
    EvidenceLevel.CASE_SERIES: 0.35,
    EvidenceLevel.OBSERVATIONAL: 0.35,
    EvidenceLevel.ANIMAL: 0.25,
    EvidenceLevel.EX_VIVO: 0.2,
    EvidenceLevel.IN_VITRO: 0.1,
    EvidenceLevel.NARRATIVE_REVIEW: 0.05,
    EvidenceLevel.MARKETING_WHITEPAPER: 0.03,
    EvidenceLevel.CURATED_ONTOLOGY: 1.0,
}

#: Data-type weights: human 1.0, animal 0.4, ex vivo 0.3, in vitro 0.2 (§6, cf. Open
#: Targets' literature weight 0.2). Expert/review 0.1 and inferred paths 0.5 are ours.
DATA_TYPE_WEIGHT: dict[DataType, float] = {
    DataType.HUMAN: 1.0,
    DataType.ANIMAL: 0.4,
    DataType.EX_VIVO: 0.3,
    DataType.IN_VITRO: 0.2,
    DataType.EXPERT: 0.1,
    DataType.ONTOLOGY: 1.0,
    DataType.INFERRED: 0.5,
}

#: Decay per extra hop of an inferred path: path = min(edge scores) × 0.9^(hops−1) (§6).
HOP_DECAY = 0.9

_HUMAN_LEVELS = {
    EvidenceLevel.RCT,
    EvidenceLevel.NON_RANDOMISED_CLINICAL,
    EvidenceLevel.CASE_SERIES,
    EvidenceLevel.OBSERVATIONAL,
}


def data_type(claim: Claim) -> DataType:
    """Which data type a claim's evidence belongs to (by design and model system)."""
    level = claim.evidence_level
    if level in _HUMAN_LEVELS:
        return DataType.HUMAN
    if level is EvidenceLevel.SYSTEMATIC_REVIEW:
        system = claim.model_system.lower()
        return DataType.ANIMAL if ("animal" in system or "rodent" in system) else DataType.HUMAN
    if level is EvidenceLevel.ANIMAL:
        return DataType.ANIMAL
    if level is EvidenceLevel.EX_VIVO:
        return DataType.EX_VIVO
    if level is EvidenceLevel.IN_VITRO:
        return DataType.IN_VITRO
    if level is EvidenceLevel.CURATED_ONTOLOGY:
        return DataType.ONTOLOGY
    return DataType.EXPERT


@dataclass(frozen=True, slots=True)
class ClaimTerms:
    """The factors of one claim's score, for ``--explain``."""

    design: float
    quality: float
    relevance: float
    characterisation: float

    @property
    def score(self) -> float:
        return self.design * self.quality * self.relevance * self.characterisation

    def describe(self) -> str:
        return (
            f"T={self.design:.2f} × Q={self.quality:.2f} × R={self.relevance:.2f} × "
            f"C={self.characterisation:.2f} = {self.score:.4f}"
        )


def claim_terms(
    level: EvidenceLevel,
    *,
    downgrades: int = 0,
    upgrades: int = 0,
    relevance: float = 1.0,
    ev_metric: float | None = None,
) -> ClaimTerms:
    """The four factors of a claim score ``s = T × Q × R × C`` (module docstring)."""
    quality = min(1.0, (0.7**downgrades) * (1.2**upgrades))
    characterisation = 1.0 if ev_metric is None else 0.5 + 0.5 * ev_metric / 100.0
    return ClaimTerms(DESIGN_WEIGHT[level], quality, relevance, characterisation)


def claim_score(claim: Claim) -> float:
    """The evidence score of one claim, in [0, 1]."""
    return terms_of(claim).score


def terms_of(claim: Claim) -> ClaimTerms:
    return claim_terms(
        claim.evidence_level,
        downgrades=claim.downgrades,
        upgrades=claim.upgrades,
        relevance=claim.relevance,
        ev_metric=claim.ev_metric,
    )


def harmonic_sum(scores: Iterable[float]) -> float:
    """Open Targets normalised harmonic sum: Σ s_i / i² over descending scores, / (π²/6)."""
    ordered = sorted(scores, reverse=True)
    return sum(s / (i * i) for i, s in enumerate(ordered, start=1)) / MAX_HARMONIC_SUM


@dataclass(frozen=True, slots=True)
class ScoredItem:
    """One piece of evidence entering an aggregate: a claim or a path."""

    label: str
    data_type: DataType
    score: float


@dataclass(frozen=True, slots=True)
class Aggregate:
    """An aggregated score with every term that produced it."""

    score: float
    per_type: tuple[tuple[DataType, float, int], ...]
    items: tuple[ScoredItem, ...]

    def explain(self, heading: str) -> list[str]:
        """One line per term: items, per-type harmonic sums, weights, the total."""
        if not self.items:
            return [f"{heading}: no evidence (score 0)"]
        lines = [f"{heading}: {len(self.items)} item(s)"]
        for dtype, value, n in self.per_type:
            members = sorted((i for i in self.items if i.data_type is dtype), key=_desc)
            sum_terms = " + ".join(f"{m.score:.4f}/{k * k}" for k, m in enumerate(members, start=1))
            lines.append(
                f"  {dtype.value} (n={n}): H = ({sum_terms}) / π²/6 = {value:.4f}; "
                f"weight {DATA_TYPE_WEIGHT[dtype]:.2f} → {value * DATA_TYPE_WEIGHT[dtype]:.4f}"
            )
            lines.extend(f"    · {m.score:.4f}  {m.label}" for m in members)
        weighted = sorted((v * DATA_TYPE_WEIGHT[d] for d, v, _ in self.per_type), reverse=True)
        terms = " + ".join(f"{w:.4f}/{k * k}" for k, w in enumerate(weighted, start=1))
        lines.append(f"  overall = ({terms}) / π²/6 = {self.score:.4f}")
        return lines


def _desc(item: ScoredItem) -> tuple[float, str]:
    return (-item.score, item.label)


def aggregate(items: Sequence[ScoredItem]) -> Aggregate:
    """Per-data-type harmonic sums, then a harmonic sum over the weighted type scores."""
    by_type: dict[DataType, list[float]] = {}
    for item in items:
        by_type.setdefault(item.data_type, []).append(item.score)
    per_type = tuple(
        (dtype, harmonic_sum(scores), len(scores))
        for dtype, scores in sorted(by_type.items(), key=lambda kv: kv[0].value)
    )
    overall = harmonic_sum(value * DATA_TYPE_WEIGHT[dtype] for dtype, value, _ in per_type)
    return Aggregate(min(1.0, overall), per_type, tuple(items))
