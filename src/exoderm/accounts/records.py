"""Tables for organisations, users and the audit log.

These belong to the ``core`` migration because every capability refers to them: a client
belongs to an organisation, a QC sign-off names its user, and every read and write of
client data is an :class:`AuditEvent`.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

# The epoch's table and the listeners that bump it on every write to the tables below.
from exoderm.accounts.credential_epoch import CredentialEpoch as CredentialEpoch
from exoderm.storage.base import Base, Timestamped, utcnow


class OrganisationKind(enum.StrEnum):
    clinic = "clinic"
    lab = "lab"
    company = "company"


class Role(enum.StrEnum):
    """Roles, from most to least privileged."""

    admin = "admin"
    scientist = "scientist"
    qc_analyst = "qc_analyst"
    clinician = "clinician"
    viewer = "viewer"


class Organisation(Timestamped, Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(
        Enum(OrganisationKind, native_enum=False, length=20)
    )


class User(Timestamped, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)


class AuditEvent(Base):
    """One access to protected data or one sign-off: who, when, what, on which record."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    subject_type: Mapped[str] = mapped_column(String(50), index=True)
    subject_id: Mapped[str] = mapped_column(String(100), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    #: HMAC-SHA256 over the previous event's seal and this event (see
    #: :mod:`exoderm.accounts.audit_seal`); None for events written before sealing began.
    seal: Mapped[str | None] = mapped_column(String(64))
    #: The event sealed just before this one (the chain's order; ids can interleave).
    sealed_after: Mapped[int | None] = mapped_column(Integer)


class AuditSealHead(Base):
    """The newest sealed audit event: one row (id 1), locked by every sealing write."""

    __tablename__ = "accounts_audit_seal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_event_id: Mapped[int | None] = mapped_column(Integer)
    seal: Mapped[str] = mapped_column(String(64), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)


# --- Credentials (migration branch ``accounts``) -------------------------------------------
#
# Secrets are never stored: passwords as argon2id hashes (on ``User``), API tokens and
# browser-session identifiers as SHA-256 digests. A token or session is 256 bits of
# randomness, so a fast digest suffices (no dictionary to attack); a password is a human
# choice and needs a slow, memory-hard hash (RFC 9106).


class ApiToken(Base):
    """A bearer token for programmatic use: hashed, scoped, revocable, optionally expiring."""

    __tablename__ = "accounts_api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The token that created this one (None for a token made by password or by an admin):
    #: a child never outlives nor outranks its parent, and is revoked with it.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_api_token.id", ondelete="CASCADE"), index=True
    )


class BrowserSession(Base):
    """A logged-in browser: the cookie holds the secret, the row holds its digest."""

    __tablename__ = "accounts_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The last request seen on this session, for the idle timeout.
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginThrottle(Base):
    """Login attempts of one account (``user:<name>``) or one address (``addr:<ip>``).

    One row per key, changed only under a row lock (see :mod:`exoderm.accounts.throttle`),
    so that parallel attempts cannot all pass a check made before any of them is counted.
    """

    __tablename__ = "accounts_login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    #: Attempts (in flight or failed) since ``window_start``.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    #: How many times in a row the limit was reached: the back-off doubles with each.
    strikes: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class StoredResponse(Base):
    """The answer to a creating request sent with an ``Idempotency-Key``, kept 24 hours.

    ``scope`` is the SHA-256 of the credential that sent it (bearer token or session
    cookie), so two users' keys never meet; ``fingerprint`` the SHA-256 of the method, path,
    query and body. ``body`` is a Fernet token under the client-data key: an answer about a
    client may hold personal data. See :mod:`exoderm.accounts.idempotency`.
    """

    __tablename__ = "accounts_idempotency"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    #: ``pending`` while the first request runs, ``done`` once its answer is stored.
    state: Mapped[str] = mapped_column(String(10))
    status: Mapped[int | None] = mapped_column(Integer)
    media_type: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )


class TotpFactor(Base):
    """A user's time-based one-time password factor (RFC 6238), the second factor of login.

    ``secret`` is the base32 shared secret as a Fernet token under the client-data key;
    ``last_step`` the 30-second time step of the last accepted code, so that no code is
    accepted twice (OWASP ASVS 5.0 V6.5.1). The factor counts once ``confirmed_at`` is set,
    i.e. after the user has entered one code from their authenticator.
    """

    __tablename__ = "accounts_totp"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str] = mapped_column(Text)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_step: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SecurityKey(Base):
    """A user's FIDO2/WebAuthn credential (a security key or platform authenticator).

    ``credential_id`` and ``public_key`` (COSE) are as the authenticator returned them at
    registration, base64url-encoded; the public key is not secret. ``sign_count`` is the
    authenticator's signature counter, which must grow at every use when the authenticator
    keeps one (W3C Web Authentication Level 2, §6.1.1), so a cloned key shows itself.
    """

    __tablename__ = "accounts_security_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)
    public_key: Mapped[str] = mapped_column(Text)
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SecurityKeyChallenge(Base):
    """A pending WebAuthn ceremony: the random challenge the browser must sign, once.

    ``ticket`` is the random handle the browser sends back with its answer; ``purpose`` is
    ``register`` or ``login``; a challenge is deleted when it is answered and refused after
    ``expires_at``.
    """

    __tablename__ = "accounts_security_key_challenge"

    ticket: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(12))
    challenge: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
