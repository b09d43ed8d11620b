"""Fixtures for client tests: an organisation, actors, and a helper that adds a client."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Organisation, OrganisationKind, Role
from exoderm.cli.main import main
from exoderm.clients import ClientView, PersonalData, add_client, parse_profile
from exoderm.storage import Database


@pytest.fixture
def orgs(sqlite_db: Database) -> tuple[int, int]:
    """Two clinics, so that cross-organisation access can be tested."""
    with sqlite_db.transaction() as session:
        a = Organisation(name="Clinic A", kind=OrganisationKind.clinic)
        b = Organisation(name="Clinic B", kind=OrganisationKind.clinic)
        session.add_all([a, b])
        session.flush()
        return a.id, b.id


@pytest.fixture
def clinician(orgs: tuple[int, int]) -> Actor:
    return Actor(username="dr.a", role=Role.clinician, organisation_id=orgs[0])


@pytest.fixture
def other_clinician(orgs: tuple[int, int]) -> Actor:
    return Actor(username="dr.b", role=Role.clinician, organisation_id=orgs[1])


@pytest.fixture
def admin() -> Actor:
    return Actor(username="admin", role=Role.admin)


AddClient = Callable[..., ClientView]


@pytest.fixture
def new_client(sqlite_db: Database, clinician: Actor) -> AddClient:
    """Add a client in its own transaction; keyword arguments override the profile."""

    def add(name: str = "Grace Hopper", **profile: Any) -> ClientView:
        data: dict[str, Any] = {"fitzpatrick": {"phototype": 2}, "concerns": [{"name": "wrinkles"}]}
        data.update(profile)
        with sqlite_db.transaction() as session:
            return add_client(
                session,
                clinician,
                personal=PersonalData(name=name, email="grace@example.org"),
                profile=parse_profile(data),
            )

    return add


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Call the real CLI on a fresh database with one organisation, 'Clinic A'."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    def call(*args: str) -> tuple[int, str, str]:
        code = main(["--db", url, "--format", "json", *args])
        out, err = capsys.readouterr()
        return code, out, err

    assert call("user", "org", "add", "Clinic A")[0] == 0
    return call
