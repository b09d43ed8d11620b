"""Benchmark: explain and search on 1,000,000 stored claims plus the 300,578-row cargo layer.

Targets (issue 16): on a 1,000,000-claim synthetic graph plus the cargo layer, ``explain``
p95 < 50 ms and ``search`` p95 < 20 ms, peak memory reported; the same queries on
PostgreSQL. The issue names no external anchor, so the script prints each measurement
next to its target and their ratio.

What runs, per database (a fresh, migrated SQLite file in a temporary folder; PostgreSQL
when ``--postgres URL`` is given):

1. the cargo snapshot is imported through ``evidence.import_cargo`` (the CLI's path);
2. 1,000,000 synthetic claims and their 3,000 nodes are written as one evidence import
   (bulk ``INSERT`` in 50,000-row batches: the claims' shape is that of
   ``bench_evidence.py``: six layers EV source → cargo → mediator → process → effect →
   concern, evidence levels in the seed's mix);
3. the merged knowledge base (seed + 1,000,000 imported claims + the cargo layer's
   ``contains`` claims and EV-METRICs) is loaded once through ``evidence.knowledge_base``
   (timed, with the process's resident memory before and after);
4. ``evidence.explain`` and ``evidence.search`` (the functions the CLI, the API and the
   web pages call, each in its own read transaction) run on random source → concern pairs
   and 1–3-word queries, interleaved, and report median and p95;
5. the cargo queries ``cargo --source`` and ``cargo --molecule`` run on the same database.

    .venv/bin/python bench/bench_evidence_scale.py [--claims 1000000] [--queries 200]
        [--postgres postgresql://…] [--cargo PATH] [--seed 7]
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy
from bench_evidence import LAYERS, LEVELS, PREDICATES, WORDS
from sqlalchemy import insert, text

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Role
from exoderm.evidence import service as evidence
from exoderm.evidence.loading import invalidate_cache
from exoderm.evidence.records import EvidenceClaim, EvidenceImport, EvidenceNode
from exoderm.storage import Database, open_database, upgrade

CARGO = Path(__file__).resolve().parents[2] / "shared/data/ev_cargo/unified_EVmetadata.parquet"
BATCH = 50_000


def rss_mib() -> float:
    """Resident memory of this process now (Linux ``/proc``), MiB."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_nodes(rng: random.Random) -> list[list[dict[str, object]]]:
    return [
        [
            {
                "node_key": f"{prefix}:syn-{prefix}-{k}",
                "kind": kind.value,
                "name": f"{prefix} {rng.choice(WORDS)} {k}",
                "synonyms": [f"syn{prefix}{k}"],
                "description": "",
            }
            for k in range(count)
        ]
        for kind, prefix, count in LAYERS
    ]


def synthetic_claims(
    n: int, layers: list[list[dict[str, object]]], rng: random.Random
) -> Iterator[dict[str, object]]:
    levels = [lvl.value for lvl, _ in LEVELS]
    weights = [w for _, w in LEVELS]
    made = 0
    while made < n:
        layer = rng.randrange(len(layers) - 1)
        subject = rng.choice(layers[layer])
        obj = rng.choice(layers[layer] if rng.random() < 0.1 else layers[layer + 1])
        if obj is subject:
            continue
        yield {
            "claim_key": f"syn-{made}",
            "subject": subject["node_key"],
            "predicate": rng.choice(PREDICATES).value,
            "object": obj["node_key"],
            "negated": rng.random() < 0.03,
            "quote": " ".join(rng.choice(WORDS) for _ in range(12)),
            "location": "synthetic",
            "evidence_level": rng.choices(levels, weights)[0],
            "reference_keys": [],
            "contradicts": [],
        }
        made += 1


