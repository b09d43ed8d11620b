"""A credential change made anywhere reaches every worker's token cache at once (ASVS 5.0
V8.3.2): two applications on one database stand for two uvicorn workers, the service
calls for the CLI."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from exoderm.accounts import service
from exoderm.accounts.actor import Actor
from exoderm.accounts.credential_epoch import read_epoch
from exoderm.accounts.records import ApiToken, AuditEvent, Role
from exoderm.accounts.tokens import digest
from exoderm.server import create_app
from exoderm.settings import Settings
from exoderm.storage import open_database
from exoderm.storage.engine import Database
from tests.api.conftest import World

ADMIN = Actor("root", Role.admin)


@pytest.fixture
def second_worker(world: World, tmp_path: Path) -> Iterator[FastAPI]:
    """Another application on the same database file, with its own token cache."""
    db = open_database(str(world.db.engine.url))
    app = create_app(Settings(data_dir=tmp_path / "data"), db)
    yield app
    app.state.context.jobs.shutdown()
    db.dispose()


def _me(app: FastAPI, token: str) -> int:
    client = TestClient(app, raise_server_exceptions=False)
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def _warm(world: World, other: FastAPI, token: str) -> None:
    assert _me(world.app, token) == 200
    assert _me(other, token) == 200
    assert world.app.state.context.token_cache.get(digest(token)) is not None
    assert other.state.context.token_cache.get(digest(token)) is not None


def test_a_revocation_in_one_worker_is_refused_by_the_other_at_once(
    world: World, second_worker: FastAPI
) -> None:
    issued = world.client("sci").post("/api/v1/tokens", json={"name": "ci"}).json()
    token = issued["token"]
    _warm(world, second_worker, token)
    revoked = world.client("sci").delete(f"/api/v1/tokens/{issued['info']['id']}")
    assert revoked.status_code == 204
    assert _me(second_worker, token) == 401


def test_a_password_set_by_the_cli_ends_the_cached_tokens_everywhere(
    world: World, second_worker: FastAPI
) -> None:
    token = world.tokens["doc_a"]
    _warm(world, second_worker, token)
    with world.db.transaction() as s:
        service.set_password(s, ADMIN, user="doc_a", password="violet harbour stone 92")
    assert _me(world.app, token) == 401
    assert _me(second_worker, token) == 401


def test_a_demotion_narrows_the_cached_scopes_at_once(world: World, second_worker: FastAPI) -> None:
    token = world.tokens["sci"]
    client = TestClient(second_worker, raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {token}"
    assert "design:write" in client.get("/api/v1/me").json()["scopes"]
    with world.db.transaction() as s:
        service.set_role(s, ADMIN, user="sci", role=Role.viewer)
    scopes = client.get("/api/v1/me").json()["scopes"]
    assert "design:write" not in scopes
    assert all(scope.endswith(":read") for scope in scopes)


def test_a_bulk_update_of_tokens_moves_the_epoch(world: World) -> None:
    with world.db.reader() as s:
        before = read_epoch(s)
    with world.db.transaction() as s:
        s.execute(update(ApiToken).where(ApiToken.id < 0).values(name="none"))
    with world.db.reader() as s:
        assert read_epoch(s) == before + 1


def test_a_cached_token_stops_at_its_expiry(world: World) -> None:
    issued = world.client("sci").post("/api/v1/tokens", json={"name": "brief"}).json()
    token = issued["token"]
    with world.db.transaction() as s:
        s.execute(
            update(ApiToken)
            .where(ApiToken.id == issued["info"]["id"])
            .values(expires_at=datetime.now(UTC) + timedelta(seconds=1.5))
        )
    assert _me(world.app, token) == 200
    time.sleep(1.7)
    assert _me(world.app, token) == 401


def test_every_credential_write_moves_the_epoch_on_either_backend(any_db: Database) -> None:
    from exoderm.accounts import users
    from exoderm.accounts.records import OrganisationKind

    with any_db.reader() as s:
        assert read_epoch(s) == 0
    with any_db.transaction() as s:
        org = users.create_organisation(s, "Epoch Clinic", OrganisationKind.clinic)
    with any_db.transaction() as s:
        users.create_user(s, "epoch_doc", Role.clinician, password=None, organisation=org.id)
    with any_db.transaction() as s:  # an ORM bulk update of a watched table
        s.execute(update(ApiToken).where(ApiToken.id < 0).values(name="x"))
    with any_db.transaction() as s:  # a write elsewhere leaves it alone
        s.add(AuditEvent(actor="epoch", action="test", subject_type="none", subject_id="0"))
    with any_db.reader() as s:
        assert read_epoch(s) == 3
