"""Failed logins and refused accesses reach the audit log, never the password
(ASVS 5.0 V16.3.1, V16.3.2, V16.2.5)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from exoderm.accounts.records import AuditEvent
from tests.api.conftest import PASSWORD, World
from tests.web.logins import csrf_of, login


def _events(world: World, action: str) -> list[AuditEvent]:
    with world.db.reader() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _whole_log(world: World) -> str:
    with world.db.reader() as s:
        rows = s.scalars(select(AuditEvent)).all()
    return "\n".join(f"{e.actor} {e.action} {e.subject_id} {e.detail} {e.note}" for e in rows)


def test_failed_logins_are_audited_without_the_password(world: World) -> None:
    client = world.client()
    secret = "Sup3r-s3cret-guess!"
    assert (
        client.post("/api/v1/auth/token", json={"username": "sci", "password": secret}).status_code
        == 401
    )
    assert (
        client.post(
            "/api/v1/auth/token", json={"username": "nobody-here", "password": secret}
        ).status_code
        == 401
    )
    failed = _events(world, "login.failed")
    assert {e.actor for e in failed} == {"sci", "nobody-here"}
    known = next(e for e in failed if e.actor == "sci")
    assert known.subject_id == str(world.user_ids["sci"])
    assert known.organisation_id == world.org_ids["Lab"]
    assert known.detail is not None and known.detail["reason"] == "wrong_credentials"
    assert known.detail["address"]  # where it came from
    assert known.at is not None
    assert secret not in _whole_log(world)


def test_throttled_logins_are_audited(world: World) -> None:
    client = world.client()
    for _ in range(6):
        client.post("/api/v1/auth/token", json={"username": "qc", "password": "wrong-guess-1"})
    assert len(_events(world, "login.failed")) == 5
    throttled = _events(world, "login.throttled")
    assert len(throttled) == 1 and throttled[0].actor == "qc"


def test_web_login_failure_is_audited(world: World) -> None:
    import re

    client = world.client()
    form = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert token is not None
    client.post(
        "/login",
        data={"username": "doc_a", "password": "not-the-one-1", "login_token": token.group(1)},
    )
    assert [e.actor for e in _events(world, "login.failed")] == ["doc_a"]


def test_denied_accesses_are_audited(world: World) -> None:
    viewer = world.client("viewer")
    assert viewer.get("/api/v1/users").status_code == 403  # lacks a scope
    assert viewer.get("/api/v1/audit").status_code == 403
    narrow = world.client("sci").post(
        "/api/v1/tokens", json={"name": "narrow", "scopes": ["evidence:read"]}
    )
    child = world.client()
    child.headers["Authorization"] = f"Bearer {narrow.json()['token']}"
    assert (
        child.post("/api/v1/tokens", json={"name": "w", "scopes": ["design:write"]}).status_code
        == 403
    )  # raised inside the service
    denied = _events(world, "access.denied")
    seen = {(e.actor, e.subject_id) for e in denied}
    assert ("viewer", "GET /api/v1/users") in seen
    assert ("viewer", "GET /api/v1/audit") in seen
    assert ("sci", "POST /api/v1/tokens") in seen
    assert all(e.detail and e.detail["reason"] for e in denied)
    # an allowed request writes no denial
    before = len(denied)
    assert world.client("admin").get("/api/v1/users").status_code == 200
    assert len(_events(world, "access.denied")) == before


def test_csrf_rejections_are_audited(world: World) -> None:
    client = login(world.client(), "sci")
    csrf_of(client.get("/account").text)
    assert client.post("/account/tokens", data={"name": "no-csrf"}).status_code == 403
    denied = _events(world, "access.denied")
    assert [(e.actor, e.detail and e.detail["reason"]) for e in denied] == [("sci", "CsrfRejected")]
    assert PASSWORD not in _whole_log(world)


def test_refused_input_is_logged_by_field_without_its_value(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "Maria-Lopez-1975\n<script>"
    with caplog.at_level(logging.WARNING, logger="exoderm.security.input"):
        r = world.client("sci").post(
            "/api/v1/simulate/run",
            json={"model": "wound", "dose": secret, "schedule": [0]},
        )
    assert r.status_code == 422
    lines = [rec.getMessage() for rec in caplog.records if rec.name == "exoderm.security.input"]
    assert len(lines) == 1
    assert "POST /api/v1/simulate/run" in lines[0] and "body.dose:" in lines[0]
    assert "Maria" not in lines[0] and "<script>" not in lines[0] and "\n" not in lines[0]


def test_a_refused_form_or_file_is_logged_by_kind(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    viewer = login(world.client(), "viewer")
    csrf = csrf_of(viewer.get("/simulate").text)
    form = {"csrf_token": csrf, "model": "wound", "dose": "Maria", "schedule": "0"}
    with caplog.at_level(logging.WARNING, logger="exoderm.security.input"):
        r = viewer.post("/simulate", data=form)
    assert r.status_code == 422
    lines = [rec.getMessage() for rec in caplog.records if rec.name == "exoderm.security.input"]
    assert len(lines) == 1 and lines[0].endswith("POST /simulate from testclient: UserInputError")
    assert "Maria" not in lines[0]


def test_every_granted_decision_is_logged(world: World, caplog: pytest.LogCaptureFixture) -> None:
    """ASVS 5.0 V16.3.2 at Level 3: a decision that lets a request through is recorded
    too, with who and what, page or API, even when the request then fails otherwise."""
    caplog.set_level(logging.INFO, logger="exoderm.access")
    assert world.client("doc_a").get("/api/v1/clients").status_code == 200
    assert world.client("doc_a").get("/api/v1/clients/NOSUCH").status_code == 404
    assert world.client("viewer").get("/api/v1/users").status_code == 403
    page = login(world.client(), "qc")
    assert page.get("/qc").status_code == 200
    granted = [r for r in caplog.records if r.__dict__.get("action") == "access.granted"]
    seen = {(r.user, r.method, r.path) for r in granted}  # type: ignore[attr-defined]
    assert ("doc_a", "GET", "/api/v1/clients") in seen
    assert ("doc_a", "GET", "/api/v1/clients/NOSUCH") in seen
    assert ("qc", "GET", "/qc") in seen
    assert not any(r.user == "viewer" for r in granted)  # type: ignore[attr-defined]
    assert all("password" not in r.getMessage().lower() for r in granted)
