"""Recording accesses in the audit log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from exoderm.accounts import audit_shipping  # noqa: F401  (registers the shipping hooks)
from exoderm.accounts.records import AuditEvent

#: A value in an audit event's ``detail``: a scalar, a list of scalars, or a flat mapping.
AuditScalar = str | int | float | bool | None
AuditValue = AuditScalar | list[AuditScalar] | dict[str, AuditScalar]
#: What an audit event's ``detail`` may hold (never personal data).
AuditDetail = dict[str, AuditValue]
#: What :func:`record` accepts for one value (any sequence or mapping of scalars).
AuditValueIn = AuditScalar | Sequence[AuditScalar] | Mapping[str, AuditScalar]


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str | int,
    organisation_id: int | None = None,
    detail: Mapping[str, AuditValueIn] | None = None,
    note: str | None = None,
) -> AuditEvent:
    """Add one audit event to the caller's transaction (it commits or rolls back with it)."""
    event = AuditEvent(
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        organisation_id=organisation_id,
        detail=dict(detail) if detail is not None else None,
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
