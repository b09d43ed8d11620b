"""Exact solution of a :class:`DesignProblem` as a mixed-integer linear programme.

Variables, in this order: ``x_i`` ∈ {0, 1} (item selected), ``u_t`` ≥ 0 (concave
coverage utility of target *t*), ``y_ij`` ∈ [0, 1] (both *i* and *j* selected, one per
synergy pair). Because every synergy bonus is ≥ 0 and every target weight is > 0, the
objective pushes ``u`` and ``y`` up to their bounds, so the upper-bound constraints
alone linearise ``min`` and the product ``x_i x_j`` exactly (Glover's linearisation
without the lower bound, which maximisation never needs).

HiGHS (through :func:`scipy.optimize.milp`) solves it to a proven optimum with the
relative MIP gap set to zero. The next alternatives come from "no-good" cuts: after a
solution *S*, ``Σ_{i∈S} x_i − Σ_{i∉S} x_i ≤ |S| − 1`` removes exactly *S*, so the
k-th solve returns the k-th best distinct selection.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from exoderm.design.problem import DesignProblem, ObjectiveTerms, ProblemInfeasible
from exoderm.errors import ExodermError

#: Integrality of the x variables is read as selected above this value.
_SELECTED = 0.5


class SolverStopped(ExodermError):
    """HiGHS hit its time limit (or failed) before finding any feasible selection."""

    exit_code = 1
    http_status = 503
    title = "Optimiser stopped"


@dataclass(frozen=True)
class Solution:
    """One selection with its objective, its terms and how it was proven."""

    selected: tuple[int, ...]
    objective: float
    terms: ObjectiveTerms
    proven_optimal: bool
    seconds: float
    rank: int = 1


#: Upper end of the pH scale (the pH variable's bound).
PH_MAX = 14.0


class _Model:
    """The constraint matrix of one problem; cuts are appended between solves."""

    def __init__(self, problem: DesignProblem, *, with_objective: bool = True) -> None:
        self.problem = problem
        self.pairs = sorted(problem.synergy) if with_objective else []
        n, m, p = problem.n_items, problem.n_targets, len(self.pairs)
        self.n, self.m, self.p = n, m, p
        self.has_ph = any(w is not None for w in problem.ph_windows)
        self.n_vars = n + m + p + int(self.has_ph)
        self.rows: list[sparse.csr_matrix] = []
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.cost = np.zeros(self.n_vars)
        if with_objective:
            self._objective()
            self._coverage_rows()
            self._synergy_rows()
        self._pair_rows()
        self._limit_rows()
        self._dependency_rows()
        self._change_rows()
        self._ph_rows()

    def _objective(self) -> None:
        pr = self.problem
        # milp minimises: negate the gain.
        self.cost[: self.n] = pr.risk_weight * pr.risk + pr.cost_weight * pr.cost
        self.cost[self.n : self.n + self.m] = -pr.weights
        start = self.n + self.m
        self.cost[start : start + self.p] = [-pr.synergy[pair] for pair in self.pairs]

    def _add(self, block: sparse.spmatrix, lo: np.ndarray, hi: np.ndarray) -> None:
        self.rows.append(sparse.csr_matrix(block))
        self.lower.append(lo)
        self.upper.append(hi)

    def _coverage_rows(self) -> None:
        """u_t − slope_k · Σ_i a_it x_i ≤ offset_k, for every segment k."""
        a_t = sparse.csr_matrix(self.problem.coverage.T)
        eye = sparse.identity(self.m, format="csr")
        zeros = sparse.csr_matrix((self.m, self.n_vars - self.n - self.m))
        for offset, slope in self.problem.segment_pieces():
            block = sparse.hstack([-sparse.diags(slope) @ a_t, eye, zeros])
            self._add(block, np.full(self.m, -np.inf), offset)

    def _synergy_rows(self) -> None:
        """y_ij − x_i ≤ 0 and y_ij − x_j ≤ 0."""
        if not self.p:
            return
        for side in (0, 1):
            block = sparse.lil_matrix((self.p, self.n_vars))
            for k, pair in enumerate(self.pairs):
                block[k, pair[side]] = -1.0
                block[k, self.n + self.m + k] = 1.0
            self._add(block, np.full(self.p, -np.inf), np.zeros(self.p))

    def _pair_rows(self) -> None:
        """x_i + x_j ≤ 1 for mutually exclusive items."""
        pairs = self.problem.exclusive_pairs
        if not pairs:
            return
        block = sparse.lil_matrix((len(pairs), self.n_vars))
        for k, (i, j) in enumerate(pairs):
            block[k, i] = 1.0
            block[k, j] = 1.0
        self._add(block, np.full(len(pairs), -np.inf), np.ones(len(pairs)))

    def _dependency_rows(self) -> None:
        """x_i − Σ_{j ∈ partners(i)} x_j ≤ 0."""
        deps = self.problem.dependencies
        if not deps:
            return
        block = sparse.lil_matrix((len(deps), self.n_vars))
        for k, (i, partners) in enumerate(deps):
            for j in partners:
                block[k, j] = -1.0
            block[k, i] = 1.0
        self._add(block, np.full(len(deps), -np.inf), np.zeros(len(deps)))

    def _limit_rows(self) -> None:
        limits = self.problem.limits
        if not limits:
            return
        block = sparse.lil_matrix((len(limits), self.n_vars))
        lo = np.zeros(len(limits))
        hi = np.full(len(limits), np.inf)
        for k, limit in enumerate(limits):
            for i in limit.members:
                block[k, i] = 1.0
            lo[k] = limit.lower
            if limit.upper is not None:
                hi[k] = limit.upper
        self._add(block, lo, hi)

    def _ph_rows(self) -> None:
        """One pH variable q in [0, 14]: q >= low_i x_i and q + (14 - high_i) x_i <= 14,
        so every chosen window contains q."""
        if not self.has_ph:
            return
        q = self.n_vars - 1
        rows = [(i, w) for i, w in enumerate(self.problem.ph_windows) if w is not None]
        low = sparse.lil_matrix((len(rows), self.n_vars))
        high = sparse.lil_matrix((len(rows), self.n_vars))
        for k, (i, (lo, hi)) in enumerate(rows):
            low[k, q], low[k, i] = 1.0, -lo
            high[k, q], high[k, i] = 1.0, PH_MAX - hi
        self._add(low, np.zeros(len(rows)), np.full(len(rows), np.inf))
        self._add(high, np.full(len(rows), -np.inf), np.full(len(rows), PH_MAX))

    def _change_rows(self) -> None:
        """Σ_{i∉B} x_i − Σ_{i∈B} x_i ≤ k − |B| over the limit's members (at most k changes)."""
        limit = self.problem.change_limit
        if limit is None:
            return
        row = np.zeros(self.n_vars)
        kept = [i for i in limit.members if i in limit.baseline]
        for i in limit.members:
            row[i] = -1.0 if i in limit.baseline else 1.0
        upper = float(limit.at_most - len(kept))
        self._add(sparse.csr_matrix(row), np.array([-np.inf]), np.array([upper]))

    def exclude(self, selected: tuple[int, ...], on: list[int] | None = None) -> None:
        """A no-good cut that removes this selection (restricted to the items ``on``)."""
        scope = set(range(self.n)) if on is None else set(on)
        chosen = [i for i in selected if i in scope]
        row = np.full(self.n_vars, 0.0)
        row[sorted(scope)] = -1.0
        row[chosen] = 1.0
        self._add(sparse.csr_matrix(row), np.array([-np.inf]), np.array([len(chosen) - 1.0]))

    def bounds(self) -> Bounds:
        pr = self.problem
        lo = np.zeros(self.n_vars)
        hi = np.ones(self.n_vars)
        lo[: self.n] = pr.forced_mask.astype(float)
        hi[: self.n] = pr.allowed_mask.astype(float)
        hi[self.n : self.n + self.m] = np.inf
        if self.has_ph:
            hi[-1] = PH_MAX
        return Bounds(lo, hi)

    def integrality(self) -> np.ndarray:
        kinds = np.zeros(self.n_vars)
        kinds[: self.n] = 1
        return kinds

    def constraints(self) -> list[LinearConstraint]:
        if not self.rows:
            return []
        matrix = sparse.vstack(self.rows, format="csr")
        return [LinearConstraint(matrix, np.concatenate(self.lower), np.concatenate(self.upper))]

    def run(self, time_limit: float) -> tuple[tuple[int, ...] | None, bool]:
        """Solve once: the selection (None if infeasible) and whether it is proven optimal."""
        pr = self.problem
        if np.any(pr.forced_mask & ~pr.allowed_mask):
            return None, True
        result = milp(
            self.cost,
            integrality=self.integrality(),
            bounds=self.bounds(),
            constraints=self.constraints(),
            # Presolve stays on. Without it HiGHS (SciPy 1.17.1) solves catalogue-shaped
            # instances 1.5-2x faster, but the property test found a small instance where
            # it reported a suboptimal selection as optimal ("transformNewIntegerFeasible
            # Solution" path), so speed is not worth it.
            options={"mip_rel_gap": 0.0, "time_limit": time_limit, "presolve": True},
        )
        if result.x is None:
            if result.status == 2:  # infeasible
                return None, True
            raise SolverStopped(
                f"the optimiser stopped without a solution ({result.message}); "
                "reduce the catalogue or relax constraints"
            )
        chosen = tuple(int(i) for i in np.flatnonzero(result.x[: self.n] > _SELECTED))
        return chosen, result.status == 0


