"""Who may touch which client, and the audit trail of every touch.

Rules (``exoderm.accounts.actor``): only client-facing roles (``admin``, ``clinician``)
see client records; clinicians only their own organisation's clients; personal data
only for ``PERSONAL_DATA_ROLES``; disease instruments only for ``CLINICIAN_ROLES``.
Every read and write is one :func:`exoderm.accounts.audit.record` in the caller's
transaction, so the access and its log entry commit or roll back together. Audit
details never contain personal data.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from exoderm.accounts import audit
from exoderm.accounts.actor import CLINICIAN_ROLES, PERSONAL_DATA_ROLES, Actor
from exoderm.accounts.records import Role
from exoderm.accounts.tenancy import bind_organisation
from exoderm.clients.records import ClientRecord
from exoderm.errors import NotFoundError, PermissionDenied

#: Roles that may open client records at all (scopes: only admin and clinician have clients:*).
CLIENT_ROLES = frozenset({Role.admin, Role.clinician})
SUBJECT = "client"


def require_client_access(actor: Actor, *, action: str) -> None:
    """Refuse roles that have no business with client records."""
    actor.require(*CLIENT_ROLES, action=action)


def require_personal_data(actor: Actor) -> None:
    actor.require(*PERSONAL_DATA_ROLES, action="see clients' personal data")


def require_clinician(actor: Actor, instrument: str) -> None:
    actor.require(*CLINICIAN_ROLES, action=f"use the disease instrument {instrument}")


def log(
    session: Session,
    actor: Actor,
    action: str,
    client: ClientRecord | None,
    detail: dict[str, Any] | None = None,
    *,
    subject_id: str | None = None,
) -> None:
    """One audit event about ``client`` (or ``subject_id`` for lists and failed lookups)."""
    audit.record(
        session,
        actor=actor.username,
        action=f"client.{action}",
        subject_type=SUBJECT,
        subject_id=client.pseudonym if client is not None else (subject_id or "*"),
        organisation_id=client.organisation_id if client is not None else actor.organisation_id,
        detail=detail,
    )


def load_client(session: Session, actor: Actor, pseudonym: str, *, action: str) -> ClientRecord:
    """The client called ``pseudonym`` if ``actor`` may see it, else an error.

    A client of another organisation is reported as not found (not "forbidden"), so the
    existence of other clinics' clients does not leak.
    """
    require_client_access(actor, action=action)
    bind_organisation(session, actor)
    key = pseudonym.strip().upper()
    client = session.scalar(select(ClientRecord).where(ClientRecord.pseudonym == key))
    if client is None or not actor.may_see_organisation(client.organisation_id):
        raise NotFoundError(f"no client {pseudonym!r}")
    if client.erased_at is not None and action not in {"show", "outcomes", "export"}:
        raise PermissionDenied(f"client {client.pseudonym} was erased; records are read-only")
    return client
