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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

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
#: Marks a heap entry that is a partial path (other entries resume a node's successors).
_PATH = -1


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
        self._index_in_edges()
        self._distances = lru_cache(maxsize=256)(self._bfs)

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

    def distances_to(self, target: str, max_hops: int) -> Mapping[str, int]:
        """Fewest hops from each node to ``target`` (only nodes within ``max_hops``).

        A breadth-first search over the in-edges as index arrays (CSR): each level gathers
        the predecessors of the whole frontier in one vectorised step, so a graph with a
        million edges is searched in milliseconds. Results are cached per target (the
        graph is immutable; the explain page asks twice for the same pair).
        """
        return self._distances(target, max_hops)

    def _bfs(self, target: str, max_hops: int) -> dict[str, int]:
        start = self._position.get(target)
        if start is None:
            return {target: 0}
        depth = np.full(len(self._names), -1, dtype=np.int16)
        depth[start] = 0
        frontier = np.array([start], dtype=np.int64)
        for level in range(1, max_hops + 1):
            starts = self._into_ptr[frontier]
            lengths = self._into_ptr[frontier + 1] - starts
            total = int(lengths.sum())
            if total == 0:
                break
            shift = starts - (np.cumsum(lengths) - lengths)
            preds = self._into_idx[np.repeat(shift, lengths) + np.arange(total)]
            preds = np.unique(preds[depth[preds] < 0])
            if preds.size == 0:
                break
            depth[preds] = level
            frontier = preds
        reached = np.flatnonzero(depth >= 0)
        names = self._names
        return dict(zip([names[k] for k in reached], depth[reached].tolist(), strict=True))

    def _index_in_edges(self) -> None:
        """The in-edges as CSR arrays over node positions (for :meth:`distances_to`)."""
        self._names = sorted(set(self.out) | set(self.into))
        self._position = {name: k for k, name in enumerate(self._names)}
        counts = [len(self.into.get(name, ())) for name in self._names]
        self._into_ptr = np.zeros(len(self._names) + 1, dtype=np.int64)
        np.cumsum(counts, out=self._into_ptr[1:])
        position = self._position
        self._into_idx = np.fromiter(
            (position[p] for name in self._names for p in self.into.get(name, ())),
            dtype=np.int64,
            count=int(self._into_ptr[-1]),
        )

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

        Successors are generated lazily: after a path's best successor is pushed, one
        entry stands for the successors not yet pushed, with a bound no later one can
        beat (out-edges are sorted by score, and none needs fewer hops than the node's
        distance to the target). A node with hundreds of out-edges then costs a push per
        successor actually reached, not one per out-edge.
        """
        if source == target or limit <= 0:
            return []
        dist = self.distances_to(target, max_hops)
        if source not in dist:
            return []
        heap: list[tuple[float, tuple[str, ...], float, int]] = [
            (-(HOP_DECAY ** (dist[source] - 1)), (source,), 1.0, _PATH)
        ]
        found: list[RawPath] = []
        expansions = 0
        while heap and len(found) < limit and expansions < MAX_EXPANSIONS:
            _, nodes, weakest, at = heapq.heappop(heap)
            if at == _PATH:
                if nodes[-1] == target:
                    found.append(RawPath(nodes, weakest * HOP_DECAY ** (len(nodes) - 2)))
                    continue
                expansions += 1
                at = 0
            self._push_next(heap, nodes, weakest, at, dist, max_hops)
        return found

    def _push_next(
        self,
        heap: list[tuple[float, tuple[str, ...], float, int]],
        nodes: tuple[str, ...],
        weakest: float,
        at: int,
        dist: Mapping[str, int],
        max_hops: int,
    ) -> None:
        """Push the first viable successor of ``nodes`` from out-edge ``at`` on, and the
        entry that resumes the search for its later successors."""
        last = nodes[-1]
        out = self.out.get(last, ())
        hops = len(nodes) - 1
        for k in range(at, len(out)):
            bundle = out[k]
            remaining = dist.get(bundle.object)
            if remaining is None or not bundle.supporting:
                continue
            total = hops + 1 + remaining
            if total > max_hops or bundle.object in nodes:
                continue
            low = weakest if weakest < bundle.score else bundle.score
            bound = low * HOP_DECAY ** (total - 1)
            heapq.heappush(heap, (-bound, (*nodes, bundle.object), low, _PATH))
            if k + 1 < len(out):
                later = weakest if weakest < out[k + 1].score else out[k + 1].score
                resume = later * HOP_DECAY ** (hops + dist[last] - 1)
                heapq.heappush(heap, (-resume, nodes, weakest, k + 1))
            return
