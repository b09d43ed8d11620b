"""Benchmark: importing the 300,578-row EV cargo snapshot, re-importing it, and querying it.

Target (issue 16): ``exoderm evidence import-cargo unified_EVmetadata.parquet`` loads all
rows in under 60 s on this machine, and a re-import of the same file changes nothing.
The snapshot is EVisionary's harmonised Vesiclepedia/ExoCarta/EV-TRACK table
(github.com/Sogandste/EVisionary, ``data/unified_EVmetadata.parquet`` at commit 7f9044cd,
2026-04-21, MIT licence). The database is a fresh, migrated SQLite file in
a temporary folder (what ``exoderm`` uses by default); the queries are the service
functions the CLI and the API call, each repeated and reported as median and p95.

    .venv/bin/python bench/bench_cargo.py [--file PATH] [--repeat 20]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow
import sqlalchemy
from sqlalchemy import func, select

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Role
from exoderm.evidence import service as evidence
from exoderm.evidence.cargo import CargoRow
from exoderm.storage import open_database, upgrade

DEFAULT = Path(__file__).resolve().parents[2] / "shared/data/ev_cargo/unified_EVmetadata.parquet"


def _timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    times, out = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    if not args.file.is_file():
        print(f"no snapshot at {args.file}", file=sys.stderr)
        return 2
    load_start = os.getloadavg()[0]
    sam, viewer = Actor("bench", Role.scientist), Actor("viewer", Role.viewer)
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(f"sqlite:///{folder}/cargo.db")
        upgrade(db)
        started = time.perf_counter()
        with db.transaction() as s:
            first = evidence.import_cargo(s, sam, path=args.file)
        import_s = time.perf_counter() - started
        started = time.perf_counter()
        with db.transaction() as s:
            again = evidence.import_cargo(s, sam, path=args.file)
        again_s = time.perf_counter() - started
        with db.reader() as s:
            stored = s.scalar(select(func.count()).select_from(CargoRow))
        size_mib = Path(f"{folder}/cargo.db").stat().st_size / 2**20
        print(
            f"import: {first.rows:,} rows in {import_s:.2f} s (target < 60 s; "
            f"{first.rows / import_s:,.0f} rows/s); stored {stored:,}; database {size_mib:.0f} MiB"
        )
        print(
            f"re-import of the same file: {again_s * 1000:.1f} ms, "
            f"already_imported={again.already_imported}"
        )

        queries: list[tuple[str, Callable[[], object]]] = []
        for source in ("adipose-msc", "msc", "fibroblast", "keratinocyte"):

            def ask(source: str = source) -> object:
                with db.reader() as s:
                    return evidence.cargo_in_source(s, viewer, source=source)

            queries.append((f"cargo --source {source}", ask))
        for molecule in ("TIMP1", "TGFB1", "CD63"):

            def carriers(molecule: str = molecule) -> object:
                with db.reader() as s:
                    return evidence.cargo_carriers(s, viewer, molecule=molecule)

            queries.append((f"cargo --molecule {molecule}", carriers))

        def unmapped() -> object:
            with db.reader() as s:
                return evidence.cargo_sources(s, viewer, unmapped_only=True)

        queries.append(("cargo-sources --unmapped", unmapped))
        for label, fn in queries:
            median, p95, out = _timed(fn, args.repeat)
            n = len(out) if isinstance(out, list) else 0
            print(f"{label:32s} median {median:7.1f} ms  p95 {p95:7.1f} ms  ({n} results)")
        db.dispose()
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss_mib:.0f} MiB (whole process)")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, python "
        f"{platform.python_version()}, pyarrow {pyarrow.__version__}, SQLAlchemy "
        f"{sqlalchemy.__version__}, load average {load_start:.1f} at start, "
        f"{os.getloadavg()[0]:.1f} at end"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
