"""Benchmark: exoderm.design's exact MILP on a synthetic 500-ingredient x 50-target catalogue.

Targets (issue 4): proven optimum in < 2 s; the top 5 distinct alternatives in < 10 s.
Anchors printed side by side in the same process:
  * greedy (add the best marginal ingredient while it helps) on the same instance —
    what a plain heuristic reaches, as an objective ratio;
  * exhaustive enumeration on an 18-item instance drawn the same way — the MILP must
    match it exactly, and the time ratio shows why enumeration does not scale (2^n).

    .venv/bin/python bench/bench_design.py [--seed 7] [--items 500] [--targets 50]
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from exoderm.design import exhaustive
from exoderm.design.milp import solve
from exoderm.design.problem import CardinalityLimit, DesignProblem

#: Evidence tiers of evidence-and-claims.md §6 (in vitro … RCT), as single-item scores.
TIER_SCORES = np.array([0.1, 0.2, 0.25, 0.35, 0.6, 0.85]) / (np.pi**2 / 6)


def synthetic(n: int, m: int, seed: int) -> tuple[DesignProblem, list[int]]:
    """A catalogue shaped like the real one: 4 % vehicles, 2 % delivery options, 20 %
    EV sources, the rest co-actives; each active covers 1-4 targets; ~2 synergies and
    ~0.4 pH clashes per item; at most 6 actives; one vehicle; at least one EV source."""
    rng = np.random.default_rng(seed)
    n_vehicle, n_delivery = max(2, n // 25), max(1, n // 50)
    kinds = np.array(
        ["vehicle"] * n_vehicle
        + ["delivery"] * n_delivery
        + ["ev"] * (n // 5)
        + ["co"] * (n - n_vehicle - n_delivery - n // 5)
    )
    coverage = np.zeros((n, m))
    for i in range(n):
        if kinds[i] == "vehicle":
            continue
        for t in rng.choice(m, size=rng.integers(1, 5), replace=False):
            coverage[i, t] = rng.choice(TIER_SCORES) * rng.uniform(0.7, 1.0)
    pairs: dict[tuple[int, int], float] = {}
    for _ in range(2 * n):
        i, j = sorted(rng.choice(n, size=2, replace=False))
        pairs[(int(i), int(j))] = float(rng.uniform(0.0, 0.05))
    clashes = {
        tuple(sorted(map(int, rng.choice(n, size=2, replace=False)))) for _ in range(int(0.4 * n))
    }
    actives = tuple(int(i) for i in np.flatnonzero((kinds == "ev") | (kinds == "co")))
    limits = (
        CardinalityLimit("exactly one vehicle", tuple(np.flatnonzero(kinds == "vehicle")), 1, 1),
        CardinalityLimit("at most one delivery", tuple(np.flatnonzero(kinds == "delivery")), 0, 1),
        CardinalityLimit("max actives", actives, 0, 6),
        CardinalityLimit("an EV source", tuple(np.flatnonzero(kinds == "ev")), 1, None),
    )
    problem = DesignProblem(
        coverage=coverage,
        weights=rng.uniform(0.5, 2.0, size=m),
        risk=rng.choice([0.02, 0.05, 0.1, 0.3, 0.4], size=n),
        cost=rng.integers(1, 4, size=n).astype(float),
        synergy=pairs,
        exclusive_pairs=tuple(sorted(clashes)),  # type: ignore[arg-type]
        limits=limits,
        risk_weight=0.25,
        cost_weight=0.01,
    )
    return problem, [int(i) for i in np.flatnonzero(kinds != "vehicle")]


def greedy_gaps(seed: int, runs: int = 100, n: int = 60, m: int = 8) -> None:
    """How often greedy misses the proven optimum on smaller instances, and by how much."""
    worse, gaps, infeasible = 0, [], 0
    for k in range(runs):
        problem, _ = synthetic(n, m, seed * 1000 + k)
        [best] = solve(problem)
        value, selection = exhaustive.greedy(problem)
        if not problem.is_feasible(selection):
            infeasible += 1
            continue
        if value < best.objective - 1e-9:
            worse += 1
            gaps.append(1 - value / best.objective)
    mean_gap = 100 * float(np.mean(gaps)) if gaps else 0.0
    print(
        f"greedy vs MILP    : {runs} instances of {n} items x {m} targets: greedy below the "
        f"optimum in {worse}, infeasible in {infeasible}; mean shortfall when below "
        f"{mean_gap:.2f} %"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--targets", type=int, default=50)
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}")

    problem, distinct = synthetic(args.items, args.targets, args.seed)
    start = time.perf_counter()
    [best] = solve(problem)
    t_best = time.perf_counter() - start
    start = time.perf_counter()
    top5 = solve(problem, top=5, distinct_on=distinct)
    t_top5 = time.perf_counter() - start
    start = time.perf_counter()
    g_value, g_sel = exhaustive.greedy(problem)
    t_greedy = time.perf_counter() - start
    g_ok = problem.is_feasible(g_sel)
    print(
        f"instance: {args.items} ingredients x {args.targets} targets, "
        f"{len(problem.synergy)} synergy pairs, {len(problem.exclusive_pairs)} clashes, "
        f"seed {args.seed}"
    )
    print(
        f"MILP optimum      : {t_best:7.3f} s  objective {best.objective:.6f}  "
        f"proven optimal {best.proven_optimal}  (target < 2 s)"
    )
    print(
        f"MILP top-5        : {t_top5:7.3f} s  objectives "
        f"{[round(s.objective, 4) for s in top5]}  all proven {all(s.proven_optimal for s in top5)}"
        "  (target < 10 s)"
    )
    print(
        f"greedy anchor     : {t_greedy:7.3f} s  objective {g_value:.6f}  feasible {g_ok}  "
        f"greedy/MILP = {g_value / best.objective:.4f}"
    )

    small, _ = synthetic(18, 6, args.seed)
    start = time.perf_counter()
    e_value, _ = exhaustive.best(small)
    t_exh = time.perf_counter() - start
    start = time.perf_counter()
    [s_best] = solve(small)
    t_small = time.perf_counter() - start
    print(
        f"exhaustive anchor : 18 items x 6 targets: enumeration {t_exh:.3f} s, "
        f"MILP {t_small:.3f} s "
        f"(enumeration/MILP time = {t_exh / t_small:.1f}x); objectives equal: "
        f"{abs(e_value - s_best.objective) < 1e-6}"
    )
    greedy_gaps(args.seed)
    ok = best.proven_optimal and t_best < 2.0 and t_top5 < 10.0
    spread = []
    for seed in range(args.seed + 1, args.seed + 4):
        other, other_distinct = synthetic(args.items, args.targets, seed)
        start = time.perf_counter()
        [first] = solve(other)
        one = time.perf_counter() - start
        start = time.perf_counter()
        solve(other, top=5, distinct_on=other_distinct)
        five = time.perf_counter() - start
        ok = ok and first.proven_optimal and one < 2.0 and five < 10.0
        spread.append(f"seed {seed}: optimum {one:.3f} s, top-5 {five:.3f} s")
    print("other seeds       : " + "; ".join(spread))
    print("PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
