"""Where an ingredient's evidence for a target comes from — the one place to swap.

Two providers implement :class:`EvidenceProvider`:

* :class:`CatalogueEvidence` scores the evidence items written in the catalogue with
  :mod:`exoderm.design.scoring` (harmonic sum of Open Targets, Ochoa et al. 2021,
  doi:10.1093/nar/gkaa1027).
* :class:`KnowledgeBaseEvidence` asks ``exoderm.evidence``'s knowledge base
  (``kb.resolve(name)``, ``kb.association(source, target)`` with ``.score``,
  ``.supporting``, ``.refuting``; ``kb.claims(subject=, predicate="enhances",
  object=)``) and falls back to the catalogue for links the graph does not know.

:func:`evidence_provider` chooses between them; :func:`default_knowledge_base` loads the
packaged graph (``exoderm.evidence.load_knowledge_base``). The only other
reader in ``exoderm.design`` is the claims checker, which resolves the evidence a claim
cites (``exoderm.design.claims.substantiation``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from sqlalchemy.orm import Session

from exoderm.design.catalogue import Catalogue, Target
from exoderm.design.claims import DESIGN_TO_LEVEL, EVIDENCE_LEVELS
from exoderm.design.ingredient import Ingredient
from exoderm.design.scoring import EvidenceScore, harmonic_sum, score_items
from exoderm.evidence import (
    Association,
    Claim,
    EvidencePath,
    KnowledgeBase,
    load_knowledge_base,
)

#: One item of evidence the knowledge base returns: a cited claim or an inferred path.
Evidence = Claim | EvidencePath


@dataclass(frozen=True)
class Link:
    """Evidence that an ingredient acts on a target (or enhances another ingredient)."""

    score: float
    refuting: float
    best_level: str | None
    citations: tuple[str, ...]
    provider: str

    @classmethod
    def from_score(cls, s: EvidenceScore, provider: str) -> Link:
        level = s.best_design.value if s.best_design is not None else None
        return cls(s.supporting, s.refuting, level, s.citations, provider)


NO_LINK = Link(0.0, 0.0, None, (), "none")


class EvidenceProvider(Protocol):
    name: str

    def link(self, ingredient: Ingredient, target: Target, route: str) -> Link: ...

    def synergy(self, source: Ingredient, target: Ingredient, route: str) -> Link: ...

    def may_enhance(self, source: Ingredient) -> bool:
        """Whether ``source`` enhances anything at all (pairs of others need no lookup)."""
        ...


class CatalogueEvidence:
    """Evidence items written in the catalogue, scored by :mod:`scoring`."""

    name = "catalogue"

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def link(self, ingredient: Ingredient, target: Target, route: str) -> Link:
        effect = ingredient.effect_for(target.id)
        if effect is None:
            return NO_LINK
        return Link.from_score(score_items(effect.evidence, route), self.name)

    def synergy(self, source: Ingredient, target: Ingredient, route: str) -> Link:
        items = [
            item
            for rule in self.catalogue.synergies
            if rule.matches(source, target)
            for item in rule.evidence
        ]
        if not items:
            return NO_LINK
        return Link.from_score(score_items(items, route), self.name)

    def may_enhance(self, source: Ingredient) -> bool:
        return any(rule.selects_source(source) for rule in self.catalogue.synergies)


class KnowledgeBaseEvidence:
    """The knowledge graph's association scores, falling back to the catalogue."""

    name = "knowledge base"

    def __init__(self, kb: KnowledgeBase, fallback: CatalogueEvidence) -> None:
        self.kb = kb
        self.fallback = fallback
        self._ids: dict[str, str | None] = {}
        self._enhancers: frozenset[str] | None = None

    def _node_id(self, *names: str | None) -> str | None:
        for name in names:
            if not name:
                continue
            if name not in self._ids:
                # candidates() is resolve() without the "did you mean" search a miss costs
                found = self.kb.candidates(name)
                self._ids[name] = str(found[0].id) if found else None
            if self._ids[name] is not None:
                return self._ids[name]
        return None

    def _ingredient_node(self, ingredient: Ingredient) -> str | None:
        # Names are not tried: a common name such as "Aqueous serum" could resolve to an
        # unrelated node. The catalogue's kg_node, then its key, must match.
        return self._node_id(ingredient.kg_node, ingredient.key)

    def may_enhance(self, source: Ingredient) -> bool:
        if self._enhancers is None:
            self._enhancers = frozenset(
                str(c.subject) for c in self.kb.claims(predicate="enhances") if not c.negated
            )
        node = self._ingredient_node(source)
        return (node is not None and node in self._enhancers) or self.fallback.may_enhance(source)

    def link(self, ingredient: Ingredient, target: Target, route: str) -> Link:
        own = self.fallback.link(ingredient, target, route)
        source = self._ingredient_node(ingredient)
        goal = self._node_id(target.kg_node, target.id)
        if source is None or goal is None:
            return own
        association = self.kb.association(source, goal)
        supporting = list(association.supporting)
        if association.score <= 0 and not supporting:
            return own
        refuting = list(association.refuting)
        kb_link = Link(
            score=float(association.score),
            refuting=_refuting_score(association),
            best_level=_best_level(supporting),
            citations=tuple(_cite(c) for c in [*supporting, *refuting]),
            provider=self.name,
        )
        return _combine(kb_link, own)

    def synergy(self, source: Ingredient, target: Ingredient, route: str) -> Link:
        a, b = self._ingredient_node(source), self._ingredient_node(target)
        if a is None or b is None:
            return self.fallback.synergy(source, target, route)
        claims = [
            c for c in self.kb.claims(subject=a, predicate="enhances", object=b) if not c.negated
        ]
        if not claims:
            return self.fallback.synergy(source, target, route)
        score = harmonic_sum(float(c.score) for c in claims)
        return Link(score, 0.0, _best_level(claims), tuple(_cite(c) for c in claims), self.name)


