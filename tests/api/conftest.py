"""Fixtures for API tests: an app on a fresh database, organisations, users and tokens."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from exoderm.accounts import tokens as token_lib
from exoderm.accounts import users as user_lib
from exoderm.accounts.records import OrganisationKind, Role
from exoderm.server import create_app
from exoderm.settings import Settings
from exoderm.storage import Database, open_database, upgrade

PASSWORD = "correct-horse-battery"


@dataclass
class World:
    """Two clinics and a lab, one user per role, and a full-scope token for each."""

    app: FastAPI
    db: Database
    tokens: dict[str, str]
    org_ids: dict[str, int]
    user_ids: dict[str, int]

    def client(self, who: str | None = None) -> TestClient:
        client = TestClient(self.app, raise_server_exceptions=False)
        if who is not None:
            client.headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return client


USERS: dict[str, tuple[Role, str | None]] = {
    "admin": (Role.admin, None),
    "sci": (Role.scientist, "Lab"),
    "qc": (Role.qc_analyst, "Lab"),
    "doc_a": (Role.clinician, "Clinic A"),
    "doc_b": (Role.clinician, "Clinic B"),
    "viewer": (Role.viewer, "Lab"),
}


def populate(db: Database) -> tuple[dict[str, str], dict[str, int], dict[str, int]]:
    """Add the organisations, users and tokens of a test world to ``db``."""
    tokens: dict[str, str] = {}
    org_ids: dict[str, int] = {}
    user_ids: dict[str, int] = {}
    with db.transaction() as s:
        for name, kind in (("Clinic A", "clinic"), ("Clinic B", "clinic"), ("Lab", "lab")):
            org_ids[name] = user_lib.create_organisation(s, name, OrganisationKind(kind)).id
        for username, (role, org) in USERS.items():
            user, _ = user_lib.create_user(s, username, role, password=PASSWORD, organisation=org)
            user_ids[username] = user.id
            tokens[username] = token_lib.issue_token(s, user, name="test").token
    return tokens, org_ids, user_ids


@dataclass(frozen=True)
class Template:
    """A populated database file, built once per session and copied for each test
    (argon2 hashing and migrations would otherwise dominate the run time)."""

    path: Path
    tokens: dict[str, str]
    org_ids: dict[str, int]
    user_ids: dict[str, int]


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    path = tmp_path_factory.mktemp("world") / "template.db"
    db = open_database(f"sqlite:///{path}")
    upgrade(db)
    tokens, org_ids, user_ids = populate(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return Template(path, tokens, org_ids, user_ids)


def build_world(template: Template, tmp_path: Path) -> World:
    target = tmp_path / "exoderm.db"
    shutil.copyfile(template.path, target)
    db = open_database(f"sqlite:///{target}")
    app = create_app(Settings(data_dir=tmp_path / "data"), db)
    return World(app, db, dict(template.tokens), dict(template.org_ids), dict(template.user_ids))


@pytest.fixture
def world(world_template: Template, tmp_path: Path) -> Iterator[World]:
    w = build_world(world_template, tmp_path)
    yield w
    w.app.state.context.jobs.shutdown()
    w.db.dispose()
