"""Evidence explorer pages: search, node and claim pages with citations and conflicts,
and a graph view of the paths from a source to an effect or concern."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from exoderm.api.routers.evidence import knowledge_base
from exoderm.errors import ExodermError
from exoderm.evidence import EvidencePath, Node, NodeKind
from exoderm.serving.auth import Principal
from exoderm.serving.context import AppContext, app_context
from exoderm.web.charts import path_graph
from exoderm.web.page_auth import page_scope
from exoderm.web.templating import is_htmx, render

router = APIRouter(prefix="/evidence", include_in_schema=False)
Reader = Annotated[Principal, Depends(page_scope("evidence:read"))]


@router.get("")
def index(
    request: Request,
    who: Reader,
    q: str = Query("", max_length=200),
    svc: AppContext = Depends(app_context),
) -> Response:
    kb = knowledge_base(svc)
    hits = kb.search(q, 30) if q.strip() else []
    template = "evidence/_results.html" if is_htmx(request) else "evidence/index.html"
    return render(
        request,
        template,
        {
            "q": q,
            "hits": hits,
            "stats": kb.stats(),
            "sources": kb.nodes(NodeKind.EV_SOURCE),
            "targets": kb.nodes(NodeKind.CONCERN) + kb.nodes(NodeKind.DERMAL_EFFECT),
        },
    )


@router.get("/nodes/{node_id}")
def node(
    request: Request, node_id: str, who: Reader, svc: AppContext = Depends(app_context)
) -> Response:
    kb = knowledge_base(svc)
    n = kb.node(node_id)
    return render(
        request,
        "evidence/node.html",
        {
            "node": n,
            "claims_from": kb.claims(subject=n.id),
            "claims_to": kb.claims(object=n.id),
            "kb": kb,
        },
    )


@router.get("/claims/{claim_id}")
def claim(
    request: Request, claim_id: str, who: Reader, svc: AppContext = Depends(app_context)
) -> Response:
    kb = knowledge_base(svc)
    c = kb.claim(claim_id)
    return render(
        request, "evidence/claim.html", {"claim": c, "conflicts": kb.conflicts_for(c.id), "kb": kb}
    )


@router.get("/conflicts")
def conflicts(request: Request, who: Reader, svc: AppContext = Depends(app_context)) -> Response:
    kb = knowledge_base(svc)
    return render(request, "evidence/conflicts.html", {"conflicts": kb.conflicts(), "kb": kb})


def _label(node: Node, paths: list[EvidencePath]) -> str:
    """The node's name, with its kind when another node on the paths has the same name."""
    same = {n.id for p in paths for n in p.nodes if n.name == node.name}
    return f"{node.name} ({node.kind.value})" if len(same) > 1 else node.name


@router.get("/explain")
def explain(
    request: Request,
    who: Reader,
    source: str = Query("", max_length=200),
    target: str = Query("", max_length=200),
    svc: AppContext = Depends(app_context),
) -> Response:
    kb = knowledge_base(svc)
    context: dict[str, object] = {
        "source": source,
        "target": target,
        "association": None,
        "graph_svg": None,
        "error": None,
        "kb": kb,
    }
    if source and target:
        try:
            association = kb.association(source, target)
        except ExodermError as exc:
            context["error"] = str(exc)
        else:
            context["association"] = association
            paths = kb.paths(association.source.id, association.target.id)
            context["all_paths"] = paths
            if paths:
                context["graph_svg"] = path_graph(
                    [[(n.id, _label(n, paths)) for n in p.nodes] for p in paths],
                    [
                        (s.source.id, s.target.id, s.best.predicate.value)
                        for p in paths
                        for s in p.steps
                    ],
                    title=f"Evidence paths: {association.source.name} → {association.target.name}",
                )
    return render(request, "evidence/explain.html", context)
