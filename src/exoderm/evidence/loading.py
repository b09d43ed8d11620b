"""Loading and caching knowledge bases: the seed alone, or the seed merged with imports.

Why: loading the seed and building its graph takes a fraction of a second and is done
once per process; with a database, the cache key is the latest import id, so any other
process's import is seen at the next load and :func:`invalidate_cache` drops the rest.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from exoderm.evidence.knowledge_base import KnowledgeBase, scored
from exoderm.evidence.model import Node, NodeKind, Reference
from exoderm.evidence.seed import SeedData, claim_from, load_seed

if TYPE_CHECKING:  # SQLAlchemy is imported only when a database is used (fast seed load)
    from sqlalchemy.orm import Session

_LOCK = threading.Lock()
_SEED: KnowledgeBase | None = None
_MERGED: dict[tuple[str, int], KnowledgeBase] = {}


def _build(
    seed: SeedData,
    extra_nodes: list[Node],
    extra_refs: list[Reference],
    extra_rows: list[dict[str, object]],
) -> KnowledgeBase:
    refs = {r.id: r for r in seed.references} | {r.id: r for r in extra_refs}
    claims = [scored(claim_from(row, refs)) for row in seed.claims]
    claims += [scored(claim_from(row, refs, origin="import")) for row in extra_rows]
    return KnowledgeBase(
        [*seed.nodes, *extra_nodes],
        refs.values(),
        claims,
        glossary=seed.glossary,
        figures=seed.figures,
        effect_items=seed.effect_items,
        version=seed.version,
    )


def seed_knowledge_base() -> KnowledgeBase:
    """The shipped knowledge alone (cached per process)."""
    global _SEED
    with _LOCK:
        if _SEED is None:
            _SEED = _build(load_seed(), [], [], [])
        return _SEED


def _fingerprint(session: Session) -> tuple[str, int]:
    from sqlalchemy import func, select

    from exoderm.evidence.records import EvidenceImport

    latest = session.execute(select(func.max(EvidenceImport.id))).scalar()
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    return url, int(latest or 0)


def imported_records(
    session: Session,
) -> tuple[list[Node], list[Reference], list[dict[str, object]]]:
    """Every imported node, reference and claim row in the database."""
    from sqlalchemy import select

    from exoderm.evidence.records import EvidenceClaim, EvidenceNode, EvidenceReference

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
        )
        for r in session.scalars(select(EvidenceReference).order_by(EvidenceReference.id))
    ]
    rows: list[dict[str, object]] = [
        c.as_row() for c in session.scalars(select(EvidenceClaim).order_by(EvidenceClaim.id))
    ]
    return nodes, refs, rows


def load_knowledge_base(session: Session | None = None) -> KnowledgeBase:
    """The seed, merged with the database's imported claims when a session is given."""
    if session is None:
        return seed_knowledge_base()
    key = _fingerprint(session)
    if key[1] == 0:
        return seed_knowledge_base()
    with _LOCK:
        cached = _MERGED.get(key)
    if cached is not None:
        return cached
    nodes, refs, rows = imported_records(session)
    kb = _build(load_seed(), nodes, refs, rows)
    with _LOCK:
        _MERGED[key] = kb
    return kb


def invalidate_cache() -> None:
    """Forget merged knowledge bases (called after every import)."""
    with _LOCK:
        _MERGED.clear()
