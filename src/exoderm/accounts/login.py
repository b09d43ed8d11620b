"""One login procedure for the web form, the API and the CLI: reserve, verify, settle.

1. *reserve* the attempt for the account and the address (its own short transaction,
   under a row lock; refused while either is blocked, see :mod:`exoderm.accounts.throttle`);
2. *verify* the password outside any transaction (argon2 is slow on purpose, and at most
   a few hashes run at once, see :mod:`exoderm.accounts.passwords`);
3. *second factor*: a user with a confirmed TOTP factor
   (:mod:`exoderm.accounts.second_factor`) must also give a current, unused code; a
   missing or wrong code is a failure like a wrong password (counted, audited). Re-entering
   the password inside an authenticated session (a signature, a password change) checks
   the password only: the session was opened with both factors. A user with a FIDO2
   security key (:mod:`exoderm.accounts.security_keys`) must use the key instead: the
   password step ends in :class:`SecurityKeyRequired` carrying the WebAuthn challenge,
   and :func:`login_with_security_key` finishes the login with the key's signed answer
   (a one-time code is not accepted for such an account: the key is the phishing-resistant
   factor and a code would be a way around it);
4. *settle*: a success clears the account's attempts and upgrades an outdated hash; a
   failure stays counted and is written to the audit log (the username tried and the
   address, never the password).
"""

from __future__ import annotations

from sqlalchemy import select, update

from exoderm.accounts import audit, second_factor, security_keys
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


class SecurityKeyRequired(LoginFailed):
    """The password was right, and the account logs in with its security key.

    ``ceremony`` holds the WebAuthn challenge for the browser; it is ``None`` where the
    caller cannot run one (the API's token exchange, the CLI).
    """

    def __init__(self, message: str, ceremony: security_keys.Ceremony | None = None) -> None:
        super().__init__(message)
        self.ceremony = ceremony


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


def _security_key_step(
    db: Database,
    username: str,
    address: str | None,
    user_id: int,
    organisation_id: int | None,
    rp: security_keys.RelyingParty | None,
) -> None:
    """The password was right and the user has a key: hand out the WebAuthn challenge."""
    if rp is None:
        _audit_failure(
            db,
            username,
            address,
            reason="security_key_needs_browser",
            user_id=user_id,
            organisation_id=organisation_id,
        )
        raise SecurityKeyRequired(
            "this account logs in with a security key, which needs a browser: log in on "
            "the web and create an API token on the account page"
        )
    with db.transaction() as session:
        ceremony = security_keys.begin_login(session, user_id, rp)
    raise SecurityKeyRequired("touch your security key to finish logging in", ceremony)


def _check_second_factor(
    db: Database,
    username: str,
    address: str | None,
    user_id: int,
    organisation_id: int | None,
    otp: str | None,
    rp: security_keys.RelyingParty | None,
) -> None:
    with db.transaction() as session:
        key = security_keys.has_key(session, user_id)
        if not key and not second_factor.has_factor(session, user_id):
            return
        ok = not key and second_factor.check(session, user_id, otp, cipher=cipher())
    if key:
        _security_key_step(db, username, address, user_id, organisation_id, rp)
    if ok:
        return
    reason = "wrong_second_factor" if otp else "second_factor_missing"
    _audit_failure(
        db, username, address, reason=reason, user_id=user_id, organisation_id=organisation_id
    )
    if not otp:
        raise SecondFactorRequired("a one-time code from the authenticator app is required")
    raise LoginFailed("wrong or already used one-time code")


def login_with_security_key(
    db: Database,
    *,
    ticket: str,
    credential_json: str,
    address: str | None,
    rp: security_keys.RelyingParty,
) -> int:
    """Finish a login with the security key's signed answer; returns the user id.

    The challenge is spent in its own transaction first, so a wrong answer cannot be
    retried on it; a failure is audited like a wrong password, and a success settles the
    attempt the password step reserved (clearing the account's failures).

    Parameters
    ----------
    db : Database
        The database.
    ticket : str
        The ticket of :class:`SecurityKeyRequired`'s ceremony.
    credential_json : str
        The browser's ``PublicKeyCredential`` as JSON.
    address : str, optional
        The client's address (throttling, audit).
    rp : RelyingParty
        The configured relying party.

    Returns
    -------
    int
        The user who logged in.

    Raises
    ------
    LoginFailed
        The ticket is unknown or expired, or the answer does not verify.

    References
    ----------
    .. [1] W3C (2021). Web Authentication Level 2, §7.2 Verifying an Authentication
       Assertion.
    .. [2] OWASP (2025). ASVS 5.0.0, V6.3.3 (Level 3: a hardware-based, phishing-resistant
       factor) and V6.3.1 (controls against brute force).

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> rp = security_keys.RelyingParty("localhost", ("http://localhost:8000",))
    >>> try:
    ...     login_with_security_key(scratch_database(), ticket="made-up", credential_json="{}",
    ...                             address=None, rp=rp)
    ... except LoginFailed as exc:
    ...     print(exc)
    the security-key request expired or is unknown; start again
    """
    try:
        with db.transaction() as session:
            pending = security_keys.take_challenge(session, ticket, security_keys.LOGIN)
    except security_keys.SecurityKeyFailed as exc:
        raise LoginFailed(str(exc)) from exc
    with db.reader() as session:
        user = session.get(User, pending.user_id)
        if user is None:  # deleted while the challenge was pending
            raise LoginFailed("the security-key request expired or is unknown; start again")
        username, organisation_id = user.username, user.organisation_id
        active = user.is_active
    try:
        with db.transaction() as session:
            security_keys.finish_login(
                session, rp, pending=pending, credential_json=credential_json
            )
            if not active:
                raise security_keys.SecurityKeyFailed("the account is deactivated")
    except security_keys.SecurityKeyFailed as exc:
        _audit_failure(
            db,
            username,
            address,
            reason="wrong_security_key",
            user_id=pending.user_id,
            organisation_id=organisation_id,
        )
        raise LoginFailed("the security key's answer did not verify; try again") from exc
    with db.transaction() as session:
        settle_attempt(session, username, address, succeeded=True)
    return pending.user_id


def login(
    db: Database,
    username: str,
    password: str,
    address: str | None,
    *,
    policy: LoginPolicy | None = None,
    otp: str | None = None,
    second_factor: bool = True,
    rp: security_keys.RelyingParty | None = None,
) -> int:
    """Check a login; returns the user id. Failures are committed although login fails.

    Raises :class:`~exoderm.accounts.throttle.TooManyAttempts` while the account or the
    address is blocked, :class:`LoginFailed` for a wrong username or password or a wrong
    one-time code, and :class:`SecondFactorRequired` when the account has a second factor
    and ``otp`` is missing. ``second_factor=False`` is for re-authentication inside a
    session that was opened with both factors. A user with a security key gets
    :class:`SecurityKeyRequired`: with the ceremony to run when ``rp`` (the relying party)
    is given, without it (and audited as a failure) when it is not.
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
        _check_second_factor(db, username, address, user_id, found[3], otp, rp)
    upgraded = hash_password(password) if stored and needs_rehash(stored) else None
    with db.transaction() as session:
        settle_attempt(session, username, address, succeeded=True)
        if upgraded is not None:
            session.execute(update(User).where(User.id == user_id).values(password_hash=upgraded))
    return user_id
