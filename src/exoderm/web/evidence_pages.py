"""Evidence explorer pages: search, node and claim pages with citations and conflicts,
and a graph view of the paths from a source to an effect or concern."""

from __future__ import annotations

import tempfile
from pathlib import Path as FsPath
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from exoderm.errors import ExodermError
from exoderm.evidence import NodeKind, Predicate
from exoderm.evidence import service as evidence
from exoderm.evidence.reads import NodeRead, PathRead
from exoderm.evidence.review import CandidateEdits, Decision
from exoderm.serving.auth import Principal
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.uploads import save_upload
from exoderm.storage.paging import PageQuery
from exoderm.web.charts import path_graph
from exoderm.web.page_auth import page_scope
from exoderm.web.templating import is_htmx, render

router = APIRouter(prefix="/evidence", include_in_schema=False)
Reader = Annotated[Principal, Depends(page_scope("evidence:read"))]
Context = Annotated[AppContext, Depends(app_context)]
#: The datalists of the explain form hold every node of their kinds.
ALL_NODES = PageQuery(limit=100_000)


@router.get("")
def index(
    request: Request, who: Reader, svc: Context, q: str = Query("", max_length=200)
) -> Response:
    actor = who.actor
    with svc.db.reader() as s:
        hits = evidence.search(s, actor, text=q, limit=30) if q.strip() else []
        stats = evidence.stats(s, actor)
        sources = evidence.list_nodes(s, actor, kind=NodeKind.EV_SOURCE, page=ALL_NODES).items
        targets = [
            *evidence.list_nodes(s, actor, kind=NodeKind.CONCERN, page=ALL_NODES).items,
            *evidence.list_nodes(s, actor, kind=NodeKind.DERMAL_EFFECT, page=ALL_NODES).items,
        ]
    template = "evidence/_results.html" if is_htmx(request) else "evidence/index.html"
    return render(
        request,
        template,
        {"q": q, "hits": hits, "stats": stats, "sources": sources, "targets": targets},
    )


@router.get("/nodes/{node_id}")
def node(request: Request, node_id: str, who: Reader, svc: Context) -> Response:
    with svc.db.reader() as s:
        n = evidence.get_node(s, who.actor, node_id=node_id)
    return render(
        request,
        "evidence/node.html",
        {"node": n, "claims_from": n.claims_from, "claims_to": n.claims_to},
    )


@router.get("/claims/{claim_id}")
def claim(request: Request, claim_id: str, who: Reader, svc: Context) -> Response:
    with svc.db.reader() as s:
        c = evidence.get_claim(s, who.actor, claim_id=claim_id)
    return render(request, "evidence/claim.html", {"claim": c, "conflicts": c.conflicts})


@router.get("/conflicts")
def conflicts(request: Request, who: Reader, svc: Context) -> Response:
    with svc.db.reader() as s:
        found = evidence.conflicts(s, who.actor)
    return render(request, "evidence/conflicts.html", {"conflicts": found})


def _label(node: NodeRead, paths: list[PathRead]) -> str:
    """The node's name, with its kind when another node on the paths has the same name."""
    same = {n.id for p in paths for n in p.nodes if n.name == node.name}
    return f"{node.name} ({node.kind.value})" if len(same) > 1 else node.name


def _graph(paths: list[PathRead], source: NodeRead, target: NodeRead) -> str:
    return path_graph(
        [[(n.id, _label(n, paths)) for n in p.nodes] for p in paths],
        [(s.source.id, s.target.id, s.claims[0].predicate.value) for p in paths for s in p.steps],
        title=f"Evidence paths: {source.name} → {target.name}",
    )


@router.get("/explain")
def explain(
    request: Request,
    who: Reader,
    svc: Context,
    source: str = Query("", max_length=200),
    target: str = Query("", max_length=200),
) -> Response:
    context: dict[str, object] = {
        "source": source,
        "target": target,
        "association": None,
        "graph_svg": None,
        "error": None,
    }
    if source and target:
        try:
            with svc.db.reader() as s:
                association = evidence.explain(s, who.actor, source=source, target=target)
                paths = evidence.paths(
                    s, who.actor, source=association.source.id, target=association.target.id
                )
        except ExodermError as exc:
            context["error"] = str(exc)
        else:
            context["association"] = association
            context["all_paths"] = paths
            if paths:
                context["graph_svg"] = _graph(paths, association.source, association.target)
    return render(request, "evidence/explain.html", context)


# --------------------------------------------------------------------------- curation
Curator = Annotated[Principal, Depends(page_scope("evidence:write"))]
_STATUSES = ("pending", "accepted", "edited", "rejected")


@router.get("/curation")
def curation(
    request: Request,
    who: Curator,
    svc: Context,
    batch: int | None = Query(None, ge=1),
    status: str = Query("pending", pattern="^(pending|accepted|edited|rejected|all)$"),
    offset: int = Query(0, ge=0),
) -> Response:
    with svc.db.reader() as s:
        page = evidence.review_queue(
            s,
            who.actor,
            batch_id=batch,
            status=None if status == "all" else status,
            page=PageQuery(limit=50, offset=offset),
        )
    context: dict[str, object] = {
        "page": page,
        "batch": batch,
        "status": status,
        "statuses": (*_STATUSES, "all"),
        "predicates": [p.value for p in Predicate],
    }
    return render(request, "evidence/curation.html", context)


@router.post("/curation/imports")
async def curation_import(
    request: Request,
    who: Curator,
    svc: Context,
    file: Annotated[UploadFile, File()],
) -> Response:
    with tempfile.TemporaryDirectory(prefix="exoderm-upload-") as tmp:
        path = await save_upload(file, FsPath(tmp), expected="a PubMed XML export")

        def work() -> int:
            with svc.db.transaction() as s:
                return evidence.import_pubmed(s, who.actor, path=path).batch_id

        batch_id = await run_in_threadpool(work)
    return RedirectResponse(f"/evidence/curation?batch={batch_id}", status_code=303)


@router.post("/curation/candidates/{candidate_id}")
def curation_decision(
    request: Request,
    candidate_id: int,
    who: Curator,
    svc: Context,
    decision: Annotated[Decision, Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
    predicate: Annotated[str, Form(max_length=40)] = "",
    object_: Annotated[str, Form(alias="object", max_length=200)] = "",
    back: Annotated[str, Form(max_length=300, pattern=r"^/evidence/curation(\?[\w=&%-]*)?$")] = (
        "/evidence/curation"
    ),
) -> Response:
    edits = None
    if decision is Decision.EDIT:
        edits = CandidateEdits(
            predicate=Predicate(predicate) if predicate else None, object=object_ or None
        )
    with svc.db.transaction() as s:
        evidence.review_candidate(
            s, who.actor, candidate_id=candidate_id, decision=decision, edits=edits, note=note
        )
    return RedirectResponse(back, status_code=303)
