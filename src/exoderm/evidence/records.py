"""Evidence tables: user-imported claims, references and nodes, one import per batch.

The seeded knowledge is not stored here (it ships with the package); these rows hold
what curators add with ``exoderm evidence import``, merged with the seed on load.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exoderm.storage.base import Base, Timestamped, utcnow


class EvidenceImport(Timestamped, Base):
    """One accepted import file (all its rows were written together)."""

    __tablename__ = "evidence_import"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    imported_by: Mapped[str] = mapped_column(String(100))
    claim_count: Mapped[int] = mapped_column(Integer, default=0)
    reference_count: Mapped[int] = mapped_column(Integer, default=0)
    node_count: Mapped[int] = mapped_column(Integer, default=0)


class EvidenceNode(Base):
    """A node added by an import (EV source, mediator, concern …)."""

    __tablename__ = "evidence_node"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    node_key: Mapped[str] = mapped_column(String(200), unique=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("evidence_import.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(300))
    synonyms: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")


class EvidenceReference(Base):
    """A bibliographic record added by an import."""

    __tablename__ = "evidence_reference"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref_key: Mapped[str] = mapped_column(String(200), unique=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("evidence_import.id", ondelete="CASCADE"), index=True
    )
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    year: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    journal: Mapped[str] = mapped_column(String(300), default="")
    volume: Mapped[str] = mapped_column(String(50), default="")
    pages: Mapped[str] = mapped_column(String(50), default="")
    doi: Mapped[str | None] = mapped_column(String(300), index=True)
    #: PubMed identifier (digits), where PubMed indexes the work.
    pmid: Mapped[str | None] = mapped_column(String(20), index=True)
    study_type: Mapped[str] = mapped_column(String(100), default="")
    url: Mapped[str | None] = mapped_column(String(1000))


class EvidenceClaim(Base):
    """A claim added by an import; subject/object are node ids (seed or imported)."""

    __tablename__ = "evidence_claim"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_key: Mapped[str] = mapped_column(String(200), unique=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("evidence_import.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(String(200), index=True)
    predicate: Mapped[str] = mapped_column(String(40))
    object: Mapped[str] = mapped_column(String(200), index=True)
    negated: Mapped[bool] = mapped_column(Boolean, default=False)
    quote: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(500), default="")
    area: Mapped[str | None] = mapped_column(String(200))
    evidence_level: Mapped[str] = mapped_column(String(60))
    model_system: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    relevance: Mapped[float] = mapped_column(Float, default=1.0)
    effect_size: Mapped[str] = mapped_column(String(300), default="")
    reference_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    contradicts: Mapped[list[str]] = mapped_column(JSON, default=list)


class RealWorldClaim(Base):
    """An aggregate of clinics' observed outcomes for one (exposure, route, concern, instrument).

    Built by ``exoderm evidence rwe build`` from organisations that opted in; holds
    counts and summary statistics only, never a client, a pseudonym or a date.
    """

    __tablename__ = "evidence_rwe_claim"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exposure: Mapped[str] = mapped_column(String(200), index=True)
    route: Mapped[str] = mapped_column(String(30))
    concern: Mapped[str] = mapped_column(String(200), index=True)
    instrument: Mapped[str] = mapped_column(String(40))
    n: Mapped[int] = mapped_column(Integer)
    organisations: Mapped[int] = mapped_column(Integer)
    mean_improvement: Mapped[float] = mapped_column(Float)
    ci_low: Mapped[float] = mapped_column(Float)
    ci_high: Mapped[float] = mapped_column(Float)
    sd: Mapped[float] = mapped_column(Float)
    responder_definition: Mapped[str | None] = mapped_column(String(60))
    responders: Mapped[int | None] = mapped_column(Integer)
    responder_low: Mapped[float | None] = mapped_column(Float)
    responder_high: Mapped[float | None] = mapped_column(Float)
    follow_up_months: Mapped[float] = mapped_column(Float)
    min_cell: Mapped[int] = mapped_column(Integer)
    built_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    built_by: Mapped[str] = mapped_column(String(100))


class CurationBatch(Timestamped, Base):
    """One imported PubMed XML export and how many candidate claims it yielded."""

    __tablename__ = "evidence_curation_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    imported_by: Mapped[str] = mapped_column(String(100))
    record_count: Mapped[int] = mapped_column(Integer, default=0)
    candidate_count: Mapped[int] = mapped_column(Integer, default=0)


class CurationCandidate(Base):
    """A proposed claim awaiting (or past) review: the exact sentence and its locator."""

    __tablename__ = "evidence_curation_candidate"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("evidence_curation_batch.id", ondelete="CASCADE"), index=True
    )
    #: ``<pmid>-<sentence>-<n>``: stable for the same record and proposer.
    candidate_key: Mapped[str] = mapped_column(String(100))
    pmid: Mapped[str] = mapped_column(String(20), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    predicate: Mapped[str] = mapped_column(String(40))
    object: Mapped[str] = mapped_column(String(200))
    negated: Mapped[bool] = mapped_column(Boolean, default=False)
    hedged: Mapped[bool] = mapped_column(Boolean, default=False)
    quote: Mapped[str] = mapped_column(Text)
    locator: Mapped[str] = mapped_column(String(500))
    study_type: Mapped[str] = mapped_column(String(60))
    confidence: Mapped[float] = mapped_column(Float)
    cargo_mentions: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The record's bibliographic fields (authors, year, title, journal, volume, pages, doi).
    reference: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: ``pending``, ``accepted``, ``edited`` or ``rejected``.
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    claim_key: Mapped[str | None] = mapped_column(String(200))


class CurationDecision(Base):
    """A curator's decision on one candidate (accept, edit or reject), with a note."""

    __tablename__ = "evidence_curation_decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("evidence_curation_candidate.id", ondelete="CASCADE"), index=True
    )
    decision: Mapped[str] = mapped_column(String(20))
    reviewer: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    edits: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    claim_key: Mapped[str | None] = mapped_column(String(200))
