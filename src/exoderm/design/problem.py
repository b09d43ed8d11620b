"""The formulation problem as plain numbers, and its objective.

The optimiser never sees ingredients or markets: :class:`DesignProblem` holds a
coverage matrix (how strongly item *i* is evidenced for target *t*), target weights,
non-negative synergies between pairs (the knowledge graph's "enhances" edges), risk
and cost per item, and the hard constraints (which items are allowed or forced,
mutually exclusive pairs, cardinality limits). Keeping the problem pure lets the MILP
be tested against exhaustive enumeration on random instances.

Why a concave coverage curve: a formulator gains little from a second ingredient for
a target that is already well covered, and a lot from covering a new target. Each
target's utility is piecewise linear in its summed evidence ``c``: slope 1 up to the
saturation ``τ`` (by default the strongest single item for that target), then
``decay``, ``decay²``, … for each further ``τ``. A concave, piecewise-linear function
is exactly representable in a linear programme by one auxiliary variable and one
inequality per segment (the minimum of affine pieces), so the MILP stays exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class CardinalityLimit:
    """``lower <= number of selected members <= upper``, named for explanations."""

    name: str
    members: tuple[int, ...]
    lower: int = 0
    upper: int | None = None

    def satisfied_by(self, selected: frozenset[int]) -> bool:
        count = sum(1 for i in self.members if i in selected)
        return count >= self.lower and (self.upper is None or count <= self.upper)


@dataclass(frozen=True)
class ChangeLimit:
    """At most ``at_most`` of ``members`` differ from ``baseline`` (added or removed):
    an existing formula improved by changing at most *k* ingredients."""

    members: tuple[int, ...]
    baseline: frozenset[int]
    at_most: int

    def changes(self, selected: frozenset[int]) -> int:
        return sum(1 for i in self.members if (i in selected) != (i in self.baseline))

    def satisfied_by(self, selected: frozenset[int]) -> bool:
        return self.changes(selected) <= self.at_most


@dataclass(frozen=True)
class ObjectiveTerms:
    """The objective split into the parts a formulator can reason about."""

    coverage: float
    synergy: float
    risk: float
    cost: float
    per_target: tuple[float, ...]

    @property
    def total(self) -> float:
        return self.coverage + self.synergy - self.risk - self.cost


@dataclass(frozen=True)
class DesignProblem:
    """A selection problem over ``n`` items and ``m`` targets (all arrays are numpy).

    ``coverage`` (n×m) ≥ 0, ``weights`` (m) > 0, ``synergy`` maps pairs ``(i, j)``
    with ``i < j`` to a bonus ≥ 0, ``risk`` and ``cost`` (n) ≥ 0 are multiplied by
    ``risk_weight`` and ``cost_weight``. ``allowed``/``forced`` are boolean masks;
    ``exclusive_pairs`` may not both be chosen; ``limits`` bound counts of groups;
    ``dependencies`` ``(i, partners)`` allow *i* only together with one of ``partners``;
    ``ph_windows`` (one per item, or empty) give each item's pH window: the chosen items'
    windows must share a pH. On a line, intervals that overlap pairwise share a point
    (Helly's theorem in one dimension), so one pH variable replaces a constraint per
    clashing pair.
    """

    coverage: FloatArray
    weights: FloatArray
    risk: FloatArray
    cost: FloatArray
    synergy: Mapping[tuple[int, int], float] = field(default_factory=dict)
    allowed: BoolArray | None = None
    forced: BoolArray | None = None
    exclusive_pairs: tuple[tuple[int, int], ...] = ()
    limits: tuple[CardinalityLimit, ...] = ()
    dependencies: tuple[tuple[int, tuple[int, ...]], ...] = ()
    change_limit: ChangeLimit | None = None
    ph_windows: tuple[tuple[float, float] | None, ...] = ()
    saturation: FloatArray | None = None
    decay: float = 0.5
    segments: int = 3
    risk_weight: float = 1.0
    cost_weight: float = 1.0

    def __post_init__(self) -> None:
        n, m = self.coverage.shape
        if self.weights.shape != (m,) or self.risk.shape != (n,) or self.cost.shape != (n,):
            raise ValueError("coverage, weights, risk and cost shapes disagree")
        if np.any(self.coverage < 0) or np.any(self.weights <= 0):
            raise ValueError("coverage must be >= 0 and weights > 0")
        if not 0.0 <= self.decay <= 1.0 or self.segments < 1:
            raise ValueError("decay must lie in [0, 1] and segments >= 1")
        for (i, j), s in self.synergy.items():
            if not (0 <= i < j < n) or s < 0:
                raise ValueError(f"bad synergy entry {(i, j)}: {s}")
        if self.ph_windows and len(self.ph_windows) != n:
            raise ValueError("ph_windows needs one entry per item (or none)")

    @property
    def n_items(self) -> int:
        return int(self.coverage.shape[0])

    @property
    def n_targets(self) -> int:
        return int(self.coverage.shape[1])

    @property
    def allowed_mask(self) -> BoolArray:
        if self.allowed is None:
            return np.ones(self.n_items, dtype=bool)
        return self.allowed

    @property
    def forced_mask(self) -> BoolArray:
        if self.forced is None:
            return np.zeros(self.n_items, dtype=bool)
        return self.forced

    @property
    def tau(self) -> FloatArray:
        """Saturation per target: given, else the strongest single item (≥ a tiny floor)."""
        if self.saturation is not None:
            return np.maximum(self.saturation, 1e-9)
        if self.n_items == 0:
            return np.ones(self.n_targets)
        return np.maximum(self.coverage.max(axis=0), 1e-9)

    def segment_pieces(self) -> list[tuple[FloatArray, FloatArray]]:
        """Affine pieces ``u <= offset + slope * c`` of the concave utility, per segment."""
        tau = self.tau
        pieces: list[tuple[FloatArray, FloatArray]] = []
        value_at_start = np.zeros(self.n_targets)
        for k in range(self.segments):
            slope = self.decay**k
            offset = value_at_start - slope * k * tau
            pieces.append((offset, np.full(self.n_targets, slope)))
            value_at_start = value_at_start + slope * tau
        return pieces

    def target_utility(self, summed: FloatArray) -> FloatArray:
        """The concave coverage utility of summed evidence, per target."""
        values = [offset + slope * summed for offset, slope in self.segment_pieces()]
        return np.min(np.vstack(values), axis=0)

    def is_feasible(self, selected: Iterable[int]) -> bool:
        """Whether a selection satisfies every hard constraint."""
        chosen = frozenset(selected)
        allowed, forced = self.allowed_mask, self.forced_mask
        if any(not allowed[i] for i in chosen):
            return False
        if any(forced[i] and i not in chosen for i in range(self.n_items)):
            return False
        if any(i in chosen and j in chosen for i, j in self.exclusive_pairs):
            return False
        if any(i in chosen and not chosen & set(ps) for i, ps in self.dependencies):
            return False
        if self.change_limit is not None and not self.change_limit.satisfied_by(chosen):
            return False
        if not self.common_ph(chosen):
            return False
        return all(limit.satisfied_by(chosen) for limit in self.limits)

    def common_ph(self, chosen: Iterable[int]) -> bool:
        """Whether the chosen items' pH windows share a pH (items without one always do)."""
        windows = [self.ph_windows[i] for i in chosen if self.ph_windows and self.ph_windows[i]]
        present = [w for w in windows if w is not None]
        return not present or max(w[0] for w in present) <= min(w[1] for w in present)

    def evaluate(self, selected: Iterable[int]) -> ObjectiveTerms:
        """The objective of a selection, term by term (feasibility is not checked)."""
        chosen = sorted(set(selected))
        x = np.zeros(self.n_items)
        x[chosen] = 1.0
        per_target = self.weights * self.target_utility(x @ self.coverage)
        chosen_set = set(chosen)
        synergy = sum(
            s for (i, j), s in self.synergy.items() if i in chosen_set and j in chosen_set
        )
        return ObjectiveTerms(
            coverage=float(per_target.sum()),
            synergy=float(synergy),
            risk=float(self.risk_weight * self.risk @ x),
            cost=float(self.cost_weight * self.cost @ x),
            per_target=tuple(float(v) for v in per_target),
        )

    def objective(self, selected: Iterable[int]) -> float:
        return self.evaluate(selected).total


class ProblemInfeasible(Exception):
    """No selection satisfies the hard constraints of a :class:`DesignProblem`."""
