"""Login throttling that holds under concurrency: attempts are reserved under a row lock.

OWASP's Authentication Cheat Sheet and NIST SP 800-63B §3.2.2 ask that failed logins be
limited per account and per source. A check made before the (slow, on purpose) password
hash and a count written after it lets a parallel burst through: every request passes the
check before any failure is written. Here an attempt is *reserved* first, in its own short
transaction that locks the rows of its keys (``user:<name>`` and ``addr:<ip>``):

1. ``INSERT … ON CONFLICT DO NOTHING`` makes sure each key has a row; on SQLite this first
   write takes the database's write lock for the rest of the transaction, on PostgreSQL
   the following ``SELECT … FOR UPDATE`` locks the two rows (taken in key order, so two
   logins never deadlock);
2. the reservation counts the attempt, or refuses it while the key is blocked;
3. the lock is released at commit, *before* the password is hashed.

When an account reaches :attr:`LoginPolicy.max_failures` attempts within the window, that
account (not the address) is blocked for ``backoff × 2^strikes`` (exponential back-off,
capped at a day); a success clears it. An address is blocked only after many more
failures (:attr:`LoginPolicy.address_max_failures`), so one person mistyping behind a
clinic's NAT does not lock out their colleagues. A successful login releases its
reservation on the address, so only failures (and attempts in flight) count there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from exoderm.accounts.records import LoginThrottle
from exoderm.errors import ExodermError
from exoderm.storage.base import utcnow

if TYPE_CHECKING:
    from exoderm.settings import Settings

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
#: The longest an account or address is ever blocked.
MAX_BACKOFF = timedelta(days=1)
#: Rows untouched for this long are forgotten (strikes included).
FORGET_AFTER = timedelta(days=1)


class TooManyAttempts(ExodermError):
    """Too many failed logins: wait before trying again."""

    exit_code = 7
    http_status = 429
    title = "Too many login attempts"

    def __init__(self, retry_after_s: int, message: str | None = None) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(message or f"too many failed logins; try again in {retry_after_s} s")


@dataclass(frozen=True)
class LoginPolicy:
    """How many login attempts are allowed, and for how long a key is blocked after."""

    max_failures: int = MAX_FAILURES
    address_max_failures: int = 100
    window: timedelta = WINDOW
    backoff: timedelta = timedelta(seconds=60)

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginPolicy:
        """The policy configured in :class:`~exoderm.settings.Settings`."""
        return cls(
            max_failures=settings.login_max_failures,
            address_max_failures=settings.login_address_max_failures,
            window=timedelta(minutes=settings.login_window_minutes),
            backoff=timedelta(seconds=settings.login_backoff_seconds),
        )

    def limit_for(self, key: str) -> int:
        return self.max_failures if key.startswith("user:") else self.address_max_failures

    def block_for(self, strikes: int) -> timedelta:
        """``backoff × 2^strikes``, at most :data:`MAX_BACKOFF`."""
        seconds = self.backoff.total_seconds() * (2 ** min(strikes, 30))
        return min(timedelta(seconds=seconds), MAX_BACKOFF)


def user_key(username: str) -> str:
    return f"user:{username.lower()[:150]}"


def address_key(address: str) -> str:
    return f"addr:{address[:150]}"


def _keys(username: str, address: str | None) -> list[str]:
    keys = [user_key(username)]
    if address:
        keys.append(address_key(address))
    return sorted(keys)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _ensure_rows(session: Session, keys: list[str], now: datetime) -> None:
    """One row per key, created if missing without failing on a concurrent insert."""
    values = [
        {"key": k, "attempts": 0, "window_start": now, "strikes": 0, "blocked_until": None}
        for k in keys
    ]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(LoginThrottle).values(values).on_conflict_do_nothing())
    else:
        session.execute(sqlite.insert(LoginThrottle).values(values).on_conflict_do_nothing())


def reserve_attempt(
    session: Session, username: str, address: str | None, policy: LoginPolicy
) -> int | None:
    """Count one login attempt for the account and the address, atomically.

    Must be the first statement of its transaction (so that, on SQLite, the write lock is
    taken before anything is read). Returns ``None`` if the attempt may go ahead, or the
    seconds to wait if the account or the address is blocked (nothing is counted then).
    """
    now = utcnow()
    keys = _keys(username, address)
    _ensure_rows(session, keys, now)
    rows = list(
        session.scalars(
            select(LoginThrottle)
            .where(LoginThrottle.key.in_(keys))
            .order_by(LoginThrottle.key)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    wait = 0.0
    for row in rows:
        if row.blocked_until is not None and _aware(row.blocked_until) > now:
            wait = max(wait, (_aware(row.blocked_until) - now).total_seconds())
    if wait > 0:
        return max(1, int(wait) + 1)
    for row in rows:
        if _aware(row.window_start) + FORGET_AFTER <= now:
            row.strikes = 0
        if row.blocked_until is not None or _aware(row.window_start) + policy.window <= now:
            row.attempts = 0
            row.window_start = now
            row.blocked_until = None
        row.attempts += 1
        if row.attempts >= policy.limit_for(row.key):
            # this attempt goes ahead; the next ones wait, longer each time
            row.blocked_until = now + policy.block_for(row.strikes)
            row.strikes += 1
    session.flush()
    return None


def settle_attempt(
    session: Session, username: str, address: str | None, *, succeeded: bool
) -> None:
    """After the password check: a success clears the account and releases the address's
    reservation; a failure stays counted. Must be the first statement of its transaction."""
    if succeeded:
        session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == user_key(username))
            .values(attempts=0, strikes=0, blocked_until=None)
        )
        if address:
            session.execute(
                update(LoginThrottle)
                .where(LoginThrottle.key == address_key(address))
                .values(
                    attempts=case((LoginThrottle.attempts > 0, LoginThrottle.attempts - 1), else_=0)
                )
            )
        return
    now = utcnow()
    session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.window_start < now - FORGET_AFTER,
            (LoginThrottle.blocked_until.is_(None)) | (LoginThrottle.blocked_until < now),
        )
    )


def clear_failures(session: Session, username: str) -> None:
    """Forget an account's attempts and back-off (an admin unblocking a user)."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == user_key(username)))
