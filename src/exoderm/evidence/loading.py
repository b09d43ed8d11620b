"""Loading and caching knowledge bases: the seed alone, or the seed merged with imports.

Why: loading the seed and building its graph takes a fraction of a second and is done
once per process; with a database, the cache key is the latest import id, so any other
process's import is seen at the next load and :func:`invalidate_cache` drops the rest.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from exoderm.evidence.knowledge_base import KnowledgeBase, scored
from exoderm.evidence.model import Claim, Node, NodeKind, Reference
from exoderm.evidence.seed import SeedData, claim_from, load_seed

if TYPE_CHECKING:  # SQLAlchemy is imported only when a database is used (fast seed load)
    from sqlalchemy import URL, Select
    from sqlalchemy.orm import Session

_LOCK = threading.Lock()
_SEED: KnowledgeBase | None = None
_MERGED: dict[Fingerprint, KnowledgeBase] = {}


def _build(
    seed: SeedData,
    extra_nodes: list[Node],
    extra_refs: list[Reference],
    extra_rows: list[dict[str, object]],
    cargo: CargoEvidence | None = None,
) -> KnowledgeBase:
    refs = {r.id: r for r in seed.references} | {r.id: r for r in extra_refs}
    unscored = [claim_from(row, refs) for row in seed.claims]
    unscored += [claim_from(row, refs, origin="import") for row in extra_rows]
    nodes = [*seed.nodes, *extra_nodes]
    if cargo is not None:
        from exoderm.evidence.cargo_claims import with_ev_metric

        unscored = [with_ev_metric(c, cargo.ev_metrics) for c in unscored]
        unscored += cargo.claims
        nodes += cargo.nodes
    claims = [scored(c) for c in unscored]
    return KnowledgeBase(
        nodes,
        refs.values(),
        claims,
        glossary=seed.glossary,
        figures=seed.figures,
        effect_items=seed.effect_items,
        unevidenced=seed.unevidenced,
        version=seed.version,
    )


def seed_knowledge_base() -> KnowledgeBase:
    """The shipped knowledge alone (cached per process)."""
    global _SEED
    with _LOCK:
        if _SEED is None:
            _SEED = _build(load_seed(), [], [], [])
        return _SEED


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What a merged knowledge base was built from (its cache key)."""

    url: str
    evidence_import: int
    evidence_sha256: str
    cargo_import: int
    cargo_sha256: str


@dataclass(frozen=True, slots=True)
class CargoEvidence:
    """What the imported cargo adds: ``contains`` claims, their new nodes, EV-METRICs."""

    nodes: list[Node]
    claims: list[Claim]
    ev_metrics: dict[str, float]


@lru_cache(maxsize=1)
def _latest_imports() -> Select[int | None, str | None, int | None, str | None]:
    """One statement for the latest evidence and cargo imports (id and content hash),
    built once: it runs on every evidence request."""
    from sqlalchemy import select

    from exoderm.evidence.cargo import CargoImport
    from exoderm.evidence.records import EvidenceImport

    evidence = select(EvidenceImport).order_by(EvidenceImport.id.desc()).limit(1).subquery()
    cargo = select(CargoImport).order_by(CargoImport.id.desc()).limit(1).subquery()
    return select(
        select(evidence.c.id).scalar_subquery(),
        select(evidence.c.sha256).scalar_subquery(),
        select(cargo.c.id).scalar_subquery(),
        select(cargo.c.sha256).scalar_subquery(),
    )


@lru_cache(maxsize=64)
def _url_text(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _fingerprint(session: Session) -> Fingerprint:
    """The database, and the latest evidence and cargo imports by id and content hash.

    The hashes tell apart two databases behind one URL (in-memory scratch databases).
    """
    evidence_id, evidence_sha, cargo_id, cargo_sha = session.execute(_latest_imports()).one()
    return Fingerprint(
        _url_text(session.get_bind().engine.url),
        int(evidence_id or 0),
        str(evidence_sha or ""),
        int(cargo_id or 0),
        str(cargo_sha or ""),
    )


def cargo_evidence(session: Session, seed: SeedData) -> CargoEvidence:
    """The cargo layer's contribution to the graph (see :mod:`exoderm.evidence.cargo_claims`)."""
    from exoderm.evidence.cargo_claims import contains_claims, study_ev_metrics
    from exoderm.evidence.cargo_sources import shipped_mapping

    known = {n.id for n in seed.nodes}
    nodes, claims = contains_claims(session, shipped_mapping(), known)
    return CargoEvidence(nodes, claims, study_ev_metrics(session))


def imported_records(
    session: Session,
) -> tuple[list[Node], list[Reference], list[dict[str, object]]]:
    """Every imported node, reference and claim row in the database."""
    from sqlalchemy import select

    from exoderm.evidence.records import EvidenceNode, EvidenceReference

    nodes = [
        Node(
            n.node_key,
            NodeKind(n.kind),
            n.name,
            tuple(n.synonyms or ()),
            n.description,
            f"import #{n.import_id}",
        )
        for n in session.scalars(select(EvidenceNode).order_by(EvidenceNode.id))
    ]
    refs = [
        Reference(
            r.ref_key,
            tuple(r.authors or ()),
            r.year,
            r.title,
            r.journal,
            r.volume,
            r.pages,
            r.doi,
            r.study_type,
            r.url,
            pmid=r.pmid,
        )
        for r in session.scalars(select(EvidenceReference).order_by(EvidenceReference.id))
    ]
    return nodes, refs, claim_rows(session)


#: Stored claim columns and the claim-row keys they become (see :func:`claim_from`).
_CLAIM_COLUMNS = {
    "claim_key": "id",
    "subject": "subject",
    "predicate": "predicate",
    "object": "object",
    "negated": "negated",
    "quote": "quote",
    "location": "location",
    "area": "area",
    "evidence_level": "evidence_level",
    "model_system": "model_system",
    "notes": "notes",
    "relevance": "relevance",
    "effect_size": "effect_size",
    "reference_keys": "references",
    "contradicts": "contradicts",
}


def claim_rows(session: Session) -> list[dict[str, object]]:
    """Every imported claim as a row, in import order.

    Columns are selected, not ORM entities: at a million claims entity loading (identity
    map, attribute events) costs several times the query itself.
    """
    from sqlalchemy import select

    from exoderm.evidence.records import EvidenceClaim

    columns = [EvidenceClaim.__table__.c[name] for name in _CLAIM_COLUMNS]
    keys = list(_CLAIM_COLUMNS.values())
    result = session.execute(select(*columns).order_by(EvidenceClaim.id))
    return [dict(zip(keys, row, strict=True)) for row in result]


def load_knowledge_base(session: Session | None = None) -> KnowledgeBase:
    """The seed, merged with the database's imported claims when a session is given."""
    if session is None:
        return seed_knowledge_base()
    key = _fingerprint(session)
    if key.evidence_import == 0 and key.cargo_import == 0:
        return seed_knowledge_base()
    with _LOCK:
        cached = _MERGED.get(key)
    if cached is not None:
        return cached
    nodes, refs, rows = imported_records(session)
    seed = load_seed()
    cargo = cargo_evidence(session, seed) if key.cargo_import else None
    kb = _build(seed, nodes, refs, rows, cargo)
    with _LOCK:
        _MERGED[key] = kb
    return kb


def invalidate_cache() -> None:
    """Forget merged knowledge bases (called after every import)."""
    with _LOCK:
        _MERGED.clear()
