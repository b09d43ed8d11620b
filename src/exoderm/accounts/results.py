"""What the accounts service returns: typed read models, served as they are by the API.

Secrets never appear here except in the two "issued once" models
(:class:`IssuedTokenRead`, :class:`CreatedUserRead`), whose plain value is shown to the
user exactly once and stored only as a digest or an argon2id hash.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from exoderm.accounts.audit import AuditDetail
from exoderm.accounts.records import OrganisationKind, Role
from exoderm.storage.timestamps import UtcDatetime


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class OrganisationRead(_Read):
    """A clinic, lab or company."""

    id: int
    name: str
    kind: OrganisationKind


class UserRead(_Read):
    """A user, without any credential."""

    id: int
    username: str
    display_name: str
    role: Role
    organisation_id: int | None
    is_active: bool


class MeRead(UserRead):
    """The authenticated user, with the scopes of the credential it used."""

    scopes: list[str]
    authenticated_by: str


class CreatedUserRead(BaseModel):
    """A new user and its password (generated unless one was given)."""

    user: UserRead
    password: str = Field(description="Shown once; give it to the user over a safe channel.")
    awaiting_approval: bool = Field(
        False,
        description="A new admin under the four-eyes rule: inactive until another admin "
        "approves it (POST /api/v1/users/{id}/approval).",
    )


class TokenRead(_Read):
    """An API token as listed: its prefix identifies it, the secret is never shown again."""

    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: UtcDatetime
    expires_at: UtcDatetime | None
    revoked_at: UtcDatetime | None
    parent_id: int | None = Field(
        None, description="The token that created this one; revoking it revokes this one."
    )


class IssuedTokenRead(BaseModel):
    """A new token: the bearer value (shown once) and its listing."""

    token: str = Field(description="The bearer token; shown once, stored only as a hash.")
    info: TokenRead


class AuditEventRead(_Read):
    """One audit event: who, when, what, on which record (never personal data)."""

    id: int
    at: UtcDatetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    organisation_id: int | None
    detail: AuditDetail | None
    note: str | None


class OpenedSession(BaseModel):
    """A logged-in browser: the cookie value to set (the database keeps its digest)."""

    user_id: int
    cookie_value: str


class SecondFactorEnrolment(BaseModel):
    """A new authenticator secret, shown once: the ``otpauth://`` URI (for a QR code) and
    the base32 secret (to type in)."""

    username: str
    secret: str
    uri: str


class SecurityKeyCeremony(BaseModel):
    """A started WebAuthn ceremony: the ticket to send back and the browser's options."""

    ticket: str
    options_json: str


class SecurityKeyRead(_Read):
    """A registered security key as its owner and admins see it (never the key material)."""

    id: int
    name: str
    created_at: UtcDatetime
    last_used_at: UtcDatetime | None


class SecurityNoticeRead(BaseModel):
    """A sign-in attempt or a change to credentials the user should know about."""

    at: UtcDatetime
    kind: str = Field(
        description="failed_sign_in, partial_sign_in (right password, no second factor), "
        "new_address or credential_change."
    )
    summary: str
    by: str = Field(description="Who acted (the username tried, for a failed sign-in).")
    by_someone_else: bool
    address: str | None = None
    new: bool = Field(description="Since the user's previous sign-in.")


class SecurityNoticesRead(BaseModel):
    """The notices of the last ``days`` days, newest first."""

    days: int
    previous_sign_in: UtcDatetime | None
    new_count: int = Field(description="How many arrived since the previous sign-in.")
    notices: list[SecurityNoticeRead]


class SessionRead(BaseModel):
    """One of a user's live browser sessions (never its secret)."""

    id: int
    created_at: UtcDatetime
    last_seen_at: UtcDatetime | None
    expires_at: UtcDatetime
    current: bool


class AuditSealRead(BaseModel):
    """The audit log's hash chain, checked."""

    intact: bool
    sealed: int = Field(description="Events on the chain.")
    unsealed: int = Field(description="Events written before sealing began.")
    problem: str | None = Field(None, description="The first break found, if any.")
    event_id: int | None = Field(None, description="The event the problem concerns.")
