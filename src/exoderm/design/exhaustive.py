"""Reference solutions by enumerating every selection (small problems only).

Used as the oracle in the optimiser's property tests and as the side-by-side anchor in
``bench/bench_design.py``; also :func:`greedy`, the plain heuristic a formulator might
use (add the item with the best marginal gain while it helps), to show what the exact
MILP buys.
"""

from __future__ import annotations

from itertools import combinations

from exoderm.design.problem import DesignProblem, ProblemInfeasible

#: Enumeration is 2^n: refuse anything that would take minutes.
MAX_ENUMERATED_ITEMS = 20


def ranked_selections(problem: DesignProblem) -> list[tuple[float, tuple[int, ...]]]:
    """Every feasible selection with its objective, best first."""
    if problem.n_items > MAX_ENUMERATED_ITEMS:
        raise ValueError(f"exhaustive search is limited to {MAX_ENUMERATED_ITEMS} items")
    allowed = [i for i in range(problem.n_items) if problem.allowed_mask[i]]
    ranked: list[tuple[float, tuple[int, ...]]] = []
    for size in range(len(allowed) + 1):
        for subset in combinations(allowed, size):
            if problem.is_feasible(subset):
                ranked.append((problem.objective(subset), subset))
    ranked.sort(key=lambda pair: -pair[0])
    return ranked


def best(problem: DesignProblem) -> tuple[float, tuple[int, ...]]:
    """The optimum by enumeration; raises :class:`ProblemInfeasible` if none exists."""
    ranked = ranked_selections(problem)
    if not ranked:
        raise ProblemInfeasible("no selection satisfies the constraints")
    return ranked[0]


def greedy(problem: DesignProblem) -> tuple[float, tuple[int, ...]]:
    """Forced items first, then the best member of every group still below its lower
    bound (a vehicle, an EV source), then the best feasible marginal gain while it is
    positive. Dependencies are not enforced, so callers check feasibility."""
    chosen = {i for i in range(problem.n_items) if problem.forced_mask[i]}
    candidates = [i for i in range(problem.n_items) if problem.allowed_mask[i] and i not in chosen]
    for limit in problem.limits:
        while sum(1 for i in limit.members if i in chosen) < limit.lower:
            pick = _best_addition(
                problem, chosen, [i for i in candidates if i in limit.members], require_gain=False
            )
            if pick is None:
                break
            chosen.add(pick)
            candidates.remove(pick)
    while True:
        pick = _best_addition(problem, chosen, candidates, require_gain=True)
        if pick is None:
            return problem.objective(chosen), tuple(sorted(chosen))
        chosen.add(pick)
        candidates.remove(pick)


def _best_addition(
    problem: DesignProblem, chosen: set[int], candidates: list[int], *, require_gain: bool
) -> int | None:
    current = problem.objective(chosen)
    best_gain, best_item = (0.0 if require_gain else -float("inf")), None
    for i in candidates:
        trial = chosen | {i}
        if not _within_upper_limits(problem, trial):
            continue
        gain = problem.objective(trial) - current
        if gain > best_gain:
            best_gain, best_item = gain, i
    return best_item


def _within_upper_limits(problem: DesignProblem, trial: set[int]) -> bool:
    if any(i in trial and j in trial for i, j in problem.exclusive_pairs):
        return False
    for limit in problem.limits:
        if limit.upper is not None and sum(1 for i in limit.members if i in trial) > limit.upper:
            return False
    return True
