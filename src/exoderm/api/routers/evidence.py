"""Evidence over HTTP: search, nodes, claims with citations and conflicts, explain paths.

Read-only views of the knowledge graph (the seed merged with the database's imported
claims), answered by :mod:`exoderm.evidence.service`. Conflicting claims are returned
with every claim that takes part in one, so a client cannot show a claim without its
dispute.
"""

from __future__ import annotations

import tempfile
from pathlib import Path as FsPath
from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Query, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from exoderm.api.problems import problem_responses
from exoderm.evidence import NodeKind, Predicate
from exoderm.evidence import service as evidence
from exoderm.evidence.cargo import (
    CargoCarrierRead,
    CargoDetectionRead,
    CargoFilter,
    CargoSourceRead,
)
from exoderm.evidence.reads import (
    AssociationRead,
    ClaimDetailRead,
    ClaimRead,
    ConflictRead,
    EffectRead,
    NodeDetailRead,
    NodeRead,
    ReferenceDetailRead,
    ReferenceRead,
    SearchHitRead,
)
from exoderm.evidence.review import CandidateEdits, CandidateRead, CurationBatchRead, Decision
from exoderm.evidence.search_exports import EXPORT_DESCRIPTION, EXPORT_FORMATS
from exoderm.serving.auth import Principal, need
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.paging import page_query
from exoderm.serving.uploads import save_upload
from exoderm.storage.paging import Page, PageQuery

router = APIRouter(
    prefix="/evidence", tags=["evidence"], responses=problem_responses(401, 403, 404, 422)
)

NodeId = Annotated[str, Path(min_length=1, max_length=200)]
Name = Annotated[str, Query(min_length=1, max_length=200)]
Reader = Annotated[Principal, Depends(need("evidence:read"))]
Context = Annotated[AppContext, Depends(app_context)]


@router.get(
    "/search", response_model=list[SearchHitRead], summary="Search nodes, claims, references"
)
def search(
    q: Annotated[str, Query(min_length=1, max_length=200, description="Words to find.")],
    who: Reader,
    svc: Context,
    limit: int = Query(20, ge=1, le=100),
) -> list[SearchHitRead]:
    with svc.db.reader() as s:
        return evidence.search(s, who.actor, text=q, limit=limit)


@router.get("/nodes", response_model=Page[NodeRead], summary="Nodes, by kind or name")
def nodes(
    who: Reader,
    page: Annotated[PageQuery, Depends(page_query)],
    svc: Context,
    kind: NodeKind | None = None,
    q: str | None = Query(None, max_length=200, description="Substring of name or synonym."),
) -> Page[NodeRead]:
    with svc.db.reader() as s:
        return evidence.list_nodes(s, who.actor, kind=kind, q=q, page=page)


@router.get("/resolve", response_model=NodeRead, summary="Resolve a name, synonym or abbreviation")
def resolve(name: Name, who: Reader, svc: Context) -> NodeRead:
    with svc.db.reader() as s:
        return evidence.resolve(s, who.actor, name=name)


@router.get(
    "/nodes/{node_id}",
    response_model=NodeDetailRead,
    summary="A node with the claims from and to it",
)
def node(node_id: NodeId, who: Reader, svc: Context) -> NodeDetailRead:
    with svc.db.reader() as s:
        return evidence.get_node(s, who.actor, node_id=node_id)


@router.get("/claims", response_model=Page[ClaimRead], summary="Claims, filtered")
def claims(
    who: Reader,
    page: Annotated[PageQuery, Depends(page_query)],
    svc: Context,
    subject: str | None = Query(None, max_length=200, description="Name or id."),
    predicate: Predicate | None = None,
    object: str | None = Query(None, max_length=200, description="Name or id."),
) -> Page[ClaimRead]:
    with svc.db.reader() as s:
        return evidence.list_claims(
            s, who.actor, subject=subject, predicate=predicate, object=object, page=page
        )


@router.get(
    "/claims/{claim_id}",
    response_model=ClaimDetailRead,
    summary="A claim with its quote, references and conflicts",
)
def claim(claim_id: NodeId, who: Reader, svc: Context) -> ClaimDetailRead:
    with svc.db.reader() as s:
        return evidence.get_claim(s, who.actor, claim_id=claim_id)


@router.get(
    "/explain",
    response_model=AssociationRead,
    summary="All cited paths from a source to an effect or concern, scored",
)
def explain(
    source: Name,
    target: Name,
    who: Reader,
    svc: Context,
    max_hops: int = Query(5, ge=1, le=8),
    limit: int = Query(10, ge=1, le=50),
) -> AssociationRead:
    with svc.db.reader() as s:
        return evidence.explain(
            s, who.actor, source=source, target=target, max_hops=max_hops, limit=limit
        )


@router.get(
    "/conflicts",
    response_model=list[ConflictRead],
    summary="Claims disputed by other evidence, with both sides' sources",
)
def conflicts(who: Reader, svc: Context) -> list[ConflictRead]:
    with svc.db.reader() as s:
        return evidence.conflicts(s, who.actor)


@router.get("/references", response_model=Page[ReferenceRead], summary="References")
def references(
    who: Reader, page: Annotated[PageQuery, Depends(page_query)], svc: Context
) -> Page[ReferenceRead]:
    with svc.db.reader() as s:
        return evidence.list_references(s, who.actor, page=page)


