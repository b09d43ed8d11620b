"""Who is calling: a bearer token (API clients) or a session cookie (browsers).

A request is authenticated once, by :func:`principal`; handlers then ask for a scope
with :func:`need`. Browser sessions must also echo their CSRF token on every
state-changing request (header ``X-CSRF-Token`` or form field ``csrf_token``); bearer
tokens need not, since a browser never attaches them by itself.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Literal

from fastapi import Depends, Request

from exoderm.accounts import service as accounts_service
from exoderm.accounts.actor import Actor
from exoderm.accounts.context_policy import ContextPolicy
from exoderm.accounts.credential_epoch import read_epoch
from exoderm.accounts.factor_policy import FactorPolicy
from exoderm.accounts.records import Role
from exoderm.accounts.scopes import scopes_for_role
from exoderm.accounts.security_keys import RelyingParty
from exoderm.accounts.sessions import csrf_matches, needs_touch, resolve_session, touch_session
from exoderm.accounts.throttle import LoginPolicy
from exoderm.accounts.tokens import digest, resolve_token
from exoderm.errors import ExodermError, PermissionDenied
from exoderm.serving.context import AppContext, app_context
from exoderm.storage.base import utcnow

_log = logging.getLogger(__name__)
#: One record per authorization decision that let a request through (ASVS 5.0 V16.3.2 at
#: Level 3): who, by which credential, which method and path. Refusals go to the audit
#: log (``access.denied``); reads of client data are audited by the clients service too.
access_log = logging.getLogger("exoderm.access")

#: The session cookie over plain HTTP (local use).
SESSION_COOKIE = "exoderm_session"
#: Its name over HTTPS: the ``__Host-`` prefix makes a browser accept it only with Secure,
#: Path=/ and no Domain, so a sibling subdomain or a plain-HTTP page cannot plant or
#: overwrite it (RFC 6265bis §4.1.3.2; ASVS 5.0 V3.3.1, V3.3.3).
HOST_SESSION_COOKIE = "__Host-exoderm_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_UNSET = object()


def https(request: Request) -> bool:
    """Whether the request arrived over HTTPS (as the server sees it, behind a proxy too)."""
    return request.url.scheme == "https"


def session_cookie_name(request: Request) -> str:
    """The session cookie's name for this request: ``__Host-`` prefixed over HTTPS."""
    return HOST_SESSION_COOKIE if https(request) else SESSION_COOKIE


def session_cookie(request: Request) -> str | None:
    """The session cookie of the request; over HTTPS only the ``__Host-`` one counts."""
    return request.cookies.get(session_cookie_name(request))


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
    #: The token's id when ``via`` is ``token`` (a token it creates becomes its child).
    token_id: int | None = None
    #: The factor the role needs and the user has not set up yet (then no scopes).
    missing_factor: str | None = None

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


@dataclass(frozen=True)
class _CachedToken:
    """A resolved token and the credential epoch it was resolved at."""

    epoch: int
    principal: Principal


def _seconds_left(expires_at: datetime | None) -> float | None:
    if expires_at is None:
        return None
    return (expires_at - utcnow()).total_seconds()


def _token_principal(svc: AppContext, token: str) -> Principal | None:
    """The token's principal: from the cache while no credential has changed since."""
    key = digest(token)
    with svc.db.connection() as connection:
        epoch = read_epoch(connection)  # read first: a change after it moves it again
    cached = svc.token_cache.get(key)
    if isinstance(cached, _CachedToken) and cached.epoch == epoch:
        return cached.principal
    with svc.db.reader() as session:
        grant = resolve_token(session, token)
        missing = factor_policy(svc).missing(session, grant.user) if grant else None
    if grant is None:
        return None
    u = grant.user
    found = Principal(
        u.id,
        u.username,
        u.display_name,
        u.role,
        u.organisation_id,
        frozenset() if missing else grant.scopes,
        "token",
        token_id=grant.token.id,
        missing_factor=missing,
    )
    svc.token_cache.put(key, _CachedToken(epoch, found), ttl=_seconds_left(grant.token.expires_at))
    return found


def _session_principal(svc: AppContext, cookie: str) -> Principal | None:
    """Sessions are looked up every time (no cache), so logout is immediate everywhere."""
    idle = timedelta(minutes=svc.settings.session_idle_minutes)
    with svc.db.reader() as session:
        resolved = resolve_session(session, cookie, idle=idle)
        missing = factor_policy(svc).missing(session, resolved[0]) if resolved else None
    if resolved is None:
        return None
    u, row = resolved
    if needs_touch(row):
        with svc.db.transaction() as session:
            touch_session(session, row.id)
    return Principal(
        u.id,
        u.username,
        u.display_name,
        u.role,
        u.organisation_id,
        frozenset() if missing else scopes_for_role(u.role),
        "session",
        row.csrf_token,
        missing_factor=missing,
    )


def authenticate_request(request: Request, svc: AppContext) -> Principal | None:
    """The principal behind the request's credential, or None (no or invalid credential)."""
    cached = getattr(request.state, "principal", _UNSET)
    if cached is not _UNSET:
        return cached if isinstance(cached, Principal) else None
    token = _bearer(request)
    cookie = session_cookie(request)
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


