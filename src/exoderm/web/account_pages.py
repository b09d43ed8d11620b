"""Login, logout, the home page and the account page (API tokens)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

import segno
from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from exoderm.accounts import service
from exoderm.accounts.login import LoginFailed, SecondFactorRequired, SecurityKeyRequired
from exoderm.accounts.throttle import TooManyAttempts
from exoderm.errors import UserInputError
from exoderm.serving.auth import (
    Principal,
    authenticate_request,
    client_address,
    https,
    login_policy,
    relying_party,
    session_cookie,
    session_cookie_name,
)
from exoderm.serving.context import AppContext, app_context
from exoderm.web.page_auth import (
    check_login_token,
    current_login_token,
    login_nonce_cookie_name,
    new_login_token,
    page_user,
    set_session_cookie,
)
from exoderm.web.templating import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _login_page(
    request: Request,
    svc: AppContext,
    *,
    error: str | None = None,
    next_url: str = "/",
    status: int = 200,
    username: str = "",
) -> Response:
    nonce, signed = new_login_token(svc)
    response = render(
        request,
        "login.html",
        {"login_token": signed, "error": error, "next": next_url, "username": username},
        status_code=status,
    )
    response.set_cookie(
        login_nonce_cookie_name(request),
        nonce,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=https(request),
        path="/login",
    )
    return response


@router.get("/login")
def login_form(
    request: Request, next: str | None = None, svc: AppContext = Depends(app_context)
) -> Response:
    return _login_page(request, svc, next_url=_safe_next(next))


@router.post("/login")
def login_submit(
    request: Request,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1024)],
    login_token: Annotated[str, Form(max_length=500)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
    otp: Annotated[str, Form(max_length=20)] = "",
    svc: AppContext = Depends(app_context),
) -> Response:
    check_login_token(request, svc, login_token)
    try:
        opened = service.open_browser_session(
            svc.db,
            username=username,
            password=password,
            address=client_address(request),
            policy=login_policy(svc),
            lifetime_hours=svc.settings.session_lifetime_hours,
            otp=otp or None,
            rp=relying_party(svc),
            max_sessions=svc.settings.max_sessions_per_user,
        )
    except TooManyAttempts as exc:
        return _login_page(
            request, svc, error=str(exc), next_url=_safe_next(next), status=429, username=username
        )
    except SecurityKeyRequired as exc:
        return _security_key_page(request, svc, exc, next_url=_safe_next(next))
    except SecondFactorRequired:
        return _login_page(
            request,
            svc,
            error="Enter the one-time code from your authenticator app.",
            next_url=_safe_next(next),
            status=401,
            username=username,
        )
    except LoginFailed:
        return _login_page(
            request,
            svc,
            error="Wrong username, password or one-time code.",
            next_url=_safe_next(next),
            status=401,
            username=username,
        )
    return _logged_in(request, opened.cookie_value, _safe_next(next))


def _logged_in(request: Request, cookie_value: str, next_url: str) -> Response:
    response = RedirectResponse(next_url, status_code=303)
    set_session_cookie(request, response, cookie_value)
    response.delete_cookie(
        login_nonce_cookie_name(request), path="/login", secure=https(request), httponly=True
    )
    return response


def _security_key_page(
    request: Request, svc: AppContext, required: SecurityKeyRequired, *, next_url: str
) -> Response:
    """The password was right: ask the browser for the security key's signature."""
    if required.ceremony is None:  # pragma: no cover - the web always passes its party
        return _login_page(request, svc, error=str(required), next_url=next_url, status=401)
    return render(
        request,
        "login_key.html",
        {
            "ceremony": required.ceremony,
            "login_token": current_login_token(request, svc),
            "next": next_url,
        },
    )


