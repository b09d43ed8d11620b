"""A second login factor (TOTP): enrol on the account page, then every login needs a code."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from exoderm.accounts import service
from exoderm.accounts.actor import local_operator
from exoderm.accounts.records import AuditEvent
from tests.api.conftest import PASSWORD, World
from tests.web.logins import csrf_of, login


class Clock:
    """The server's clock for the factor checks, moved by the test (codes live 30 s)."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    from exoderm.accounts import second_factor

    fake = Clock()
    monkeypatch.setattr(second_factor.time, "time", fake.time)
    return fake


def _enrol(world: World, who: str, clock: Clock) -> pyotp.TOTP:
    """Enrol ``who`` through the account page and turn the factor on."""
    client = login(TestClient(world.app), who)
    page = client.get("/account")
    assert "Set up an authenticator app" in page.text
    started = client.post("/account/second-factor", data={"csrf_token": csrf_of(page.text)})
    assert started.status_code == 200 and "<svg" in started.text
    found = re.search(r'<code id="factor-secret">([A-Z2-7]+)</code>', started.text)
    assert found is not None
    totp = pyotp.TOTP(found.group(1))
    wrong = client.post(
        "/account/second-factor/confirm",
        data={"csrf_token": csrf_of(started.text), "code": "000000"},
    )
    assert wrong.status_code == 422
    on = client.post(
        "/account/second-factor/confirm",
        data={"csrf_token": csrf_of(started.text), "code": totp.at(clock.now)},
        follow_redirects=False,
    )
    assert on.status_code == 303
    assert "needs your password and a one-time code" in client.get("/account").text
    return totp


def _next_code(totp: pyotp.TOTP, clock: Clock) -> str:
    """Thirty seconds later, the next step's code (a code is accepted only once)."""
    clock.now += 30
    return totp.at(clock.now)


def _token(world: World, who: str, otp: str | None = None) -> tuple[int, str]:
    body = {"username": who, "password": PASSWORD, **({"otp": otp} if otp else {})}
    r = world.client().post("/api/v1/auth/token", json=body)
    return r.status_code, r.text


def test_after_enrolment_a_login_needs_a_fresh_code(world: World, clock: Clock) -> None:
    totp = _enrol(world, "sci", clock)
    status, text = _token(world, "sci")
    assert status == 401 and "one-time code" in text
    assert _token(world, "sci", "123456")[0] == 401
    stale = totp.at(clock.now)
    code = _next_code(totp, clock)
    assert _token(world, "sci", stale)[0] == 401  # last step's code: at most 30 s
    assert _token(world, "sci", code)[0] == 201
    assert _token(world, "sci", code)[0] == 401  # the same code never twice
    with world.db.reader() as s:
        reasons = [
            e.detail.get("reason") if e.detail else None
            for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "login.failed"))
        ]
    assert {"second_factor_missing", "wrong_second_factor"} <= set(reasons)
    # colleagues without a factor log in as before
    assert _token(world, "qc")[0] == 201


def test_the_login_form_asks_for_the_code(world: World, clock: Clock) -> None:
    totp = _enrol(world, "doc_a", clock)
    client = TestClient(world.app)
    form = client.get("/login")
    assert 'autocomplete="one-time-code"' in form.text
    token = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert token is not None
    data = {"username": "doc_a", "password": PASSWORD, "login_token": token.group(1)}
    missing = client.post("/login", data=data, follow_redirects=False)
    assert missing.status_code == 401 and "Enter the one-time code" in missing.text
    token = re.search(r'name="login_token" value="([^"]+)"', missing.text)
    assert token is not None
    ok = client.post(
        "/login",
        data={**data, "login_token": token.group(1), "otp": _next_code(totp, clock)},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and "exoderm_session" in ok.headers.get("set-cookie", "")


def test_removing_the_factor_needs_the_password(world: World, clock: Clock) -> None:
    totp = _enrol(world, "viewer", clock)
    client = TestClient(world.app)
    form = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert token is not None
    client.post(
        "/login",
        data={
            "username": "viewer",
            "password": PASSWORD,
            "login_token": token.group(1),
            "otp": _next_code(totp, clock),
        },
    )
    page = client.get("/account")
    wrong = client.post(
        "/account/second-factor/remove",
        data={"csrf_token": csrf_of(page.text), "current_password": "not-my-password-9"},
    )
    assert wrong.status_code == 422
    off = client.post(
        "/account/second-factor/remove",
        data={"csrf_token": csrf_of(page.text), "current_password": PASSWORD},
        follow_redirects=False,
    )
    assert off.status_code == 303
    assert _token(world, "viewer")[0] == 201


def test_an_admin_removes_a_lost_factor_and_enrolment_is_refused_twice(
    world: World, clock: Clock
) -> None:
    with world.db.transaction() as s:
        enrolment = service.enrol_second_factor(s, local_operator(), user="qc")
        service.confirm_second_factor(
            s, local_operator(), user="qc", code=pyotp.TOTP(enrolment.secret).at(clock.now)
        )
    assert _token(world, "qc")[0] == 401
    from exoderm.errors import ConflictError

    with pytest.raises(ConflictError), world.db.transaction() as s:
        service.enrol_second_factor(s, local_operator(), user="qc")
    with world.db.transaction() as s:
        assert service.remove_second_factor(s, local_operator(), user="qc")
    assert _token(world, "qc")[0] == 201


def test_a_colleague_cannot_enrol_or_remove_anothers_factor(world: World, clock: Clock) -> None:
    from exoderm.accounts.users import actor_for, get_user
    from exoderm.errors import NotFoundError, PermissionDenied

    with world.db.transaction() as s:
        sci = actor_for(get_user(s, "sci"))
    for verb in (service.enrol_second_factor, service.remove_second_factor):
        with pytest.raises((PermissionDenied, NotFoundError)), world.db.transaction() as s:
            verb(s, sci, user="qc")
