"""The four-eyes rule for new administrators: one admin creates, another approves.

An administrator can read every organisation's client records and change every account,
so with the setting ``admin_changes_need_approval`` on, a new admin account is created
inactive and a request is recorded in the audit log (``user.admin.request``). It can sign
in once a *different* admin approves it (``user.admin.approve``, naming the requester);
the requester approving their own request is refused, and so is reactivating the account
by other means while the request waits. The pending state lives in the account's
``is_active`` flag and the audit log, so there is no second record to keep in step.

References
----------
.. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0.0, V2.3.5
   (high-value business logic flows require multi-user approval).
.. [2] NIST SP 800-53 Rev. 5 (2020), AC-5 (separation of duties) and AC-6(7) (review of
   user privileges). doi:10.6028/NIST.SP.800-53r5
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from exoderm.accounts import audit
from exoderm.accounts.actor import Actor
from exoderm.accounts.records import AuditEvent, User
from exoderm.errors import UserInputError

REQUEST = "admin.request"
APPROVE = "admin.approve"
SUBJECT = "user"


def request_approval(session: Session, actor: Actor, user: User) -> None:
    """Hold ``user`` (a new admin) inactive until another admin approves it."""
    user.is_active = False
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        action=REQUEST,
        subject_type=SUBJECT,
        subject_id=str(user.id),
        organisation_id=actor.organisation_id,
        detail={"role": user.role.value},
    )


def pending_request(session: Session, user: User) -> AuditEvent | None:
    """The request waiting for approval of ``user``, or None."""
    latest = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.subject_type == SUBJECT,
            AuditEvent.subject_id == str(user.id),
            AuditEvent.action.in_((REQUEST, APPROVE)),
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1)
    ).first()
    return latest if latest is not None and latest.action == REQUEST else None


def approve(session: Session, actor: Actor, user: User) -> str:
    """Activate ``user`` on a second admin's approval; returns who asked for it."""
    pending = pending_request(session, user)
    if pending is None:
        raise UserInputError(
            f"{user.username} has no request waiting for approval",
            field="user",
            expected="an admin account created under the four-eyes rule and not yet approved",
        )
    if pending.actor == actor.username:
        raise UserInputError(
            f"you created the admin account {user.username}; another admin must approve it",
            field="user",
            expected="a second admin",
        )
    user.is_active = True
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        action=APPROVE,
        subject_type=SUBJECT,
        subject_id=str(user.id),
        organisation_id=actor.organisation_id,
        detail={"requested_by": pending.actor},
    )
    return pending.actor
