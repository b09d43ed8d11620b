"""Benchmark: exoderm's QC importers against the instruments' own printed numbers.

The issue's anchor for imported numbers is each instrument's own software. For every real
export in /work/shared/data this script, in one process:

1. times the import (best of N runs);
2. compares exoderm's recomputation from the file's own distribution (number-weighted
   mean, population SD, D10/D50/D90 by linear interpolation) with the values the
   instrument printed, and prints the ratio exoderm / instrument.

The importer itself stores the printed values (ratio 1 by construction, see the golden
tests); the recomputation shows how far an independent calculation lands.
Run: .venv/bin/python bench/bench_qc.py
"""

from __future__ import annotations

import platform
import time
from pathlib import Path

from exoderm.qc.distribution import number_stats
from exoderm.qc.importers import import_file

DATA = Path("/work/shared/data")
FILES = [
    DATA / "nanosight" / "beads.csv",
    DATA / "nanosight" / "beads2.csv",
    DATA / "viewsizer" / "1-1e5 150nm Nanosphere 2",
    DATA / "zetasizer" / "chc_particleSize.txt",
    DATA / "zetasizer" / "chc_zetaPotential.txt",
]
RUNS = 5


def best_time(path: Path) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        import_file(path)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    print(f"python {platform.python_version()}, {platform.machine()}")
    print(f"{'file':48s} {'import s':>9s}")
    for path in FILES:
        print(f"{path.name[:48]:48s} {best_time(path):9.3f}")
    print()
    print("recomputed from the file's distribution / printed by the instrument (per video)")
    print(
        f"{'file':12s} {'video':>5s} {'conc':>7s} {'mean':>7s} {'SD':>7s} {'D10':>7s} "
        f"{'D50':>7s} {'D90':>7s}"
    )
    for path in FILES[:2]:
        (m,) = import_file(path)
        for i, rep in enumerate(m.replicates):
            s = number_stats(rep.bins)
            ratios = [s.total / (rep.concentration_per_ml or 1)] + [
                got / (want or 1)
                for got, want in (
                    (s.mean_nm, rep.mean_nm),
                    (s.sd_nm, rep.sd_nm),
                    (s.d10_nm, rep.d10_nm),
                    (s.d50_nm, rep.d50_nm),
                    (s.d90_nm, rep.d90_nm),
                )
            ]
            print(f"{path.name:12s} {i:5d} " + " ".join(f"{r:7.4f}" for r in ratios))


if __name__ == "__main__":
    main()
