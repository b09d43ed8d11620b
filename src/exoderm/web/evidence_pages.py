"""Evidence explorer pages: search, node and claim pages with citations and conflicts,
and an interactive graph of the paths from a source to an effect or concern.

The explain page embeds the graph as JSON (:class:`EvidenceGraph`) in a
``<script type="application/json">`` block; ``static/js/evidence_graph.js`` draws it with
the vendored Cytoscape.js. The server-rendered list of paths stays as the view without
JavaScript."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path as FsPath
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from exoderm.errors import ExodermError
from exoderm.evidence import NodeKind, Predicate
from exoderm.evidence import service as evidence
from exoderm.evidence.knowledge_base import RESOLUTION_ORDER, name_key
from exoderm.evidence.reads import ClaimRead, NodeRead, PathRead
from exoderm.evidence.review import CandidateEdits, Decision
from exoderm.evidence.search_exports import EXPORT_DESCRIPTION, EXPORT_FORMATS, EXPORT_SUFFIXES
from exoderm.serving.auth import Principal
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.uploads import save_upload
from exoderm.storage.paging import PageQuery
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


# --------------------------------------------------------------------------- graph
class GraphClaim(BaseModel):
    """One claim of a hop, as the graph's side panel shows it."""

    id: str
    statement: str
    verb: str = Field(description="The predicate, negated where the claim is.")
    quote: str
    evidence_level: str
    citation: str
    model_system: str
    refuting: bool
    disputed: bool


class GraphNode(BaseModel):
    """One entity of the graph; nodes of the same name joined by a hop are one entity."""

    id: str
    name: str
    kinds: list[str]
    members: list[str] = Field(description="Knowledge-base node ids merged into this entity.")
    merged_by: list[GraphClaim] = Field(description="The hops that joined the members.")
    role: str = Field(description="'source', 'target' or '' for a node in between.")
    column: int
    row: float


class GraphEdge(BaseModel):
    """One hop between two entities, with every claim of every path that takes it."""

    id: str
    source: str
    target: str
    label: str
    score: float
    claims: list[GraphClaim]
    waypoints: list[float] = Field(
        default_factory=list,
        description="Rows the hop passes through in each column between its two ends.",
    )


class EvidenceGraph(BaseModel):
    """The evidence paths from a source to a target as one graph of entities and hops."""

    title: str
    nodes: list[GraphNode]
    edges: list[GraphEdge]


def _kind_label(kind: NodeKind) -> str:
    return "EV source" if kind is NodeKind.EV_SOURCE else kind.value.replace("_", " ")


def _graph_claim(c: ClaimRead, *, refuting: bool = False) -> GraphClaim:
    verb = ("not " if c.negated else "") + c.predicate.value.replace("_", " ")
    return GraphClaim(
        id=c.id,
        statement=f"{c.subject_name} {verb} {c.object_name}",
        verb=verb,
        quote=c.quote,
        evidence_level=c.evidence_level,
        citation=c.citation,
        model_system=c.model_system,
        refuting=refuting,
        disputed=c.disputed,
    )


def _entities(paths: list[PathRead], ends: tuple[str, str]) -> dict[str, str]:
    """Each node id → the id of its entity: nodes of one name joined by a hop are merged.

    The entity keeps the id of an end of the association if it holds one, otherwise the
    member whose kind comes first in name resolution (the concern before the dermal effect).
    """
    parent: dict[str, str] = {n.id: n.id for p in paths for n in p.nodes}
    kinds = {n.id: n.kind for p in paths for n in p.nodes}

    def find(node_id: str) -> str:
        while parent[node_id] != node_id:
            node_id = parent[node_id]
        return node_id

    def rank(node_id: str) -> tuple[int, int, str]:
        return (0 if node_id in ends else 1, RESOLUTION_ORDER.index(kinds[node_id]), node_id)

    for p in paths:
        for step in p.steps:
            if name_key(step.source.name) == name_key(step.target.name):
                a, b = find(step.source.id), find(step.target.id)
                if a != b:
                    keep, drop = sorted((a, b), key=rank)
                    parent[drop] = keep
    return {node_id: find(node_id) for node_id in parent}


def _columns(chains: list[list[str]], target: str) -> dict[str, int]:
    """Column of each entity: its longest distance from the source along the chains.

    Where the union of the paths has a cycle, the first position along a path is used.
    The target is always drawn alone in the last column.
    """
    first: dict[str, int] = {}
    for chain in chains:
        for i, node_id in enumerate(chain):
            first[node_id] = min(first.get(node_id, i), i)
    hops = {(a, b) for chain in chains for a, b in itertools.pairwise(chain)}
    column = dict.fromkeys(first, 0)
    for _ in range(len(first) + 1):
        changed = False
        for a, b in sorted(hops):
            if column[b] < column[a] + 1:
                column[b] = column[a] + 1
                changed = True
        if not changed:
            break
    else:
        column = dict(first)
    others = [v for k, v in column.items() if k != target]
    column[target] = max(others) + 1 if others else 0
    return column