def _audit_denial(svc: AppContext, request: Request, who: Principal, exc: Exception) -> None:
    """Write a refused access to the audit log (its own transaction: the refused work has
    been rolled back). A failure to write must not hide the refusal itself."""
    try:
        accounts_service.record_denied_access(
            svc.db,
            who.actor,
            method=request.method,
            path=request.url.path,
            reason=type(exc).__name__,
            via=who.via,
        )
    except Exception:  # pragma: no cover - the audit store is down; the 403 still goes out
        _log.exception("could not audit a denied access")


async def principal(
    request: Request, svc: AppContext = Depends(app_context)
) -> AsyncIterator[Principal]:
    """FastAPI dependency: the authenticated caller (401 problem if none).

    Every :class:`~exoderm.errors.PermissionDenied` raised while serving the request (a
    missing scope, a CSRF failure, a role check in a service) is written to the audit log;
    every request that passed is recorded on the ``exoderm.access`` logger.
    """
    who = authenticate_request(request, svc)
    if who is None:
        raise NotAuthenticated(
            "authentication required: send 'Authorization: Bearer <token>' "
            "(create one with 'exoderm user token create' or POST /api/v1/auth/token)"
        )
    if who.missing_factor and who.via == "token":
        raise NotAuthenticated(
            f"{who.role.value} accounts need {who.missing_factor} before their API tokens "
            "work: log in on the web and set it up on the account page"
        )
    try:
        require_context(request, svc, who)
        await check_csrf(request, who)
    except PermissionDenied as exc:
        _audit_denial(svc, request, who, exc)
        raise
    try:
        yield who
    except PermissionDenied as exc:
        _audit_denial(svc, request, who, exc)
        raise
    except Exception:
        _log_granted(request, who)  # allowed, then failed for another reason (404, 422)
        raise
    _log_granted(request, who)


def _log_granted(request: Request, who: Principal) -> None:
    access_log.info(
        "access.granted %s %s user=%s role=%s organisation=%s via=%s",
        request.method,
        request.url.path,
        who.username,
        who.role.value,
        who.organisation_id,
        who.via,
        extra={
            "action": "access.granted",
            "user": who.username,
            "method": request.method,
            "path": request.url.path,
        },
    )


def need(scope: str) -> Callable[..., object]:
    """Dependency factory: the caller, who must hold ``scope``."""

    async def dependency(who: Principal = Depends(principal)) -> Principal:
        who.require(scope)
        return who

    return dependency


@lru_cache(maxsize=16)
def _networks(
    entries: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def forwarded_client(
    peer: str | None, forwarded_for: list[str], trusted: tuple[str, ...]
) -> str | None:
    """The client's address: the TCP peer, unless the peer is a trusted proxy; then the
    right-most address of ``X-Forwarded-For`` that is not itself a trusted proxy.

    Only the hops appended by trusted proxies can be believed (anything to their left was
    written by the client), so the header is read from the right.

    >>> forwarded_client("127.0.0.1", ["1.2.3.4"], ())
    '127.0.0.1'
    >>> forwarded_client("10.0.0.5", ["6.6.6.6, 1.2.3.4"], ("10.0.0.0/8",))
    '1.2.3.4'
    """
    networks = _networks(trusted)
    peer_ip = _ip(peer) if peer else None
    if peer_ip is None or not any(peer_ip in n for n in networks):
        return peer
    hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
    client = peer
    for hop in reversed(hops):
        hop_ip = _ip(hop)
        if hop_ip is None:
            break  # garbage: keep the last address a trusted proxy vouched for
        client = hop_ip.compressed
        if not any(hop_ip in n for n in networks):
            break
    return client


def client_address(request: Request) -> str | None:
    """The address used for login throttling; ``X-Forwarded-For`` only from a peer in the
    configured ``trusted_proxies``."""
    peer = request.client.host if request.client else None
    context = getattr(request.app.state, "context", None)
    trusted = tuple(context.settings.trusted_proxies) if context is not None else ()
    return forwarded_client(peer, request.headers.getlist("x-forwarded-for"), trusted)


def context_policy(svc: AppContext) -> ContextPolicy:
    """The networks and hours each role is held to (adaptive access, ASVS 5.0 V8.2.4)."""
    settings = svc.settings
    return ContextPolicy.from_settings(
        settings.role_networks, settings.role_hours, settings.timezone
    )


def require_context(request: Request, svc: AppContext, who: Principal) -> None:
    """Refuse a request made outside the networks or hours of the caller's role."""
    if not svc.settings.role_networks and not svc.settings.role_hours:
        return
    reason = context_policy(svc).refusal(who.role, client_address(request), utcnow())
    if reason is not None:
        raise PermissionDenied(reason)


def factor_policy(svc: AppContext) -> FactorPolicy:
    """The roles that must log in with a second factor or a security key."""
    return FactorPolicy.from_settings(svc.settings)


def relying_party(svc: AppContext) -> RelyingParty:
    """The WebAuthn relying party configured for this application (never from a request)."""
    return RelyingParty.from_settings(svc.settings)


def login_policy(svc: AppContext) -> LoginPolicy:
    """The login limits configured for this application."""
    return LoginPolicy.from_settings(svc.settings)
