"""The four-eyes rule for new administrators (ASVS 5.0 V2.3.5): one admin creates an
admin account, it stays inactive, and only a different admin's approval activates it —
over the API, the web pages and the CLI alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exoderm.accounts import users as user_lib
from exoderm.accounts.audit import events_for
from exoderm.accounts.records import Role
from exoderm.cli.main import main
from exoderm.settings import reset_settings_cache
from tests.api.conftest import PASSWORD, World
from tests.web.logins import csrf_of, login


def _four_eyes(world: World) -> None:
    world.app.state.context.settings = world.app.state.context.settings.model_copy(
        update={"admin_changes_need_approval": True}
    )


def _second_admin(world: World) -> str:
    with world.db.transaction() as s:
        user, _ = user_lib.create_user(s, "admin2", Role.admin, password=PASSWORD)
        from exoderm.accounts.tokens import issue_token

        return issue_token(s, user, name="second").token


def test_a_new_admin_waits_for_a_second_admin_over_the_api(world: World) -> None:
    _four_eyes(world)
    made = world.client("admin").post(
        "/api/v1/users", json={"username": "newadmin", "role": "admin", "password": PASSWORD}
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["awaiting_approval"] is True and body["user"]["is_active"] is False
    user_id = body["user"]["id"]
    login = world.client().post(
        "/api/v1/auth/token", json={"username": "newadmin", "password": PASSWORD, "name": "t"}
    )
    assert login.status_code == 401  # an inactive account cannot sign in
    own = world.client("admin").post(f"/api/v1/users/{user_id}/approval")
    assert own.status_code == 422 and "another admin must approve" in own.text
    second = world.client()
    second.headers["Authorization"] = f"Bearer {_second_admin(world)}"
    approved = second.post(f"/api/v1/users/{user_id}/approval")
    assert approved.status_code == 200 and approved.json()["is_active"] is True
    again = second.post(f"/api/v1/users/{user_id}/approval")
    assert again.status_code == 422 and "no request waiting" in again.text
    with world.db.reader() as s:
        actions = [(e.action, e.actor) for e in events_for(s, "user", user_id)]
    assert ("admin.request", "admin") in actions
    assert ("admin.approve", "admin2") in actions


def test_other_roles_and_the_default_setting_need_no_approval(world: World) -> None:
    plain = world.client("admin").post(
        "/api/v1/users", json={"username": "plainadmin", "role": "admin", "password": PASSWORD}
    )
    assert plain.json()["awaiting_approval"] is False and plain.json()["user"]["is_active"]
    _four_eyes(world)
    sci = world.client("admin").post(
        "/api/v1/users",
        json={"username": "sci2", "role": "scientist", "organisation": "Lab", "password": PASSWORD},
    )
    assert sci.json()["awaiting_approval"] is False and sci.json()["user"]["is_active"]


def test_the_admin_page_shows_and_approves_a_waiting_admin(world: World) -> None:
    _four_eyes(world)
    first = login(world.client(), "admin")
    csrf = csrf_of(first.get("/admin").text)
    made = first.post(
        "/admin/users", data={"username": "webadmin", "role": "admin", "csrf_token": csrf}
    )
    assert made.status_code == 200 and "once another admin approves it" in made.text
    assert "awaiting approval" in made.text
    with world.db.reader() as s:
        user_id = user_lib.get_user(s, "webadmin").id
    refused = first.post(f"/admin/users/{user_id}/approval", data={"csrf_token": csrf})
    assert refused.status_code == 422
    _second_admin(world)
    second = login(world.client(), "admin2")
    csrf2 = csrf_of(second.get("/admin").text)
    done = second.post(f"/admin/users/{user_id}/approval", data={"csrf_token": csrf2})
    assert done.status_code == 200 and "approved" in done.text


def test_reactivating_a_waiting_admin_is_refused(world: World) -> None:
    from exoderm.accounts import service
    from exoderm.accounts.actor import Actor
    from exoderm.errors import UserInputError

    ada = Actor("admin", Role.admin)
    with world.db.transaction() as s:
        service.create_user(s, ada, username="held", role="admin", second_person=True)
    with world.db.transaction() as s, pytest.raises(UserInputError, match="waiting"):
        service.set_active(s, ada, user="held", active=True)


def test_the_cli_holds_and_approves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EXODERM_ADMIN_CHANGES_NEED_APPROVAL", "true")
    reset_settings_cache()
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    def run(*argv: str) -> int:
        return main(["--db", url, "--format", "json", *argv])

    assert run("user", "create", "cliadmin", "--role", "admin", "--password", PASSWORD) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["active"] is False
    assert run("user", "approve", "cliadmin") == 2  # the same operator created it
    assert "another admin must approve" in capsys.readouterr().err
    reset_settings_cache()
