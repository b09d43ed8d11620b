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
#: A session unused for this long ends (OWASP ASVS 5.0 V7.3.1); configurable.
IDLE_TIMEOUT = timedelta(minutes=30)
#: ``last_seen_at`` is written at most this often per session (not on every request).
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class StartedSession:
    record: BrowserSession
    cookie_value: str


def start_session(
    session: Session, user: User, *, lifetime_hours: int | None = None
) -> StartedSession:
    """Log ``user`` in: a new session row and the secret for the cookie."""
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    lifetime = timedelta(hours=lifetime_hours) if lifetime_hours else SESSION_LIFETIME
    row = BrowserSession(
        user_id=user.id,
        session_hash=digest(secret),
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + lifetime,
        last_seen_at=now,
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


def last_activity(row: BrowserSession) -> datetime:
    """When the session was last used (its start if never since)."""
    return _aware(row.last_seen_at or row.created_at)


def resolve_session(
    session: Session, cookie_value: str, *, idle: timedelta = IDLE_TIMEOUT
) -> tuple[User, BrowserSession] | None:
    """The user and session behind a cookie, or None if unknown, ended, expired (absolute
    lifetime) or idle for longer than ``idle``."""
    if not cookie_value or len(cookie_value) > 200:
        return None
    row = session.scalar(
        select(BrowserSession).where(BrowserSession.session_hash == digest(cookie_value))
    )
    now = utcnow()
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= now:
        return None
    if last_activity(row) + idle <= now:
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


def needs_touch(row: BrowserSession) -> bool:
    """True if ``last_seen_at`` is older than :data:`TOUCH_EVERY` (worth a write)."""
    return last_activity(row) + TOUCH_EVERY <= utcnow()


def touch_session(session: Session, session_id: int) -> None:
    """Record activity on a session (for the idle timeout); the first statement of its
    transaction, so it never waits on a stale snapshot."""
    session.execute(
        update(BrowserSession)
        .where(BrowserSession.id == session_id, BrowserSession.revoked_at.is_(None))
        .values(last_seen_at=utcnow())
    )
