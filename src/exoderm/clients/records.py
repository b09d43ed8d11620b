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
