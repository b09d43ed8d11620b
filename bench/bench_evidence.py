"""Benchmark: evidence graph queries on a synthetic 100,000-claim graph, and seed load time.

Targets (issue 3): ``explain`` p95 < 50 ms and ``search`` p95 < 20 ms on 100,000 claims;
the seeded graph loads in < 1 s. There is no external anchor for these; the script prints
the measured numbers and their ratio to the targets.

The synthetic graph is layered like the real one: EV sources → cargo → mediators →
processes → dermal effects → concerns, plus cross-links inside layers, with several claims
per edge and evidence levels drawn from the seed's distribution.

    .venv/bin/python bench/bench_evidence.py [--claims 100000] [--queries 300] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import time

from exoderm.evidence.knowledge_base import KnowledgeBase, scored
from exoderm.evidence.model import Claim, EvidenceLevel, Node, NodeKind, Predicate

LAYERS = [
    (NodeKind.EV_SOURCE, "source", 400),
    (NodeKind.CARGO, "cargo", 300),
    (NodeKind.MEDIATOR, "mediator", 1200),
    (NodeKind.PROCESS, "process", 600),
    (NodeKind.DERMAL_EFFECT, "effect", 300),
    (NodeKind.CONCERN, "concern", 200),
]
LEVELS = [
    (EvidenceLevel.MARKETING_WHITEPAPER, 35),
    (EvidenceLevel.IN_VITRO, 25),
    (EvidenceLevel.ANIMAL, 20),
    (EvidenceLevel.NARRATIVE_REVIEW, 8),
    (EvidenceLevel.CASE_SERIES, 5),
    (EvidenceLevel.RCT, 5),
    (EvidenceLevel.SYSTEMATIC_REVIEW, 2),
]
PREDICATES = [
    Predicate.INCREASES,
    Predicate.DECREASES,
    Predicate.PROMOTES,
    Predicate.REDUCES,
    Predicate.CONTAINS,
    Predicate.IMPROVES,
]
WORDS = [f"w{k:04d}" for k in range(3000)]


def synthetic(n_claims: int, rng: random.Random) -> KnowledgeBase:
    layers: list[list[Node]] = []
    for kind, prefix, count in LAYERS:
        layers.append(
            [
                Node(
                    f"{prefix}:{prefix}-{k}",
                    kind,
                    f"{prefix} {rng.choice(WORDS)} {k}",
                    (f"{prefix}{k}",),
                )
                for k in range(count)
            ]
        )
    levels = [lvl for lvl, _ in LEVELS]
    weights = [w for _, w in LEVELS]
    claims: list[Claim] = []
    for k in range(n_claims):
        layer = rng.randrange(len(layers) - 1)
        same = rng.random() < 0.1  # cross-link inside a layer
        subject = rng.choice(layers[layer])
        obj = rng.choice(layers[layer] if same else layers[layer + 1])
        if obj.id == subject.id:
            continue
        quote = " ".join(rng.choice(WORDS) for _ in range(12))
        claims.append(
            scored(
                Claim(
                    id=f"c{k}",
                    subject=subject.id,
                    predicate=rng.choice(PREDICATES),
                    object=obj.id,
                    negated=rng.random() < 0.03,
                    quote=quote,
                    location="synthetic",
                    evidence_level=rng.choices(levels, weights)[0],
                )
            )
        )
    return KnowledgeBase([n for layer in layers for n in layer], [], claims)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def seed_load_seconds() -> float:
    """Fresh interpreter: import, load the seed, build its graph and search index."""
    code = (
        "import time; t=time.perf_counter();"
        "from exoderm.evidence import load_knowledge_base;"
        "kb=load_knowledge_base(); kb.graph; kb.search('collagen');"
        "print(time.perf_counter()-t)"
    )
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(5)
    ]
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    load_start = os.getloadavg()[0]

    t0 = time.perf_counter()
    kb = synthetic(args.claims, rng)
    t1 = time.perf_counter()
    _ = kb.graph
    t2 = time.perf_counter()
    kb.search("w0001")
    t3 = time.perf_counter()

    sources = kb.nodes(NodeKind.EV_SOURCE)
    concerns = kb.nodes(NodeKind.CONCERN)
    explain_ms, explain_cpu, found = [], [], 0
    for _ in range(args.queries):
        src, dst = rng.choice(sources), rng.choice(concerns)
        start, cpu = time.perf_counter(), time.process_time()
        assoc = kb.association(src.id, dst.id)
        assoc.explain()
        explain_ms.append((time.perf_counter() - start) * 1000)
        explain_cpu.append((time.process_time() - cpu) * 1000)
        found += bool(assoc.paths)
    search_ms, search_cpu = [], []
    for k in range(args.queries):
        words = rng.sample(WORDS, 1 + k % 3)
        if k % 4 == 0:
            words[-1] = words[-1][:3]  # a prefix query ("w02")
        start, cpu = time.perf_counter(), time.process_time()
        kb.search(" ".join(words))
        search_ms.append((time.perf_counter() - start) * 1000)
        search_cpu.append((time.process_time() - cpu) * 1000)
    load_s = seed_load_seconds()

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, python "
        f"{platform.python_version()}, load average {load_start:.1f} at start"
    )
    print(
        f"synthetic graph: {len(kb.all_claims()):,} claims, {len(kb.nodes()):,} nodes "
        f"(seed {args.seed}); built in {t1 - t0:.2f} s; claim graph {t2 - t1:.2f} s; "
        f"search index {t3 - t2:.2f} s (both once, then cached)"
    )
    print(
        f"explain (association + ranked paths + explain text), {args.queries} random "
        f"source→concern pairs, {found} with ≥1 inferred path: "
        f"median {statistics.median(explain_ms):.1f} ms, p95 {p95(explain_ms):.1f} ms "
        f"(target 50 ms; ratio {p95(explain_ms) / 50:.2f}); CPU time p95 {p95(explain_cpu):.1f} ms"
    )
    print(
        f"search, {args.queries} queries of 1–3 words (¼ prefix): median "
        f"{statistics.median(search_ms):.2f} ms, p95 {p95(search_ms):.2f} ms "
        f"(target 20 ms; ratio {p95(search_ms) / 20:.2f}); CPU time p95 {p95(search_cpu):.2f} ms"
    )
    print(
        f"seeded graph load (fresh interpreter, imports + seed + graph + index, median of 5): "
        f"{load_s:.2f} s (target 1 s; ratio {load_s:.2f})"
    )


if __name__ == "__main__":
    main()
