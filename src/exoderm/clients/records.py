"""Tables of the ``clients`` capability (migration branch ``clients``).

* ``clients_client`` — the pseudonymous record: pseudonym, organisation, clinical
  profile (JSON, validated by :class:`~exoderm.clients.profile.ClientProfile`).
* ``clients_personal`` — one encrypted blob of personal data per client, stored apart so
  that erasure deletes exactly one row.
* ``clients_consent`` — what was consented to, when, and which version of the text.
* ``clients_assessment`` — one scored instrument at one visit (inputs kept for audit).
* ``clients_regimen`` — a generated protocol, as JSON.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from exoderm.storage.base import Base, Timestamped, utcnow


class ClientRecord(Timestamped, Base):
    """A client known by a pseudonym; nothing here identifies the person."""

    __tablename__ = "clients_client"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(20), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(100))
    age_band: Mapped[str | None] = mapped_column(String(10))
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PersonalRecord(Base):
    """The Fernet token of a client's personal data."""

    __tablename__ = "clients_personal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("clients_client.id", ondelete="CASCADE"), unique=True
    )
    token: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ConsentRecord(Base):
    """One consent given (or withdrawn): topic, version of the text, time, recorder."""

    __tablename__ = "clients_consent"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("clients_client.id", ondelete="CASCADE"), index=True
    )
    topic: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(40))
    given: Mapped[bool] = mapped_column(Boolean, default=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(100))


class AssessmentRecord(Timestamped, Base):
    """One instrument scored at one visit."""

    __tablename__ = "clients_assessment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("clients_client.id", ondelete="CASCADE"), index=True
    )
    instrument: Mapped[str] = mapped_column(String(40), index=True)
    visit_date: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    band: Mapped[str | None] = mapped_column(String(60))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    components: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_by: Mapped[str] = mapped_column(String(100))


class RegimenRecord(Timestamped, Base):
    """A generated regimen (protocol, choices, warnings) as JSON."""

    __tablename__ = "clients_regimen"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("clients_client.id", ondelete="CASCADE"), index=True
    )
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(100))


class InvitationRecord(Base):
    """A single-use link for a client to fill one patient-reported instrument from home.

    Only hashes of the link token and of the clinic's code are stored, so a database
    dump does not open any link.
    """

    __tablename__ = "clients_invitation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("clients_client.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    instrument: Mapped[str] = mapped_column(String(40))
    visit_date: Mapped[date] = mapped_column(Date)
    verifier: Mapped[str] = mapped_column(String(20))
    code_hash: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    form_nonce_hash: Mapped[str | None] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("clients_assessment.id", ondelete="SET NULL")
    )


class PhotoRecord(Base):
    """One standardised clinical photograph, encrypted at rest (Fernet) like personal data."""

    __tablename__ = "clients_photo"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("clients_client.id", ondelete="CASCADE"), index=True
    )
    view: Mapped[str] = mapped_column(String(30))
    captured_on: Mapped[date] = mapped_column(Date)
    media_type: Mapped[str] = mapped_column(String(30))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    token: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TreatmentRecord(Base):
    """A course given to a client: what (EV source or formulation), how, for which concern."""

    __tablename__ = "clients_treatment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("clients_client.id", ondelete="CASCADE"), index=True
    )
    exposure: Mapped[str] = mapped_column(String(120))
    exposure_kind: Mapped[str] = mapped_column(String(20))
    route: Mapped[str] = mapped_column(String(30))
    concern: Mapped[str] = mapped_column(String(120))
    started_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ContributionRecord(Base):
    """An organisation's decision to contribute its clients' outcomes as real-world evidence."""

    __tablename__ = "clients_contribution"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), unique=True
    )
    contributes: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