def solve(
    problem: DesignProblem,
    *,
    top: int = 1,
    time_limit: float = 60.0,
    distinct_on: list[int] | None = None,
) -> list[Solution]:
    """The best ``top`` distinct selections, best first.

    ``distinct_on`` limits distinctness to those items (e.g. the actives, so that two
    alternatives never differ only in the vehicle); by default all items count.

    Raises :class:`ProblemInfeasible` if no selection satisfies the constraints; returns
    fewer than ``top`` solutions when fewer feasible selections exist.
    """
    model = _Model(problem)
    found: list[Solution] = []
    for rank in range(1, top + 1):
        started = time.perf_counter()
        chosen, proven = model.run(time_limit)
        elapsed = time.perf_counter() - started
        if chosen is None:
            if rank == 1:
                raise ProblemInfeasible("no selection satisfies the constraints")
            break
        terms = problem.evaluate(chosen)
        found.append(Solution(chosen, terms.total, terms, proven, elapsed, rank))
        model.exclude(chosen, distinct_on)
    return found


def feasible(problem: DesignProblem, *, time_limit: float = 30.0) -> bool:
    """Whether any selection satisfies the hard constraints (objective ignored)."""
    model = _Model(problem, with_objective=False)
    chosen, _ = model.run(time_limit)
    return chosen is not None