@router.post("/login/security-key")
def login_security_key(
    request: Request,
    ticket: Annotated[str, Form(min_length=1, max_length=64)],
    credential: Annotated[str, Form(min_length=1, max_length=64_000)],
    login_token: Annotated[str, Form(max_length=500)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
    svc: AppContext = Depends(app_context),
) -> Response:
    """Finish a login with the security key's signed answer (WebAuthn assertion)."""
    check_login_token(request, svc, login_token)
    try:
        opened = service.open_browser_session_with_security_key(
            svc.db,
            ticket=ticket,
            credential_json=credential,
            rp=relying_party(svc),
            address=client_address(request),
            lifetime_hours=svc.settings.session_lifetime_hours,
            max_sessions=svc.settings.max_sessions_per_user,
        )
    except TooManyAttempts as exc:
        return _login_page(request, svc, error=str(exc), next_url=_safe_next(next), status=429)
    except LoginFailed as exc:
        return _login_page(
            request, svc, error=f"{exc}. Log in again.", next_url=_safe_next(next), status=401
        )
    return _logged_in(request, opened.cookie_value, _safe_next(next))


@router.post("/logout")
def logout(
    request: Request, who: Principal = Depends(page_user), svc: AppContext = Depends(app_context)
) -> Response:
    cookie = session_cookie(request)
    if cookie:
        with svc.db.transaction() as s:
            service.end_browser_session(s, cookie_value=cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(
        session_cookie_name(request), path="/", secure=https(request), httponly=True
    )
    return response


@router.get("/")
def home(request: Request, svc: AppContext = Depends(app_context)) -> Response:
    who = authenticate_request(request, svc)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    notices = None
    if who.actor.user_id is not None:
        with svc.db.reader() as s:
            notices = service.security_notices(s, who.actor)
    return render(request, "home.html", {"notices": notices})


@router.get("/account")
def account(
    request: Request, who: Principal = Depends(page_user), svc: AppContext = Depends(app_context)
) -> Response:
    with svc.db.reader() as s:
        tokens = service.list_tokens(s, who.actor)
        factor = service.has_second_factor(s, who.actor)
        keys = service.list_security_keys(s, who.actor)
        sessions = service.list_sessions(
            s,
            who.actor,
            current_cookie=session_cookie(request),
            idle_minutes=svc.settings.session_idle_minutes,
        )
        notices = service.security_notices(s, who.actor)
    changed = request.query_params.get("password") == "changed"
    return render(
        request,
        "account.html",
        {
            "tokens": tokens,
            "new_token": None,
            "password_changed": changed,
            "has_factor": factor,
            "factor_note": request.query_params.get("factor", ""),
            "security_keys": keys,
            "key_note": request.query_params.get("key", ""),
            "sessions": sessions,
            "sessions_note": request.query_params.get("sessions", ""),
            "max_sessions": svc.settings.max_sessions_per_user,
            "notices": notices,
        },
    )


@router.post("/account/sessions/end")
def account_end_sessions(
    request: Request,
    current_password: Annotated[str, Form(max_length=1024)],
    session_id: Annotated[int | None, Form()] = None,
    who: Principal = Depends(page_user),
    svc: AppContext = Depends(app_context),
) -> Response:
    """End one of one's sessions, or every other one, after re-entering the password."""
    ended = service.end_own_sessions(
        svc.db,
        who.actor,
        current_password=current_password,
        session_id=session_id,
        keep_cookie=session_cookie(request),
        address=client_address(request),
        policy=login_policy(svc),
    )
    return RedirectResponse(f"/account?sessions={ended}", status_code=303)


@router.post("/account/security-keys")
def account_begin_security_key(
    request: Request,
    name: Annotated[str, Form(min_length=1, max_length=100)],
    who: Principal = Depends(page_user),
    svc: AppContext = Depends(app_context),
) -> Response:
    """Start registering a security key: the page asks the browser to create a credential."""
    with svc.db.transaction() as s:
        ceremony = service.begin_security_key_registration(s, who.actor, rp=relying_party(svc))
        tokens = service.list_tokens(s, who.actor)
        factor = service.has_second_factor(s, who.actor)
        keys = service.list_security_keys(s, who.actor)
    context = {
        "tokens": tokens,
        "new_token": None,
        "has_factor": factor,
        "security_keys": keys,
        "key_ceremony": ceremony,
        "key_name": name,
    }
    return render(request, "account.html", context)


@router.post("/account/security-keys/finish")
def account_finish_security_key(
    request: Request,
    ticket: Annotated[str, Form(min_length=1, max_length=64)],
    credential: Annotated[str, Form(min_length=1, max_length=64_000)],
    name: Annotated[str, Form(min_length=1, max_length=100)],
    who: Principal = Depends(page_user),
    svc: AppContext = Depends(app_context),
) -> Response:
    """Store the new key once its attestation verifies; login needs it from then on."""
    with svc.db.transaction() as s:
        service.finish_security_key_registration(
            s,
            who.actor,
            rp=relying_party(svc),
            ticket=ticket,
            credential_json=credential,
            name=name,
        )
    return RedirectResponse("/account?key=added", status_code=303)


@router.post("/account/security-keys/{key_id}/remove")
def account_remove_security_key(
    request: Request,
    key_id: int,
    current_password: Annotated[str, Form(max_length=1024)],
    who: Principal = Depends(page_user),
    svc: AppContext = Depends(app_context),
) -> Response:
    service.remove_own_security_key(
        svc.db,
        who.actor,
        key_id=key_id,
        current_password=current_password,
        address=client_address(request),
        policy=login_policy(svc),
    )
    return RedirectResponse("/account?key=removed", status_code=303)


@router.post("/account/second-factor")
def account_enrol_factor(
    request: Request, who: Principal = Depends(page_user), svc: AppContext = Depends(app_context)
) -> Response:
    """Start an authenticator app: the QR code and secret are shown once, on this page."""
    with svc.db.transaction() as s:
        enrolment = service.enrol_second_factor(s, who.actor)
        tokens = service.list_tokens(s, who.actor)
    qr = str(segno.make(enrolment.uri, error="m").svg_inline(scale=4, title="Authenticator"))
    context = {"tokens": tokens, "new_token": None, "has_factor": False, "enrolment": enrolment}
    return render(request, "account.html", {**context, "enrolment_qr": qr})


@router.post("/account/second-factor/confirm")
def account_confirm_factor(
    request: Request,
    code: Annotated[str, Form(min_length=1, max_length=20)],
    who: Principal = Depends(page_user),
    svc: AppContext = Depends(app_context),
) -> Response:
    with svc.db.transaction() as s:
        service.confirm_second_factor(s, who.actor, code=code)
    return RedirectResponse("/account?factor=on", status_code=303)


@router.post("/account/second-factor/remove")
def account_remove_factor(
    request: Request,
    current_password: Annotated[str, Form(max_length=1024)],
    who: Principal = Depends(page_user),
    svc: AppContext = Depends(app_context),
) -> Response:
    service.remove_own_second_factor(
        svc.db,
        who.actor,
        current_password=current_password,
        address=client_address(request),
        policy=login_policy(svc),
    )
    return RedirectResponse("/account?factor=off", status_code=303)


@router.post("/account/tokens")
def account_new_token(
    request: Request,
    name: Annotated[str, Form(min_length=1, max_length=100)],
    scopes: Annotated[str, Form(max_length=1000)] = "*",
    who: Principal = Depends(page_user),
    svc: AppContext = Depends(app_context),
) -> Response:
    with svc.db.transaction() as s:
        issued = service.create_token(
            s,
            who.actor,
            name=name,
            scopes=[p for p in scopes.replace(",", " ").split() if p],
            held_scopes=who.scopes,
        )
        tokens = service.list_tokens(s, who.actor)
    return render(
        request, "account.html", {"tokens": tokens, "new_token": issued.token}, status_code=201
    )


@router.post("/account/password")
def change_password(
    request: Request,
    current_password: Annotated[str, Form(max_length=1024)],
    new_password: Annotated[str, Form(max_length=1024)],
    confirm_password: Annotated[str, Form(max_length=1024)],
    keep_tokens: Annotated[bool, Form()] = False,
    who: Principal = Depends(page_user),
    svc: AppContext = Depends(app_context),
) -> Response:
    """Change one's password (the current one is checked, throttled like a login); every
    other browser session of the user ends, and its API tokens are revoked unless
    ``keep_tokens`` is ticked."""
    if new_password != confirm_password:
        raise UserInputError(
            "the two new passwords differ",
            field="confirm_password",
            expected="the same password twice",
        )
    service.change_own_password(
        svc.db,
        who.actor,
        current_password=current_password,
        new_password=new_password,
        keep_cookie=session_cookie(request),
        address=client_address(request),
        keep_tokens=keep_tokens,
        policy=login_policy(svc),
    )
    svc.token_cache.clear()
    return RedirectResponse("/account?password=changed", status_code=303)


@router.post("/account/tokens/{token_id}/revoke")
def account_revoke_token(
    token_id: int, who: Principal = Depends(page_user), svc: AppContext = Depends(app_context)
) -> Response:
    with svc.db.transaction() as s:
        service.revoke_token(s, who.actor, token_id=token_id)
    svc.token_cache.clear()
    return RedirectResponse("/account", status_code=303)
