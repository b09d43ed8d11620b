"""Improving an existing formula by changing at most *k* of its actives.

A formulator rarely starts from nothing: they have a formula and want it to do more
(cover a new target, drop an ingredient a market now restricts) without reformulating
everything. :func:`improve_formula` checks the formula
(:func:`exoderm.design.formula_check.check_formula`), recognises which of its INCI names
are catalogue actives, and solves the same exact MILP with one more constraint: at most
``max_changes`` actives added or removed relative to the existing ones. An active the
market no longer allows cannot be kept, so removing it counts as one of the changes.
The result says what is kept, added and removed, and the weighted coverage of each
requested target before and after.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from exoderm.design.assembly import Baseline, build_problem, gather_evidence
from exoderm.design.catalogue import Catalogue, load_catalogue
from exoderm.design.constraints import user_constraints
from exoderm.design.evidence_link import default_knowledge_base, evidence_provider
from exoderm.design.formula_check import FormulaCheckRead, check_formula
from exoderm.design.formula_file import FormulaFile
from exoderm.design.formulary import load_formulary
from exoderm.design.formulate import FormulationResult, annex_route, formulate
from exoderm.design.inventory import fold_inci
from exoderm.design.raw_materials import RawMaterialList
from exoderm.design.request import FormulationRequest
from exoderm.evidence import KnowledgeBase


class ImprovementRead(BaseModel):
    """An existing formula, its findings, and the best formula within *k* changes."""

    check: FormulaCheckRead = Field(description="The existing formula's rule findings.")
    recognised: list[str] = Field(description="Catalogue actives found in the formula.")
    max_changes: int
    kept: list[str]
    added: list[str]
    removed: list[str]
    before: dict[str, float] = Field(description="Weighted coverage per target, existing.")
    after: dict[str, float] = Field(description="Weighted coverage per target, improved.")
    result: FormulationResult


def recognised_actives(formula: FormulaFile, catalogue: Catalogue) -> list[str]:
    """Catalogue keys of the EV sources and co-actives whose INCI names the formula holds."""
    present = {fold_inci(inci) for inci in formula.inci_percentages()}
    return [item.key for item in catalogue if item.is_active and fold_inci(item.inci) in present]


def improve_formula(
    formula: FormulaFile,
    request: FormulationRequest,
    *,
    max_changes: int,
    catalogue: Catalogue | None = None,
    kb: KnowledgeBase | None = None,
    use_knowledge_base: bool = True,
    raw_materials: RawMaterialList | None = None,
) -> ImprovementRead:
    """The best formula for ``request`` that changes at most ``max_changes`` actives.

    Parameters
    ----------
    formula : FormulaFile
        The existing formula (:func:`exoderm.design.formula_file.read_formula`).
    request : FormulationRequest
        Targets and constraints, as for :func:`exoderm.design.formulate`.
    max_changes : int
        Most actives added or removed (>= 0).
    catalogue, kb, use_knowledge_base, raw_materials
        As for :func:`exoderm.design.formulate`.

    Returns
    -------
    ImprovementRead
        The findings on the existing formula, the kept/added/removed actives, the
        coverage of each target before and after, and the full result.

    Raises
    ------
    UserInputError
        No formula within ``max_changes`` satisfies the request.

    References
    ----------
    .. [1] Wolsey, L. A. (2020). Integer Programming, 2nd ed. Wiley (local-branching
       constraints: a Hamming-distance bound on binary variables).

    Examples
    --------
    >>> from exoderm.design.formula_file import formula_from_records
    >>> rows = [(2, {"ingredient": "Aqua", "percent": "94.2"}),
    ...         (3, {"ingredient": "Niacinamide", "percent": "5"}),
    ...         (4, {"ingredient": "Phenoxyethanol", "percent": "0.8"})]
    >>> out = improve_formula(formula_from_records(rows),
    ...                       FormulationRequest(targets={"pigmentation": 1, "wrinkles": 1},
    ...                                          min_ev_sources=0),
    ...                       max_changes=1, use_knowledge_base=False)
    >>> out.kept, len(out.added) + len(out.removed) <= 1
    (['niacinamide'], True)
    """
    catalogue = catalogue or load_catalogue()
    if kb is None and use_knowledge_base:
        kb = default_knowledge_base()
    check = check_formula(
        formula, formulary=load_formulary(), market=request.market, route=annex_route(request)
    )
    keys = recognised_actives(formula, catalogue)
    baseline = Baseline(keys=frozenset(keys), max_changes=max_changes)
    before = _coverage_of(keys, request, catalogue, kb)
    result = formulate(
        request,
        catalogue=catalogue,
        kb=kb,
        use_knowledge_base=use_knowledge_base,
        raw_materials=raw_materials,
        baseline=baseline,
    )
    chosen = [ln.key for ln in result.best.actives if ln.key]
    return ImprovementRead(
        check=check,
        recognised=keys,
        max_changes=max_changes,
        kept=[k for k in keys if k in chosen],
        added=[k for k in chosen if k not in keys],
        removed=[k for k in keys if k not in chosen],
        before=before,
        after={t.label: round(t.utility, 4) for t in result.best.targets},
        result=result,
    )


def _coverage_of(
    keys: list[str], request: FormulationRequest, catalogue: Catalogue, kb: KnowledgeBase | None
) -> dict[str, float]:
    provider = evidence_provider(catalogue, kb)
    evidence = gather_evidence(catalogue, request, provider)
    problem = build_problem(evidence, user_constraints(request), request)
    index = {item.key: i for i, item in enumerate(evidence.items)}
    terms = problem.evaluate([index[k] for k in keys if k in index])
    return {
        target.label: round(value, 4)
        for target, value in zip(evidence.targets, terms.per_target, strict=True)
    }
