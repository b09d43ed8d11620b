"""One login procedure for the web form, the API and the CLI: throttle, verify, record."""

from __future__ import annotations

from exoderm.accounts.records import User
from exoderm.accounts.throttle import check_allowed, clear_failures, record_failure
from exoderm.accounts.users import authenticate
from exoderm.errors import ExodermError
from exoderm.storage.engine import Database


class LoginFailed(ExodermError):
    """Wrong username or password (deliberately not saying which)."""

    exit_code = 5
    http_status = 401
    title = "Unauthorized"


def login(db: Database, username: str, password: str, address: str | None) -> int:
    """Check a login; returns the user id. Failures are committed even though login fails.

    Raises :class:`~exoderm.accounts.throttle.TooManyAttempts` while throttled, and
    :class:`LoginFailed` for a wrong username or password.
    """
    with db.transaction() as session:
        check_allowed(session, username, address)
        user: User | None = authenticate(session, username, password)
        if user is not None:
            clear_failures(session, username)
            return user.id
    with db.transaction() as session:
        record_failure(session, username, address)
    raise LoginFailed("wrong username or password")
