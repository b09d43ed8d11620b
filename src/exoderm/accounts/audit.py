"""Recording accesses in the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from exoderm.accounts.records import AuditEvent


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str | int,
    organisation_id: int | None = None,
    detail: dict[str, Any] | None = None,
    note: str | None = None,
) -> AuditEvent:
    """Add one audit event to the caller's transaction (it commits or rolls back with it)."""
    event = AuditEvent(
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        organisation_id=organisation_id,
        detail=detail,
        note=note,
    )
    session.add(event)
    return event


def events_for(session: Session, subject_type: str, subject_id: str | int) -> list[AuditEvent]:
    """Every audit event about one record, oldest first."""
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == str(subject_id))
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return list(session.scalars(stmt))
