"""The claim graph used for path queries, built once per knowledge base.

Why: ``explain --from X --to Y`` must list every chain source → … → concern ranked by
strength within milliseconds on 100,000 claims. Claims between the same two nodes are
bundled into one edge whose score is their harmonic-sum aggregate; a path's score is its
weakest edge × 0.9^(hops−1) (exoderm's own rule), which never grows as a path is
extended, so a best-first search returns paths strongest first and can stop at ``limit``.
A reverse breadth-first search from the target prunes branches that cannot arrive within
``max_hops``.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field

from exoderm.evidence.model import Claim, Predicate
from exoderm.evidence.scoring import (
    HOP_DECAY,
    Aggregate,
    ScoredItem,
    aggregate,
    data_type,
)

#: Predicates that describe bookkeeping, not a causal or compositional step.
NON_TRAVERSABLE: frozenset[Predicate] = frozenset(
    {
        Predicate.HAS_PREVALENCE,
        Predicate.MEASURED_BY,
        Predicate.PART_OF,
        Predicate.HAS_ADVERSE_EVENT,
    }
)

#: Upper bound on search expansions per query (keeps the worst case bounded).
MAX_EXPANSIONS = 50_000


@dataclass(slots=True)
class EdgeBundle:
    """All claims from one node to another: supporting and refuting kept apart."""

    subject: str
    object: str
    supporting: list[Claim] = field(default_factory=list)
    refuting: list[Claim] = field(default_factory=list)
    score: float = 0.0
    refuting_score: float = 0.0

    def finish(self) -> None:
        self.supporting.sort(key=lambda c: (-c.score, c.id))
        self.refuting.sort(key=lambda c: (-c.score, c.id))
        self.score = _bundle_aggregate(self.supporting).score
        self.refuting_score = _bundle_aggregate(self.refuting).score

    def aggregate(self) -> Aggregate:
        return _bundle_aggregate(self.supporting)

    def refuting_aggregate(self) -> Aggregate:
        return _bundle_aggregate(self.refuting)


def _bundle_aggregate(claims: Iterable[Claim]) -> Aggregate:
    return aggregate(
        [ScoredItem(f"{c.id} ({c.citation()})", data_type(c), c.score) for c in claims]
    )


@dataclass(frozen=True, slots=True)
class RawPath:
    """Node ids along a path and its score (edges are looked up in the graph)."""

    nodes: tuple[str, ...]
    score: float


class ClaimGraph:
    """Adjacency of edge bundles over node ids."""

    def __init__(self, claims: Iterable[Claim], blocked_nodes: frozenset[str] = frozenset()):
        self.edges: dict[tuple[str, str], EdgeBundle] = {}
        self.out: dict[str, list[EdgeBundle]] = {}
        self.into: dict[str, list[str]] = {}
        for claim in claims:
            self._add(claim, blocked_nodes)
        for bundle in self.edges.values():
            bundle.finish()
        for edges in self.out.values():
            edges.sort(key=lambda b: (-b.score, b.object))

    def _add(self, claim: Claim, blocked: frozenset[str]) -> None:
        if claim.predicate in NON_TRAVERSABLE or claim.object in blocked:
            return
        key = (claim.subject, claim.object)
        bundle = self.edges.get(key)
        if bundle is None:
            bundle = EdgeBundle(claim.subject, claim.object)
            self.edges[key] = bundle
            self.out.setdefault(claim.subject, []).append(bundle)
            self.into.setdefault(claim.object, []).append(claim.subject)
        (bundle.refuting if claim.negated else bundle.supporting).append(claim)

    def edge(self, subject: str, obj: str) -> EdgeBundle | None:
        return self.edges.get((subject, obj))

    def distances_to(self, target: str, max_hops: int) -> dict[str, int]:
        """Fewest hops from each node to ``target`` (only nodes within ``max_hops``)."""
        dist = {target: 0}
        frontier = [target]
        for depth in range(1, max_hops + 1):
            nxt: list[str] = []
            for node in frontier:
                for pred in self.into.get(node, ()):
                    if pred not in dist:
                        dist[pred] = depth
                        nxt.append(pred)
            frontier = nxt
            if not frontier:
                break
        return dist

    def reachable_from(self, source: str, max_hops: int | None = None) -> set[str]:
        """Every node reachable from ``source`` along supported edges."""
        seen = {source}
        frontier = [source]
        depth = 0
        while frontier and (max_hops is None or depth < max_hops):
            depth += 1
            nxt = []
            for node in frontier:
                for bundle in self.out.get(node, ()):
                    if bundle.supporting and bundle.object not in seen:
                        seen.add(bundle.object)
                        nxt.append(bundle.object)
            frontier = nxt
        return seen

    def best_paths(self, source: str, target: str, max_hops: int, limit: int) -> list[RawPath]:
        """Up to ``limit`` simple paths source → target, strongest first.

        A* over partial paths: the priority of a partial path is its weakest edge so far ×
        0.9^(fewest total hops it can still need − 1), an upper bound on the score of any
        completion, so complete paths come off the queue in descending score order.
        """
        if source == target or limit <= 0:
            return []
        dist = self.distances_to(target, max_hops)
        if source not in dist:
            return []
        successors: dict[str, list[tuple[float, str, int]]] = {}
        start_bound = HOP_DECAY ** (dist[source] - 1)
        heap: list[tuple[float, tuple[str, ...], float]] = [(-start_bound, (source,), 1.0)]
        found: list[RawPath] = []
        expansions = 0
        while heap and len(found) < limit and expansions < MAX_EXPANSIONS:
            _, nodes, weakest = heapq.heappop(heap)
            last = nodes[-1]
            if last == target:
                found.append(RawPath(nodes, weakest * HOP_DECAY ** (len(nodes) - 2)))
                continue
            expansions += 1
            hops = len(nodes) - 1
            nexts = successors.get(last)
            if nexts is None:
                nexts = self._viable(last, dist)
                successors[last] = nexts
            for score, nxt, remaining in nexts:
                total = hops + 1 + remaining
                if total > max_hops or nxt in nodes:
                    continue
                low = weakest if weakest < score else score
                heapq.heappush(heap, (-(low * HOP_DECAY ** (total - 1)), (*nodes, nxt), low))
        return found

    def _viable(self, node: str, dist: dict[str, int]) -> list[tuple[float, str, int]]:
        """Supported out-edges of ``node`` that can still reach the target."""
        out = []
        for bundle in self.out.get(node, ()):
            remaining = dist.get(bundle.object)
            if remaining is not None and bundle.supporting:
                out.append((bundle.score, bundle.object, remaining))
        return out
