"""Formulate: regulatory gates, plant-only, conflicts, alternatives, objective."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exoderm.design import (
    Catalogue,
    FormulationRequest,
    InfeasibleError,
    Kind,
    Origin,
    formulate,
)
from exoderm.design.assembly import build_problem, gather_evidence
from exoderm.design.catalogue import packaged_catalogue
from exoderm.design.constraints import user_constraints
from exoderm.design.evidence_link import CatalogueEvidence
from exoderm.design.milp import feasible
from exoderm.errors import UserInputError

from .conftest import design

TARGETS = sorted(packaged_catalogue().targets)


def _origins(result: object, catalogue: Catalogue, kind: Kind) -> set[Origin]:
    out = set()
    for f in result.all:  # type: ignore[attr-defined]
        for key in f.selected:
            item = catalogue.get(key)
            if item.kind is kind:
                out.add(item.origin)
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TARGETS), min_size=1, max_size=4, unique=True))
def test_eu_cosmetic_never_proposes_human_material(targets: list[str]) -> None:
    catalogue = packaged_catalogue()
    try:
        result = design(targets={t: 1.0 for t in targets}, market="EU", top=3)
    except InfeasibleError as refused:  # a target only human material covers: said so
        assert any(label.startswith("every requested target") for label in refused.report.labels)
        return
    for f in result.all:
        origins = {catalogue.get(k).origin for k in f.selected}
        assert Origin.human not in origins, (targets, f.selected)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(TARGETS), min_size=1, max_size=4, unique=True),
    st.sampled_from(["US", "EU", "KR"]),
)
def test_plant_only_proposes_only_plant_ev_sources(targets: list[str], market: str) -> None:
    catalogue = packaged_catalogue()
    try:
        result = design(targets={t: 1.0 for t in targets}, market=market, plant_only=True, top=3)
    except InfeasibleError as refused:  # a target no plant source or co-active covers
        assert any(label.startswith("every requested target") for label in refused.report.labels)
        return
    assert _origins(result, catalogue, Kind.ev_source) == {Origin.plant}


def test_the_gates_matter_outside_the_eu(catalogue: Catalogue) -> None:
    # Human ASC exosomes have RCT evidence for pigmentation (Cho 2020): where a market
    # does not prohibit them the optimiser picks them, so the EU result is the gate's doing.
    us = design(targets={"pigmentation": 1, "acne-scars": 1}, market="US")
    eu = design(targets={"pigmentation": 1, "acne-scars": 1}, market="EU", cover_every_target=False)
    assert "adsc-exosomes" in us.best.selected
    assert "adsc-exosomes" not in eu.best.selected
    assert any("adsc-exosomes: restricted in US" in w for w in us.best.warnings)


def test_required_human_source_in_eu_names_both_constraints() -> None:
    with pytest.raises(InfeasibleError) as caught:
        design(targets={"wrinkles": 1}, market="EU", required=["adsc-exosomes"])
    labels = [c.constraint for c in caught.value.conflicts]
    assert "--require adsc-exosomes" in labels
    assert any(label.startswith("--market EU --class cosmetic") for label in labels)
    assert "Annex II entry 416" in str(caught.value)
    assert isinstance(caught.value, UserInputError)


KEYS = sorted(packaged_catalogue().ingredients)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    required=st.lists(st.sampled_from(KEYS), max_size=3, unique=True),
    excluded=st.lists(st.sampled_from(KEYS), max_size=3, unique=True),
    flags=st.fixed_dictionaries(
        {"vegan": st.booleans(), "plant_only": st.booleans(), "no_human": st.booleans()}
    ),
    budget=st.one_of(st.none(), st.integers(1, 3)),
    ph=st.one_of(st.none(), st.sampled_from([3.0, 5.5, 7.4])),
    market=st.sampled_from(["EU", "US", "KR", "CN"]),
    max_actives=st.integers(1, 4),
)
def test_conflict_explanations_are_irreducible(
    required: list[str],
    excluded: list[str],
    flags: dict[str, bool],
    budget: int | None,
    ph: float | None,
    market: str,
    max_actives: int,
) -> None:
    request = FormulationRequest(
        targets={"wrinkles": 1, "pigmentation": 1},
        required=required,
        exclude=[k for k in excluded if k not in required],
        budget_tier=budget,
        ph=ph,
        market=market,
        max_actives=max_actives,
        **flags,
    )
    catalogue = packaged_catalogue()
    evidence = gather_evidence(catalogue, request, CatalogueEvidence(catalogue))
    constraints = user_constraints(request)
    try:
        formulate(request, use_knowledge_base=False)
    except InfeasibleError as exc:
        named = set(exc.report.labels)
        core = [c for c in constraints if c.label in named]
        assert len(core) == len(named) >= 1
        assert not feasible(build_problem(evidence, core, request))
        for dropped in core:
            rest = [c for c in core if c is not dropped]
            assert feasible(build_problem(evidence, rest, request)), dropped.label
    else:
        assert feasible(build_problem(evidence, constraints, request))


def test_irrelevant_constraints_are_not_named() -> None:
    with pytest.raises(InfeasibleError) as caught:
        design(
            targets={"wrinkles": 1},
            required=["adsc-exosomes"],
            exclude=["lemon-vesicles"],
            allergens=["milk"],
            max_actives=3,
        )
    labels = [c.constraint for c in caught.value.conflicts]
    assert "--exclude lemon-vesicles" not in labels
    assert "--allergen milk" not in labels
    assert "--max-actives 3" not in labels


def test_ph_conflict_is_explained() -> None:
    with pytest.raises(InfeasibleError) as caught:
        design(targets={"wrinkles": 1}, required=["ascorbic-acid"])
    text = str(caught.value)
    assert "--require ascorbic-acid" in text and "EV source" in text
    assert "pH 2.5-3.5" in text
    # Without the EV-source requirement the same request is feasible at low pH.
    result = design(targets={"wrinkles": 1}, required=["ascorbic-acid"], min_ev_sources=0)
    assert result.best.ph_window is not None and result.best.ph_window[1] <= 3.5


def test_injection_route_is_not_cosmetic() -> None:
    with pytest.raises(InfeasibleError) as caught:
        design(targets={"wrinkles": 1}, route="intradermal-injection")
    labels = [c.constraint for c in caught.value.conflicts]
    assert "route intradermal-injection" in labels
    assert "not allowed for a cosmetic" in str(caught.value)
    drug = design(
        targets={"wrinkles": 1}, route="intradermal-injection", market="US", product_class="drug"
    )
    assert "injectable-solution" in drug.best.selected
    assert any("research design only" in w for w in drug.best.warnings)


def test_alternatives_are_distinct_and_ordered(catalogue: Catalogue) -> None:
    result = design(targets={"wrinkles": 2, "pigmentation": 1, "hydration": 1}, top=5)
    objectives = [f.objective for f in result.all]
    assert len(result.all) == 5
    assert objectives == sorted(objectives, reverse=True)
    active_sets = {
        frozenset(k for k in f.selected if catalogue.get(k).kind is not Kind.vehicle)
        for f in result.all
    }
    assert len(active_sets) == 5
    assert all(f.proven_optimal for f in result.all)


def test_constraints_are_respected(catalogue: Catalogue) -> None:
    result = design(
        targets={"wrinkles": 1, "pigmentation": 1, "barrier": 1},
        max_actives=2,
        vehicle="cream",
        exclude=["niacinamide"],
        vegan=True,
        top=3,
    )
    for f in result.all:
        items = [catalogue.get(k) for k in f.selected]
        assert sum(1 for i in items if i.is_active) <= 2
        assert [i.key for i in items if i.kind is Kind.vehicle] == ["cream"]
        assert "niacinamide" not in f.selected
        assert all(i.vegan for i in items)


def test_required_ingredient_is_included() -> None:
    result = design(targets={"wrinkles": 1}, required=["ceramide-np"])
    assert "ceramide-np" in result.best.selected


def test_unknown_names_are_user_errors() -> None:
    with pytest.raises(UserInputError, match=r"unknown target 'wrinkels'.*wrinkles"):
        design(targets={"wrinkels": 1})
    with pytest.raises(UserInputError, match="no ingredient 'niacinamid'"):
        design(targets={"wrinkles": 1}, required=["niacinamid"])
    with pytest.raises(UserInputError, match="unknown vehicle"):
        design(targets={"wrinkles": 1}, vehicle="centella-vesicles")


def test_request_validation_names_the_field() -> None:
    with pytest.raises(UserInputError, match="max_actives"):
        FormulationRequest.parse({"targets": {"wrinkles": 1}, "max_actives": 0})
    with pytest.raises(UserInputError, match="market"):
        FormulationRequest.parse({"targets": {"wrinkles": 1}, "market": "MARS"})


def test_coverage_uses_evidence_and_diminishing_returns(catalogue: Catalogue) -> None:
    result = design(targets={"wrinkles": 1}, max_actives=4)
    best = result.best
    wrinkle = next(t for t in best.targets if t.target == "wrinkles")
    scores = sorted(
        (c.score for ln in best.actives for c in ln.covers if c.target == "wrinkles"),
        reverse=True,
    )
    # Utility is concave: below the plain sum of the contributing scores.
    assert len(scores) >= 2
    assert wrinkle.utility < sum(scores)
    assert wrinkle.utility >= scores[0]


def test_formulate_uses_the_given_catalogue(catalogue: Catalogue) -> None:
    bigger = catalogue.with_ingredients(
        [catalogue.get("niacinamide").model_copy(update={"key": "niacinamide-2"})]
    )
    request = FormulationRequest(targets={"pigmentation": 1}, required=["niacinamide-2"])
    result = formulate(request, catalogue=bigger, use_knowledge_base=False)
    assert "niacinamide-2" in result.best.selected


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(TARGETS), min_size=1, max_size=4, unique=True),
    st.sampled_from(["US", "EU", "UK", "KR", "CN"]),
    st.booleans(),
)
def test_no_formula_covers_a_requested_target_at_zero(
    targets: list[str], market: str, plant_only: bool
) -> None:
    """Either every requested target is covered (> 0) or the request is refused with the
    coverage constraint named; never a "proven optimal" formula that ignores a target."""
    try:
        result = design(
            targets={t: 1.0 for t in targets}, market=market, plant_only=plant_only, top=2
        )
    except InfeasibleError as refused:
        assert any(label.startswith("every requested target") for label in refused.report.labels)
        return
    for f in result.all:
        assert all(t.utility > 0 for t in f.targets), [(t.target, t.utility) for t in f.targets]


def test_uncovered_target_is_refused_with_its_cause_and_can_be_allowed() -> None:
    # Only the human-derived exosomes (prohibited in EU cosmetics) are left with evidence
    # for acne scars once the formulary's co-actives for it are excluded.
    others = [
        i.key
        for i in packaged_catalogue()
        if i.kind.value == "co_active" and i.effect_for("acne-scars")
    ]
    with pytest.raises(InfeasibleError) as refused:
        design(targets={"acne-scars": 1.0}, market="EU", exclude=others)
    message = str(refused.value)
    assert "every requested target covered" in message and "adsc-exosomes" in message
    relaxed = design(
        targets={"acne-scars": 1.0}, market="EU", cover_every_target=False, exclude=others
    )
    assert relaxed.best.selected


def test_eu_collagen_and_pigmentation_are_both_covered() -> None:
    result = design(targets={"collagen": 1.0, "pigmentation": 1.0}, market="EU")
    assert all(t.utility > 0 for t in result.best.targets)


def test_a_coverage_floor_can_be_raised() -> None:
    with pytest.raises(InfeasibleError, match=r"above 0\.5"):
        design(targets={"collagen": 1.0}, market="EU", min_coverage=0.5)
