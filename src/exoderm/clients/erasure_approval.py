"""The four-eyes rule for erasing a client's personal data: one person asks, another agrees.

An erasure cannot be undone. With the setting ``erasure_needs_approval`` on, the first
request only records who asked (an audit event, ``client.erase.request``); the erasure
happens when a *different* user who may erase the client asks within
:data:`REQUEST_DAYS` days, and both are named in the audit log. The requester asking again
is refused; a request older than the window has lapsed and counts as a new one. The
pending request lives in the audit log itself, so there is no second record to keep in
step with it.

References
----------
.. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0.0, V2.3.5
   (high-value business logic flows require multi-user approval).
.. [2] Regulation (EU) 2016/679 (GDPR), Art. 17 (right to erasure) and Art. 5(1)(f)
   (integrity: protection against accidental destruction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import AuditEvent
from exoderm.clients import access
from exoderm.clients.records import ClientRecord
from exoderm.errors import UserInputError
from exoderm.storage.base import utcnow

#: How long a request waits for the second person.
REQUEST_DAYS = 14
REQUEST = "erase.request"


@dataclass(frozen=True)
class Approval:
    """Who asked for the erasure (the second person is the actor erasing now)."""

    requested_by: str
    requested_at: datetime


def _pending(session: Session, client: ClientRecord) -> AuditEvent | None:
    stmt = (
        select(AuditEvent)
        .where(
            AuditEvent.subject_type == access.SUBJECT,
            AuditEvent.subject_id == client.pseudonym,
            AuditEvent.action.in_((f"client.{REQUEST}", "client.erase")),
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1)
    )
    latest = session.scalar(stmt)
    if latest is None or latest.action != f"client.{REQUEST}":
        return None
    if latest.at < utcnow() - timedelta(days=REQUEST_DAYS):
        return None
    return latest


def approve_or_request(session: Session, actor: Actor, client: ClientRecord) -> Approval | None:
    """The approval to erase now, or ``None`` after recording ``actor``'s request."""
    pending = _pending(session, client)
    if pending is None:
        access.log(session, actor, REQUEST, client, {"waits_days": REQUEST_DAYS})
        return None
    if pending.actor == actor.username:
        raise UserInputError(
            f"you asked for the erasure of {client.pseudonym} on "
            f"{pending.at:%Y-%m-%d %H:%M} UTC; another person must agree to it",
            field="user",
            expected="a second person who may erase this client",
        )
    return Approval(pending.actor, pending.at)