def write_claims(db: Database, n: int, rng: random.Random) -> tuple[float, list[str], list[str]]:
    """One evidence import of ``n`` claims; returns seconds, source ids and concern ids."""
    layers = synthetic_nodes(rng)
    started = time.perf_counter()
    with db.transaction() as s:
        batch = EvidenceImport(filename="synthetic", sha256=f"{n:064d}", imported_by="bench")
        s.add(batch)
        s.flush()
        nodes = [{**node, "import_id": batch.id} for layer in layers for node in layer]
        s.execute(insert(EvidenceNode), nodes)
        rows: list[dict[str, object]] = []
        for row in synthetic_claims(n, layers, rng):
            rows.append({**row, "import_id": batch.id})
            if len(rows) == BATCH:
                s.execute(insert(EvidenceClaim), rows)
                rows = []
        if rows:
            s.execute(insert(EvidenceClaim), rows)
        batch.claim_count, batch.node_count = n, len(nodes)
    seconds = time.perf_counter() - started
    sources = [str(n["node_key"]) for n in layers[0]]
    concerns = [str(n["node_key"]) for n in layers[-1]]
    return seconds, sources, concerns


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def run(label: str, db: Database, args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    sam, viewer = Actor("bench", Role.scientist), Actor("viewer", Role.viewer, organisation_id=1)
    print(f"--- {label}")
    started = time.perf_counter()
    with db.transaction() as s:
        cargo = evidence.import_cargo(s, sam, path=args.cargo)
    print(f"cargo import: {cargo.rows:,} rows in {time.perf_counter() - started:.1f} s")
    written_s, sources, concerns = write_claims(db, args.claims, rng)
    print(f"claims written: {args.claims:,} in {written_s:.1f} s (bulk insert)")
    invalidate_cache()
    gc.collect()
    before = rss_mib()
    started = time.perf_counter()
    with db.reader() as s:
        kb = evidence.knowledge_base(s, viewer)
    load_s = time.perf_counter() - started
    _ = kb.graph
    graph_s = time.perf_counter() - started - load_s
    kb.search("w0001")
    index_s = time.perf_counter() - started - load_s - graph_s
    after = rss_mib()
    print(
        f"knowledge base: {len(kb.all_claims()):,} claims, {len(kb.nodes()):,} nodes; "
        f"loaded from the database in {load_s:.1f} s, claim graph {graph_s:.1f} s, search "
        f"index {index_s:.1f} s (once, then cached); resident memory {before:,.0f} → "
        f"{after:,.0f} MiB (+{after - before:,.0f} MiB), peak so far {peak_mib():,.0f} MiB"
    )
    explain_ms: list[float] = []
    search_ms: list[float] = []
    found = 0
    for k in range(args.queries):
        src, dst = rng.choice(sources), rng.choice(concerns)
        started = time.perf_counter()
        with db.reader() as s:
            read = evidence.explain(s, viewer, source=src, target=dst)
        explain_ms.append((time.perf_counter() - started) * 1000)
        found += bool(read.paths)
        words = rng.sample(WORDS, 1 + k % 3)
        if k % 4 == 0:
            words[-1] = words[-1][:3]
        started = time.perf_counter()
        with db.reader() as s:
            evidence.search(s, viewer, text=" ".join(words))
        search_ms.append((time.perf_counter() - started) * 1000)
    print(
        f"explain, {args.queries} random source→concern pairs ({found} with a path): median "
        f"{statistics.median(explain_ms):.1f} ms, p95 {p95(explain_ms):.1f} ms "
        f"(target 50 ms; ratio {p95(explain_ms) / 50:.2f})"
    )
    print(
        f"search, {args.queries} queries of 1–3 words (¼ prefix): median "
        f"{statistics.median(search_ms):.2f} ms, p95 {p95(search_ms):.2f} ms "
        f"(target 20 ms; ratio {p95(search_ms) / 20:.2f})"
    )
    for source in ("adipose-msc", "platelet-prp"):
        times = []
        for _ in range(10):
            started = time.perf_counter()
            with db.reader() as s:
                hits = evidence.cargo_in_source(s, viewer, source=source)
            times.append((time.perf_counter() - started) * 1000)
        print(f"cargo --source {source}: median {statistics.median(times):.0f} ms ({len(hits)})")
    for molecule in ("TIMP1", "TGFB1"):
        times = []
        for _ in range(10):
            started = time.perf_counter()
            with db.reader() as s:
                carriers = evidence.cargo_carriers(s, viewer, molecule=molecule)
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"cargo --molecule {molecule}: median {statistics.median(times):.0f} ms "
            f"({len(carriers)})"
        )
    print(f"peak resident memory of the process: {peak_mib():,.0f} MiB")
    del kb
    invalidate_cache()
    gc.collect()


def _empty_postgres(url: str) -> Database:
    db = open_database(url)
    with db.engine.begin() as c:
        c.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(db)
    return db


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cargo", type=Path, default=CARGO)
    parser.add_argument("--postgres", help="URL of an empty PostgreSQL database (dropped!)")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    if not args.cargo.is_file():
        print(f"no cargo snapshot at {args.cargo}", file=sys.stderr)
        return 2
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, python "
        f"{platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, load average "
        f"{os.getloadavg()[0]:.1f} at start"
    )
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            db = open_database(f"sqlite:///{folder}/scale.db")
            upgrade(db)
            run("SQLite (file)", db, args)
            db.dispose()
    if args.postgres:
        db = _empty_postgres(args.postgres)
        run("PostgreSQL", db, args)
        db.dispose()
    print(f"load average {os.getloadavg()[0]:.1f} at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
