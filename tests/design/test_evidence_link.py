"""Evidence from the knowledge base: association scores and "enhances" synergy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from exoderm.design import Catalogue, FormulationRequest, formulate
from exoderm.design.evidence_link import (
    CatalogueEvidence,
    KnowledgeBaseEvidence,
    evidence_provider,
)
from exoderm.design.ingredient import Kind
from exoderm.errors import NotFoundError


@dataclass
class FakeClaim:
    subject: str
    predicate: str
    object: str
    score: float
    evidence_level: str = "rct"
    negated: bool = False
    model_system: str = ""

    def citation(self) -> str:
        return f"Fake {self.subject}->{self.object}"

    def statement(self) -> str:
        return f"{self.subject} {self.predicate} {self.object}"


@dataclass
class FakeNode:
    id: str


@dataclass
class FakeAssociation:
    score: float
    refuting_score: float
    supporting: list[Any]
    refuting: list[Any] = field(default_factory=list)


class FakeKnowledgeBase:
    """Implements the contract exoderm.evidence publishes, over a few claims."""

    def __init__(self, claims: list[FakeClaim]) -> None:
        self._claims = claims
        self.nodes = {c.subject for c in claims} | {c.object for c in claims}

    def resolve(self, name: str) -> FakeNode:
        if name in self.nodes:
            return FakeNode(name)
        raise NotFoundError(f"no node named {name!r}")

    def candidates(self, name: str) -> list[FakeNode]:
        return [FakeNode(name)] if name in self.nodes else []

    def association(self, source: str, target: str) -> FakeAssociation:
        found = [
            c
            for c in self._claims
            if (c.subject, c.object) == (source, target) and c.predicate != "enhances"
        ]
        return FakeAssociation(max((c.score for c in found), default=0.0), 0.0, found)

    def claims(
        self, subject: str | None = None, predicate: str | None = None, object: str | None = None
    ) -> list[FakeClaim]:
        return [
            c
            for c in self._claims
            if (subject is None or c.subject == subject)
            and (predicate is None or c.predicate == predicate)
            and (object is None or c.object == object)
        ]


def test_knowledge_base_scores_replace_weaker_catalogue_scores(catalogue: Catalogue) -> None:
    kb = FakeKnowledgeBase([FakeClaim("source:grape", "improves", "concern:wrinkles", 0.9)])
    provider = evidence_provider(catalogue, kb)
    assert isinstance(provider, KnowledgeBaseEvidence)
    grape = catalogue.get("grape-vesicles")
    wrinkles = catalogue.target("wrinkles")
    link = provider.link(grape, wrinkles, "leave-on")
    assert link.score == pytest.approx(0.9)
    assert link.citations and "Fake source:grape" in link.citations[0]
    # Unknown to the graph: the catalogue's own evidence is used.
    niacinamide = catalogue.get("niacinamide")
    own = CatalogueEvidence(catalogue).link(niacinamide, wrinkles, "leave-on")
    assert provider.link(niacinamide, wrinkles, "leave-on") == own


def test_graph_evidence_changes_the_optimum(catalogue: Catalogue) -> None:
    request = FormulationRequest(
        targets={"wrinkles": 1}, plant_only=True, max_actives=1, min_ev_sources=1
    )
    plain = formulate(request, catalogue=catalogue, use_knowledge_base=False)
    assert "grape-vesicles" not in plain.best.selected
    kb = FakeKnowledgeBase([FakeClaim("source:grape", "improves", "concern:wrinkles", 0.9)])
    boosted = formulate(request, catalogue=catalogue, kb=kb)
    assert "grape-vesicles" in boosted.best.selected
    assert boosted.best.evidence_provider == "knowledge base"


def test_enhances_edges_become_synergy(catalogue: Catalogue) -> None:
    kb = FakeKnowledgeBase(
        [
            FakeClaim("coactive:hyaluronic-acid", "enhances", "source:centella", 0.8),
        ]
    )
    provider = evidence_provider(catalogue, kb)
    link = provider.synergy(
        catalogue.get("sodium-hyaluronate"), catalogue.get("centella-vesicles"), "leave-on"
    )
    assert link.score > 0 and link.provider == "knowledge base"
    result = formulate(
        FormulationRequest(targets={"pores": 1}, max_actives=2), catalogue=catalogue, kb=kb
    )
    assert {"sodium-hyaluronate", "centella-vesicles"} <= set(result.best.selected)
    assert any("enhances" in s for s in result.best.synergies)


def test_packaged_knowledge_base_is_used_by_default(catalogue: Catalogue) -> None:
    result = formulate(
        FormulationRequest(targets={"wrinkles": 1, "pigmentation": 1}), catalogue=catalogue
    )
    assert result.best.evidence_provider == "knowledge base"
    assert result.best.proven_optimal


def test_best_level_is_the_strongest_design_and_reviews_of_animals_count_as_animal(
    catalogue: Catalogue,
) -> None:
    animal_review = FakeClaim(
        "source:adipose-msc",
        "increases",
        "effect:collagen",
        0.6,
        evidence_level="systematic_review_meta_analysis",
    )
    animal_review.model_system = "animal (rodent) studies"
    in_vitro = FakeClaim(
        "source:adipose-msc", "increases", "effect:collagen", 0.1, evidence_level="in_vitro"
    )
    kb = FakeKnowledgeBase([in_vitro, animal_review])
    link = evidence_provider(catalogue, kb).link(
        catalogue.get("adsc-exosomes"), catalogue.target("collagen"), "leave-on"
    )
    assert link.best_level == "animal"
    human_review = FakeClaim(
        "source:adipose-msc",
        "improves",
        "concern:wrinkles",
        0.9,
        evidence_level="systematic_review_meta_analysis",
    )
    kb = FakeKnowledgeBase([in_vitro, human_review])
    link = evidence_provider(catalogue, kb).link(
        catalogue.get("adsc-exosomes"), catalogue.target("wrinkles"), "leave-on"
    )
    assert link.best_level == "systematic_review_meta_analysis"


def test_barely_covered_target_is_warned_about(catalogue: Catalogue) -> None:
    """The optimum may trade a target away; the formulation must say so."""
    direct = [i.key for i in catalogue if i.kind is Kind.co_active and i.effect_for("collagen")]
    result = formulate(
        FormulationRequest(
            targets={"collagen": 1, "pigmentation": 1},
            plant_only=True,
            market="EU",
            exclude=direct,
        ),
        catalogue=catalogue,
    )
    by_target = {t.target: t for t in result.best.targets}
    weak = [w for w in result.best.warnings if "barely covered" in w]
    expected = {t for t, r in by_target.items() if r.utility < 0.01}
    assert expected, "plant-only collagen evidence is thin in this catalogue; case not exercised"
    assert len(weak) == len(expected)
    assert all(any(f"--to {t}" in w for w in weak) for t in expected)
    assert not any("--to pigmentation" in w for w in weak)
