"""Explaining infeasible requests: which of the user's constraints clash.

A deletion filter (Chinneck & Dravnieks 1991, the standard way to find an irreducible
infeasible subset) starts from all user constraints, which together are infeasible,
and tries dropping each in turn: if the rest are still infeasible the constraint is
not needed for the conflict and stays dropped; otherwise it is part of it. What
remains is a minimal set: removing any one of its members makes a formulation
possible. Structural facts (one vehicle, compatible pH windows) are never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from exoderm.design.assembly import Evidence, build_problem, forbidden
from exoderm.design.constraints import Constraint, Regulatory, RouteConstraint
from exoderm.design.ingredient import Ingredient, Kind
from exoderm.design.milp import feasible
from exoderm.design.regulation import Status, route_allowed
from exoderm.design.request import FormulationRequest
from exoderm.errors import UserInputError


@dataclass(frozen=True)
class Conflict:
    """One constraint of a minimal conflicting set, with what it rules out."""

    constraint: str
    rules_out: tuple[str, ...]
    detail: str


@dataclass(frozen=True)
class ConflictReport:
    conflicts: tuple[Conflict, ...]
    reasons: tuple[str, ...] = field(default=())

    @property
    def labels(self) -> list[str]:
        return [c.constraint for c in self.conflicts]

    def message(self) -> str:
        if not self.conflicts:
            return "no formulation exists even without your constraints: " + "; ".join(self.reasons)
        names = "; ".join(f"{c.constraint} [{c.detail}]" for c in self.conflicts)
        text = f"no formulation satisfies these constraints together: {names}"
        if len(self.conflicts) > 1:
            text += " (relaxing any one of them makes a formulation possible)"
        if self.reasons:
            text += ". Why: " + "; ".join(self.reasons)
        return text


class InfeasibleError(UserInputError):
    """The request's constraints cannot all be met; ``.conflicts`` names them."""

    def __init__(self, report: ConflictReport) -> None:
        self.report = report
        self.conflicts = list(report.conflicts)
        super().__init__(
            report.message(),
            field="constraints",
            expected="relax one of the named constraints",
        )


def _feasible(evidence: Evidence, active: list[Constraint], request: FormulationRequest) -> bool:
    return feasible(build_problem(evidence, active, request))


def minimal_conflict(
    evidence: Evidence, constraints: list[Constraint], request: FormulationRequest
) -> list[Constraint]:
    """A minimal subset of ``constraints`` that is infeasible (empty: structure alone is)."""
    if not _feasible(evidence, [], request):
        return []
    kept = list(constraints)
    for candidate in list(constraints):
        trial = [c for c in kept if c is not candidate]
        if not _feasible(evidence, trial, request):
            kept = trial
    return kept


def explain(
    evidence: Evidence, constraints: list[Constraint], request: FormulationRequest
) -> ConflictReport:
    """The conflict report for an infeasible request."""
    core = minimal_conflict(evidence, constraints, request)
    if not core:
        return ConflictReport((), ("the catalogue has no compatible vehicle for the targets",))
    ruled = forbidden(evidence.items, core)
    conflicts = []
    for c in core:
        out = tuple(
            evidence.items[i].key
            for i, reasons in ruled.items()
            if any(label == c.label for label, _ in reasons)
        )
        conflicts.append(Conflict(c.label, out, _detail(c, out, evidence, set(ruled))))
    return ConflictReport(tuple(conflicts), tuple(_reasons(core, ruled, evidence)))


def _detail(c: Constraint, out: tuple[str, ...], evidence: Evidence, ruled: set[int]) -> str:
    if c.forces():
        return f"requires {c.forces()}"
    if c.max_actives() is not None:
        return f"allows at most {c.max_actives()} actives"
    if c.min_ev_sources() is not None:
        return f"needs at least {c.min_ev_sources()} EV source(s)"
    above = c.min_target_coverage()
    if above is not None:
        return _uncovered(evidence, above, ruled)
    shown = ", ".join(out[:8]) + (" …" if len(out) > 8 else "")
    return f"rules out {len(out)} of {len(evidence.items)} ingredients: {shown}"


def _uncovered(evidence: Evidence, above: float, ruled: set[int]) -> str:
    """Which targets only ruled-out ingredients could cover, and who those are."""
    parts = []
    for t, target in enumerate(evidence.targets):
        column = evidence.coverage[:, t]
        if any(column[i] > above and i not in ruled for i in range(len(evidence.items))):
            continue
        best = sorted(
            ((float(column[i]), evidence.items[i].key) for i in range(len(evidence.items))),
            reverse=True,
        )[:3]
        shown = ", ".join(f"{key} {score:.2g}" for score, key in best if score > 0) or "none"
        parts.append(f"{target.label}: evidence only from {shown}")
    floor = f" above {above:g}" if above else ""
    return f"each target needs an allowed ingredient with evidence{floor}; " + "; ".join(parts)


def _reasons(
    core: list[Constraint], ruled: dict[int, list[tuple[str, str]]], evidence: Evidence
) -> list[str]:
    """Why required ingredients are blocked, and pairwise clashes among them."""
    index = {item.key: i for i, item in enumerate(evidence.items)}
    reasons: list[str] = []
    required = [c.forces() for c in core if c.forces()]
    for key in required:
        assert key is not None
        for label, why in ruled.get(index[key], []):
            reasons.append(f"{key} is ruled out by {label}: {why}")
    for i, key in enumerate(required):
        for other in required[i + 1 :]:
            a, b = evidence.items[index[key]], evidence.items[index[other]]  # type: ignore[index]
            if a.ph and b.ph and not a.ph.overlaps(b.ph):
                reasons.append(
                    f"{a.key} (pH {a.ph.min:g}-{a.ph.max:g}) and {b.key} "
                    f"(pH {b.ph.min:g}-{b.ph.max:g}) have no common pH"
                )
    for key in required:
        assert key is not None
        reasons += _ph_clashes(evidence.items[index[key]], core, ruled, evidence)
    reasons += _route_reasons(core)
    return [r for r in reasons if r]


def _ph_clashes(
    item: Ingredient,
    core: list[Constraint],
    ruled: dict[int, list[tuple[str, str]]],
    evidence: Evidence,
) -> list[str]:
    """A required item whose pH window meets no usable vehicle or EV source."""
    if item.ph is None:
        return []
    groups = [Kind.vehicle]
    if any(c.min_ev_sources() for c in core):
        groups.append(Kind.ev_source)
    out = []
    for kind in groups:
        usable = [
            other
            for i, other in enumerate(evidence.items)
            if other.kind is kind and i not in ruled and other.key != item.key
        ]
        windows = [o.ph for o in usable if o.ph is not None]
        if usable and windows and not any(item.ph.overlaps(w) for w in windows):
            low = min(w.min for w in windows)
            high = max(w.max for w in windows)
            out.append(
                f"{item.key} needs pH {item.ph.min:g}-{item.ph.max:g} ({item.ph.source}); "
                f"no usable {kind.value.replace('_', ' ')} shares it (their windows lie in "
                f"{low:g}-{high:g})"
            )
    return out


def _route_reasons(core: list[Constraint]) -> list[str]:
    routes = [c for c in core if isinstance(c, RouteConstraint)]
    regulatory = [c for c in core if isinstance(c, Regulatory)]
    out = []
    for r in routes:
        for g in regulatory:
            verdict = route_allowed(r.route, g.product_class)
            if verdict.status is Status.prohibited:
                out.append(
                    f"route {r.route.value} is not allowed for a {g.product_class.value}: "
                    f"{verdict.basis}"
                )
    return out
