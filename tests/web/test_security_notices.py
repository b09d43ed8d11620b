"""Users are told of suspicious sign-ins (ASVS 5.0 V6.3.5) and of changes to their
credentials (V6.3.7): on the home page after signing in, on the account page and over
the API, each saying who acted; never another user's events."""

from __future__ import annotations

import contextlib

from fastapi.testclient import TestClient

from exoderm.accounts import service
from exoderm.accounts.actor import Actor
from exoderm.accounts.login import LoginFailed
from exoderm.accounts.records import Role
from tests.api.conftest import PASSWORD, World
from tests.web.logins import login


def _notices(world: World, who: str) -> list[dict[str, object]]:
    r = world.client(who).get("/api/v1/me/security-notices")
    assert r.status_code == 200, r.text
    notices: list[dict[str, object]] = r.json()["notices"]
    return notices


def _failed_login(client: TestClient, username: str, password: str) -> None:
    form = client.get("/login")
    token = form.text.split('name="login_token" value="', 1)[1].split('"', 1)[0]
    r = client.post(
        "/login",
        data={"username": username, "password": password, "login_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert r.status_code != 303


def test_a_failed_sign_in_is_announced_at_the_next_sign_in(world: World) -> None:
    login(TestClient(world.app), "sci", next_url="/")
    _failed_login(TestClient(world.app), "sci", "somebody-guessing")
    home = login(TestClient(world.app), "sci", next_url="/").get("/")
    assert 'id="security-notices-banner"' in home.text
    assert "1 security notice since your previous sign-in" in home.text
    assert "a sign-in failed (wrong password)" in home.text
    again = login(TestClient(world.app), "sci", next_url="/").get("/")
    assert 'id="security-notices-banner"' not in again.text  # told once, kept on the account page
    account = login(TestClient(world.app), "sci").get("/account")
    assert 'id="security-notices"' in account.text
    assert "a sign-in failed (wrong password)" in account.text


def test_a_change_made_by_an_admin_names_the_admin(world: World) -> None:
    admin = Actor("admin", Role.admin, user_id=world.user_ids["admin"])
    with world.db.transaction() as s:
        service.set_password(s, admin, user="qc", password="a-new-long-passphrase-9")
    notices = _notices(world, "admin")  # the admin's own list does not show qc's change
    assert not [n for n in notices if n["summary"] == "the password was set"]
    with world.db.reader() as s:
        qc = Actor("qc", Role.qc_analyst, world.org_ids["Lab"], world.user_ids["qc"])
        read = service.security_notices(s, qc)
    changed = [n for n in read.notices if n.summary == "the password was set"]
    assert len(changed) == 1 and changed[0].by == "admin" and changed[0].by_someone_else
    assert changed[0].kind == "credential_change"


def test_a_right_password_without_the_second_factor_is_flagged(world: World) -> None:
    me = Actor("doc_a", Role.clinician, world.org_ids["Clinic A"], world.user_ids["doc_a"])
    with world.db.transaction() as s:
        enrolment = service.enrol_second_factor(s, me)
    import pyotp

    code = pyotp.TOTP(enrolment.secret).now()
    with world.db.transaction() as s:
        service.confirm_second_factor(s, me, code=code)
    with contextlib.suppress(LoginFailed):
        service.open_browser_session(world.db, username="doc_a", password=PASSWORD, otp="000000")
    kinds = [n["kind"] for n in _notices(world, "doc_a")]
    assert "partial_sign_in" in kinds
    summaries = [n["summary"] for n in _notices(world, "doc_a")]
    assert "an authenticator app was added as a second factor" in summaries
    assert all(n["kind"] != "partial_sign_in" for n in _notices(world, "doc_b"))


def test_a_sign_in_from_a_new_address_is_flagged_once(world: World) -> None:
    for address in ("192.0.2.10", "192.0.2.10", "198.51.100.20", "198.51.100.20"):
        service.open_browser_session(
            world.db, username="viewer", password=PASSWORD, address=address
        )
    new = [n for n in _notices(world, "viewer") if n["kind"] == "new_address"]
    assert [n["address"] for n in new] == ["198.51.100.20"]  # the first address is not news


def test_a_token_created_for_a_user_and_its_revocation_are_listed(world: World) -> None:
    client = world.client("sci")
    made = client.post("/api/v1/tokens", json={"name": "laptop", "scopes": ["evidence:read"]})
    assert made.status_code == 201, made.text
    revoked = client.delete(f"/api/v1/tokens/{made.json()['info']['id']}")
    assert revoked.status_code in (200, 204), revoked.text
    summaries = [n["summary"] for n in _notices(world, "sci")]
    assert summaries[:2] == ["an API token was revoked", "an API token was created"]
    assert "an API token was revoked" not in [n["summary"] for n in _notices(world, "qc")]


def test_the_window_is_bounded(world: World) -> None:
    r = world.client("sci").get("/api/v1/me/security-notices", params={"days": 400})
    assert r.status_code == 422
