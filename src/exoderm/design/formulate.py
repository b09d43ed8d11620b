"""``formulate``: from a request to the optimal formulation and its alternatives.

Steps: resolve targets and score evidence (:mod:`assembly`, :mod:`evidence_link`); turn
the user's constraints into a pure problem; solve it exactly (:mod:`milp`); if it is
infeasible, explain which constraints conflict (:mod:`conflicts`); otherwise build a
:class:`Formulation` per solution with concentrations, evidence, regulatory status,
notes and candidate claims checked for the market (:mod:`claims`).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from exoderm.design.annex_limits import Route as AnnexRoute
from exoderm.design.annexes import register_description
from exoderm.design.assembly import Baseline, Evidence, build_problem, gather_evidence
from exoderm.design.catalogue import Catalogue, load_catalogue
from exoderm.design.claims import DESIGN_TO_LEVEL, EVIDENCE_LEVELS, ClaimVerdict, check_claim
from exoderm.design.claims.substantiation import required_level
from exoderm.design.conflicts import InfeasibleError, explain
from exoderm.design.constraints import user_constraints
from exoderm.design.evidence_link import default_knowledge_base, evidence_provider
from exoderm.design.formulary import load_formulary
from exoderm.design.formulation import (
    Coverage,
    Formulation,
    Line,
    TargetResult,
    compose_lines,
    ingredient_line,
    structure_lines,
)
from exoderm.design.ingredient import Ingredient, Kind, Route
from exoderm.design.milp import Solution, solve
from exoderm.design.problem import ProblemInfeasible
from exoderm.design.raw_material_candidates import material_of, with_raw_materials
from exoderm.design.raw_materials import RawMaterialList
from exoderm.design.regulation import Status, Verdict, status
from exoderm.design.request import FormulationRequest
from exoderm.design.skeletons import Skeleton, skeleton, skeleton_for_vehicle
from exoderm.design.structure import ActiveDose, FormulaStructure, Preferences, compose_structure
from exoderm.errors import NotFoundError, UserInputError
from exoderm.evidence import KnowledgeBase
from exoderm.evidence.rwe import RealWorldClaimRead


class FormulationResult(BaseModel):
    """The optimum (``best``) and the next distinct alternatives, best first."""

    request: FormulationRequest
    best: Formulation
    alternatives: list[Formulation] = Field(default_factory=list)
    real_world: list[RealWorldClaimRead] = Field(
        default_factory=list,
        description="Clinics' observed outcomes for the EV sources used (observational, "
        "clinic registry): shown beside the literature, never part of the objective.",
    )

    @property
    def all(self) -> list[Formulation]:
        return [self.best, *self.alternatives]


def _check_keys(request: FormulationRequest, catalogue: Catalogue) -> None:
    for name, keys in (("required", request.required), ("exclude", request.exclude)):
        for key in keys:
            try:
                catalogue.get(key)
            except NotFoundError as exc:
                raise UserInputError(str(exc), field=name, expected="a catalogue key") from None
    if request.vehicle is not None:
        vehicle = catalogue.ingredients.get(request.vehicle)
        if vehicle is None or vehicle.kind is not Kind.vehicle:
            names = ", ".join(v.key for v in catalogue.of_kind(Kind.vehicle))
            raise UserInputError(
                f"unknown vehicle {request.vehicle!r}", field="vehicle", expected=names
            )


def _with_product_type(request: FormulationRequest) -> FormulationRequest:
    """A product type (skeleton id) chooses its vehicle; both given must agree."""
    if request.product_type is None:
        return request
    try:
        vehicles = skeleton(request.product_type).vehicles
    except NotFoundError as exc:
        raise UserInputError(str(exc), field="product_type", expected="a product type") from None
    if request.vehicle is not None and request.vehicle not in vehicles:
        raise UserInputError(
            f"vehicle {request.vehicle!r} is not a {request.product_type}",
            field="vehicle",
            expected=" or ".join(vehicles),
        )
    return request.model_copy(update={"vehicle": vehicles[0]})


def formulate(
    request: FormulationRequest,
    *,
    catalogue: Catalogue | None = None,
    kb: KnowledgeBase | None = None,
    use_knowledge_base: bool = True,
    raw_materials: RawMaterialList | None = None,
    baseline: Baseline | None = None,
) -> FormulationResult:
    """The best formulation for ``request`` and up to ``request.top - 1`` alternatives.

    ``kb`` is an ``exoderm.evidence`` knowledge base; without one the packaged graph is
    used when available (``use_knowledge_base=False`` scores from the catalogue only).
    Raises :class:`InfeasibleError` (a ``UserInputError``) naming the conflicting
    constraints when no formulation satisfies them.
    """
    catalogue = catalogue or load_catalogue()
    if raw_materials is not None:
        catalogue = with_raw_materials(catalogue, raw_materials)
    request = _with_product_type(request)
    _check_keys(request, catalogue)
    if kb is None and use_knowledge_base:
        kb = default_knowledge_base()
    provider = evidence_provider(catalogue, kb)
    evidence = gather_evidence(catalogue, request, provider)
    constraints = user_constraints(request)
    problem = build_problem(evidence, constraints, request, baseline=baseline)
    actives = [i for i, item in enumerate(evidence.items) if item.kind is not Kind.vehicle]
    try:
        solutions = solve(problem, top=request.top, distinct_on=actives)
    except ProblemInfeasible:
        if baseline is not None and problem.change_limit is not None:
            raise UserInputError(
                f"no formula within {baseline.max_changes} change(s) of the existing actives "
                "satisfies the request",
                field="max_changes",
                expected=f"more than {baseline.max_changes}, or fewer constraints",
            ) from None
        raise InfeasibleError(explain(evidence, constraints, request)) from None
    built = [_formulation(s, evidence, request, provider.name, raw_materials) for s in solutions]
    return FormulationResult(request=request, best=built[0], alternatives=built[1:])


def _coverages(evidence: Evidence, index: int) -> tuple[Coverage, ...]:
    out = []
    for t, target in enumerate(evidence.targets):
        link = evidence.links[index][t]
        if link.score > 0 or link.refuting > 0:
            out.append(
                Coverage(
                    target=target.id,
                    label=target.label,
                    score=link.score,
                    refuting=link.refuting,
                    best_level=link.best_level,
                    citations=link.citations,
                )
            )
    return tuple(out)


def annex_route(request: FormulationRequest) -> AnnexRoute:
    """Which annex limits apply: rinse-off products have their own, everything else
    stays on the skin."""
    return "rinse-off" if request.effective_route is Route.rinse_off else "leave-on"


def _structure(
    skeleton: Skeleton,
    chosen: list[Ingredient],
    active_lines: list[Line],
    request: FormulationRequest,
    raw_materials: RawMaterialList | None,
) -> FormulaStructure:
    formulary = load_formulary()
    items = {item.key: item for item in chosen}
    doses = []
    for line in active_lines:
        item = items[line.key or ""]
        entry = formulary.get(item.inci)
        heat = entry.max_temperature_c.value if entry and entry.max_temperature_c else None
        material = material_of(item, raw_materials)
        doses.append(
            ActiveDose(
                inci=item.inci,
                percent=line.percent or 0.0,
                key=item.key,
                name=item.name,
                is_ev=item.kind is Kind.ev_source,
                ph=item.ph,
                max_temperature_c=heat,
                rule="active for " + (", ".join(c.label for c in line.covers) or "a synergy"),
                raw_material=material.trade_name if material else None,
            )
        )
    return compose_structure(
        skeleton,
        [d for d in doses if d.percent > 0],
        formulary=formulary,
        market=request.market,
        route=annex_route(request),
        raw_materials=raw_materials,
        preferences=Preferences(vegan=request.vegan, allergens=tuple(request.allergens)),
    )


def _formulation(
    solution: Solution,
    evidence: Evidence,
    request: FormulationRequest,
    provider: str,
    raw_materials: RawMaterialList | None = None,
) -> Formulation:
    chosen = [evidence.items[i] for i in solution.selected]
    market, cls = request.market, request.product_class
    verdicts = {item.key: status(item, market, cls) for item in chosen}
    active_lines = [
        ingredient_line(item, _coverages(evidence, i), verdicts[item.key])
        for i, item in zip(solution.selected, chosen, strict=True)
        if item.kind in (Kind.ev_source, Kind.co_active)
    ]
    vehicle = next((item for item in chosen if item.kind is Kind.vehicle), None)
    skel = skeleton_for_vehicle(vehicle.key) if vehicle is not None else None
    structure = None
    if vehicle is not None and skel is not None:
        structure = _structure(skel, chosen, active_lines, request, raw_materials)
        lines = structure_lines(structure, active_lines, vehicle)
        warnings = [*structure.notes, *(f"{f.message} ({f.rule})" for f in structure.findings)]
    else:
        lines, warnings = compose_lines(vehicle, active_lines)
    procedures = [
        ingredient_line(item, _coverages(evidence, i), verdicts[item.key])
        for i, item in zip(solution.selected, chosen, strict=True)
        if item.kind is Kind.delivery
    ]
    warnings += _warnings(chosen, verdicts, request)
    targets = _target_results(solution, evidence)
    warnings += _weak_target_warnings(targets)
    formulation = Formulation(
        rank=solution.rank,
        objective=solution.objective,
        proven_optimal=solution.proven_optimal,
        market=market.value,
        product_class=cls.value,
        route=request.effective_route.value,
        selected=tuple(item.key for item in chosen),
        lines=lines,
        procedures=procedures,
        targets=targets,
        synergies=_synergy_notes(solution, evidence),
        terms={
            "coverage": solution.terms.coverage,
            "synergy": solution.terms.synergy,
            "risk": solution.terms.risk,
            "cost": solution.terms.cost,
        },
        ph_window=_ph_window(chosen),
        warnings=warnings,
        evidence_provider=provider,
        annex_register=register_description(),
        structure=structure,
    )
    formulation.claims = generate_claims(formulation, evidence)
    return formulation


def _target_results(solution: Solution, evidence: Evidence) -> list[TargetResult]:
    results = []
    for t, target in enumerate(evidence.targets):
        contributors = tuple(
            evidence.items[i].key for i in solution.selected if evidence.links[i][t].score > 0
        )
        results.append(
            TargetResult(
                target=target.id,
                label=target.label,
                weight=float(evidence.weights[t]),
                utility=solution.terms.per_target[t],
                contributors=contributors,
                is_disease=target.is_disease,
            )
        )
    return results


#: Below this coverage a requested target rests on inferred paths through general or
#: marketing claims only (a single direct in-vitro claim already scores about 0.005, a
#: human trial 0.1 or more; see ``docs/evidence.md``, scoring).
WEAK_COVERAGE = 0.01


def _weak_target_warnings(targets: list[TargetResult]) -> list[str]:
    """Say so when the optimum leaves a requested target (almost) uncovered.

    The objective trades targets against each other, so a target with thin evidence
    among the allowed ingredients can be left at zero; a formulator must see that rather
    than read it off the coverage column.
    """
    return [
        f"target '{t.label}' is barely covered (coverage {t.utility:.2g}): no allowed "
        "ingredient has direct evidence for it under these constraints - see "
        f"'exoderm evidence explain --from <ingredient> --to {t.target}'"
        for t in targets
        if t.weight > 0 and t.utility < WEAK_COVERAGE
    ]


def _synergy_notes(solution: Solution, evidence: Evidence) -> list[str]:
    chosen = set(solution.selected)
    notes = []
    for (i, j), links in evidence.synergy_links.items():
        if i in chosen and j in chosen:
            for a, b, link in links:
                notes.append(
                    f"{a} enhances {b} (score {link.score:.3f}; {'; '.join(link.citations)})"
                )
    return notes


def _ph_window(chosen: list[Ingredient]) -> tuple[float, float] | None:
    windows = [item.ph for item in chosen if item.ph is not None]
    if not windows:
        return None
    return max(w.min for w in windows), min(w.max for w in windows)


def _warnings(
    chosen: list[Ingredient], verdicts: dict[str, Verdict], request: FormulationRequest
) -> list[str]:
    notes = []
    for item in chosen:
        verdict = verdicts[item.key]
        if verdict.status.flagged:
            notes.append(
                f"{item.key}: {verdict.status.value} in {request.market.value} "
                f"{request.product_class.value} - {verdict.basis}"
            )
        if item.kind is Kind.delivery and item.risk >= 0.3:
            notes.append(f"{item.key}: {item.risk_basis}")
        if item.origin.value == "plant" and item.kind is Kind.ev_source:
            notes.append(
                f"{item.key}: patch-test plant-EV products (contact dermatitis risk of "
                "botanical ingredients; ISO 10993-10:2021 irritation and sensitisation)"
            )
    if request.product_class.value == "drug" and any(
        verdicts[i.key].status is Status.investigational for i in chosen
    ):
        notes.append("research design only: no FDA-approved exosome products exist (FDA, 2019)")
    return notes


#: Rule every generated claim must pass before its wording is checked.
FORMULA_SUPPORT_RULE = (
    "Reg. (EU) 655/2013 Annex, criterion 3 (evidential support): a claim is offered only "
    "when the formula's own ingredients carry evidence for it at the level its type needs"
)


def generate_claims(formulation: Formulation, evidence: Evidence) -> list[ClaimVerdict]:
    """Candidate claims the formula's own evidence supports, each checked for its market.

    For every requested target the target's cosmetic template is proposed, but it is
    offered (its wording checked) only when a chosen ingredient has direct evidence for
    the target (coverage at least :data:`WEAK_COVERAGE`) at the level the claim type needs
    (an appearance claim: a controlled human study). Otherwise the verdict refuses it as
    unsubstantiated by the formula, even if its wording is compliant, and says which
    evidence is missing. Ingredient-level evidence must still be shown to hold for the
    product (Reg. 655/2013), which the verdict states.
    """
    verdicts: list[ClaimVerdict] = []
    lines = {ln.key: ln for ln in formulation.lines if ln.key}
    for result in formulation.targets:
        target = next(t for t in evidence.targets if t.id == result.target)
        support = _support(result, lines)
        kind, needed, _ = required_level(target.claim)
        level = support[0] if support else None
        if support is None or EVIDENCE_LEVELS.index(support[0]) < EVIDENCE_LEVELS.index(needed):
            verdicts.append(_unsupported(target.claim, formulation, result, level, kind, needed))
            continue
        verdict = check_claim(target.claim, formulation.market, formulation.product_class, level)
        backing = f"substantiated by {support[1]} ({support[2]})"
        verdicts.append(
            verdict.model_copy(update={"substantiation": f"{verdict.substantiation}; {backing}"})
        )
    for line in formulation.actives:
        if line.kind == Kind.ev_source.value:
            text = f"with {line.inci}"
            verdicts.append(check_claim(text, formulation.market, formulation.product_class))
    return verdicts


def _support(result: TargetResult, lines: dict[str, Line]) -> tuple[str, str, str] | None:
    """The strongest direct evidence a contributor has for the target:
    (level, ingredient, citation), or None when no contributor covers it directly."""
    best: tuple[str, str, str] | None = None
    for key in result.contributors:
        line = lines.get(key)
        if line is None:
            continue
        for cov in line.covers:
            if cov.target != result.target or cov.score < WEAK_COVERAGE or not cov.best_level:
                continue
            level = DESIGN_TO_LEVEL.get(cov.best_level, "mechanism")
            if best is None or EVIDENCE_LEVELS.index(level) > EVIDENCE_LEVELS.index(best[0]):
                cite = cov.citations[0] if cov.citations else "no citation"
                best = (level, line.name or line.inci, cite)
    return best


def _unsupported(
    text: str,
    formulation: Formulation,
    result: TargetResult,
    level: str | None,
    kind: str,
    needed: str,
) -> ClaimVerdict:
    who = ", ".join(result.contributors) or "no chosen ingredient"
    found = f"the best direct evidence is {level}" if level else "there is no direct evidence"
    return ClaimVerdict(
        text=text,
        market=formulation.market,
        product_class=formulation.product_class,
        accepted=False,
        reason=(
            f"not offered: the formula's own evidence does not substantiate it - for "
            f"{result.label} ({who}) {found} (coverage {result.utility:.2g}); "
            f"an {kind} claim needs {needed} or better"
        ),
        rule=FORMULA_SUPPORT_RULE,
        rule_id="formula-evidence",
        evidence_level=level,
        evidence_source="asserted" if level else None,
    )
