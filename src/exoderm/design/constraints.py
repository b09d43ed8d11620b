"""The user's constraints as named, separately removable objects.

Each constraint says which ingredients it rules out (and why) or which count limits
and forced items it adds. Keeping them separate is what lets
:mod:`exoderm.design.conflicts` drop them one at a time to find which of *the user's*
constraints clash. Facts of the catalogue (one vehicle per product, at most one
delivery option, pH windows that do not overlap, declared incompatibilities) are
structural and never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from exoderm.design.ingredient import Ingredient, Kind, Origin, ProductClass, Route
from exoderm.design.regulation import Market, Status, route_allowed, status
from exoderm.design.request import FormulationRequest


@dataclass(frozen=True)
class Constraint:
    """One user constraint. ``label`` is how the user said it (an option)."""

    label: str

    def forbids(self, ingredient: Ingredient, active: frozenset[str]) -> str | None:
        """Why this constraint rules ``ingredient`` out, or None."""
        return None

    def forces(self) -> str | None:
        """The key of an ingredient this constraint requires."""
        return None

    def max_actives(self) -> int | None:
        return None

    def min_ev_sources(self) -> int | None:
        return None

    def min_target_coverage(self) -> float | None:
        """If set: every requested target needs an ingredient whose evidence exceeds it."""
        return None


@dataclass(frozen=True)
class Regulatory(Constraint):
    market: Market
    product_class: ProductClass
    route: Route

    def forbids(self, ingredient: Ingredient, active: frozenset[str]) -> str | None:
        verdict = status(ingredient, self.market, self.product_class)
        if verdict.status is Status.prohibited:
            return f"prohibited in {self.market.value} {self.product_class.value}: {verdict.basis}"
        if any(label.startswith(ROUTE_LABEL_PREFIX) for label in active):
            rule = route_allowed(self.route, self.product_class)
            if rule.status is Status.prohibited:
                return (
                    f"route {self.route.value} is not allowed for a "
                    f"{self.product_class.value}: {rule.basis}"
                )
        return None


ROUTE_LABEL_PREFIX = "route "


@dataclass(frozen=True)
class RouteConstraint(Constraint):
    route: Route

    def forbids(self, ingredient: Ingredient, active: frozenset[str]) -> str | None:
        if self.route not in ingredient.routes:
            allowed = ", ".join(r.value for r in ingredient.routes)
            return f"not for route {self.route.value} (catalogue routes: {allowed})"
        return None


@dataclass(frozen=True)
class VehicleChoice(Constraint):
    vehicle: str

    def forbids(self, ingredient: Ingredient, active: frozenset[str]) -> str | None:
        if ingredient.kind is Kind.vehicle and ingredient.key != self.vehicle:
            return f"vehicle {self.vehicle} was chosen"
        return None


@dataclass(frozen=True)
class PlantOnly(Constraint):
    def forbids(self, ingredient: Ingredient, active: frozenset[str]) -> str | None:
        if ingredient.kind is Kind.ev_source and ingredient.origin is not Origin.plant:
            return f"EV source of {ingredient.origin.value} origin (plant only)"
        return None


@dataclass(frozen=True)
class NoHuman(Constraint):
    def forbids(self, ingredient: Ingredient, active: frozenset[str]) -> str | None:
        if ingredient.origin is Origin.human:
            return "human-derived material"
        return None


@dataclass(frozen=True)
class Vegan(Constraint):
    def forbids(self, ingredient: Ingredient, active: frozenset[str]) -> str | None:
        return None if ingredient.vegan else f"not vegan ({ingredient.origin.value} origin)"


@dataclass(frozen=True)
class Exclude(Constraint):
    key: str

    def forbids(self, ingredient: Ingredient, active: frozenset[str]) -> str | None:
        return "excluded by the user" if ingredient.key == self.key else None


@dataclass(frozen=True)
class Allergen(Constraint):
    allergen: str

    def forbids(self, ingredient: Ingredient, active: frozenset[str]) -> str | None:
        listed = {a.lower() for a in ingredient.allergens}
        return f"contains allergen {self.allergen}" if self.allergen.lower() in listed else None


@dataclass(frozen=True)
class Budget(Constraint):
    tier: int

    def forbids(self, ingredient: Ingredient, active: frozenset[str]) -> str | None:
        if ingredient.cost_tier > self.tier:
            return f"cost tier {ingredient.cost_tier} above budget tier {self.tier}"
        return None


@dataclass(frozen=True)
class TargetPh(Constraint):
    ph: float

    def forbids(self, ingredient: Ingredient, active: frozenset[str]) -> str | None:
        window = ingredient.ph
        if window is not None and not window.contains(self.ph):
            return f"pH window {window.min:g}-{window.max:g} excludes pH {self.ph:g}"
        return None


@dataclass(frozen=True)
class Required(Constraint):
    key: str

    def forces(self) -> str | None:
        return self.key


@dataclass(frozen=True)
class MaxActives(Constraint):
    limit: int

    def max_actives(self) -> int | None:
        return self.limit


@dataclass(frozen=True)
class MinEvSources(Constraint):
    count: int

    def min_ev_sources(self) -> int | None:
        return self.count


@dataclass(frozen=True)
class CoverEveryTarget(Constraint):
    """Every requested target is covered: a formula never ignores a target silently."""

    above: float = 0.0

    def min_target_coverage(self) -> float | None:
        return self.above


def _default(flag: bool) -> str:
    return "" if flag else " (default)"


def user_constraints(request: FormulationRequest) -> list[Constraint]:
    """The request's constraints, each labelled as the user would have typed it."""
    fields = request.model_fields_set
    route = request.effective_route
    found: list[Constraint] = [
        Regulatory(
            f"--market {request.market.value} --class {request.product_class.value}"
            + _default("market" in fields or "product_class" in fields),
            request.market,
            request.product_class,
            route,
        ),
        RouteConstraint(
            f"{ROUTE_LABEL_PREFIX}{route.value}" + _default(request.route is not None), route
        ),
        MaxActives(
            f"--max-actives {request.max_actives}" + _default("max_actives" in fields),
            request.max_actives,
        ),
    ]
    if request.min_ev_sources:
        found.append(
            MinEvSources(
                f"at least {request.min_ev_sources} EV source(s)"
                + _default("min_ev_sources" in fields),
                request.min_ev_sources,
            )
        )
    if request.vehicle:
        found.append(VehicleChoice(f"--vehicle {request.vehicle}", request.vehicle))
    if request.plant_only:
        found.append(PlantOnly("--plant-only"))
    if request.no_human:
        found.append(NoHuman("--no-human"))
    if request.vegan:
        found.append(Vegan("--vegan"))
    found += [Exclude(f"--exclude {key}", key) for key in request.exclude]
    found += [Allergen(f"--allergen {name}", name) for name in request.allergens]
    if request.budget_tier is not None:
        found.append(Budget(f"--budget-tier {request.budget_tier}", request.budget_tier))
    if request.ph is not None:
        found.append(TargetPh(f"--ph {request.ph:g}", request.ph))
    found += [Required(f"--require {key}", key) for key in request.required]
    if request.cover_every_target:
        label = "every requested target covered" + (
            f" above {request.min_coverage:g} (--min-coverage)"
            if request.min_coverage
            else " (default; --allow-uncovered relaxes it)"
        )
        found.append(CoverEveryTarget(label, request.min_coverage))
    return found
