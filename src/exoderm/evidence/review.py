"""The curation review queue: stored candidates, curator decisions, accepted claims.

Why: a proposed claim enters the graph only after a curator accepts it (as proposed, or
edited); a rejection is kept with its note, so the proposer's precision can be audited
from the decisions. Accepted candidates are written through
:func:`exoderm.evidence.curation.import_rows`, i.e. with every check a file import gets
(nodes, predicate, evidence level, DOI, duplicates), quoting the exact sentence with its
``PMID:n, abstract sentence k`` locator and citing the PubMed record.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.errors import ConflictError, NotFoundError, UserInputError
from exoderm.evidence.cargo import CargoRow
from exoderm.evidence.curation import import_rows
from exoderm.evidence.doi import normalise_doi
from exoderm.evidence.knowledge_base import KnowledgeBase
from exoderm.evidence.loading import load_knowledge_base
from exoderm.evidence.model import EvidenceLevel, Predicate
from exoderm.evidence.proposer import Lexicon, ProposedClaim, propose
from exoderm.evidence.pubmed import PubmedRecord
from exoderm.evidence.records import CurationBatch, CurationCandidate, CurationDecision
from exoderm.evidence.search_exports import read_search_export
from exoderm.storage.base import utcnow
from exoderm.storage.paging import Page, PageQuery, page_of_select


class Decision(StrEnum):
    """What a curator does with a candidate."""

    ACCEPT = "accept"
    EDIT = "edit"
    REJECT = "reject"


_STATUS = {Decision.ACCEPT: "accepted", Decision.EDIT: "edited", Decision.REJECT: "rejected"}
#: Every review status a candidate can be in.
STATUSES = ("pending", *_STATUS.values())


class CandidateEdits(BaseModel):
    """Fields a curator may change before accepting (names or node ids)."""

    model_config = ConfigDict(extra="forbid")
    subject: str | None = None
    predicate: Predicate | None = None
    object: str | None = None
    negated: bool | None = None
    evidence_level: EvidenceLevel | None = None


class CurationBatchRead(BaseModel):
    """One imported export: its records and the candidates proposed from them."""

    batch_id: int
    filename: str
    sha256: str
    records: int
    candidates: int


class CandidateRead(BaseModel):
    """A candidate claim and its review state."""

    id: int
    batch_id: int
    key: str
    pmid: str
    subject: str
    predicate: str
    object: str
    negated: bool
    hedged: bool
    quote: str
    locator: str
    study_type: str
    confidence: float
    cargo_mentions: list[str]
    status: str
    claim_id: str | None

    @classmethod
    def of(cls, row: CurationCandidate) -> CandidateRead:
        return cls(
            id=row.id,
            batch_id=row.batch_id,
            key=row.candidate_key,
            pmid=row.pmid,
            subject=row.subject,
            predicate=row.predicate,
            object=row.object,
            negated=row.negated,
            hedged=row.hedged,
            quote=row.quote,
            locator=row.locator,
            study_type=row.study_type,
            confidence=row.confidence,
            cargo_mentions=list(row.cargo_mentions),
            status=row.status,
            claim_id=row.claim_key,
        )


def _reference(record: PubmedRecord) -> dict[str, Any]:
    return {
        "id": f"pmid{record.pmid}",
        "authors": record.authors,
        "year": record.year,
        "title": record.title,
        "journal": record.journal,
        "volume": record.volume,
        "pages": record.pages,
        "doi": record.doi,
        "pmid": record.pmid if record.pmid.isdigit() else None,
        "url": f"https://pubmed.ncbi.nlm.nih.gov/{record.pmid}/",
        "study_type": ", ".join(record.publication_types),
    }


def _row(batch_id: int, c: ProposedClaim, reference: dict[str, Any]) -> CurationCandidate:
    return CurationCandidate(
        batch_id=batch_id,
        candidate_key=c.key,
        pmid=c.pmid,
        subject=c.subject,
        predicate=c.predicate.value,
        object=c.object,
        negated=c.negated,
        hedged=c.hedged,
        quote=c.quote,
        locator=c.locator,
        study_type=c.study_type.value,
        confidence=c.confidence,
        cargo_mentions=c.cargo_mentions,
        reference=reference,
    )


def store_candidates(session: Session, path: Path, *, imported_by: str) -> CurationBatch:
    """Parse a search export (any format of :mod:`exoderm.evidence.search_exports`),
    propose candidates against the graph in force, store them."""
    records = read_search_export(path)
    lexicon = Lexicon(load_knowledge_base(session))
    symbols = [s for s in session.scalars(select(CargoRow.molecule).distinct()) if s]
    batch = CurationBatch(
        filename=path.name[:500],
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        imported_by=imported_by,
        record_count=len(records),
    )
    session.add(batch)
    session.flush()
    count = 0
    for record in records:
        reference = _reference(record)
        for proposed in propose(record, lexicon, cargo_symbols=symbols):
            session.add(_row(batch.id, proposed, reference))
            count += 1
    batch.candidate_count = count
    session.flush()
    return batch


def candidate_page(
    session: Session, *, batch_id: int | None, status: str | None, page: PageQuery
) -> Page[CandidateRead]:
    """Candidates of one batch (or all), in one status (or any), in file order."""
    if status is not None and status not in STATUSES:
        raise UserInputError(
            f"unknown review status '{status}'", field="status", expected=", ".join(STATUSES)
        )
    stmt = select(CurationCandidate).order_by(CurationCandidate.id)
    if batch_id is not None:
        stmt = stmt.where(CurationCandidate.batch_id == batch_id)
    if status is not None:
        stmt = stmt.where(CurationCandidate.status == status)
    rows, total = page_of_select(session, stmt, page)
    return Page(
        items=[CandidateRead.of(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


def _known_reference(kb: KnowledgeBase, ref: dict[str, Any]) -> str | None:
    """The id of a reference already in the graph: the same id or the same DOI."""
    doi = normalise_doi(str(ref["doi"])) if ref.get("doi") else None
    pmid = str(ref["pmid"]) if ref.get("pmid") else None
    for known in kb.references():
        same_doi = doi is not None and known.doi == doi
        if known.id == ref["id"] or same_doi or (pmid is not None and known.pmid == pmid):
            return known.id
    return None


def _claim_row(row: CurationCandidate, edits: CandidateEdits, ref_id: str) -> dict[str, Any]:
    notes = "Curated from a proposed candidate" + (" (hedged in the source)" if row.hedged else "")
    return {
        "id": f"cur-{row.candidate_key}",
        "subject": edits.subject or row.subject,
        "predicate": (edits.predicate or Predicate(row.predicate)).value,
        "object": edits.object or row.object,
        "negated": row.negated if edits.negated is None else edits.negated,
        "quote": row.quote,
        "location": row.locator,
        "references": [ref_id],
        "evidence_level": (edits.evidence_level or EvidenceLevel(row.study_type)).value,
        "notes": notes + ".",
    }


def decide(
    session: Session,
    actor: Actor,
    *,
    candidate_id: int,
    decision: Decision,
    edits: CandidateEdits | None,
    note: str,
) -> tuple[CurationCandidate, CurationDecision]:
    """Record a decision; an accepted or edited candidate is imported as a claim."""
    row = session.get(CurationCandidate, candidate_id)
    if row is None:
        raise NotFoundError(f"no curation candidate with id {candidate_id}")
    if row.status != "pending":
        raise ConflictError(f"candidate {candidate_id} was already {row.status}")
    changes = edits or CandidateEdits()
    claim_key: str | None = None
    if decision is not Decision.REJECT:
        kb = load_knowledge_base(session)
        ref_id = _known_reference(kb, row.reference)
        references = [] if ref_id else [dict(row.reference)]
        claim = _claim_row(row, changes, ref_id or str(row.reference["id"]))
        import_rows(
            session,
            actor,
            references=references,
            claims=[claim],
            source=f"curation candidate {row.id} ({row.locator})",
        )
        claim_key = str(claim["id"])
    row.status = _STATUS[decision]
    row.claim_key = claim_key
    made = CurationDecision(
        candidate_id=row.id,
        decision=decision.value,
        reviewer=actor.username,
        decided_at=utcnow(),
        note=note,
        edits=changes.model_dump(mode="json", exclude_none=True),
        claim_key=claim_key,
    )
    session.add(made)
    session.flush()
    return row, made
