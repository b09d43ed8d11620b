"""Who is calling: a bearer token (API clients) or a session cookie (browsers).

A request is authenticated once, by :func:`principal`; handlers then ask for a scope
with :func:`need`. Browser sessions must also echo their CSRF token on every
state-changing request (header ``X-CSRF-Token`` or form field ``csrf_token``); bearer
tokens need not, since a browser never attaches them by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from fastapi import Depends, Request

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Role
from exoderm.accounts.scopes import scopes_for_role
from exoderm.accounts.sessions import csrf_matches, resolve_session
from exoderm.accounts.tokens import digest, resolve_token
from exoderm.errors import ExodermError, PermissionDenied
from exoderm.serving.context import AppContext, app_context

SESSION_COOKIE = "exoderm_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_UNSET = object()


class NotAuthenticated(ExodermError):
    """No valid credential came with the request."""

    exit_code = 5
    http_status = 401
    title = "Unauthorized"


class CsrfRejected(PermissionDenied):
    """A session-authenticated write without a matching CSRF token."""


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: identity, role, organisation and effective scopes."""

    user_id: int
    username: str
    display_name: str
    role: Role
    organisation_id: int | None
    scopes: frozenset[str]
    via: Literal["token", "session"]
    csrf_token: str | None = None

    @property
    def actor(self) -> Actor:
        """The :class:`Actor` handed to library calls."""
        return Actor(
            username=self.username,
            role=self.role,
            organisation_id=self.organisation_id,
            user_id=self.user_id,
        )

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
            raise PermissionDenied(
                f"{self.username} ({self.role.value}) lacks the scope {scope!r} for this"
            )


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def _token_principal(svc: AppContext, token: str) -> Principal | None:
    key = digest(token)
    cached: Principal | None = svc.token_cache.get(key)
    if cached is not None:
        return cached
    with svc.db.reader() as session:
        grant = resolve_token(session, token)
    if grant is None:
        return None
    u = grant.user
    found = Principal(
        u.id, u.username, u.display_name, u.role, u.organisation_id, grant.scopes, "token"
    )
    svc.token_cache.put(key, found)
    return found


def _session_principal(svc: AppContext, cookie: str) -> Principal | None:
    """Sessions are looked up every time (no cache), so logout is immediate everywhere."""
    with svc.db.reader() as session:
        resolved = resolve_session(session, cookie)
    if resolved is None:
        return None
    u, row = resolved
    return Principal(
        u.id,
        u.username,
        u.display_name,
        u.role,
        u.organisation_id,
        scopes_for_role(u.role),
        "session",
        row.csrf_token,
    )


def authenticate_request(request: Request, svc: AppContext) -> Principal | None:
    """The principal behind the request's credential, or None (no or invalid credential)."""
    cached = getattr(request.state, "principal", _UNSET)
    if cached is not _UNSET:
        return cached if isinstance(cached, Principal) else None
    token = _bearer(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    found: Principal | None = None
    if token is not None:
        found = _token_principal(svc, token)
    elif cookie:
        found = _session_principal(svc, cookie)
    request.state.principal = found
    return found


async def _presented_csrf(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


async def check_csrf(request: Request, who: Principal) -> None:
    """Reject a session-authenticated write whose CSRF token does not match."""
    if who.via != "session" or request.method in SAFE_METHODS:
        return
    if not csrf_matches(who.csrf_token or "", await _presented_csrf(request)):
        raise CsrfRejected("missing or wrong CSRF token; reload the page and try again")


async def principal(request: Request, svc: AppContext = Depends(app_context)) -> Principal:
    """FastAPI dependency: the authenticated caller (401 problem if none)."""
    who = authenticate_request(request, svc)
    if who is None:
        raise NotAuthenticated(
            "authentication required: send 'Authorization: Bearer <token>' "
            "(create one with 'exoderm user token create' or POST /api/v1/auth/token)"
        )
    await check_csrf(request, who)
    return who


def need(scope: str) -> Callable[..., object]:
    """Dependency factory: the caller, who must hold ``scope``."""

    async def dependency(who: Principal = Depends(principal)) -> Principal:
        who.require(scope)
        return who

    return dependency


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None