@router.get(
    "/references/{ref_id}",
    response_model=ReferenceDetailRead,
    summary="One reference and the claims citing it",
)
def reference(ref_id: NodeId, who: Reader, svc: Context) -> ReferenceDetailRead:
    with svc.db.reader() as s:
        return evidence.get_reference(s, who.actor, ref_id=ref_id)


@router.get(
    "/effects",
    response_model=list[EffectRead],
    summary="The whitepaper's dermal effects, per application area",
)
def effects(
    who: Reader, svc: Context, area: str | None = Query(None, max_length=200)
) -> list[EffectRead]:
    with svc.db.reader() as s:
        return evidence.effects(s, who.actor, area=area)


@router.get("/stats", response_model=dict[str, int | str], summary="Counts of the knowledge base")
def stats(who: Reader, svc: Context) -> dict[str, int | str]:
    with svc.db.reader() as s:
        return evidence.stats(s, who.actor)


# --------------------------------------------------------------------------- cargo layer
def cargo_filter(
    species: str | None = Query(None, max_length=200, description="Exact species."),
    vesicle: str | None = Query(None, max_length=200, description="Vesicle type contains."),
    isolation_method: str | None = Query(
        None, max_length=300, description="Isolation method contains."
    ),
    method: str | None = Query(None, max_length=300, description="Detection method contains."),
    kind: str | None = Query(None, max_length=40, description="protein, mrna, mirna …"),
) -> CargoFilter:
    return CargoFilter(
        species=species,
        vesicle=vesicle,
        isolation_method=isolation_method,
        method=method,
        kind=kind,
    )


Filters = Annotated[CargoFilter, Depends(cargo_filter)]


@router.get(
    "/cargo/sources",
    response_model=list[CargoSourceRead],
    summary="Sample sources of the imported EV cargo and their EV-source nodes",
)
def cargo_sources(
    who: Reader,
    svc: Context,
    unmapped: bool = Query(False, description="Only those no reviewed pattern maps."),
) -> list[CargoSourceRead]:
    with svc.db.reader() as s:
        return evidence.cargo_sources(s, who.actor, unmapped_only=unmapped)


@router.get(
    "/cargo/sources/{source}",
    response_model=list[CargoDetectionRead],
    summary="Cargo detected in an EV source's vesicles, with independent study counts",
)
def cargo_in_source(
    source: NodeId,
    who: Reader,
    svc: Context,
    filters: Filters,
    limit: int = Query(100, ge=1, le=5000),
) -> list[CargoDetectionRead]:
    with svc.db.reader() as s:
        return evidence.cargo_in_source(s, who.actor, source=source, filters=filters, limit=limit)


@router.get(
    "/cargo/molecules/{molecule}",
    response_model=list[CargoCarrierRead],
    summary="EV sources in whose vesicles a molecule was detected",
)
def cargo_carriers(
    molecule: NodeId,
    who: Reader,
    svc: Context,
    filters: Filters,
    all_samples: bool = Query(False, description="Also sample sources mapped to no node."),
) -> list[CargoCarrierRead]:
    with svc.db.reader() as s:
        return evidence.cargo_carriers(
            s, who.actor, molecule=molecule, filters=filters, include_unmapped=all_samples
        )


# --------------------------------------------------------------------------- curation
Curator = Annotated[Principal, Depends(need("evidence:write"))]


class DecisionIn(BaseModel):
    """A curator's decision on one candidate."""

    model_config = ConfigDict(extra="forbid")
    decision: Decision
    edits: CandidateEdits | None = None
    note: str = Field("", max_length=2000)


@router.post(
    "/curation/imports",
    response_model=CurationBatchRead,
    status_code=201,
    summary="Import a literature search export and propose candidate claims",
    description=(
        f"The file is {EXPORT_DESCRIPTION}, detected from its content; every record needs a"
        " PMID and a title."
    ),
    responses=problem_responses(413),
)
async def curation_import(
    file: Annotated[UploadFile, File(description=f"A search export: {EXPORT_FORMATS}.")],
    who: Curator,
    svc: Context,
) -> CurationBatchRead:
    with tempfile.TemporaryDirectory(prefix="exoderm-upload-") as tmp:
        path = await save_upload(file, FsPath(tmp), expected=EXPORT_DESCRIPTION)

        def work() -> CurationBatchRead:
            with svc.db.transaction() as s:
                return evidence.import_pubmed(s, who.actor, path=path)

        return await run_in_threadpool(work)


@router.get(
    "/curation/candidates",
    response_model=Page[CandidateRead],
    summary="Candidate claims awaiting review (or in another status)",
)
def curation_candidates(
    who: Curator,
    svc: Context,
    page: Annotated[PageQuery, Depends(page_query)],
    batch_id: int | None = Query(None, ge=1),
    status: str | None = Query(
        "pending", pattern="^(pending|accepted|edited|rejected)$", description="Review status."
    ),
) -> Page[CandidateRead]:
    with svc.db.reader() as s:
        return evidence.review_queue(s, who.actor, batch_id=batch_id, status=status, page=page)


@router.post(
    "/curation/candidates/{candidate_id}/decision",
    response_model=CandidateRead,
    summary="Accept, edit or reject a candidate (accepted ones become claims)",
    responses=problem_responses(409),
)
def curation_decision(
    candidate_id: Annotated[int, Path(ge=1)],
    body: DecisionIn,
    who: Curator,
    svc: Context,
) -> CandidateRead:
    with svc.db.transaction() as s:
        return evidence.review_candidate(
            s,
            who.actor,
            candidate_id=candidate_id,
            decision=body.decision,
            edits=body.edits,
            note=body.note,
        )
