"""A phishing-resistant second factor: FIDO2/WebAuthn security keys, with py_webauthn.

A security key (a USB/NFC key such as a YubiKey, or a platform authenticator) holds a key
pair per site; the server keeps the public key. At login the browser asks the key to sign
a fresh random challenge together with the page's origin, after the user touches the key
(user presence). A look-alike site gets a signature over *its* origin, which the server
refuses, so the factor cannot be phished or replayed (W3C Web Authentication Level 2,
§13.4.9; NIST SP 800-63B-4 §3.2.5 "verifier impersonation resistance"). That is what OWASP
ASVS 5.0 V6.3.3 asks of Level 3 ("a hardware-based authentication mechanism which provides
compromise and impersonation resistance against phishing attacks while verifying the
intent to authenticate by requiring a user-initiated action").

Two ceremonies, each in two steps with a one-time challenge stored server-side
(:class:`~exoderm.accounts.records.SecurityKeyChallenge`, five minutes):

- *registration*: :func:`begin_registration` gives the browser its creation options;
  :func:`finish_registration` verifies the attestation and stores the credential;
- *login*: :func:`begin_login` (after the right password) gives the request options for the
  user's keys; :func:`finish_login` verifies the signed assertion, checks that the
  signature counter grew, and returns the user.

The relying party (its id, a registrable domain such as ``exoderm.example.org``, and the
origins pages are served from) is configured, never taken from a request's ``Host``
header, which a proxying phishing site controls.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import TYPE_CHECKING, Final

import webauthn
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from webauthn.helpers import bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from exoderm.accounts.records import SecurityKey, SecurityKeyChallenge, User
from exoderm.errors import ConflictError, NotFoundError, UserInputError
from exoderm.storage.base import utcnow

if TYPE_CHECKING:
    from exoderm.settings import Settings

#: How long a browser has to answer a challenge.
CHALLENGE_LIFETIME: Final = timedelta(minutes=5)
#: What the browser may take for the ceremony, in milliseconds (WebAuthn ``timeout``).
CEREMONY_TIMEOUT_MS: Final = 120_000
#: At most this many keys per user (a spare and a few more).
MAX_KEYS_PER_USER: Final = 10
#: Largest assertion or attestation accepted from a browser, in characters of JSON.
MAX_CREDENTIAL_JSON: Final = 64_000
REGISTER: Final = "register"
LOGIN: Final = "login"


class SecurityKeyFailed(UserInputError):
    """The browser's answer did not verify (wrong origin, signature, challenge or key)."""


@dataclass(frozen=True)
class RelyingParty:
    """The site keys are bound to: its id (a domain) and the origins it serves pages from."""

    id: str
    origins: tuple[str, ...]
    name: str = "exoderm"

    @classmethod
    def from_settings(cls, settings: Settings) -> RelyingParty:
        """The relying party configured in :class:`~exoderm.settings.Settings`."""
        origins = tuple(settings.webauthn_origins) or (
            f"http://{settings.webauthn_rp_id}:{settings.port}",
        )
        return cls(id=settings.webauthn_rp_id, origins=origins)


@dataclass(frozen=True)
class Ceremony:
    """A started ceremony: the ticket to send back and the options for the browser (JSON)."""

    ticket: str
    options_json: str


def _new_challenge(session: Session, user_id: int, purpose: str, challenge: bytes) -> str:
    session.execute(delete(SecurityKeyChallenge).where(SecurityKeyChallenge.expires_at < utcnow()))
    ticket = secrets.token_urlsafe(32)
    session.add(
        SecurityKeyChallenge(
            ticket=ticket,
            user_id=user_id,
            purpose=purpose,
            challenge=bytes_to_base64url(challenge),
            expires_at=utcnow() + CHALLENGE_LIFETIME,
        )
    )
    session.flush()
    return ticket


@dataclass(frozen=True)
class Pending:
    """A challenge taken from the store: whose it is and the bytes the browser must sign."""

    user_id: int
    challenge: bytes


def take_challenge(session: Session, ticket: str, purpose: str) -> Pending:
    """The pending challenge behind ``ticket``, deleted so that it is answered once only.

    Raises :class:`SecurityKeyFailed` for an unknown, expired or other-purpose ticket.
    """
    row = session.get(SecurityKeyChallenge, ticket[:64]) if ticket else None
    if row is None or row.purpose != purpose:
        raise SecurityKeyFailed("the security-key request expired or is unknown; start again")
    session.delete(row)
    session.flush()
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    if expires < utcnow():
        raise SecurityKeyFailed("the security-key request expired; start again")
    return Pending(row.user_id, webauthn.base64url_to_bytes(row.challenge))


def _credential_text(credential_json: str) -> str:
    if not credential_json or len(credential_json) > MAX_CREDENTIAL_JSON:
        raise SecurityKeyFailed(
            f"credential: expected the browser's WebAuthn answer as JSON of at most "
            f"{MAX_CREDENTIAL_JSON} characters"
        )
    return credential_json


