"""Login rate limiting: a sliding window of failed attempts, kept in the database.

OWASP's Authentication Cheat Sheet asks for throttling of failed logins per account and
per source. Failures are rows (not process memory) so that every server worker and a
restart see the same count. After :data:`MAX_FAILURES` failures within :data:`WINDOW`
for a username or for a client address, further attempts are refused until the window
has moved on; a successful login clears the username's failures.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from exoderm.accounts.records import LoginFailure
from exoderm.errors import ExodermError
from exoderm.storage.base import utcnow

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


class TooManyAttempts(ExodermError):
    """Too many failed logins: wait before trying again."""

    exit_code = 7
    http_status = 429
    title = "Too many login attempts"

    def __init__(self, retry_after_s: int) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(f"too many failed logins; try again in {retry_after_s} s")


def _keys(username: str, address: str | None) -> list[str]:
    keys = [f"user:{username.lower()[:150]}"]
    if address:
        keys.append(f"addr:{address[:150]}")
    return keys


def check_allowed(session: Session, username: str, address: str | None) -> None:
    """Raise :class:`TooManyAttempts` if the username or the address is throttled."""
    since = utcnow() - WINDOW
    for key in _keys(username, address):
        count, oldest = session.execute(
            select(func.count(), func.min(LoginFailure.at)).where(
                LoginFailure.key == key, LoginFailure.at > since
            )
        ).one()
        if count >= MAX_FAILURES:
            retry = WINDOW.total_seconds()
            if oldest is not None:
                from datetime import UTC

                oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
                retry = (oldest + WINDOW - utcnow()).total_seconds()
            raise TooManyAttempts(max(1, int(retry) + 1))


def record_failure(session: Session, username: str, address: str | None) -> None:
    """Remember one failed attempt (the caller commits it even though login failed)."""
    for key in _keys(username, address):
        session.add(LoginFailure(key=key))
    session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - 2 * WINDOW))


def clear_failures(session: Session, username: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.key == f"user:{username.lower()}"))
