"""FIDO2/WebAuthn security keys (ASVS 5.0 V6.3.3 at Level 3): register on the account page,
then login needs the key's signature over this site's origin — a look-alike origin, a
replayed answer, a cloned key's counter and a one-time code instead of the key all fail."""

from __future__ import annotations

import html
import re

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from exoderm.accounts import security_keys, service
from exoderm.accounts.actor import local_operator
from exoderm.accounts.login import LoginFailed
from exoderm.accounts.records import AuditEvent, SecurityKey, User
from exoderm.accounts.security_keys import RelyingParty
from tests.api.conftest import PASSWORD, World
from tests.api.software_authenticator import SoftwareKey
from tests.web.logins import csrf_of, login

ORIGIN = "http://testserver"


@pytest.fixture
def keyed_world(world: World) -> World:
    """The world with its relying party set to TestClient's own origin."""
    ctx = world.app.state.context
    ctx.settings = ctx.settings.model_copy(
        update={"webauthn_rp_id": "testserver", "webauthn_origins": [ORIGIN]}
    )
    return world


def _ceremony(page: str) -> tuple[str, str]:
    options = re.search(r'data-options="([^"]+)"', page)
    ticket = re.search(r'name="ticket" value="([^"]+)"', page)
    assert options is not None and ticket is not None, page
    return html.unescape(options.group(1)), ticket.group(1)


def _register(world: World, who: str, key: SoftwareKey, origin: str = ORIGIN) -> TestClient:
    client = login(TestClient(world.app), who)
    account = client.get("/account")
    assert "Add a security key" in account.text
    started = client.post(
        "/account/security-keys", data={"csrf_token": csrf_of(account.text), "name": "blue key"}
    )
    assert started.status_code == 200 and 'data-ceremony="create"' in started.text
    options, ticket = _ceremony(started.text)
    finished = client.post(
        "/account/security-keys/finish",
        data={
            "csrf_token": csrf_of(started.text),
            "ticket": ticket,
            "credential": key.create(options, origin),
            "name": "blue key",
        },
        follow_redirects=False,
    )
    if origin == ORIGIN:
        assert finished.status_code == 303, finished.text
    else:
        assert finished.status_code == 422, finished.text
        assert "did not verify" in finished.text
    return client


def _password_step(world: World, who: str, otp: str = "") -> tuple[TestClient, str]:
    client = TestClient(world.app)
    form = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert token is not None
    step = client.post(
        "/login",
        data={"username": who, "password": PASSWORD, "login_token": token.group(1), "otp": otp},
        follow_redirects=False,
    )
    return client, step.text


def _key_step(client: TestClient, page: str, credential: str) -> int:
    _, ticket = _ceremony(page)
    token = re.search(r'name="login_token" value="([^"]+)"', page)
    assert token is not None
    answer = client.post(
        "/login/security-key",
        data={"ticket": ticket, "credential": credential, "login_token": token.group(1)},
        follow_redirects=False,
    )
    return answer.status_code


def _failures(world: World, reason: str) -> int:
    with world.db.reader() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.action == "login.failed")).all()
        return sum(1 for r in rows if (r.detail or {}).get("reason") == reason)


def test_after_registration_login_needs_the_key(keyed_world: World) -> None:
    key = SoftwareKey()
    _register(keyed_world, "doc_a", key)
    client, page = _password_step(keyed_world, "doc_a")
    assert 'data-ceremony="get"' in page and "security key" in page
    assert client.get("/account", follow_redirects=False).status_code in (303, 401)
    options, _ = _ceremony(page)
    assert _key_step(client, page, key.get(options, ORIGIN)) == 303
    account = client.get("/account")
    assert account.status_code == 200 and "blue key" in account.text
    with keyed_world.db.reader() as s:
        stored = s.scalars(select(SecurityKey)).one()
        assert stored.sign_count == 1 and stored.last_used_at is not None
        assert s.scalars(
            select(AuditEvent).where(AuditEvent.action == "security_key.register")
        ).one()


def test_an_answer_signed_for_a_look_alike_origin_is_refused(keyed_world: World) -> None:
    key = SoftwareKey()
    _register(keyed_world, "doc_a", key)
    client, page = _password_step(keyed_world, "doc_a")
    options, _ = _ceremony(page)
    phished = key.get(options, "http://testserver.example-login.com")
    assert _key_step(client, page, phished) == 401
    assert _failures(keyed_world, "wrong_security_key") == 1
    # the same challenge cannot be answered again, even correctly: it was spent
    _, ticket = _ceremony(page)
    rp = RelyingParty("testserver", (ORIGIN,))
    with pytest.raises(LoginFailed, match="expired or is unknown"):
        service.open_browser_session_with_security_key(
            keyed_world.db, ticket=ticket, credential_json=key.get(options, ORIGIN), rp=rp
        )
    assert client.get("/account", follow_redirects=False).status_code != 200


def test_a_replayed_answer_and_a_cloned_key_are_refused(keyed_world: World) -> None:
    key = SoftwareKey()
    _register(keyed_world, "doc_a", key)
    client, page = _password_step(keyed_world, "doc_a")
    options, _ = _ceremony(page)
    good = key.get(options, ORIGIN)
    assert _key_step(client, page, good) == 303
    fresh, again = _password_step(keyed_world, "doc_a")
    assert _key_step(fresh, again, good) == 401  # an old answer for a new challenge
    clone = SoftwareKey(key=key.key, credential_id=key.credential_id, counter=0)
    third_client, third = _password_step(keyed_world, "doc_a")
    options, _ = _ceremony(third)
    assert _key_step(third_client, third, clone.get(options, ORIGIN)) == 401  # counter 1 again
    assert _failures(keyed_world, "wrong_security_key") == 2


