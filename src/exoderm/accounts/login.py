"""One login procedure for the web form, the API and the CLI: reserve, verify, settle.

1. *reserve* the attempt for the account and the address (its own short transaction,
   under a row lock; refused while either is blocked, see :mod:`exoderm.accounts.throttle`);
2. *verify* the password outside any transaction (argon2 is slow on purpose, and at most
   a few hashes run at once, see :mod:`exoderm.accounts.passwords`);
3. *second factor*: a user with a confirmed TOTP factor
   (:mod:`exoderm.accounts.second_factor`) must also give a current, unused code; a
   missing or wrong code is a failure like a wrong password (counted, audited). Re-entering
   the password inside an authenticated session (a signature, a password change) checks
   the password only: the session was opened with both factors;
4. *settle*: a success clears the account's attempts and upgrades an outdated hash; a
   failure stays counted and is written to the audit log (the username tried and the
   address, never the password).
"""

from __future__ import annotations

from sqlalchemy import select, update

from exoderm.accounts import audit, second_factor
from exoderm.accounts.passwords import hash_password, needs_rehash, verify_password
from exoderm.accounts.records import User
from exoderm.accounts.throttle import (
    LoginPolicy,
    TooManyAttempts,
    reserve_attempt,
    settle_attempt,
)
from exoderm.clients.keys import cipher
from exoderm.errors import ExodermError
from exoderm.storage.engine import Database


class LoginFailed(ExodermError):
    """Wrong username or password (deliberately not saying which)."""

    exit_code = 5
    http_status = 401
    title = "Unauthorized"


class SecondFactorRequired(LoginFailed):
    """The password was right, and the account needs a one-time code as well."""


def _policy(policy: LoginPolicy | None) -> LoginPolicy:
    if policy is not None:
        return policy
    from exoderm.settings import get_settings

    return LoginPolicy.from_settings(get_settings())


def _audit_failure(
    db: Database,
    username: str,
    address: str | None,
    *,
    reason: str,
    user_id: int | None,
    organisation_id: int | None,
) -> None:
    failed = reason != "throttled"
    with db.transaction() as session:
        if failed:
            settle_attempt(session, username, address, succeeded=False)
        audit.record(
            session,
            actor=username[:100] or "-",
            action="login.failed" if failed else "login.throttled",
            subject_type="user",
            subject_id=user_id if user_id is not None else "unknown",
            organisation_id=organisation_id,
            detail={"address": (address or "")[:100], "reason": reason},
        )


def _check_second_factor(
    db: Database,
    username: str,
    address: str | None,
    user_id: int,
    organisation_id: int | None,
    otp: str | None,
) -> None:
    with db.transaction() as session:
        if not second_factor.has_factor(session, user_id):
            return
        ok = second_factor.check(session, user_id, otp, cipher=cipher())
    if ok:
        return
    reason = "wrong_second_factor" if otp else "second_factor_missing"
    _audit_failure(
        db, username, address, reason=reason, user_id=user_id, organisation_id=organisation_id
    )
    if not otp:
        raise SecondFactorRequired("a one-time code from the authenticator app is required")
    raise LoginFailed("wrong or already used one-time code")


def login(
    db: Database,
    username: str,
    password: str,
    address: str | None,
    *,
    policy: LoginPolicy | None = None,
    otp: str | None = None,
    second_factor: bool = True,
) -> int:
    """Check a login; returns the user id. Failures are committed although login fails.

    Raises :class:`~exoderm.accounts.throttle.TooManyAttempts` while the account or the
    address is blocked, :class:`LoginFailed` for a wrong username or password or a wrong
    one-time code, and :class:`SecondFactorRequired` when the account has a second factor
    and ``otp`` is missing. ``second_factor=False`` is for re-authentication inside a
    session that was opened with both factors.
    """
    rules = _policy(policy)
    with db.transaction() as session:
        wait = reserve_attempt(session, username, address, rules)
    if wait is not None:
        _audit_failure(
            db, username, address, reason="throttled", user_id=None, organisation_id=None
        )
        raise TooManyAttempts(wait)
    with db.reader() as session:
        user = session.scalar(select(User).where(User.username == username))
        found = (
            (user.id, user.password_hash, user.is_active, user.organisation_id) if user else None
        )
    if found is None:
        from exoderm.accounts.users import _dummy_hash

        verify_password(_dummy_hash(), password)  # as slow as for a real user
        ok = False
    else:
        ok = found[2] and verify_password(found[1], password)
    if not ok:
        _audit_failure(
            db,
            username,
            address,
            reason="wrong_credentials",
            user_id=found[0] if found else None,
            organisation_id=found[3] if found else None,
        )
        raise LoginFailed("wrong username or password")
    assert found is not None
    user_id, stored = found[0], found[1]
    if second_factor:
        _check_second_factor(db, username, address, user_id, found[3], otp)
    upgraded = hash_password(password) if stored and needs_rehash(stored) else None
    with db.transaction() as session:
        settle_attempt(session, username, address, succeeded=True)
        if upgraded is not None:
            session.execute(update(User).where(User.id == user_id).values(password_hash=upgraded))
    return user_id
