"""Browser sessions: login form with CSRF, session cookie flags, CSRF on writes, logout."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.api.conftest import PASSWORD, World
from tests.web.logins import csrf_of, login


def test_pages_redirect_to_login(world: World) -> None:
    r = world.client().get("/account", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def test_login_sets_httponly_samesite_cookie(world: World) -> None:
    client = world.client()
    form = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert token is not None
    r = client.post(
        "/login",
        data={"username": "sci", "password": PASSWORD, "login_token": token.group(1)},
        follow_redirects=False,
    )
    cookie = r.headers["set-cookie"]
    assert "exoderm_session=" in cookie and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    me = client.get("/api/v1/me").json()
    assert me["username"] == "sci" and me["authenticated_by"] == "session"


def test_login_without_form_token_is_refused(world: World) -> None:
    r = world.client().post(
        "/login", data={"username": "sci", "password": PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 403
    assert "exoderm_session" not in r.headers.get("set-cookie", "")


def test_open_redirect_is_blocked(world: World) -> None:
    client = world.client()
    form = client.get("/login?next=https://evil.example/")
    assert 'name="next" value="/"' in form.text


def test_wrong_password_shows_form_again(world: World) -> None:
    client = world.client()
    form = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert token is not None
    r = client.post(
        "/login",
        data={"username": "sci", "password": "wrong-wrong-1", "login_token": token.group(1)},
    )
    assert r.status_code == 401 and "Wrong username, password or one-time code" in r.text


def test_session_write_needs_csrf(world: World) -> None:
    client = login(world.client(), "sci")
    page = client.get("/account")
    csrf = csrf_of(page.text)
    refused = client.post("/account/tokens", data={"name": "no-csrf"})
    assert refused.status_code == 403
    api_refused = client.post("/api/v1/tokens", json={"name": "no-csrf"})
    assert api_refused.status_code == 403
    ok = client.post("/account/tokens", data={"name": "with-csrf", "csrf_token": csrf})
    assert ok.status_code == 201 and "exo_" in ok.text
    api_ok = client.post("/api/v1/tokens", json={"name": "hdr"}, headers={"X-CSRF-Token": csrf})
    assert api_ok.status_code == 201


def test_logout_ends_the_session_server_side(world: World) -> None:
    client = login(world.client(), "doc_a")
    cookie = client.cookies.get("exoderm_session")
    csrf = csrf_of(client.get("/account").text)
    r = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    replay = world.client()
    replay.cookies.set("exoderm_session", cookie or "")
    assert replay.get("/api/v1/me").status_code == 401


def test_password_change_ends_other_sessions(world: World) -> None:
    first = login(world.client(), "viewer")
    second = login(world.client(), "viewer")
    csrf = csrf_of(first.get("/account").text)
    wrong = first.post(
        "/account/password",
        data={
            "csrf_token": csrf,
            "current_password": "not-it-at-all",
            "new_password": "a-brand-new-password",
            "confirm_password": "a-brand-new-password",
        },
    )
    assert wrong.status_code == 422 and "current password" in wrong.text
    r = first.post(
        "/account/password",
        data={
            "csrf_token": csrf,
            "current_password": PASSWORD,
            "new_password": "a-brand-new-password",
            "confirm_password": "a-brand-new-password",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert first.get("/api/v1/me").status_code == 200
    assert second.get("/api/v1/me").status_code == 401
    login(world.client(), "viewer", "a-brand-new-password")


def _age_session(world: World, cookie: str, *, idle: timedelta) -> None:
    from sqlalchemy import update

    from exoderm.accounts.records import BrowserSession
    from exoderm.accounts.tokens import digest

    with world.db.transaction() as s:
        s.execute(
            update(BrowserSession)
            .where(BrowserSession.session_hash == digest(cookie))
            .values(last_seen_at=datetime.now(UTC) - idle)
        )


def test_idle_session_ends(world: World) -> None:
    client = login(world.client(), "sci")
    cookie = client.cookies.get("exoderm_session") or ""
    assert world.app.state.context.settings.session_idle_minutes == 30
    _age_session(world, cookie, idle=timedelta(minutes=31))
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_activity_keeps_a_session_alive(world: World) -> None:
    from exoderm.accounts.records import BrowserSession
    from exoderm.accounts.tokens import digest

    client = login(world.client(), "sci")
    cookie = client.cookies.get("exoderm_session") or ""
    _age_session(world, cookie, idle=timedelta(minutes=29))
    assert client.get("/api/v1/me").status_code == 200
    with world.db.reader() as s:
        row = s.query(BrowserSession).filter_by(session_hash=digest(cookie)).one()
    assert row.last_seen_at is not None
    seen = row.last_seen_at if row.last_seen_at.tzinfo else row.last_seen_at.replace(tzinfo=UTC)
    assert datetime.now(UTC) - seen < timedelta(minutes=1)


def test_idle_timeout_is_configurable(world: World) -> None:
    context = world.app.state.context
    context.settings = context.settings.model_copy(update={"session_idle_minutes": 5})
    client = login(world.client(), "sci")
    cookie = client.cookies.get("exoderm_session") or ""
    _age_session(world, cookie, idle=timedelta(minutes=6))
    assert client.get("/api/v1/me").status_code == 401


def test_absolute_lifetime_still_applies(world: World) -> None:
    from sqlalchemy import update

    from exoderm.accounts.records import BrowserSession
    from exoderm.accounts.tokens import digest

    client = login(world.client(), "sci")
    cookie = client.cookies.get("exoderm_session") or ""
    with world.db.transaction() as s:
        s.execute(
            update(BrowserSession)
            .where(BrowserSession.session_hash == digest(cookie))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert client.get("/api/v1/me").status_code == 401


def test_password_fields_are_masked_and_allow_password_managers(world: World) -> None:
    form = world.client().get("/login").text
    field = re.search(r'<input[^>]*name="password"[^>]*>', form)
    assert field is not None
    assert 'type="password"' in field.group(0) and 'autocomplete="current-password"' in field.group(
        0
    )
    assert "onpaste" not in form.lower()
    account = login(world.client(), "sci").get("/account").text
    for name in ("current_password", "new_password", "confirm_password"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', account)
        assert tag is not None and 'type="password"' in tag.group(0), name


def test_each_login_gets_a_new_session_token(world: World) -> None:
    first = login(world.client(), "sci").cookies.get("exoderm_session")
    second = login(world.client(), "sci").cookies.get("exoderm_session")
    assert first and second and first != second
    assert len(first) >= 43  # 32 random bytes, base64url: 256 bits


@pytest.mark.parametrize("keep", [False, True])
def test_account_page_password_change_keeps_tokens_only_when_ticked(
    world: World, keep: bool
) -> None:
    browser = login(world.client(), "viewer")
    page = browser.get("/account").text
    assert 'name="keep_tokens"' in page
    data = {
        "csrf_token": csrf_of(page),
        "current_password": PASSWORD,
        "new_password": "a-brand-new-password",
        "confirm_password": "a-brand-new-password",
    }
    if keep:
        data["keep_tokens"] = "true"
    assert browser.post("/account/password", data=data, follow_redirects=False).status_code == 303
    token_status = world.client("viewer").get("/api/v1/me").status_code
    assert token_status == (200 if keep else 401)


def test_over_https_the_cookies_carry_host_and_secure_prefixes(world: World) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(world.app, base_url="https://testserver", raise_server_exceptions=False)
    form = client.get("/login")
    nonce_cookie = form.headers["set-cookie"]
    assert nonce_cookie.startswith("__Secure-exoderm_login_nonce=") and "Secure" in nonce_cookie
    token = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert token is not None
    r = client.post(
        "/login",
        data={"username": "sci", "password": PASSWORD, "login_token": token.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    session = next(
        c for c in r.headers.get_list("set-cookie") if c.startswith("__Host-exoderm_session=")
    )
    flags = [part.strip().lower() for part in session.split(";")]
    assert "secure" in flags and "path=/" in flags and "httponly" in flags
    assert not any(f.startswith("domain=") for f in flags)
    assert client.get("/api/v1/me").json()["username"] == "sci"
    # over HTTPS a cookie without the prefix (planted by a subdomain or over HTTP) is ignored
    value = client.cookies.get("__Host-exoderm_session")
    bare = TestClient(world.app, base_url="https://testserver", raise_server_exceptions=False)
    bare.cookies.set("exoderm_session", value)
    assert bare.get("/api/v1/me").status_code == 401
    # logging out ends it
    csrf = csrf_of(client.get("/account").text)
    client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert client.get("/api/v1/me").status_code == 401