def test_a_key_registered_from_another_origin_is_not_stored(keyed_world: World) -> None:
    _register(keyed_world, "doc_a", SoftwareKey(), origin="http://evil.example")
    with keyed_world.db.reader() as s:
        assert s.scalars(select(SecurityKey)).first() is None


def test_a_one_time_code_does_not_replace_the_key(keyed_world: World) -> None:
    _register(keyed_world, "doc_a", SoftwareKey())
    _, page = _password_step(keyed_world, "doc_a", otp="123456")
    assert 'data-ceremony="get"' in page


def test_the_api_token_exchange_refuses_a_key_account(keyed_world: World) -> None:
    _register(keyed_world, "doc_a", SoftwareKey())
    answer = keyed_world.client().post(
        "/api/v1/auth/token", json={"username": "doc_a", "password": PASSWORD, "name": "t"}
    )
    assert answer.status_code == 401
    assert "security key" in answer.json()["detail"]
    assert _failures(keyed_world, "security_key_needs_browser") == 1


def test_removing_a_key_needs_the_password_and_an_admin_can_remove_all(
    keyed_world: World,
) -> None:
    client = _register(keyed_world, "doc_a", SoftwareKey())
    account = client.get("/account")
    key_id = re.search(r'action="/account/security-keys/(\d+)/remove"', account.text)
    assert key_id is not None
    wrong = client.post(
        f"/account/security-keys/{key_id.group(1)}/remove",
        data={"csrf_token": csrf_of(account.text), "current_password": "not-my-password"},
    )
    assert wrong.status_code == 422
    _register(keyed_world, "sci", SoftwareKey())
    with keyed_world.db.transaction() as s:
        assert service.remove_security_keys(s, local_operator(), user="sci") == 1
    login(TestClient(keyed_world.app), "sci")  # the password alone works again
    with keyed_world.db.reader() as s:
        assert len(s.scalars(select(SecurityKey)).all()) == 1


def test_another_users_ticket_is_refused(keyed_world: World) -> None:
    client = login(TestClient(keyed_world.app), "doc_a")
    account = client.get("/account")
    started = client.post(
        "/account/security-keys", data={"csrf_token": csrf_of(account.text), "name": "k"}
    )
    options, ticket = _ceremony(started.text)
    other = login(TestClient(keyed_world.app), "sci")
    page = other.get("/account")
    stolen = other.post(
        "/account/security-keys/finish",
        data={
            "csrf_token": csrf_of(page.text),
            "ticket": ticket,
            "credential": SoftwareKey().create(options, ORIGIN),
            "name": "k",
        },
    )
    assert stolen.status_code == 422 and "expired or is unknown" in stolen.text


def test_a_role_that_needs_a_key_can_only_set_one_up_until_it_has(keyed_world: World) -> None:
    ctx = keyed_world.app.state.context
    ctx.settings = ctx.settings.model_copy(update={"security_key_required_roles": ["clinician"]})
    client = login(TestClient(keyed_world.app), "doc_a")
    home = client.get("/clients")
    assert home.status_code == 403 and "need a security key" in home.text
    account = client.get("/account")
    assert account.status_code == 200 and 'id="factor-required"' in account.text
    api = keyed_world.client("doc_a").get("/api/v1/clients")
    assert api.status_code == 401 and "security key" in api.json()["detail"]
    assert keyed_world.client("sci").get("/api/v1/evidence/nodes").status_code == 200

    key = SoftwareKey()
    started = client.post(
        "/account/security-keys", data={"csrf_token": csrf_of(account.text), "name": "k"}
    )
    options, ticket = _ceremony(started.text)
    done = client.post(
        "/account/security-keys/finish",
        data={
            "csrf_token": csrf_of(started.text),
            "ticket": ticket,
            "credential": key.create(options, ORIGIN),
            "name": "k",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert client.get("/clients").status_code == 200
    ctx.token_cache.clear()
    assert keyed_world.client("doc_a").get("/api/v1/clients").status_code == 200


def test_a_role_that_needs_any_factor_accepts_an_authenticator_app(keyed_world: World) -> None:
    ctx = keyed_world.app.state.context
    ctx.settings = ctx.settings.model_copy(update={"second_factor_required_roles": ["scientist"]})
    client = login(TestClient(keyed_world.app), "sci")
    assert client.get("/design").status_code == 403
    with keyed_world.db.transaction() as s:
        enrolment = service.enrol_second_factor(s, local_operator(), user="sci")
        service.confirm_second_factor(
            s, local_operator(), user="sci", code=pyotp.TOTP(enrolment.secret).now()
        )
    assert client.get("/design").status_code == 200


def test_an_unknown_role_in_the_factor_settings_is_refused() -> None:
    from pydantic import ValidationError

    from exoderm.settings import Settings

    with pytest.raises(ValidationError, match="'boss' is not a role"):
        Settings(security_key_required_roles=["boss"])


def test_challenges_are_long_random_and_single_use(keyed_world: World) -> None:
    import json

    from tests.api.software_authenticator import unb64url

    rp = RelyingParty("testserver", (ORIGIN,))
    with keyed_world.db.transaction() as s:
        user = s.scalars(select(User).where(User.username == "doc_a")).one()
        first = security_keys.begin_registration(s, user, rp)
        second = security_keys.begin_registration(s, user, rp)
        a = unb64url(json.loads(first.options_json)["challenge"])
        b = unb64url(json.loads(second.options_json)["challenge"])
        assert len(a) >= 8 and len(a) == 64 and a != b  # ASVS 6.7.2: at least 64 bits
        security_keys.take_challenge(s, first.ticket, security_keys.REGISTER)
        with pytest.raises(security_keys.SecurityKeyFailed):
            security_keys.take_challenge(s, first.ticket, security_keys.REGISTER)
