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

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from exoderm.accounts import audit
from exoderm.accounts.actor import Actor
from exoderm.accounts.records import ApiToken, User
from exoderm.accounts.scopes import parse_scopes, scopes_for_role
from exoderm.errors import NotFoundError, PermissionDenied, UserInputError
from exoderm.storage.base import utcnow

TOKEN_PREFIX = "exo_"
#: How many generations of tokens made by tokens are followed; deeper ones are refused.
MAX_LINEAGE = 16


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
    parent: ApiToken | None = None,
) -> IssuedToken:
    """Create a token for ``user`` with ``scopes`` (default: every scope of the role).

    With ``parent`` (the token that authenticated the request), the new token is its
    child: its scopes must lie within the parent's (default: the parent's), it expires no
    later than the parent, and revoking the parent revokes it.
    """
    clean = name.strip()
    if not clean or len(clean) > 100:
        raise UserInputError(
            "token name is empty or too long", field="name", expected="1–100 characters"
        )
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise UserInputError(
            f"expiry of {expires_in_days} days", field="expires_in_days", expected="1–3650 days"
        )
    expires = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    if parent is None:
        granted = parse_scopes(scopes or ["*"], user.role)
    else:
        owner = session.get(User, parent.user_id)
        held = frozenset(parent.scopes) & (
            scopes_for_role(owner.role) if owner is not None else frozenset()
        )
        granted = parse_scopes(scopes or sorted(held) or ["*"], user.role)
        beyond = set(granted) - held
        if beyond:
            raise PermissionDenied(
                f"the token making this request lacks the scope {sorted(beyond)[0]!r}; "
                "a token cannot create a token with more scopes than itself"
            )
        if parent.expires_at is not None:
            limit = _aware(parent.expires_at)
            expires = limit if expires is None else min(expires, limit)
    prefix = secrets.token_hex(4)
    plain = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken(
        user_id=user.id,
        name=clean,
        prefix=prefix,
        token_hash=digest(plain),
        scopes=granted,
        expires_at=expires,
        parent_id=parent.id if parent is not None else None,
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
        note=f"created by token {parent.id}" if parent is not None else None,
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
    if row is None or not lineage_valid(session, row):
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    scopes = frozenset(row.scopes) & scopes_for_role(user.role)
    return TokenGrant(user, row, scopes)


def _live(row: ApiToken, now: datetime) -> bool:
    return row.revoked_at is None and (row.expires_at is None or _aware(row.expires_at) > now)


def lineage_valid(session: Session, row: ApiToken) -> bool:
    """True if the token and every token above it are neither revoked nor expired.

    Revocation is also written down to every descendant (:func:`revoke_token`); checking
    the ancestors as well keeps a child dead even if it was created during the revocation.
    """
    now = utcnow()
    current: ApiToken | None = row
    for _ in range(MAX_LINEAGE + 1):
        if current is None or not _live(current, now):
            return False
        if current.parent_id is None:
            return True
        current = session.get(ApiToken, current.parent_id)
    return False


def revoke_descendants(session: Session, token_id: int) -> int:
    """Revoke every token created (directly or not) by ``token_id``; returns how many."""
    now = utcnow()
    frontier = [token_id]
    ended = 0
    for _ in range(MAX_LINEAGE + 1):
        if not frontier:
            break
        children = list(
            session.scalars(select(ApiToken.id).where(ApiToken.parent_id.in_(frontier)))
        )
        if children:
            result = session.execute(
                update(ApiToken)
                .where(ApiToken.id.in_(children), ApiToken.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            ended += int(getattr(result, "rowcount", 0) or 0)
        frontier = children
    return ended


def revoke_all_tokens(session: Session, user_id: int) -> int:
    """Revoke every live token of a user (after a password change); returns how many."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


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
        session.flush()
        cascaded = revoke_descendants(session, row.id)
        audit.record(
            session,
            actor=by.username,
            action="revoke",
            subject_type="api_token",
            subject_id=row.id,
            detail={"descendants": cascaded},
        )
    else:
        revoke_descendants(session, row.id)
    return row


def require_scope(scopes: frozenset[str], needed: str) -> None:
    if needed not in scopes:
        raise PermissionDenied(f"this credential lacks the scope {needed!r}")