def _rows(
    column: dict[str, int], hops: set[tuple[str, str]], names: dict[str, str]
) -> tuple[dict[str, float], dict[tuple[str, str], list[float]]]:
    """Rows of the entities, and of the waypoints of hops that skip columns.

    A hop spanning several columns reserves a slot in each column it crosses (a waypoint),
    so it is drawn around the entities, never through them. Within a column, slots are
    ordered by the mean row of what leads into them, and centred on row 0.
    """
    slots: dict[str, int] = dict(column)
    into: dict[str, list[str]] = {}
    waypoints: dict[tuple[str, str], list[str]] = {}
    for a, b in sorted(hops):
        chain = [a]
        for col in range(column[a] + 1, column[b]):
            slot = f"{a}->{b}#{col}"
            slots[slot] = col
            names[slot] = f"~{names[b]}"
            chain.append(slot)
        chain.append(b)
        waypoints[(a, b)] = chain[1:-1]
        for x, y in itertools.pairwise(chain):
            into.setdefault(y, []).append(x)
    row: dict[str, float] = {}
    for col in sorted(set(slots.values())):
        members = [n for n in slots if slots[n] == col]

        def barycentre(slot: str) -> float:
            before = [row[x] for x in into.get(slot, []) if x in row]
            return sum(before) / len(before) if before else 0.0

        members.sort(key=lambda n: (barycentre(n), names[n]))
        for j, slot in enumerate(members):
            row[slot] = j - (len(members) - 1) / 2
    return (
        {n: row[n] for n in column},
        {hop: [row[w] for w in ways] for hop, ways in waypoints.items()},
    )


def evidence_graph(paths: list[PathRead], source: NodeRead, target: NodeRead) -> EvidenceGraph:
    """The paths as one graph: an entity per node (same-name hops merged), a hop per pair.

    Parameters
    ----------
    paths : list of PathRead
        The evidence paths from ``source`` to ``target`` (direct claims included).
    source, target : NodeRead
        The ends of the association.

    Returns
    -------
    EvidenceGraph
        Entities with their kinds, merged node ids and layered position (column from the
        source, row within the column); hops with every claim, refuting ones marked.

    References
    ----------
    Sugiyama, K., Tagawa, S. & Toda, M. (1981). Methods for visual understanding of
    hierarchical system structures. *IEEE Trans Syst Man Cybern* 11(2):109-125.
    doi:10.1109/TSMC.1981.4308636 (layering, barycentre ordering within layers)

    Examples
    --------
    >>> from exoderm.evidence.loading import seed_knowledge_base
    >>> kb = seed_knowledge_base()
    >>> found = kb.paths("source:adipose-msc", "concern:wrinkles")
    >>> paths = [PathRead.of(p, kb) for p in found]
    >>> g = evidence_graph(paths, paths[0].nodes[0], paths[0].nodes[-1])
    >>> [n.name for n in g.nodes].count("wrinkles")
    1
    >>> next(n.kinds for n in g.nodes if n.name == "wrinkles")
    ['concern', 'dermal effect']
    """
    entity = _entities(paths, (source.id, target.id))
    nodes = {n.id: n for p in paths for n in p.nodes}
    chains = []
    for p in paths:
        chain = [entity[n.id] for n in p.nodes]
        chains.append([a for a, b in itertools.zip_longest(chain, chain[1:]) if a != b])
    edges: dict[tuple[str, str], GraphEdge] = {}
    merged: dict[str, dict[str, GraphClaim]] = {}
    for p in paths:
        for step in p.steps:
            a, b = entity[step.source.id], entity[step.target.id]
            claims = [_graph_claim(c) for c in step.claims]
            claims += [_graph_claim(c, refuting=True) for c in step.refuting]
            if a == b:
                merged.setdefault(a, {}).update({c.id: c for c in claims})
                continue
            edge = edges.setdefault(
                (a, b),
                GraphEdge(id=f"{a}->{b}", source=a, target=b, label="", score=0.0, claims=[]),
            )
            seen = {c.id for c in edge.claims}
            edge.claims += [c for c in claims if c.id not in seen]
            edge.score = max(edge.score, step.score)
    for edge in edges.values():
        supporting = [c for c in edge.claims if not c.refuting]
        edge.label = " · ".join(dict.fromkeys(c.verb for c in supporting)) or "refuted only"
    column = _columns(chains, entity[target.id])
    names = {e: nodes[e].name for e in column}
    row, waypoints = _rows(column, set(edges), names)
    for (a, b), edge in edges.items():
        edge.waypoints = waypoints[(a, b)]
    members: dict[str, list[str]] = {}
    for node_id in sorted(entity, key=lambda n: RESOLUTION_ORDER.index(nodes[n].kind)):
        members.setdefault(entity[node_id], []).append(node_id)
    ends = {entity[source.id]: "source", entity[target.id]: "target"}
    return EvidenceGraph(
        title=f"Evidence paths: {source.name} → {target.name}",
        nodes=[
            GraphNode(
                id=e,
                name=names[e],
                kinds=list(dict.fromkeys(_kind_label(nodes[m].kind) for m in members[e])),
                members=members[e],
                merged_by=list(merged.get(e, {}).values()),
                role=ends.get(e, ""),
                column=column[e],
                row=row[e],
            )
            for e in sorted(column, key=lambda e: (column[e], row[e]))
        ],
        edges=list(edges.values()),
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
        "graph": None,
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
                graph = evidence_graph(paths, association.source, association.target)
                context["graph"] = graph.model_dump(mode="json")
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
        "export_formats": EXPORT_FORMATS,
        "export_accept": ",".join(EXPORT_SUFFIXES),
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
        path = await save_upload(file, FsPath(tmp), expected=EXPORT_DESCRIPTION)

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
