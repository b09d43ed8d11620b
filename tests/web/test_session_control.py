"""Seeing and ending sessions: a user's own (ASVS 5.0 V7.5.2, after the password again),
an admin's for one user or for all (V7.4.5), and the documented cap on concurrent
sessions (V7.1.2)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from exoderm.accounts.records import AuditEvent
from tests.api.conftest import World
from tests.web.logins import csrf_of, login


def _logged_in(client: TestClient) -> bool:
    return client.get("/account", follow_redirects=False).status_code == 200


def test_a_user_sees_their_sessions_and_ends_one_with_the_password(world: World) -> None:
    here = login(TestClient(world.app), "sci")
    there = login(TestClient(world.app), "sci")
    page = here.get("/account")
    assert page.text.count('name="session_id"') == 1  # the other one; this one is marked
    assert "(this browser)" in page.text
    other_id = re.search(r'name="session_id" value="(\d+)"', page.text)
    assert other_id is not None
    wrong = here.post(
        "/account/sessions/end",
        data={
            "csrf_token": csrf_of(page.text),
            "session_id": other_id.group(1),
            "current_password": "not-it",
        },
    )
    assert wrong.status_code == 422 and _logged_in(there)
    from tests.api.conftest import PASSWORD

    ended = here.post(
        "/account/sessions/end",
        data={
            "csrf_token": csrf_of(page.text),
            "session_id": other_id.group(1),
            "current_password": PASSWORD,
        },
        follow_redirects=False,
    )
    assert ended.status_code == 303 and ended.headers["location"] == "/account?sessions=1"
    assert not _logged_in(there) and _logged_in(here)


def test_end_every_other_session(world: World) -> None:
    from tests.api.conftest import PASSWORD

    here = login(TestClient(world.app), "qc")
    others = [login(TestClient(world.app), "qc") for _ in range(2)]
    page = here.get("/account")
    here.post(
        "/account/sessions/end",
        data={"csrf_token": csrf_of(page.text), "current_password": PASSWORD},
    )
    assert _logged_in(here) and not any(_logged_in(c) for c in others)


def test_a_login_beyond_the_cap_ends_the_least_recently_used(world: World) -> None:
    ctx = world.app.state.context
    ctx.settings = ctx.settings.model_copy(update={"max_sessions_per_user": 2})
    first = login(TestClient(world.app), "viewer")
    second = login(TestClient(world.app), "viewer")
    third = login(TestClient(world.app), "viewer")
    assert not _logged_in(first) and _logged_in(second) and _logged_in(third)


def test_an_admin_ends_one_users_sessions_then_everyones(world: World) -> None:
    victim = login(TestClient(world.app), "doc_a")
    bystander = login(TestClient(world.app), "doc_b")
    admin = login(TestClient(world.app), "admin")
    page = admin.get("/admin")
    user_id = world.user_ids["doc_a"]
    one = admin.post(
        f"/admin/users/{user_id}/sessions/end", data={"csrf_token": csrf_of(page.text)}
    )
    assert one.status_code == 200 and "1 session(s) ended" in one.text
    assert not _logged_in(victim) and _logged_in(bystander)
    everyone = admin.post("/admin/sessions/end", data={"csrf_token": csrf_of(one.text)})
    assert everyone.status_code == 200
    assert not _logged_in(bystander) and not _logged_in(admin)
    with world.db.reader() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.action == "sessions.end")).all()
        assert {r.subject_id for r in rows} >= {str(user_id), str(world.user_ids["doc_b"])}


def test_a_non_admin_cannot_end_anothers_sessions(world: World) -> None:
    victim = login(TestClient(world.app), "doc_a")
    other = login(TestClient(world.app), "sci")
    page = other.get("/account")
    refused = other.post(
        f"/admin/users/{world.user_ids['doc_a']}/sessions/end",
        data={"csrf_token": csrf_of(page.text)},
    )
    assert refused.status_code == 403 and _logged_in(victim)
