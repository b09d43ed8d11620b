"""The path search returns exactly the strongest simple paths, as enumerating them all does."""

from __future__ import annotations

import random

import pytest

from exoderm.evidence.graph import ClaimGraph
from exoderm.evidence.knowledge_base import scored
from exoderm.evidence.model import Claim, EvidenceLevel, Predicate
from exoderm.evidence.scoring import HOP_DECAY

LEVELS = [EvidenceLevel.RCT, EvidenceLevel.ANIMAL, EvidenceLevel.IN_VITRO]


def _graph(rng: random.Random, nodes: int, claims: int) -> ClaimGraph:
    made = []
    for k in range(claims):
        a, b = rng.sample(range(nodes), 2)
        made.append(
            scored(
                Claim(
                    id=f"c{k}",
                    subject=f"n{a}",
                    predicate=Predicate.INCREASES,
                    object=f"n{b}",
                    negated=rng.random() < 0.1,
                    evidence_level=rng.choice(LEVELS),
                    relevance=rng.choice([0.3, 0.6, 1.0]),
                )
            )
        )
    return ClaimGraph(made)


def _all_paths(g: ClaimGraph, source: str, target: str, max_hops: int) -> list[float]:
    scores: list[float] = []

    def walk(nodes: list[str], weakest: float) -> None:
        if nodes[-1] == target:
            scores.append(weakest * HOP_DECAY ** (len(nodes) - 2))
            return
        if len(nodes) - 1 == max_hops:
            return
        for bundle in g.out.get(nodes[-1], ()):
            if bundle.supporting and bundle.object not in nodes:
                walk([*nodes, bundle.object], min(weakest, bundle.score))

    walk([source], 1.0)
    return sorted(scores, reverse=True)


@pytest.mark.parametrize("seed", range(12))
def test_best_paths_are_the_top_of_every_simple_path(seed: int) -> None:
    rng = random.Random(seed)
    g = _graph(rng, nodes=14, claims=70)
    for _ in range(6):
        a, b = rng.sample(range(14), 2)
        for max_hops, limit in ((3, 5), (4, 10)):
            want = _all_paths(g, f"n{a}", f"n{b}", max_hops)[:limit]
            got = g.best_paths(f"n{a}", f"n{b}", max_hops, limit)
            assert [p.score for p in got] == pytest.approx(want)
            for p in got:
                assert p.nodes[0] == f"n{a}" and p.nodes[-1] == f"n{b}"
                assert len(set(p.nodes)) == len(p.nodes) <= max_hops + 1
