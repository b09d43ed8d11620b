"""API tokens: issued once in clear, stored as a SHA-256 digest, scoped and revocable.

Format: ``exo_<prefix>_<secret>`` where the prefix (8 hex characters) identifies the
token in lists without revealing it, and the secret carries 256 bits from
:mod:`secrets`. Because the whole token is random, a fast digest is safe to store
(there is no dictionary to search); argon2 is kept for human passwords.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from exoderm.accounts import audit
from exoderm.accounts.actor import Actor
from exoderm.accounts.records import ApiToken, User
from exoderm.accounts.scopes import parse_scopes, scopes_for_role
from exoderm.errors import NotFoundError, PermissionDenied, UserInputError
from exoderm.storage.base import utcnow

TOKEN_PREFIX = "exo_"


def digest(secret: str) -> str:
    """The stored form of a random secret (token or session id)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A new token: the row, and the plain token shown to the user exactly once."""

    record: ApiToken
    token: str


def issue_token(
    session: Session,
    user: User,
    *,
    name: str,
    scopes: list[str] | None = None,
    expires_in_days: int | None = None,
    by: Actor | None = None,
) -> IssuedToken:
    """Create a token for ``user`` with ``scopes`` (default: every scope of the role)."""
    clean = name.strip()
    if not clean or len(clean) > 100:
        raise UserInputError(
            "token name is empty or too long", field="name", expected="1–100 characters"
        )
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise UserInputError(
            f"expiry of {expires_in_days} days", field="expires_in_days", expected="1–3650 days"
        )
    granted = parse_scopes(scopes or ["*"], user.role)
    prefix = secrets.token_hex(4)
    plain = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    expires = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    row = ApiToken(
        user_id=user.id,
        name=clean,
        prefix=prefix,
        token_hash=digest(plain),
        scopes=granted,
        expires_at=expires,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=(by.username if by else user.username),
        action="issue",
        subject_type="api_token",
        subject_id=row.id,
        organisation_id=user.organisation_id,
        detail={"scopes": granted},
    )
    return IssuedToken(row, plain)


@dataclass(frozen=True)
class TokenGrant:
    """Who a presented token belongs to and what it may do."""

    user: User
    token: ApiToken
    scopes: frozenset[str]


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def resolve_token(session: Session, presented: str) -> TokenGrant | None:
    """The grant of a presented token, or None if unknown, revoked, expired or inactive.

    Effective scopes are the token's scopes intersected with the role's *today*, so a
    demoted user's old tokens lose what the new role may not do.
    """
    if not presented.startswith(TOKEN_PREFIX) or len(presented) > 200:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(presented)))
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and _aware(row.expires_at) <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    scopes = frozenset(row.scopes) & scopes_for_role(user.role)
    return TokenGrant(user, row, scopes)


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    stmt = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    return list(session.scalars(stmt))


def revoke_token(session: Session, token_id: int, *, by: Actor) -> ApiToken:
    """Revoke a token: its owner or an admin may; others get 'not found'."""
    row = session.get(ApiToken, token_id)
    if row is None or (by.role.value != "admin" and row.user_id != by.user_id):
        raise NotFoundError(f"no token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(
            session, actor=by.username, action="revoke", subject_type="api_token", subject_id=row.id
        )
    return row


def require_scope(scopes: frozenset[str], needed: str) -> None:
    if needed not in scopes:
        raise PermissionDenied(f"this credential lacks the scope {needed!r}")
