"""Electronic signatures of certificates of analysis: who signs, re-authenticated, and why.

A certificate is signed by an exoderm account, never by the operating-system user. The
signer proves who they are *at signing time* with two distinct identification
components (21 CFR 11.200(a)(1)): a username, or an API token that names its user, and
the account's password, verified by the one login procedure of
:func:`exoderm.accounts.login.login` (throttled and audited like any login). The result
is a :class:`Signer`, which :func:`exoderm.qc.certificate.issue_certificate` accepts for
:data:`SIGNING_WINDOW` only; the signature records the signer's full name, the meaning
of the signature (:class:`Meaning`) and the UTC time (21 CFR 11.50(a); EU GMP Annex 11
§14).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from exoderm.accounts.actor import Actor
from exoderm.accounts.login import LoginFailed, login
from exoderm.accounts.records import User
from exoderm.accounts.tokens import resolve_token
from exoderm.accounts.users import actor_for
from exoderm.errors import ExodermError, PermissionDenied
from exoderm.storage.base import utcnow
from exoderm.storage.engine import Database

#: How long after re-authentication a signature may be applied.
SIGNING_WINDOW = timedelta(minutes=5)


class Meaning(enum.StrEnum):
    """What a signature means (21 CFR 11.50(a)(3)); the text is printed with it."""

    approved = "approved"
    reviewed = "reviewed"
    rejected = "rejected"

    @property
    def text(self) -> str:
        return MEANING_TEXT[self]


MEANING_TEXT: dict[Meaning, str] = {
    Meaning.approved: "Approved for release by Quality Assurance",
    Meaning.reviewed: "Reviewed by Quality Assurance (not a release)",
    Meaning.rejected: "Rejected by Quality Assurance",
}


class SignatureCredentialsMissing(ExodermError):
    """A signature was asked for without an exoderm account to sign with."""

    exit_code = 5
    http_status = 401
    title = "Unauthorized"


class ReauthenticationFailed(PermissionDenied):
    """The password re-entered at signing is wrong, or the account cannot sign."""


@dataclass(frozen=True)
class Signer:
    """An exoderm user who has just re-entered their password to sign.

    Made by :func:`authenticate_signer` or :func:`reauthenticate`; ``components`` names the
    two identification components that were checked.
    """

    actor: Actor
    full_name: str
    authenticated_at: datetime
    components: tuple[str, str]

    @property
    def manifestation(self) -> str:
        """``Full Name (username)`` as printed under the signature."""
        name = self.full_name.strip()
        if not name or name == self.actor.username:
            return self.actor.username
        return f"{name} ({self.actor.username})"

    def is_fresh(self, now: datetime) -> bool:
        """True while the re-authentication is recent enough to sign with."""
        return timedelta(0) <= now - self.authenticated_at <= SIGNING_WINDOW


def _signer(db: Database, user_id: int, components: tuple[str, str]) -> Signer:
    with db.reader() as session:
        user = session.get(User, user_id)
        if user is None or not user.is_active:
            raise ReauthenticationFailed("this account cannot sign")
        return Signer(actor_for(user), user.display_name, utcnow(), components)


def reauthenticate(
    db: Database,
    actor: Actor,
    password: str | None,
    *,
    address: str | None = None,
    via: str = "username",
) -> Signer:
    """Re-check the password of an already logged-in ``actor`` before a signature.

    Parameters
    ----------
    db : Database
        The database (a wrong password is committed as a failed login attempt).
    actor : Actor
        The logged-in user (by browser session or API token).
    password : str, optional
        The password re-entered for this signature.
    address : str, optional
        The client's address, for login throttling.
    via : str
        How ``actor`` was identified (``username``, ``session``, ``API token``).

    Returns
    -------
    Signer
        The signer, valid for :data:`SIGNING_WINDOW`.

    Raises
    ------
    SignatureCredentialsMissing
        Without a password (HTTP 401).
    ReauthenticationFailed
        For a wrong password or an account that is not an exoderm user (HTTP 403).

    References
    ----------
    .. [1] US FDA, 21 CFR 11.200(a)(1) (1997-03-20): signatures not made during one
       continuous session use all identification components.
    .. [2] EudraLex Vol. 4, Annex 11 Computerised Systems (2011), §14 Electronic
       signature.

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.storage.scratch import scratch_database
    >>> reauthenticate(scratch_database(), local_operator(), "x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    exoderm.qc.signing.ReauthenticationFailed: ... is not an exoderm account...
    """
    if not password:
        raise SignatureCredentialsMissing(
            "re-enter your exoderm password to sign (field 'password')"
        )
    if actor.user_id is None:
        raise ReauthenticationFailed(
            f"{actor.username} is not an exoderm account: sign as an exoderm user"
        )
    try:
        user_id = login(db, actor.username, password, address, second_factor=False)
    except LoginFailed:
        raise ReauthenticationFailed(
            "the password is wrong: the certificate was not signed"
        ) from None
    if user_id != actor.user_id:
        raise ReauthenticationFailed("the password is not the logged-in user's")
    return _signer(db, user_id, (via, "password"))


def authenticate_signer(
    db: Database,
    *,
    password: str | None,
    username: str | None = None,
    token: str | None = None,
    address: str | None = None,
) -> Signer:
    """Identify a signer by username or API token, and verify their password.

    Parameters
    ----------
    db : Database
        The database.
    password : str, optional
        The account's password (always required: the second component).
    username : str, optional
        The exoderm username (first component) ...
    token : str, optional
        ... or an API token of the account (first component; wins over ``username``).
    address : str, optional
        The client's address, for login throttling.

    Returns
    -------
    Signer
        The signer, valid for :data:`SIGNING_WINDOW`.

    Raises
    ------
    SignatureCredentialsMissing
        Without a username or token, or without a password.
    ReauthenticationFailed
        For an unknown, revoked or expired token, or a wrong username or password.

    References
    ----------
    .. [1] US FDA, 21 CFR 11.200(a)(1) (1997-03-20): at least two distinct
       identification components, such as an identification code and a password.
    .. [2] US FDA, 21 CFR 11.300 (1997-03-20): controls for identification codes and
       passwords.

    Examples
    --------
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.accounts.service import create_user
    >>> from exoderm.storage.scratch import scratch_database
    >>> db = scratch_database()
    >>> with db.transaction() as s:
    ...     _ = create_user(s, Actor("root", Role.admin), username="qa.anna",
    ...                     role="admin", password="long-enough-1",
    ...                     display_name="Anna Berg")
    >>> signer = authenticate_signer(db, username="qa.anna", password="long-enough-1")
    >>> signer.manifestation, signer.components
    ('Anna Berg (qa.anna)', ('username', 'password'))
    >>> authenticate_signer(db, password=None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    exoderm.qc.signing.SignatureCredentialsMissing: signing needs an exoderm login...
    """
    if token is None and not username:
        raise SignatureCredentialsMissing(
            "signing needs an exoderm login: pass --user NAME (password from the prompt "
            "or EXODERM_PASSWORD) or --token (or EXODERM_TOKEN) with the account's password"
        )
    if token is not None:
        with db.reader() as session:
            grant = resolve_token(session, token)
            actor = actor_for(grant.user) if grant is not None else None
        if actor is None:
            raise ReauthenticationFailed("the API token is unknown, revoked or expired")
        return reauthenticate(db, actor, password, address=address, via="API token")
    if not password:
        raise SignatureCredentialsMissing(
            f"signing as {username} needs the account's password (prompt or EXODERM_PASSWORD)"
        )
    try:
        user_id = login(db, str(username), password, address, second_factor=False)
    except LoginFailed:
        raise ReauthenticationFailed(
            "wrong username or password: the certificate was not signed"
        ) from None
    return _signer(db, user_id, ("username", "password"))


__all__ = [
    "MEANING_TEXT",
    "SIGNING_WINDOW",
    "Meaning",
    "ReauthenticationFailed",
    "SignatureCredentialsMissing",
    "Signer",
    "authenticate_signer",
    "reauthenticate",
]