def _combine(kb_link: Link, own: Link) -> Link:
    """The better-supported of the two scores (both are Open Targets-style harmonic sums),
    the larger refuting score, and every citation from both sources."""
    if own.score <= 0 and own.refuting <= 0:
        return kb_link
    best = kb_link if kb_link.score >= own.score else own
    return Link(
        score=max(kb_link.score, own.score),
        refuting=max(kb_link.refuting, own.refuting),
        best_level=best.best_level,
        citations=kb_link.citations + own.citations,
        provider="knowledge base + catalogue",
    )


def _refuting_score(association: Association) -> float:
    value = association.refuting_score
    if math.isfinite(value):
        return float(value)
    return harmonic_sum(float(c.score) for c in association.refuting)


def _claim_level(claim: Evidence) -> str | None:
    """A claim's study design name; a systematic review of animal studies is animal
    evidence (as exoderm.evidence.scoring.data_type reads it). Paths carry none."""
    if isinstance(claim, EvidencePath):
        return None
    name = str(claim.evidence_level)
    system = claim.model_system.lower()
    if name == "systematic_review_meta_analysis" and ("animal" in system or "rodent" in system):
        return "animal"
    return name


def _best_level(claims: Sequence[Evidence]) -> str | None:
    """The strongest design among the claims (paths carry none), by substantiation rank."""
    names = [n for n in (_claim_level(c) for c in claims) if n is not None]
    if not names:
        return None
    return max(names, key=lambda n: EVIDENCE_LEVELS.index(DESIGN_TO_LEVEL.get(n, "none")))


def _cite(claim: Evidence) -> str:
    if isinstance(claim, EvidencePath):
        return f"inferred path {claim.describe()} (score {claim.score:.3f})"
    return f"{claim.statement()}: {claim.citation()}"


@lru_cache(maxsize=1)
def default_knowledge_base() -> KnowledgeBase:
    """The packaged knowledge base (the evidence capability's seed graph)."""
    return knowledge_base(None)


def knowledge_base(session: Session | None) -> KnowledgeBase:
    """The knowledge base with the database's imported claims (``session``), if any."""
    return load_knowledge_base(session)


def evidence_provider(catalogue: Catalogue, kb: KnowledgeBase | None) -> EvidenceProvider:
    """The knowledge base if one is given, else the catalogue's own evidence."""
    fallback = CatalogueEvidence(catalogue)
    if kb is None:
        return fallback
    return KnowledgeBaseEvidence(kb, fallback)
