"""Read models of the evidence capability: what its service returns to every face.

The API returns these directly as ``response_model``; the web pages and the CLI render
them. Each is built from the knowledge base's typed records (:mod:`exoderm.evidence.model`,
:mod:`exoderm.evidence.results`) by its ``of`` constructor, so the names of a claim's
subject and object, its citation and whether it is disputed are filled in once, here.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from exoderm.evidence.disputes import DisputedPoint
from exoderm.evidence.knowledge_base import KnowledgeBase
from exoderm.evidence.model import Claim, Node, NodeKind, Predicate, Reference
from exoderm.evidence.results import Association, Conflict, EvidencePath, PathHop
from exoderm.evidence.rwe import RealWorldClaimRead
from exoderm.evidence.search import SearchHit
from exoderm.evidence.seed import DermalEffectItem, GlossaryEntry


class NodeRead(BaseModel):
    """A node of the graph."""

    id: str
    kind: NodeKind
    name: str
    synonyms: list[str]
    description: str
    source: str
    biolink_category: str

    @classmethod
    def of(cls, n: Node) -> NodeRead:
        return cls(
            id=n.id,
            kind=n.kind,
            name=n.name,
            synonyms=list(n.synonyms),
            description=n.description,
            source=n.source,
            biolink_category=n.biolink_category,
        )


class ReferenceRead(BaseModel):
    """A bibliographic record with its one-line citation."""

    id: str
    authors: list[str]
    year: int | None
    title: str
    journal: str
    volume: str
    pages: str
    doi: str | None
    pmid: str | None
    study_type: str
    url: str | None
    citation: str

    @classmethod
    def of(cls, r: Reference) -> ReferenceRead:
        return cls(
            id=r.id,
            authors=list(r.authors),
            year=r.year,
            title=r.title,
            journal=r.journal,
            volume=r.volume,
            pages=r.pages,
            doi=r.doi,
            pmid=r.pmid,
            study_type=r.study_type,
            url=r.url,
            citation=r.citation(),
        )


class ReferenceDetailRead(ReferenceRead):
    """A reference and the ids of the claims that cite it."""

    cited_by: list[str]


class ClaimRead(BaseModel):
    """A cited claim, with the names of its ends and whether it is disputed."""

    id: str
    subject: str
    subject_name: str
    predicate: Predicate
    object: str
    object_name: str
    negated: bool
    quote: str
    location: str
    area: str | None
    evidence_level: str
    model_system: str
    notes: str
    score: float
    effect_size: str
    origin: str
    contradicts: list[str]
    disputed: bool = Field(description="It disputes, or is disputed by, another claim.")
    citation: str
    references: list[ReferenceRead]

    @classmethod
    def of(cls, c: Claim, kb: KnowledgeBase) -> ClaimRead:
        def name(node_id: str) -> str:
            return kb.node(node_id).name if kb.has_node(node_id) else node_id

        return cls(
            id=c.id,
            subject=c.subject,
            subject_name=name(c.subject),
            predicate=c.predicate,
            object=c.object,
            object_name=name(c.object),
            negated=c.negated,
            quote=c.quote,
            location=c.location,
            area=c.area,
            evidence_level=c.evidence_level.value,
            model_system=c.model_system,
            notes=c.notes,
            score=c.score,
            effect_size=c.effect_size,
            origin=c.origin,
            contradicts=list(c.contradicts),
            disputed=bool(c.contradicts) or bool(kb.conflicts_for(c.id)),
            citation=c.citation(),
            references=[ReferenceRead.of(r) for r in c.references],
        )


class ConflictRead(BaseModel):
    """A disputed claim, the claims that dispute it, and what exactly is disputed."""

    topic: str
    claim: ClaimRead
    disputed_by: list[ClaimRead]
    disputed_point: str = Field(
        description="What is disputed and each side's answer, e.g. 'direction of MMP-1 "
        "change: <source> says increases; <source> says decreases'."
    )
    points: list[DisputedPoint] = Field(
        description="One disputed point per disputing claim, in ``disputed_by`` order."
    )
    summary: str

    @classmethod
    def of(cls, c: Conflict, kb: KnowledgeBase) -> ConflictRead:
        return cls(
            topic=c.topic,
            claim=ClaimRead.of(c.claim, kb),
            disputed_by=[ClaimRead.of(d, kb) for d in c.disputed_by],
            disputed_point=c.disputed_point,
            points=list(c.points),
            summary=c.describe(),
        )


class ClaimDetailRead(ClaimRead):
    """A claim and every conflict it takes part in."""

    conflicts: list[ConflictRead]


class NodeDetailRead(NodeRead):
    """A node and the claims from and to it (strongest first)."""

    claims_from: list[ClaimRead]
    claims_to: list[ClaimRead]


class SearchHitRead(BaseModel):
    """One search result: a node, a claim or a reference."""

    kind: str
    id: str
    label: str
    score: float
    snippet: str
    disputed: bool = Field(False, description="A claim hit that takes part in a conflict.")

    @classmethod
    def of(cls, h: SearchHit, kb: KnowledgeBase) -> SearchHitRead:
        disputed = h.kind == "claim" and bool(kb.conflicts_for(h.id))
        return cls(
            kind=h.kind, id=h.id, label=h.label, score=h.score, snippet=h.snippet, disputed=disputed
        )


class HopRead(BaseModel):
    """One step of a path with all its supporting and refuting claims."""

    source: NodeRead
    target: NodeRead
    score: float
    claims: list[ClaimRead]
    refuting: list[ClaimRead]

    @classmethod
    def of(cls, s: PathHop, kb: KnowledgeBase) -> HopRead:
        return cls(
            source=NodeRead.of(s.source),
            target=NodeRead.of(s.target),
            score=s.score,
            claims=[ClaimRead.of(c, kb) for c in s.claims],
            refuting=[ClaimRead.of(c, kb) for c in s.refuting],
        )


class PathRead(BaseModel):
    """A chain source → … → target, scored by its weakest step."""

    nodes: list[NodeRead]
    score: float
    description: str
    steps: list[HopRead]

    @classmethod
    def of(cls, p: EvidencePath, kb: KnowledgeBase) -> PathRead:
        return cls(
            nodes=[NodeRead.of(n) for n in p.nodes],
            score=p.score,
            description=p.describe(),
            steps=[HopRead.of(s, kb) for s in p.steps],
        )


class AssociationRead(BaseModel):
    """All evidence from a source to a target: direct claims, inferred paths, disputes."""

    source: NodeRead
    target: NodeRead
    score: float = Field(description="Supporting evidence only (never netted with refuting).")
    refuting_score: float
    direct_claims: list[ClaimRead]
    paths: list[PathRead]
    refuting: list[ClaimRead]
    conflicts: list[ConflictRead]
    explanation: list[str]
    real_world: list[RealWorldClaimRead] = Field(
        default_factory=list,
        description="Clinics' observed outcomes (observational, clinic registry), shown "
        "beside the literature and never added into its score.",
    )

    @classmethod
    def of(cls, a: Association, kb: KnowledgeBase) -> AssociationRead:
        return cls(
            source=NodeRead.of(a.source),
            target=NodeRead.of(a.target),
            score=a.score,
            refuting_score=a.refuting_score,
            direct_claims=[ClaimRead.of(c, kb) for c in a.supporting if isinstance(c, Claim)],
            paths=[PathRead.of(p, kb) for p in a.paths],
            refuting=[ClaimRead.of(c, kb) for c in a.refuting],
            conflicts=[ConflictRead.of(c, kb) for c in a.conflicts],
            explanation=a.explain(),
        )


class EffectRead(BaseModel):
    """One "Dermal effects" item of an application area of the whitepaper."""

    area: str
    area_name: str
    item: str
    node: str
    location: str

    @classmethod
    def of(cls, i: DermalEffectItem, kb: KnowledgeBase) -> EffectRead:
        area_name = kb.node(i.area).name if kb.has_node(i.area) else i.area
        return cls(area=i.area, area_name=area_name, item=i.item, node=i.node, location=i.location)


class GlossaryRead(BaseModel):
    """An abbreviation with its expansion and the node it names."""

    abbreviation: str
    expansion: str
    in_whitepaper: bool
    node: str | None
    note: str

    @classmethod
    def of(cls, g: GlossaryEntry) -> GlossaryRead:
        return cls(
            abbreviation=g.abbreviation,
            expansion=g.expansion,
            in_whitepaper=g.in_whitepaper,
            node=g.node,
            note=g.note,
        )


class ImportRead(BaseModel):
    """An accepted import: its id and what it added."""

    import_id: int
    nodes: int
    references: int
    claims: int


class ExportRead(BaseModel):
    """The files a graph export wrote."""

    format: str
    files: list[Path]
