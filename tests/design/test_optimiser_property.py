"""The MILP's optimum equals exhaustive enumeration on random small catalogues."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exoderm.design import exhaustive
from exoderm.design.milp import feasible, solve
from exoderm.design.problem import CardinalityLimit, DesignProblem, ProblemInfeasible


@st.composite
def problems(draw: st.DrawFn) -> DesignProblem:
    n = draw(st.integers(1, 7))
    m = draw(st.integers(1, 4))
    unit = st.floats(0, 1, allow_nan=False, allow_subnormal=False)
    cells = draw(st.lists(st.one_of(st.just(0.0), unit), min_size=n * m, max_size=n * m))
    coverage = np.array(cells).reshape(n, m)
    weights = np.array(draw(st.lists(st.floats(0.1, 3), min_size=m, max_size=m)))
    risk = np.array(draw(st.lists(st.floats(0, 0.5), min_size=n, max_size=n)))
    cost = np.array(draw(st.lists(st.floats(0, 0.5), min_size=n, max_size=n)))
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    chosen_pairs = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=5)) if pairs else []
    synergy = {p: draw(st.floats(0, 0.8)) for p in chosen_pairs}
    exclusive = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=2)) if pairs else []
    allowed = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n))) | (np.arange(n) < 1)
    forced = np.zeros(n, dtype=bool)
    if draw(st.booleans()):
        forced[draw(st.integers(0, n - 1))] = True
    dependencies = []
    if n >= 2 and draw(st.booleans()):
        item = draw(st.integers(0, n - 1))
        partners = draw(st.sets(st.integers(0, n - 1).filter(lambda j: j != item), min_size=1))
        dependencies.append((item, tuple(sorted(partners))))
    ph_windows: tuple[tuple[float, float] | None, ...] = ()
    if draw(st.booleans()):
        bounds = st.tuples(st.integers(3, 9), st.integers(0, 3))
        ph_windows = tuple(
            (float(lo), float(lo + width)) if draw(st.booleans()) else None
            for lo, width in (draw(bounds) for _ in range(n))
        )
    limits = []
    if draw(st.booleans()):
        members = tuple(sorted(draw(st.sets(st.integers(0, n - 1), min_size=1))))
        lower = draw(st.integers(0, 1))
        upper = draw(st.integers(lower, len(members)))
        limits.append(CardinalityLimit("group", members, lower, upper))
    return DesignProblem(
        coverage=coverage,
        weights=weights,
        risk=risk,
        cost=cost,
        synergy=synergy,
        allowed=allowed,
        forced=forced,
        exclusive_pairs=tuple(exclusive),
        limits=tuple(limits),
        dependencies=tuple(dependencies),
        ph_windows=ph_windows,
        decay=draw(st.floats(0, 1)),
        segments=draw(st.integers(1, 3)),
        risk_weight=draw(st.floats(0, 1)),
        cost_weight=draw(st.floats(0, 1)),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_milp_optimum_equals_exhaustive(problem: DesignProblem) -> None:
    try:
        expected, _ = exhaustive.best(problem)
    except ProblemInfeasible:
        with pytest.raises(ProblemInfeasible):
            solve(problem)
        assert not feasible(problem)
        return
    [found] = solve(problem)
    assert problem.is_feasible(found.selected)
    assert found.proven_optimal
    assert found.objective == pytest.approx(expected, abs=1e-6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.integers(2, 5))
def test_top_k_are_the_k_best_distinct_selections(problem: DesignProblem, k: int) -> None:
    ranked = exhaustive.ranked_selections(problem)
    if not ranked:
        return
    found = solve(problem, top=k)
    assert len(found) == min(k, len(ranked))
    assert len({s.selected for s in found}) == len(found)
    expected = [value for value, _ in ranked[: len(found)]]
    assert [s.objective for s in found] == pytest.approx(expected, abs=1e-6)


def test_diminishing_returns_prefer_a_new_target_over_double_coverage() -> None:
    # Items 0 and 1 both cover target 0 fully; item 2 covers target 1 a bit less.
    problem = DesignProblem(
        coverage=np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 0.8]]),
        weights=np.array([1.0, 1.0]),
        risk=np.zeros(3),
        cost=np.zeros(3),
        limits=(CardinalityLimit("max actives", (0, 1, 2), 0, 2),),
        decay=0.5,
    )
    [best] = solve(problem)
    assert set(best.selected) == {0, 2} or set(best.selected) == {1, 2}
    assert problem.objective((0, 1)) == pytest.approx(1.5)


def test_synergy_can_change_the_choice() -> None:
    base = dict(
        coverage=np.array([[0.5], [0.4], [0.45]]),
        weights=np.array([1.0]),
        risk=np.zeros(3),
        cost=np.zeros(3),
        limits=(CardinalityLimit("max actives", (0, 1, 2), 0, 2),),
        decay=0.0,
        segments=2,
    )
    without = solve(DesignProblem(**base))[0]
    with_synergy = solve(DesignProblem(**base, synergy={(1, 2): 0.3}))[0]
    assert 0 in without.selected
    assert set(with_synergy.selected) == {1, 2}
    assert with_synergy.terms.synergy == pytest.approx(0.3)


def test_time_limit_without_solution_is_an_exoderm_error() -> None:
    from exoderm.design.milp import SolverStopped

    rng = np.random.default_rng(0)
    n = 400
    problem = DesignProblem(
        coverage=rng.uniform(0, 1, size=(n, 30)) * (rng.uniform(size=(n, 30)) < 0.05),
        weights=np.ones(30),
        risk=np.zeros(n),
        cost=np.zeros(n),
        limits=(CardinalityLimit("exactly 37", tuple(range(n)), 37, 37),),
        exclusive_pairs=tuple((i, i + 1) for i in range(0, n - 1, 2)),
    )
    try:
        solutions = solve(problem, time_limit=1e-6)
    except SolverStopped as exc:
        assert "stopped without a solution" in str(exc)
    else:  # HiGHS found a first solution before checking the clock: not proven.
        assert solutions and not solutions[0].proven_optimal
