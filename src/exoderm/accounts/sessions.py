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
#: Browser sessions one user may hold at once; a new login beyond it ends the oldest
#: (OWASP ASVS 5.0 V7.1.2); configurable as ``max_sessions_per_user``.
MAX_SESSIONS_PER_USER = 5


@dataclass(frozen=True)
class StartedSession:
    record: BrowserSession
    cookie_value: str


def start_session(
    session: Session,
    user: User,
    *,
    lifetime_hours: int | None = None,
    max_sessions: int = MAX_SESSIONS_PER_USER,
    idle: timedelta = IDLE_TIMEOUT,
    address: str | None = None,
) -> StartedSession:
    """Log ``user`` in: a new session row and the secret for the cookie.

    When the user already holds ``max_sessions`` live sessions, the least recently used
    ones end so that the new one is the ``max_sessions``-th."""
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    live = sorted(live_sessions(session, user.id, idle=idle), key=last_activity)
    for old in live[: max(0, len(live) - max_sessions + 1)]:
        old.revoked_at = now
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
        detail={"address": (address or "")[:100]},
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


def live_sessions(
    session: Session, user_id: int, *, idle: timedelta = IDLE_TIMEOUT
) -> list[BrowserSession]:
    """The user's sessions that still work: not ended, not expired, not idle too long."""
    now = utcnow()
    rows = session.scalars(
        select(BrowserSession)
        .where(BrowserSession.user_id == user_id, BrowserSession.revoked_at.is_(None))
        .order_by(BrowserSession.created_at)
    ).all()
    return [r for r in rows if _aware(r.expires_at) > now and last_activity(r) + idle > now]


def is_current(row: BrowserSession, cookie_value: str | None) -> bool:
    """Whether ``row`` is the session behind ``cookie_value``."""
    return bool(cookie_value) and hmac.compare_digest(row.session_hash, digest(cookie_value or ""))


def end_sessions_of(
    session: Session, user_id: int, *, only: int | None = None, keep_cookie: str | None = None
) -> int:
    """End the user's sessions (one of them with ``only``; all but the one behind
    ``keep_cookie`` if given). Returns how many ended."""
    stmt = (
        update(BrowserSession)
        .where(BrowserSession.user_id == user_id, BrowserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if only is not None:
        stmt = stmt.where(BrowserSession.id == only)
    if keep_cookie:
        stmt = stmt.where(BrowserSession.session_hash != digest(keep_cookie))
    result = session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)


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
    return end_sessions_of(session, user_id, keep_cookie=keep_cookie)


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
