"""Page access: the logged-in browser user, the session cookie, and the login-form token."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import Response

from exoderm.accounts.sessions import SESSION_LIFETIME
from exoderm.errors import PermissionDenied
from exoderm.serving.auth import (
    NotAuthenticated,
    Principal,
    https,
    principal,
    session_cookie_name,
)
from exoderm.serving.context import AppContext, app_context

LOGIN_NONCE_COOKIE = "exoderm_login_nonce"
#: Over HTTPS: ``__Secure-`` (it is scoped to /login, which ``__Host-`` does not allow).
SECURE_LOGIN_NONCE_COOKIE = "__Secure-exoderm_login_nonce"


def login_nonce_cookie_name(request: Request) -> str:
    """The login nonce cookie's name for this request (``__Secure-`` over HTTPS)."""
    return SECURE_LOGIN_NONCE_COOKIE if https(request) else LOGIN_NONCE_COOKIE


#: What a session may open while its role's required factor is not set up yet.
ENROLMENT_PATHS = (
    "/account/second-factor",
    "/account/security-keys",
    "/account/password",
    "/account/sessions",
    "/logout",
)


def _enrolment_page(path: str) -> bool:
    return path == "/account" or path.startswith(ENROLMENT_PATHS)


async def page_user(request: Request, who: Principal = Depends(principal)) -> Principal:
    """Dependency for pages: a browser user (a 401 becomes a redirect to the login page).

    A user whose role needs a factor they have not set up may open the account page (to set
    it up) and log out, nothing else (:mod:`exoderm.accounts.factor_policy`)."""
    if who.missing_factor and not _enrolment_page(request.url.path):
        raise PermissionDenied(
            f"{who.role.value} accounts need {who.missing_factor}: set it up on your "
            "account page (/account) first"
        )
    return who


def page_scope(scope: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """Dependency factory for pages needing ``scope`` (403 page otherwise)."""

    async def dependency(who: Principal = Depends(page_user)) -> Principal:
        who.require(scope)
        return who

    return dependency


def _lifetime_seconds(request: Request) -> int:
    """The configured absolute session lifetime (the server ends the session then too)."""
    ctx: AppContext = request.app.state.context
    hours = ctx.settings.session_lifetime_hours
    return int(hours * 3600) if hours else int(SESSION_LIFETIME.total_seconds())


def set_session_cookie(request: Request, response: Response, value: str) -> None:
    """The session cookie: HttpOnly, SameSite=Lax, Path=/, no Domain; over HTTPS Secure and
    named ``__Host-exoderm_session``."""
    response.set_cookie(
        session_cookie_name(request),
        value,
        max_age=_lifetime_seconds(request),
        httponly=True,
        samesite="lax",
        secure=https(request),
        path="/",
    )


def _serializer(svc: AppContext) -> URLSafeTimedSerializer:
    """Signs login-form nonces with HMAC-SHA256 (itsdangerous defaults to SHA-1)."""
    return URLSafeTimedSerializer(
        svc.secret_key, salt="exoderm-login", signer_kwargs={"digest_method": hashlib.sha256}
    )


def new_login_token(svc: AppContext) -> tuple[str, str]:
    """A nonce for the cookie and its signed form for the form field (double submit)."""
    nonce = secrets.token_urlsafe(16)
    return nonce, _serializer(svc).dumps(nonce)


def current_login_token(request: Request, svc: AppContext) -> str:
    """The signed form of the nonce already in the request's cookie (a login's next step)."""
    return str(_serializer(svc).dumps(request.cookies.get(login_nonce_cookie_name(request), "")))


def check_login_token(request: Request, svc: AppContext, signed: str | None) -> None:
    """Login CSRF: the form's signed nonce must match the cookie and be under an hour old."""
    cookie = request.cookies.get(login_nonce_cookie_name(request))
    try:
        nonce = _serializer(svc).loads(signed or "", max_age=3600)
    except BadSignature:
        nonce = None
    if not cookie or nonce != cookie:
        raise PermissionDenied("the login form expired or was not ours; reload it and retry")


__all__ = [
    "NotAuthenticated",
    "app_context",
    "check_login_token",
    "current_login_token",
    "new_login_token",
    "page_scope",
    "page_user",
    "set_session_cookie",
]
