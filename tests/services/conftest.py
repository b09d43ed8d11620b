"""Two organisations and their people, for the services' fence tests.

Each capability's ``test_fences_<capability>.py`` creates its records as someone of
``lab_a``/``clinic_a`` and calls every service that reads or writes them as someone of
the *other* organisation; each call must raise :class:`~exoderm.errors.NotFoundError`
(another organisation's record does not exist for them, not even as a 403).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import OrganisationKind, Role
from exoderm.accounts.users import actor_for, create_organisation, create_user
from exoderm.storage import Database
from exoderm.storage.scratch import scratch_database


@dataclass(frozen=True)
class Tenants:
    """An admin, and for each of two organisations one actor per role."""

    db: Database
    admin: Actor
    a: dict[Role, Actor]
    b: dict[Role, Actor]


def _build() -> Tenants:
    db = scratch_database()
    with db.transaction() as s:
        admin_user, _ = create_user(s, "root", Role.admin, password="correct horse battery")
        people: dict[str, dict[Role, Actor]] = {"a": {}, "b": {}}
        for side in ("a", "b"):
            org = create_organisation(s, f"Org {side.upper()}", OrganisationKind.clinic)
            for role in Role:
                if role is Role.admin:
                    continue
                user, _ = create_user(
                    s,
                    f"{role.value}_{side}",
                    role,
                    password="correct horse battery",
                    organisation=org.id,
                )
                people[side][role] = actor_for(user)
        admin = actor_for(admin_user)
    return Tenants(db, admin, people["a"], people["b"])


def _sqlite(db: Database) -> sqlite3.Connection:
    raw = db.engine.raw_connection().driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


@pytest.fixture(scope="session")
def _tenants_template() -> Iterator[Tenants]:
    """Built once: hashing nine passwords with argon2id takes seconds."""
    template = _build()
    yield template
    template.db.dispose()


@pytest.fixture
def tenants(_tenants_template: Tenants) -> Iterator[Tenants]:
    """A fresh copy of the two-organisation database for each test."""
    db = scratch_database()
    _sqlite(_tenants_template.db).backup(_sqlite(db))
    t = _tenants_template
    yield Tenants(db, t.admin, t.a, t.b)
    db.dispose()
