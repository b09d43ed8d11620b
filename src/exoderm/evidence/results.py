"""Typed answers of the knowledge base: paths, associations, conflicts, effect listings."""

from __future__ import annotations

from dataclasses import dataclass, field

from exoderm.evidence.disputes import DisputedPoint, summarise
from exoderm.evidence.model import Claim, Node, NodeKind
from exoderm.evidence.scoring import Aggregate, terms_of


def label(node: Node) -> str:
    """A node's name, marked when it is a whitepaper dermal-effect item."""
    return f"{node.name} [effect]" if node.kind is NodeKind.DERMAL_EFFECT else node.name


@dataclass(frozen=True, slots=True)
class PathHop:
    """One step of a path: every supporting and refuting claim from one node to the next."""

    source: Node
    target: Node
    claims: tuple[Claim, ...]
    refuting: tuple[Claim, ...]
    score: float

    @property
    def best(self) -> Claim:
        return self.claims[0]


@dataclass(frozen=True, slots=True)
class EvidencePath:
    """A chain source → … → target. ``hops`` holds the strongest claim of each step;
    ``steps`` every claim of each step. ``score`` = weakest step × 0.9^(hops−1)."""

    nodes: tuple[Node, ...]
    steps: tuple[PathHop, ...]
    score: float

    @property
    def hops(self) -> list[Claim]:
        return [step.best for step in self.steps]

    @property
    def weakest(self) -> PathHop:
        return min(self.steps, key=lambda s: s.score)

    def describe(self) -> str:
        parts = [label(self.nodes[0])]
        for step in self.steps:
            parts.append(f"—{step.best.predicate.value}→ {label(step.target)}")
        return " ".join(parts)

    def explain(self) -> list[str]:
        lines = [
            f"path score {self.score:.4f} = weakest step {self.weakest.score:.4f} × 0.9^"
            f"{len(self.steps) - 1}: {self.describe()}"
        ]
        for k, step in enumerate(self.steps, start=1):
            lines.append(
                f"  hop {k}: {step.source.name} → {step.target.name} (edge score {step.score:.4f})"
            )
            for claim in step.claims:
                lines.append(
                    f"    + {claim.id} [{claim.evidence_level.value}] "
                    f"{terms_of(claim).describe()} — {claim.citation()}"
                )
            for claim in step.refuting:
                lines.append(
                    f"    − refuting {claim.id} [{claim.evidence_level.value}] "
                    f"{terms_of(claim).describe()} — {claim.citation()}"
                )
        return lines


@dataclass(frozen=True, slots=True)
class Conflict:
    """A claim and the claims that dispute it, with their sources on both sides.

    ``points`` holds, for each disputing claim in ``disputed_by`` order, what it contests
    (:func:`exoderm.evidence.disputes.disputed_point`).
    """

    claim: Claim
    disputed_by: tuple[Claim, ...]
    topic: str
    points: tuple[DisputedPoint, ...] = ()

    @property
    def disputed_point(self) -> str:
        """What is disputed, with each side's source and answer, in one line."""
        return summarise(self.points)

    def describe(self) -> str:
        against = "; ".join(f"{c.id} ({c.citation()})" for c in self.disputed_by)
        text = f"{self.claim.id} ({self.claim.citation()}) is disputed by {against}"
        return f"{text} — {self.disputed_point}" if self.points else text


@dataclass(frozen=True, slots=True)
class Association:
    """All evidence from ``source`` to ``target``: direct claims and inferred paths.

    ``score`` aggregates the supporting evidence only; refuting evidence is scored
    separately in ``refuting_score`` and never subtracted. A ranking heuristic, not a
    probability (Open Targets' caveat applies).
    """

    source: Node
    target: Node
    score: float
    refuting_score: float
    supporting: list[Claim | EvidencePath]
    refuting: list[Claim]
    support_aggregate: Aggregate
    refute_aggregate: Aggregate
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def paths(self) -> list[EvidencePath]:
        return [s for s in self.supporting if isinstance(s, EvidencePath)]

    def explain(self) -> list[str]:
        """Every term of the score: claim factors, per-type sums, weights, the total."""
        lines = [
            f"association {self.source.name} → {self.target.name}: "
            f"supporting {self.score:.4f}, refuting {self.refuting_score:.4f} "
            "(ranking heuristic, not a probability)"
        ]
        lines += self.support_aggregate.explain("supporting evidence")
        for item in self.supporting:
            if isinstance(item, EvidencePath):
                lines += ["  " + line for line in item.explain()]
            else:
                lines.append(f"  direct {item.id}: {terms_of(item).describe()} — {item.citation()}")
        lines += self.refute_aggregate.explain("refuting evidence (not netted)")
        for claim in self.refuting:
            lines.append(
                f"  refuting {claim.id}: {terms_of(claim).describe()} — {claim.citation()}"
            )
        for conflict in self.conflicts:
            lines.append(f"  CONFLICT: {conflict.describe()}")
        return lines
