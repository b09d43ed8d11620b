"""Turning catalogue + request + active constraints into a :class:`DesignProblem`.

The coverage matrix holds each ingredient's evidence score per requested target (from
the :mod:`evidence_link` provider, for the formulation's route); synergy holds the
"enhances" scores of ordered pairs, summed per unordered pair. Hard structure every
product has: exactly one vehicle, at most one delivery option, no two ingredients
whose pH windows do not overlap, no declared incompatible pair.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from exoderm.design.catalogue import Catalogue, Target
from exoderm.design.constraints import Constraint
from exoderm.design.evidence_link import EvidenceProvider, Link
from exoderm.design.ingredient import Ingredient, Kind
from exoderm.design.problem import CardinalityLimit, ChangeLimit, DesignProblem
from exoderm.design.request import FormulationRequest
from exoderm.design.skeletons import skeleton_for_vehicle

#: Diminishing returns: a target's second full coverage counts half (problem.py).
DECAY = 0.5


@dataclass
class Evidence:
    """The evidence looked up once per request and reused for every re-solve."""

    items: list[Ingredient]
    targets: list[Target]
    weights: np.ndarray
    links: list[list[Link]]
    synergy: dict[tuple[int, int], float]
    synergy_links: dict[tuple[int, int], list[tuple[str, str, Link]]] = field(default_factory=dict)

    @property
    def coverage(self) -> np.ndarray:
        return np.array([[link.score for link in row] for row in self.links], dtype=float)


def gather_evidence(
    catalogue: Catalogue,
    request: FormulationRequest,
    provider: EvidenceProvider,
) -> Evidence:
    """Resolve targets and score every ingredient for every target and pair."""
    targets: list[Target] = []
    weights: list[float] = []
    for name, weight in request.targets.items():
        target = catalogue.target(name)
        if target in targets:
            weights[targets.index(target)] += weight
            continue
        targets.append(target)
        weights.append(weight)
    items = list(catalogue)
    route = request.effective_route.value
    links = [[provider.link(item, t, route) for t in targets] for item in items]
    synergy: dict[tuple[int, int], float] = {}
    detail: dict[tuple[int, int], list[tuple[str, str, Link]]] = {}
    for i, a in enumerate(items):
        if not provider.may_enhance(a):
            continue
        for j, b in enumerate(items):
            if i == j:
                continue
            link = provider.synergy(a, b, route)
            if link.score > 0:
                pair = (min(i, j), max(i, j))
                synergy[pair] = synergy.get(pair, 0.0) + link.score
                detail.setdefault(pair, []).append((a.key, b.key, link))
    return Evidence(items, targets, np.array(weights), links, synergy, detail)


def forbidden(
    items: list[Ingredient], constraints: Iterable[Constraint]
) -> dict[int, list[tuple[str, str]]]:
    """For each ruled-out item index: (constraint label, reason) pairs."""
    active = list(constraints)
    labels = frozenset(c.label for c in active)
    out: dict[int, list[tuple[str, str]]] = {}
    for i, item in enumerate(items):
        for c in active:
            reason = c.forbids(item, labels)
            if reason:
                out.setdefault(i, []).append((c.label, reason))
    return out


def _carries_no_ev(item: Ingredient) -> bool:
    skeleton = skeleton_for_vehicle(item.key) if item.kind is Kind.vehicle else None
    return skeleton is not None and not skeleton.accepts_ev


def structural_pairs(items: list[Ingredient]) -> tuple[tuple[int, int], ...]:
    """Pairs that can never be combined: declared incompatibilities, and an EV source in a
    product type that cannot carry an aqueous EV preparation. (pH windows are one shared
    pH in the problem, :attr:`DesignProblem.ph_windows`, not a pair per clash.)"""
    pairs: list[tuple[int, int]] = []
    for i, a in enumerate(items):
        for j in range(i + 1, len(items)):
            b = items[j]
            if (
                b.key in a.incompatible_with
                or a.key in b.incompatible_with
                or (_carries_no_ev(a) and b.kind is Kind.ev_source)
                or (_carries_no_ev(b) and a.kind is Kind.ev_source)
            ):
                pairs.append((i, j))
    return tuple(pairs)


def build_problem(
    evidence: Evidence,
    constraints: Iterable[Constraint],
    request: FormulationRequest,
    *,
    with_forced: bool = True,
    baseline: Baseline | None = None,
) -> DesignProblem:
    """The pure problem for this evidence under the given (active) constraints.

    With a ``baseline`` (an existing formula's actives), at most ``baseline.max_changes``
    actives may be added or removed, and the baseline's own actives stay candidates even
    when they cover no requested target (keeping them is no change)."""
    constraints = list(constraints)
    items = evidence.items
    index = {item.key: i for i, item in enumerate(items)}
    allowed = np.ones(len(items), dtype=bool)
    ruled_out = forbidden(items, constraints)
    for i in ruled_out:
        allowed[i] = False
    forced = np.zeros(len(items), dtype=bool)
    if with_forced:
        for c in constraints:
            key = c.forces()
            if key is not None:
                forced[index[key]] = True
    kept = np.zeros(len(items), dtype=bool)
    if baseline is not None:
        for key in baseline.keys:
            if key in index and index[key] not in ruled_out:
                kept[index[key]] = True
    allowed &= _contributes(evidence) | forced | kept
    return DesignProblem(
        coverage=evidence.coverage,
        weights=evidence.weights,
        risk=np.array([item.risk for item in items]),
        cost=np.array([float(item.cost_tier) for item in items]),
        synergy=evidence.synergy,
        allowed=allowed,
        forced=forced,
        exclusive_pairs=structural_pairs(items),
        ph_windows=tuple((i.ph.min, i.ph.max) if i.ph is not None else None for i in items),
        limits=_limits(items, constraints) + coverage_limits(evidence, constraints),
        dependencies=_free(evidence, forced),
        change_limit=_change_limit(items, index, baseline),
        decay=DECAY,
        segments=3,
        risk_weight=request.risk_weight,
        cost_weight=request.cost_weight,
    )


@dataclass(frozen=True)
class Baseline:
    """An existing formula's actives (catalogue keys) and how many may change."""

    keys: frozenset[str]
    max_changes: int


def _change_limit(
    items: list[Ingredient], index: dict[str, int], baseline: Baseline | None
) -> ChangeLimit | None:
    if baseline is None:
        return None
    members = tuple(i for i, item in enumerate(items) if item.is_active)
    chosen = frozenset(index[k] for k in baseline.keys if k in index)
    return ChangeLimit(members=members, baseline=chosen, at_most=baseline.max_changes)


def _covers(evidence: Evidence) -> np.ndarray:
    """Items that cover a requested target, or are EV sources or vehicles (every
    product needs one of each, so they are always candidates)."""
    covers = evidence.coverage.max(axis=1, initial=0.0) > 0
    always = np.array([item.kind in (Kind.ev_source, Kind.vehicle) for item in evidence.items])
    return np.asarray(covers | always, dtype=bool)


def _contributes(evidence: Evidence) -> np.ndarray:
    """Co-actives and delivery options must cover a requested target or enhance a
    partner; otherwise "alternatives" would just add inert actives."""
    useful = _covers(evidence).copy()
    for i, j in evidence.synergy:
        useful[i] = useful[j] = True
    return useful


def _free(evidence: Evidence, forced: np.ndarray) -> tuple[tuple[int, tuple[int, ...]], ...]:
    """Dependencies, except for items the user requires (they stay regardless)."""
    return tuple((i, ps) for i, ps in _dependencies(evidence) if not forced[i])


def _dependencies(evidence: Evidence) -> tuple[tuple[int, tuple[int, ...]], ...]:
    """An item whose only value is a synergy may only come with a synergy partner."""
    covers = _covers(evidence)
    partners: dict[int, set[int]] = {}
    for i, j in evidence.synergy:
        partners.setdefault(i, set()).add(j)
        partners.setdefault(j, set()).add(i)
    return tuple((i, tuple(sorted(ps))) for i, ps in sorted(partners.items()) if not covers[i])


def coverage_limits(
    evidence: Evidence, constraints: Iterable[Constraint]
) -> tuple[CardinalityLimit, ...]:
    """For each requested target, at least one chosen ingredient with evidence for it.

    A target that no allowed ingredient covers then makes the problem infeasible, and the
    conflict report names it, instead of a "proven optimal" formula that ignores it.
    """
    limits: list[CardinalityLimit] = []
    for c in constraints:
        above = c.min_target_coverage()
        if above is None:
            continue
        for t, target in enumerate(evidence.targets):
            members = tuple(int(i) for i in np.flatnonzero(evidence.coverage[:, t] > above))
            limits.append(CardinalityLimit(f"{c.label}: {target.label}", members, 1, None))
    return tuple(limits)


def _limits(items: list[Ingredient], constraints: list[Constraint]) -> tuple[CardinalityLimit, ...]:
    def members(kind: Kind) -> tuple[int, ...]:
        return tuple(i for i, item in enumerate(items) if item.kind is kind)

    actives = tuple(i for i, item in enumerate(items) if item.is_active)
    limits = [
        CardinalityLimit("exactly one vehicle", members(Kind.vehicle), 1, 1),
        CardinalityLimit("at most one delivery option", members(Kind.delivery), 0, 1),
    ]
    for c in constraints:
        top = c.max_actives()
        if top is not None:
            limits.append(CardinalityLimit(c.label, actives, 0, top))
        low = c.min_ev_sources()
        if low is not None:
            limits.append(CardinalityLimit(c.label, members(Kind.ev_source), low, None))
    return tuple(limits)
