"""Best-first path search and the inverted index on small hand-built graphs."""

from __future__ import annotations

from itertools import pairwise

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exoderm.evidence.knowledge_base import KnowledgeBase, scored
from exoderm.evidence.model import Claim, EvidenceLevel, Node, NodeKind, Predicate

L = EvidenceLevel


def build(edges: list[tuple[str, str, EvidenceLevel]]) -> KnowledgeBase:
    names = sorted({n for s, o, _ in edges for n in (s, o)})
    nodes = [Node(f"process:{n}", NodeKind.PROCESS, n) for n in names]
    claims = [
        scored(
            Claim(
                f"c{k}",
                f"process:{s}",
                Predicate.PROMOTES,
                f"process:{o}",
                evidence_level=lvl,
                quote=f"{s} to {o}",
            )
        )
        for k, (s, o, lvl) in enumerate(edges)
    ]
    return KnowledgeBase(nodes, [], claims)


def test_paths_are_ranked_by_weakest_link_and_hop_decay() -> None:
    kb = build(
        [
            ("a", "b", L.RCT),
            ("b", "z", L.RCT),  # strong two-hop
            ("a", "c", L.IN_VITRO),
            ("c", "z", L.RCT),  # weak link
            ("a", "z", L.ANIMAL),  # direct
        ]
    )
    paths = kb.paths("a", "z")
    assert [tuple(n.name for n in p.nodes) for p in paths] == [
        ("a", "b", "z"),
        ("a", "z"),
        ("a", "c", "z"),
    ]
    strong = paths[0]
    assert abs(strong.score - min(s.score for s in strong.steps) * 0.9) < 1e-6


def test_max_hops_limit_and_cycles() -> None:
    kb = build([("a", "b", L.RCT), ("b", "a", L.RCT), ("b", "c", L.RCT), ("c", "d", L.RCT)])
    assert kb.paths("a", "d", max_hops=2) == []
    (path,) = kb.paths("a", "d", max_hops=3)
    assert [n.name for n in path.nodes] == ["a", "b", "c", "d"]
    assert len(kb.paths("a", "d", limit=0)) == 0


def test_refuted_only_edges_are_not_hops() -> None:
    nodes = [Node("process:a", NodeKind.PROCESS, "a"), Node("process:b", NodeKind.PROCESS, "b")]
    claim = scored(
        Claim("x", "process:a", Predicate.PROMOTES, "process:b", negated=True, evidence_level=L.RCT)
    )
    kb = KnowledgeBase(nodes, [], [claim])
    assert kb.paths("a", "b") == []
    assert kb.association("a", "b").refuting_score > 0


def test_search_requires_every_word_and_matches_a_prefix() -> None:
    kb = build([("alpha", "beta", L.RCT), ("gamma", "beta", L.RCT)])
    hits = kb.search("alpha bet")
    assert {h.id for h in hits} == {"c0"}
    assert next(h.id for h in kb.search("gamma")) == "process:gamma"
    assert kb.search("alpha gamma") == []
    assert len(kb.search("beta", limit=2)) == 2


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 6), st.sampled_from(list(L)[:8])),
        min_size=1,
        max_size=25,
    ),
    st.integers(1, 4),
)
def test_best_first_search_matches_brute_force(
    edges: list[tuple[int, int, EvidenceLevel]], max_hops: int
) -> None:
    edges = [(f"n{a}", f"n{b}", lvl) for a, b, lvl in edges if a != b]
    if not edges:
        return
    kb = build([*edges, ("n0", "n0x", L.RCT), ("n6x", "n6", L.RCT)])
    graph = nx.DiGraph()
    for (s, o), bundle in kb.graph.edges.items():
        if bundle.supporting:
            graph.add_edge(s, o, score=bundle.score)
    if "process:n0" not in graph or "process:n6" not in graph:
        return
    expected = sorted(
        (
            min(graph[a][b]["score"] for a, b in pairwise(p)) * 0.9 ** (len(p) - 2)
            for p in nx.all_simple_paths(graph, "process:n0", "process:n6", cutoff=max_hops)
        ),
        reverse=True,
    )[:5]
    found = [p.score for p in kb.paths("n0", "n6", max_hops=max_hops, limit=5)]
    assert found == pytest.approx(expected, abs=1e-6)
