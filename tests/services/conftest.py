"""Two organisations and their people, for the services' fence tests.

Each capability's ``test_fences_<capability>.py`` creates its records as someone of
``lab_a``/``clinic_a`` and calls every service that reads or writes them as someone of
the *other* organisation; each call must raise :class:`~exoderm.errors.NotFoundError`
(another organisation's record does not exist for them, not even as a 403).
"""

from __future__ import annotations

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


@pytest.fixture
def tenants() -> Iterator[Tenants]:
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
    yield Tenants(db, admin, people["a"], people["b"])
    db.dispose()
