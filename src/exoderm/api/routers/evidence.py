"""Evidence over HTTP: search, nodes, claims with citations and conflicts, explain paths.

Read-only views of :class:`exoderm.evidence.KnowledgeBase` (the seed merged with the
database's imported claims). Conflicting claims are returned with every claim that
takes part in one, so a client cannot show a claim without its dispute.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from exoderm.api.problems import problem_responses
from exoderm.evidence import (
    Association,
    Claim,
    Conflict,
    EvidencePath,
    KnowledgeBase,
    Node,
    NodeKind,
    Predicate,
    Reference,
    load_knowledge_base,
)
from exoderm.serving.auth import Principal, need
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.paging import page_query
from exoderm.storage.paging import Page, PageQuery, page_of_list

router = APIRouter(
    prefix="/evidence", tags=["evidence"], responses=problem_responses(401, 403, 404, 422)
)

NodeId = Annotated[str, Path(min_length=1, max_length=200)]
Name = Annotated[str, Query(min_length=1, max_length=200)]


def knowledge_base(svc: AppContext) -> KnowledgeBase:
    """The knowledge base in force: the library caches it per database state; asking the
    database for that state is itself cached for a few seconds (an import shows up within
    :attr:`AppContext.data_cache` ttl)."""

    def load() -> KnowledgeBase:
        with svc.db.reader() as s:
            return load_knowledge_base(s)

    kb: KnowledgeBase = svc.data_cache.get_or_make("evidence.kb", load)
    return kb


class NodeOut(BaseModel):
    id: str
    kind: NodeKind
    name: str
    synonyms: list[str]
    description: str
    source: str
    biolink_category: str

    @classmethod
    def of(cls, n: Node) -> NodeOut:
        return cls(
            id=n.id,
            kind=n.kind,
            name=n.name,
            synonyms=list(n.synonyms),
            description=n.description,
            source=n.source,
            biolink_category=n.biolink_category,
        )


class ReferenceOut(BaseModel):
    id: str
    authors: list[str]
    year: int | None
    title: str
    journal: str
    volume: str
    pages: str
    doi: str | None
    study_type: str
    url: str | None
    citation: str

    @classmethod
    def of(cls, r: Reference) -> ReferenceOut:
        return cls(
            id=r.id,
            authors=list(r.authors),
            year=r.year,
            title=r.title,
            journal=r.journal,
            volume=r.volume,
            pages=r.pages,
            doi=r.doi,
            study_type=r.study_type,
            url=r.url,
            citation=r.citation(),
        )


class ClaimOut(BaseModel):
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
    citation: str
    references: list[ReferenceOut]

    @classmethod
    def of(cls, c: Claim, kb: KnowledgeBase) -> ClaimOut:
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
            citation=c.citation(),
            references=[ReferenceOut.of(r) for r in c.references],
        )


class ConflictOut(BaseModel):
    topic: str
    claim: ClaimOut
    disputed_by: list[ClaimOut]
    summary: str

    @classmethod
    def of(cls, c: Conflict, kb: KnowledgeBase) -> ConflictOut:
        return cls(
            topic=c.topic,
            claim=ClaimOut.of(c.claim, kb),
            disputed_by=[ClaimOut.of(d, kb) for d in c.disputed_by],
            summary=c.describe(),
        )


class ClaimDetail(ClaimOut):
    conflicts: list[ConflictOut]


class NodeDetail(NodeOut):
    claims_from: list[ClaimOut]
    claims_to: list[ClaimOut]


class HitOut(BaseModel):
    kind: str
    id: str
    label: str
    score: float
    snippet: str


class HopOut(BaseModel):
    source: NodeOut
    target: NodeOut
    score: float
    claims: list[ClaimOut]
    refuting: list[ClaimOut]


class PathOut(BaseModel):
    nodes: list[NodeOut]
    score: float
    description: str
    steps: list[HopOut]

    @classmethod
    def of(cls, p: EvidencePath, kb: KnowledgeBase) -> PathOut:
        return cls(
            nodes=[NodeOut.of(n) for n in p.nodes],
            score=p.score,
            description=p.describe(),
            steps=[
                HopOut(
                    source=NodeOut.of(s.source),
                    target=NodeOut.of(s.target),
                    score=s.score,
                    claims=[ClaimOut.of(c, kb) for c in s.claims],
                    refuting=[ClaimOut.of(c, kb) for c in s.refuting],
                )
                for s in p.steps
            ],
        )


class AssociationOut(BaseModel):
    source: NodeOut
    target: NodeOut
    score: float = Field(description="Supporting evidence only (never netted with refuting).")
    refuting_score: float
    direct_claims: list[ClaimOut]
    paths: list[PathOut]
    refuting: list[ClaimOut]
    conflicts: list[ConflictOut]
    explanation: list[str]

    @classmethod
    def of(cls, a: Association, kb: KnowledgeBase) -> AssociationOut:
        return cls(
            source=NodeOut.of(a.source),
            target=NodeOut.of(a.target),
            score=a.score,
            refuting_score=a.refuting_score,
            direct_claims=[ClaimOut.of(c, kb) for c in a.supporting if isinstance(c, Claim)],
            paths=[PathOut.of(p, kb) for p in a.paths],
            refuting=[ClaimOut.of(c, kb) for c in a.refuting],
            conflicts=[ConflictOut.of(c, kb) for c in a.conflicts],
            explanation=a.explain(),
        )


class EffectOut(BaseModel):
    area: str
    item: str
    node: str
    location: str


@router.get("/search", response_model=list[HitOut], summary="Search nodes, claims, references")
async def search(
    q: Annotated[str, Query(min_length=1, max_length=200, description="Words to find.")],
    who: Annotated[Principal, Depends(need("evidence:read"))],
    limit: int = Query(20, ge=1, le=100),
    svc: AppContext = Depends(app_context),
) -> list[HitOut]:
    hits = knowledge_base(svc).search(q, limit)
    return [
        HitOut(kind=h.kind, id=h.id, label=h.label, score=h.score, snippet=h.snippet) for h in hits
    ]


@router.get("/nodes", response_model=Page[NodeOut], summary="Nodes, by kind or name")
def nodes(
    who: Annotated[Principal, Depends(need("evidence:read"))],
    page: Annotated[PageQuery, Depends(page_query)],
    kind: NodeKind | None = None,
    q: str | None = Query(None, max_length=200, description="Substring of name or synonym."),
    svc: AppContext = Depends(app_context),
) -> Page[NodeOut]:
    found = knowledge_base(svc).nodes(kind)
    if q:
        needle = q.lower()
        found = [
            n
            for n in found
            if needle in n.name.lower() or any(needle in s.lower() for s in n.synonyms)
        ]
    items, total = page_of_list(sorted(found, key=lambda n: n.name.lower()), page)
    return Page[NodeOut](
        items=[NodeOut.of(n) for n in items], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/resolve", response_model=NodeOut, summary="Resolve a name, synonym or abbreviation")
def resolve(
    name: Name,
    who: Principal = Depends(need("evidence:read")),
    svc: AppContext = Depends(app_context),
) -> NodeOut:
    return NodeOut.of(knowledge_base(svc).resolve(name))


@router.get(
    "/nodes/{node_id}", response_model=NodeDetail, summary="A node with the claims from and to it"
)
def node(
    node_id: NodeId,
    who: Principal = Depends(need("evidence:read")),
    svc: AppContext = Depends(app_context),
) -> NodeDetail:
    kb = knowledge_base(svc)
    n = kb.node(node_id)
    return NodeDetail(
        **NodeOut.of(n).model_dump(),
        claims_from=[ClaimOut.of(c, kb) for c in kb.claims(subject=n.id)],
        claims_to=[ClaimOut.of(c, kb) for c in kb.claims(object=n.id)],
    )


@router.get("/claims", response_model=Page[ClaimOut], summary="Claims, filtered")
def claims(
    who: Annotated[Principal, Depends(need("evidence:read"))],
    page: Annotated[PageQuery, Depends(page_query)],
    subject: str | None = Query(None, max_length=200, description="Name or id."),
    predicate: Predicate | None = None,
    object: str | None = Query(None, max_length=200, description="Name or id."),
    svc: AppContext = Depends(app_context),
) -> Page[ClaimOut]:
    kb = knowledge_base(svc)
    found = kb.claims(
        subject=subject, predicate=predicate.value if predicate else None, object=object
    )
    items, total = page_of_list(found, page)
    return Page[ClaimOut](
        items=[ClaimOut.of(c, kb) for c in items], total=total, limit=page.limit, offset=page.offset
    )


@router.get(
    "/claims/{claim_id}",
    response_model=ClaimDetail,
    summary="A claim with its quote, references and conflicts",
)
def claim(
    claim_id: NodeId,
    who: Principal = Depends(need("evidence:read")),
    svc: AppContext = Depends(app_context),
) -> ClaimDetail:
    kb = knowledge_base(svc)
    c = kb.claim(claim_id)
    return ClaimDetail(
        **ClaimOut.of(c, kb).model_dump(),
        conflicts=[ConflictOut.of(x, kb) for x in kb.conflicts_for(c.id)],
    )


@router.get(
    "/explain",
    response_model=AssociationOut,
    summary="All cited paths from a source to an effect or concern, scored",
)
def explain(
    source: Name,
    target: Name,
    who: Annotated[Principal, Depends(need("evidence:read"))],
    max_hops: int = Query(5, ge=1, le=8),
    limit: int = Query(10, ge=1, le=50),
    svc: AppContext = Depends(app_context),
) -> AssociationOut:
    kb = knowledge_base(svc)
    return AssociationOut.of(kb.association(source, target, max_hops=max_hops, limit=limit), kb)


@router.get(
    "/conflicts",
    response_model=list[ConflictOut],
    summary="Claims disputed by other evidence, with both sides' sources",
)
def conflicts(
    who: Principal = Depends(need("evidence:read")), svc: AppContext = Depends(app_context)
) -> list[ConflictOut]:
    kb = knowledge_base(svc)
    return [ConflictOut.of(c, kb) for c in kb.conflicts()]


@router.get("/references", response_model=Page[ReferenceOut], summary="References")
def references(
    who: Annotated[Principal, Depends(need("evidence:read"))],
    page: Annotated[PageQuery, Depends(page_query)],
    svc: AppContext = Depends(app_context),
) -> Page[ReferenceOut]:
    items, total = page_of_list(knowledge_base(svc).references(), page)
    return Page[ReferenceOut](
        items=[ReferenceOut.of(r) for r in items], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/references/{ref_id}", response_model=ReferenceOut, summary="One reference")
def reference(
    ref_id: NodeId,
    who: Principal = Depends(need("evidence:read")),
    svc: AppContext = Depends(app_context),
) -> ReferenceOut:
    return ReferenceOut.of(knowledge_base(svc).reference(ref_id))


@router.get(
    "/effects",
    response_model=list[EffectOut],
    summary="The whitepaper's dermal effects, per application area",
)
def effects(
    area: str | None = Query(None, max_length=200),
    who: Principal = Depends(need("evidence:read")),
    svc: AppContext = Depends(app_context),
) -> list[EffectOut]:
    return [
        EffectOut(area=i.area, item=i.item, node=i.node, location=i.location)
        for i in knowledge_base(svc).effects(area)
    ]


@router.get("/stats", response_model=dict[str, int | str], summary="Counts of the knowledge base")
def stats(
    who: Principal = Depends(need("evidence:read")), svc: AppContext = Depends(app_context)
) -> dict[str, int | str]:
    return knowledge_base(svc).stats()