def keys_of(session: Session, user_id: int) -> list[SecurityKey]:
    """The user's registered keys, oldest first."""
    return list(
        session.scalars(
            select(SecurityKey).where(SecurityKey.user_id == user_id).order_by(SecurityKey.id)
        )
    )


def has_key(session: Session, user_id: int) -> bool:
    """Whether the user has at least one security key (then login needs it)."""
    return bool(
        session.scalar(select(SecurityKey.id).where(SecurityKey.user_id == user_id).limit(1))
    )


def _descriptors(keys: list[SecurityKey]) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(k.credential_id)) for k in keys
    ]


def begin_registration(session: Session, user: User, rp: RelyingParty) -> Ceremony:
    """Start registering a security key for ``user``.

    Parameters
    ----------
    session : Session
        The caller's transaction (the challenge is stored in it).
    user : User
        The user registering a key.
    rp : RelyingParty
        The site the key is bound to.

    Returns
    -------
    Ceremony
        The ticket and the ``PublicKeyCredentialCreationOptions`` as JSON, for
        ``navigator.credentials.create``; the user's existing keys are excluded.

    References
    ----------
    .. [1] W3C (2021). Web Authentication: An API for accessing Public Key Credentials,
       Level 2, §5.4 Options for Credential Creation and §7.1 Registering a New Credential.
    .. [2] OWASP (2025). ASVS 5.0.0, V6.3.3 and V6.5 Multi-factor authentication.

    Examples
    --------
    >>> import json
    >>> from exoderm.storage.scratch import scratch_database
    >>> db = scratch_database()
    >>> rp = RelyingParty("localhost", ("http://localhost:8000",))
    >>> with db.transaction() as s:
    ...     u = User(username="ana", role="clinician"); s.add(u); s.flush()
    ...     options = json.loads(begin_registration(s, u, rp).options_json)
    >>> options["rp"], options["user"]["name"], options["attestation"]
    ({'name': 'exoderm', 'id': 'localhost'}, 'ana', 'none')
    """
    existing = keys_of(session, user.id)
    if len(existing) >= MAX_KEYS_PER_USER:
        raise ConflictError(
            f"{user.username} already has {MAX_KEYS_PER_USER} security keys; remove one first"
        )
    options = webauthn.generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_name=user.username,
        user_id=f"exoderm-user-{user.id}".encode(),
        timeout=CEREMONY_TIMEOUT_MS,
        exclude_credentials=_descriptors(existing),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.DISCOURAGED,
        ),
    )
    ticket = _new_challenge(session, user.id, REGISTER, options.challenge)
    return Ceremony(ticket, webauthn.options_to_json(options))


