"""``exoderm serve`` preparation and ``exoderm user`` commands."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from exoderm.accounts.passwords import verify_password
from exoderm.accounts.records import User
from exoderm.cli.main import main
from exoderm.server import app_from_environment, prepare_service
from exoderm.storage import open_database


def test_first_run_creates_admin_once_and_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("EXODERM_DATABASE_URL", url)  # restored after the test
    db = open_database(url)
    first = prepare_service(db)
    assert first.first_admin is not None
    username, password = first.first_admin
    with db.reader() as s:
        admin = s.query(User).filter_by(username=username).one()
        assert verify_password(admin.password_hash, password)
    assert prepare_service(db).first_admin is None
    assert re.fullmatch(r"\d+ nodes, \d+ claims", first.knowledge_base)
    db.dispose()
    # uvicorn's factory builds the app on the prepared database
    client = TestClient(app_from_environment())
    token = client.post(
        "/api/v1/auth/token", json={"username": username, "password": password}
    ).json()["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["role"] == "admin"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_user_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'cli.db'}", "--format", "json"]
    assert run([*db, "user", "org", "add", "Clinic North", "--kind", "clinic"], capsys)[0] == 0
    code, out, _ = run(
        [*db, "user", "create", "nina", "--role", "clinician", "--org", "Clinic North"], capsys
    )
    assert code == 0
    created = json.loads(out)
    assert created["role"] == "clinician" and len(created["password"]) >= 10
    code, _, err = run([*db, "user", "create", "lost", "--role", "viewer"], capsys)
    assert code == 2 and "organisation" in err
    code, out, _ = run([*db, "user", "token", "create", "nina", "--scope", "clients:read"], capsys)
    token = json.loads(out)
    assert token["token"].startswith("exo_") and token["scopes"] == ["clients:read"]
    code, out, _ = run([*db, "user", "token", "list", "nina"], capsys)
    assert json.loads(out)[0]["revoked"] is False
    assert run([*db, "user", "token", "revoke", str(token["id"])], capsys)[0] == 0
    code, out, _ = run([*db, "user", "token", "list", "nina"], capsys)
    assert json.loads(out)[0]["revoked"] is True
    code, out, _ = run([*db, "user", "list"], capsys)
    assert [u["username"] for u in json.loads(out)] == ["nina"]
    assert run([*db, "user", "deactivate", "nina"], capsys)[0] == 0


def test_user_mfa_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Enrol, confirm with a code, and remove a second factor from the command line."""
    import pyotp

    db = ["--db", f"sqlite:///{tmp_path / 'cli.db'}", "--format", "json"]
    assert run([*db, "user", "create", "root", "--role", "admin"], capsys)[0] == 0
    code, out, _ = run([*db, "user", "mfa", "enrol", "root"], capsys)
    enrolment = json.loads(out)
    assert code == 0 and enrolment["uri"].startswith("otpauth://totp/exoderm:root")
    assert run([*db, "user", "mfa", "confirm", "root", "000000"], capsys)[0] != 0
    totp = pyotp.TOTP(enrolment["secret"])
    assert run([*db, "user", "mfa", "confirm", "root", totp.now()], capsys)[0] == 0
    code, _, err = run([*db, "user", "mfa", "enrol", "root"], capsys)
    assert code != 0 and "already has a second factor" in err and "Traceback" not in err
    code, _, err = run([*db, "user", "mfa", "remove", "root"], capsys)
    assert code == 0 and "removed" in err


def test_exoderm_serve_on_a_fresh_machine(tmp_path: Path) -> None:
    """The real command in a subprocess: fresh data dir → admin password printed once →
    the service answers and the password logs in."""
    import re
    import urllib.request

    from tests.api.live_serve import exoderm_serve

    with exoderm_serve(tmp_path) as served:
        port, text = served.port, served.startup
        password = re.search(r"password: (\S+)", text)
        username = re.search(r"username: (admin-[0-9a-f]{6})\b", text)
        assert password is not None and username is not None, text
        assert f"http://127.0.0.1:{port}/" in text
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=5) as r:
            assert r.status == 200
            assert r.headers.get("Server") is None  # no server software named
            assert "version" not in json.loads(r.read())
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/auth/token",
            method="POST",
            data=json.dumps(
                {"username": username.group(1), "password": password.group(1)}
            ).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as r:
            assert r.status == 201 and json.loads(r.read())["token"].startswith("exo_")


def test_user_key_and_session_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """List and remove security keys, and end sessions, from the command line."""
    from exoderm.accounts import service
    from exoderm.storage.engine import open_database

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    db = ["--db", url, "--format", "json"]
    assert (
        run(
            [*db, "user", "create", "root", "--role", "admin", "--password", "long-enough-1"],
            capsys,
        )[0]
        == 0
    )
    code, out, _ = run([*db, "user", "key", "list", "root"], capsys)
    assert code == 0 and json.loads(out) == []
    code, _, err = run([*db, "user", "key", "remove", "root"], capsys)
    assert code == 0 and "0 security key(s) removed" in err
    database = open_database(url)
    for _ in range(2):
        service.open_browser_session(database, username="root", password="long-enough-1")
    database.dispose()
    code, _, err = run([*db, "user", "end-sessions", "root"], capsys)
    assert code == 0 and "2 session(s) ended" in err
    code, _, err = run([*db, "user", "end-sessions"], capsys)
    assert code == 2 and "name a user or pass --all" in err and "Traceback" not in err
    code, _, err = run([*db, "user", "end-sessions", "--all"], capsys)
    assert code == 0 and "0 session(s) ended" in err
