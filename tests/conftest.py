"""Shared fixtures: a fresh, upgraded database on SQLite and, when configured, PostgreSQL.

PostgreSQL tests need ``EXODERM_TEST_POSTGRES_URL`` (``.ci/run`` starts a server and sets
it). Without it they are skipped locally, but under CI (``CI=true``) a missing server is
an error, so a gap can never hide behind a skip.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, ProgrammingError

from exoderm.storage import Database, open_database, upgrade

PG_URL = os.environ.get("EXODERM_TEST_POSTGRES_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'exoderm.db'}"


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """An upgraded, empty SQLite database in a temporary folder."""
    db = open_database(sqlite_url(tmp_path))
    upgrade(db)
    yield db
    db.dispose()


def _require_postgres() -> str:
    if PG_URL:
        return PG_URL
    if IN_CI:
        pytest.fail(
            "CI=true but EXODERM_TEST_POSTGRES_URL is not set: .ci/run must start PostgreSQL"
        )
    pytest.skip("no PostgreSQL server (set EXODERM_TEST_POSTGRES_URL)")


#: The ordinary role the tests connect as, like a deployment (not a superuser, no
#: BYPASSRLS): row-level security applies to it. It owns the databases it tests.
APP_ROLE = "exoderm_app"


def _ensure_app_role(admin: Engine) -> None:
    """Create the role once; test workers running in parallel may race to create it."""
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE})
        if not exists:
            # another worker may have created it first
            with contextlib.suppress(IntegrityError, ProgrammingError):
                conn.execute(text(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS"))


def app_url(base: str, database: str) -> str:
    """The URL of ``database`` on the server of ``base``, as the ordinary role."""
    url = make_url(base).set(username=APP_ROLE, password=None, database=database)
    return url.render_as_string(hide_password=False)


@pytest.fixture
def new_postgres_url() -> Iterator[Callable[[], str]]:
    """A factory of URLs of brand-new, empty PostgreSQL databases, dropped after the test.

    Each database is owned by :data:`APP_ROLE`, and the URL connects as that role.
    """
    base = _require_postgres()
    admin = create_engine(
        base.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    _ensure_app_role(admin)
    created: list[str] = []

    def make() -> str:
        name = f"exoderm_test_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" OWNER {APP_ROLE}'))
        created.append(name)
        return app_url(base, name)

    try:
        yield make
    finally:
        with admin.connect() as conn:
            for name in created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url(new_postgres_url: Callable[[], str]) -> str:
    """The URL of a brand-new, empty PostgreSQL database, dropped after the test."""
    return new_postgres_url()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An upgraded, empty database on each supported engine."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path)
    else:
        url = request.getfixturevalue("postgres_url")
    db = open_database(url)
    upgrade(db)
    yield db
    db.dispose()
