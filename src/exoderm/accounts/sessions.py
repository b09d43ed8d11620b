"""Browser sessions: a random identifier in a cookie, its digest in the database.

Server-side sessions (rather than a signed cookie holding the user) make logout and
deactivation immediate: revoking the row ends the session everywhere. Each session has
its own CSRF token, which every state-changing browser request must echo (synchroniser
token pattern, OWASP CSRF Prevention Cheat Sheet).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from exoderm.accounts import audit
from exoderm.accounts.records import BrowserSession, User
from exoderm.accounts.tokens import digest
from exoderm.storage.base import utcnow

#: Idle-independent lifetime of a browser session (a working day plus margin).
SESSION_LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class StartedSession:
    record: BrowserSession
    cookie_value: str


def start_session(session: Session, user: User) -> StartedSession:
    """Log ``user`` in: a new session row and the secret for the cookie."""
    secret = secrets.token_urlsafe(32)
    row = BrowserSession(
        user_id=user.id,
        session_hash=digest(secret),
        csrf_token=secrets.token_urlsafe(32),
        expires_at=utcnow() + SESSION_LIFETIME,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=user.username,
        action="login",
        subject_type="user",
        subject_id=user.id,
        organisation_id=user.organisation_id,
    )
    return StartedSession(row, secret)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def resolve_session(session: Session, cookie_value: str) -> tuple[User, BrowserSession] | None:
    """The user and session behind a cookie, or None if unknown, ended or expired."""
    if not cookie_value or len(cookie_value) > 200:
        return None
    row = session.scalar(
        select(BrowserSession).where(BrowserSession.session_hash == digest(cookie_value))
    )
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return user, row


def end_session(session: Session, cookie_value: str) -> None:
    """Log out: revoke the session behind the cookie (no error if there is none)."""
    session.execute(
        update(BrowserSession)
        .where(
            BrowserSession.session_hash == digest(cookie_value), BrowserSession.revoked_at.is_(None)
        )
        .values(revoked_at=utcnow())
    )


def csrf_matches(expected: str, presented: str | None) -> bool:
    """Constant-time comparison of the session's CSRF token with the one presented."""
    return bool(presented) and hmac.compare_digest(expected, presented or "")


def end_other_sessions(session: Session, user_id: int, keep_cookie: str | None) -> int:
    """Revoke every session of a user except the one behind ``keep_cookie`` (after a
    password change, other browsers must log in again). Returns how many were ended."""
    stmt = (
        update(BrowserSession)
        .where(BrowserSession.user_id == user_id, BrowserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if keep_cookie:
        stmt = stmt.where(BrowserSession.session_hash != digest(keep_cookie))
    result = session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)