def finish_registration(
    session: Session,
    user: User,
    rp: RelyingParty,
    *,
    ticket: str,
    credential_json: str,
    name: str,
) -> SecurityKey:
    """Verify the browser's attestation for ``ticket`` and store the new key.

    Parameters
    ----------
    session : Session
        The caller's transaction.
    user : User
        The user who began the registration (a ticket of another user is refused).
    rp : RelyingParty
        The site the key is bound to.
    ticket : str
        From :func:`begin_registration`.
    credential_json : str
        ``PublicKeyCredential`` from ``navigator.credentials.create``, as JSON.
    name : str
        A label for the key ("YubiKey, blue").

    Returns
    -------
    SecurityKey
        The stored credential.

    Raises
    ------
    SecurityKeyFailed
        The ticket is unknown, expired or another user's, or the attestation does not
        verify (origin, RP id hash, challenge, user presence, format).

    References
    ----------
    .. [1] W3C (2021). Web Authentication Level 2, §7.1 Registering a New Credential.

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> db = scratch_database()
    >>> rp = RelyingParty("localhost", ("http://localhost:8000",))
    >>> with db.transaction() as s:
    ...     u = User(username="ana", role="clinician"); s.add(u); s.flush()
    ...     started = begin_registration(s, u, rp)
    ...     try:
    ...         finish_registration(s, u, rp, ticket=started.ticket,
    ...                             credential_json='{"id": "x"}', name="key")
    ...     except SecurityKeyFailed as exc:
    ...         print(exc)
    the security key's answer did not verify: ...
    """
    label = name.strip()[:100] or "security key"
    pending = take_challenge(session, ticket, REGISTER)
    if pending.user_id != user.id:
        raise SecurityKeyFailed("the security-key request expired or is unknown; start again")
    try:
        verified = webauthn.verify_registration_response(
            credential=_credential_text(credential_json),
            expected_challenge=pending.challenge,
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise SecurityKeyFailed(f"the security key's answer did not verify: {exc}") from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    if session.scalar(select(SecurityKey.id).where(SecurityKey.credential_id == credential_id)):
        raise ConflictError("this security key is already registered")
    key = SecurityKey(
        user_id=user.id,
        credential_id=credential_id,
        public_key=bytes_to_base64url(verified.credential_public_key),
        sign_count=verified.sign_count,
        name=label,
    )
    session.add(key)
    session.flush()
    return key


def begin_login(session: Session, user_id: int, rp: RelyingParty) -> Ceremony:
    """Start the security-key step of a login whose password was right.

    Parameters
    ----------
    session : Session
        The caller's transaction.
    user_id : int
        The user logging in.
    rp : RelyingParty
        The site the keys are bound to.

    Returns
    -------
    Ceremony
        The ticket and the ``PublicKeyCredentialRequestOptions`` as JSON, allowing the
        user's keys only, for ``navigator.credentials.get``.

    References
    ----------
    .. [1] W3C (2021). Web Authentication Level 2, §5.5 Options for Assertion Generation
       and §7.2 Verifying an Authentication Assertion.

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> db = scratch_database()
    >>> rp = RelyingParty("localhost", ("http://localhost:8000",))
    >>> with db.transaction() as s:
    ...     u = User(username="ana", role="clinician"); s.add(u); s.flush()
    ...     try:
    ...         begin_login(s, u.id, rp)
    ...     except NotFoundError as exc:
    ...         print(exc)
    this account has no security key
    """
    keys = keys_of(session, user_id)
    if not keys:
        raise NotFoundError("this account has no security key")
    options = webauthn.generate_authentication_options(
        rp_id=rp.id,
        timeout=CEREMONY_TIMEOUT_MS,
        allow_credentials=_descriptors(keys),
        user_verification=UserVerificationRequirement.DISCOURAGED,
    )
    ticket = _new_challenge(session, user_id, LOGIN, options.challenge)
    return Ceremony(ticket, webauthn.options_to_json(options))


def finish_login(
    session: Session, rp: RelyingParty, *, pending: Pending, credential_json: str
) -> int:
    """Verify the signed assertion for a login challenge; returns the user id.

    Take the challenge with :func:`take_challenge` in its own transaction first, so that it
    is spent whatever the outcome. The key's signature counter must grow when the
    authenticator keeps one (a counter that does not grow means a cloned key).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    rp : RelyingParty
        The site the keys are bound to.
    pending : Pending
        The challenge of :func:`begin_login`, taken by :func:`take_challenge`.
    credential_json : str
        ``PublicKeyCredential`` from ``navigator.credentials.get``, as JSON.

    Returns
    -------
    int
        The user whose key signed.

    Raises
    ------
    SecurityKeyFailed
        A key that is not the user's, or an assertion that does not verify (origin,
        RP id hash, challenge, user presence, signature, counter).

    References
    ----------
    .. [1] W3C (2021). Web Authentication Level 2, §7.2 Verifying an Authentication
       Assertion, steps 5–21, and §6.1.1 Signature Counter Considerations.

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> db = scratch_database()
    >>> rp = RelyingParty("localhost", ("http://localhost:8000",))
    >>> with db.transaction() as s:
    ...     try:
    ...         finish_login(s, rp, pending=Pending(1, b"0" * 32), credential_json="{}")
    ...     except SecurityKeyFailed as exc:
    ...         print(str(exc).split(":")[0])
    the security key's answer did not verify
    """
    try:
        raw_id = parse_authentication_credential_json(_credential_text(credential_json)).raw_id
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise SecurityKeyFailed(f"the security key's answer did not verify: {exc}") from exc
    key = session.scalar(
        select(SecurityKey).where(
            SecurityKey.credential_id == bytes_to_base64url(raw_id),
            SecurityKey.user_id == pending.user_id,
        )
    )
    if key is None:
        raise SecurityKeyFailed("this security key is not registered to the account")
    try:
        verified = webauthn.verify_authentication_response(
            credential=credential_json,
            expected_challenge=pending.challenge,
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
            credential_public_key=webauthn.base64url_to_bytes(key.public_key),
            credential_current_sign_count=key.sign_count,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise SecurityKeyFailed(f"the security key's answer did not verify: {exc}") from exc
    key.sign_count, key.last_used_at = verified.new_sign_count, utcnow()
    session.flush()
    return pending.user_id


def remove_key(session: Session, user_id: int, key_id: int) -> SecurityKey:
    """Remove one of the user's keys (another user's key is "not found")."""
    key = session.get(SecurityKey, key_id)
    if key is None or key.user_id != user_id:
        raise NotFoundError(f"no security key {key_id}")
    session.delete(key)
    session.flush()
    return key


def remove_all(session: Session, user_id: int) -> int:
    """Remove every key of the user (an admin, after a lost key); returns how many."""
    keys = keys_of(session, user_id)
    for key in keys:
        session.delete(key)
    session.flush()
    return len(keys)
