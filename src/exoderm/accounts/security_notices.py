"""What happened to an account's credentials: the notices a user is shown at sign-in.

exoderm sends no email, so a user learns of suspicious sign-ins and of changes to their
credentials in the application itself: the account page lists them, the home page after
a sign-in says how many arrived since the previous one, and the API returns them. They
are read from the audit log, which already holds every event (one source of truth, no
second table to keep in step); the same events reach a syslog collector when audit
shipping is on, where an operator can route them to mail.

Suspicious sign-ins (ASVS 5.0 V6.3.5): a failed password, a right password with a wrong
or missing second factor or security key (the password is then known to someone), and a
sign-in from an address none of the account's earlier sign-ins came from. Changes to
credentials (V6.3.7): a password set or changed, sessions and tokens ended, a second
factor or a security key added or removed, an API token created or revoked — each
saying who did it, so a change made by someone else stands out.

References
----------
.. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0.0,
   V6.3.5 (users are notified of suspicious authentication attempts) and V6.3.7 (users
   are notified after updates to authentication details).
.. [2] Temoshok, D. et al. (2025). NIST SP 800-63B-4, §4.6 (notification of the
   subscriber when an authenticator is bound or removed). doi:10.6028/NIST.SP.800-63b-4
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from exoderm.accounts.records import ApiToken, AuditEvent
from exoderm.storage.base import utcnow


class NoticeKind(StrEnum):
    """What a notice is about."""

    failed_sign_in = "failed_sign_in"
    partial_sign_in = "partial_sign_in"
    new_address = "new_address"
    credential_change = "credential_change"


#: Failure reasons that mean the password was right (only the second step failed).
_PARTIAL = frozenset({"wrong_second_factor", "second_factor_missing", "wrong_security_key"})
#: Credential events about a user (subject ``user``) and what the notice says.
_USER_CHANGES = {
    "set_password": "the password was set",
    "end_credentials": "sessions and API tokens were ended after a password change",
    "sessions.end": "browser sessions were ended",
    "second_factor.enrol": "an authenticator app was being set up",
    "second_factor.confirm": "an authenticator app was added as a second factor",
    "second_factor.remove": "the authenticator app was removed",
    "security_key.register": "a security key was added",
    "security_key.remove": "a security key was removed",
    "security_key.remove_all": "every security key was removed",
}
#: Credential events about one of the user's API tokens.
_TOKEN_CHANGES = {"issue": "an API token was created", "revoke": "an API token was revoked"}


@dataclass(frozen=True)
class Notice:
    """One event a user should know about."""

    at: datetime
    kind: NoticeKind
    summary: str
    by: str
    by_someone_else: bool
    address: str | None


def _address(event: AuditEvent) -> str | None:
    value = (event.detail or {}).get("address")
    return str(value) if value else None


def _events(session: Session, user_id: int, since: datetime) -> Sequence[AuditEvent]:
    tokens = select(ApiToken.id).where(ApiToken.user_id == user_id)
    token_ids = [str(t) for t in session.scalars(tokens)]
    about_user = and_(AuditEvent.subject_type == "user", AuditEvent.subject_id == str(user_id))
    about_tokens = and_(
        AuditEvent.subject_type == "api_token",
        AuditEvent.subject_id.in_(token_ids),
        AuditEvent.action.in_(tuple(_TOKEN_CHANGES)),
    )
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.at >= since, or_(about_user, about_tokens))
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return list(session.scalars(stmt))


def _earlier_addresses(session: Session, user_id: int, before: datetime) -> set[str]:
    stmt = select(AuditEvent.detail).where(
        AuditEvent.subject_type == "user",
        AuditEvent.subject_id == str(user_id),
        AuditEvent.action == "login",
        AuditEvent.at < before,
    )
    return {str(d["address"]) for d in session.scalars(stmt) if d and d.get("address")}


def _notice(event: AuditEvent, username: str, seen: set[str], first: bool) -> Notice | None:
    def make(kind: NoticeKind, summary: str) -> Notice:
        by = event.actor
        return Notice(event.at, kind, summary, by, by != username, _address(event))

    if event.subject_type == "api_token":
        return make(NoticeKind.credential_change, _TOKEN_CHANGES[event.action])
    if event.action == "login.failed":
        if (event.detail or {}).get("reason") in _PARTIAL:
            return make(
                NoticeKind.partial_sign_in,
                "a sign-in had the right password but not the second factor",
            )
        return make(NoticeKind.failed_sign_in, "a sign-in failed (wrong password)")
    if event.action == "login":
        address = _address(event)
        if address is None or address in seen or first:
            return None
        return make(NoticeKind.new_address, "a sign-in came from an address not seen before")
    summary = _USER_CHANGES.get(event.action)
    return make(NoticeKind.credential_change, summary) if summary else None


def _read(events: Iterable[AuditEvent], username: str, seen: set[str]) -> list[Notice]:
    out: list[Notice] = []
    first = not seen
    for event in events:
        notice = _notice(event, username, seen, first)
        if notice is not None:
            out.append(notice)
        if event.action == "login" and (address := _address(event)):
            seen.add(address)
            first = False
    return out


def notices_for(session: Session, user_id: int, username: str, *, days: int = 90) -> list[Notice]:
    """Every notice about ``user_id`` in the last ``days`` days, newest first."""
    since = utcnow() - timedelta(days=days)
    seen = _earlier_addresses(session, user_id, since)
    return list(reversed(_read(_events(session, user_id, since), username, seen)))


def previous_sign_in(session: Session, user_id: int) -> datetime | None:
    """When the user signed in before the latest sign-in (None for a first sign-in)."""
    # whole rows, not the column: rows read back carry their UTC offset on every engine
    stmt = (
        select(AuditEvent)
        .where(
            AuditEvent.subject_type == "user",
            AuditEvent.subject_id == str(user_id),
            AuditEvent.action == "login",
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(2)
    )
    moments = [e.at for e in session.scalars(stmt)]
    return moments[1] if len(moments) == 2 else None
