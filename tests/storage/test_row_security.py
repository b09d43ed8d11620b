"""PostgreSQL row-level security: the second fence holds when the services are bypassed.

Two organisations each get a client (with an assessment, a consent and personal data)
and a QC batch (with a measurement) through the services; an admin enters one batch
without an organisation. Then raw SQL, as the ordinary role exoderm connects as, reads
and writes every fenced table with the organisation setting unset, set to A, and set to
``*``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import Connection, text

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import OrganisationKind, Role
from exoderm.accounts.users import actor_for, create_organisation, create_user
from exoderm.clients import service as clients
from exoderm.clients.personal import PersonalData
from exoderm.clients.repository import parse_profile
from exoderm.qc import ParticleMeasurement
from exoderm.qc import service as qc
from exoderm.qc.examples import example_record
from exoderm.storage import Database, open_database, upgrade
from exoderm.storage.row_security import EVERY_ORGANISATION, SETTING, set_organisation
from exoderm.storage.tables import load_all_models

#: Tables of organisation data: a column ``organisation_id``, or a key to a table that has
#: one. The accounts tables are fenced by the accounts service only: a login looks a user
#: up before anyone's organisation is known, and the audit trail spans organisations.
ACCOUNTS = {"organisation", "user_account", "audit_event"}
CLIENT_CHILDREN = (
    "clients_personal",
    "clients_consent",
    "clients_assessment",
    "clients_regimen",
    "clients_invitation",
    "clients_photo",
    "clients_treatment",
)


@dataclass(frozen=True)
class World:
    db: Database
    org_a: int
    org_b: int
    pseudonym_b: str
    client_b: int


def _people(db: Database) -> tuple[Actor, Actor, Actor, int, int]:
    with db.transaction() as s:
        set_organisation(s.connection(), EVERY_ORGANISATION)
        root, _ = create_user(s, "root", Role.admin, password="correct horse battery")
        actors = []
        for side in ("A", "B"):
            org = create_organisation(s, f"Clinic {side}", OrganisationKind.clinic)
            user, _ = create_user(
                s,
                f"doc_{side}",
                Role.clinician,
                password="correct horse battery",
                organisation=org.id,
            )
            actors.append((actor_for(user), org.id))
    return actor_for(root), actors[0][0], actors[1][0], actors[0][1], actors[1][1]


def _client(db: Database, who: Actor) -> str:
    with db.transaction() as s:
        view = clients.add_client(
            s,
            who,
            personal=PersonalData(name="Ana Probe", date_of_birth=date(1990, 1, 2)),
            profile=parse_profile({"fitzpatrick": {"phototype": 3}}),
        )
        clients.record_assessment(
            s, who, view.pseudonym, instrument="dlqi", inputs={f"q{i}": 1 for i in range(1, 11)}
        )
    return view.pseudonym


@pytest.fixture
def world(postgres_url: str) -> Iterator[World]:
    db = open_database(postgres_url)
    upgrade(db)
    root, doc_a, doc_b, org_a, org_b = _people(db)
    _client(db, doc_a)
    pseudonym_b = _client(db, doc_b)
    with db.transaction() as s:
        analyst = Actor("qc_b", Role.qc_analyst, org_b)
        qc.create_batch(s, analyst, record=example_record("B-LOT"))
        qc.record_measurement(
            s, analyst, "B-LOT", measurement=ParticleMeasurement(method="NTA", instrument="x")
        )
        qc.create_batch(s, Actor("qc_a", Role.qc_analyst, org_a), record=example_record("A-LOT"))
        qc.create_batch(s, root, record=example_record("SHARED-LOT"))
    with db.engine.connect() as conn:
        set_organisation(conn, EVERY_ORGANISATION)
        client_b = conn.scalar(
            text("SELECT id FROM clients_client WHERE pseudonym = :p"), {"p": pseudonym_b}
        )
    assert isinstance(client_b, int)
    yield World(db, org_a, org_b, pseudonym_b, client_b)
    db.dispose()


def _count(conn: Connection, table: str) -> int:
    return int(conn.scalar(text(f"SELECT count(*) FROM {table}")) or 0)


def _as(conn: Connection, value: str | None) -> None:
    if value is not None:
        set_organisation(conn, value)


def test_the_tests_connect_as_an_ordinary_role(world: World) -> None:
    """A superuser or a BYPASSRLS role would pass every policy: the fence needs neither."""
    with world.db.engine.connect() as conn:
        row = conn.execute(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).one()
    assert tuple(row) == (False, False)


def test_every_table_of_organisation_data_has_forced_row_security(world: World) -> None:
    """Found from the models, so a new table of organisation data cannot slip past."""
    fenced = {"clients_client", "qc_batch"}
    tables = load_all_models().sorted_tables
    organisation_data = {
        t.name
        for t in tables
        if t.name not in ACCOUNTS
        and t.name.split("_")[0] in {"clients", "qc"}
        and (
            "organisation_id" in t.columns
            or any(fk.column.table.name in fenced for fk in t.foreign_keys)
        )
    }
    assert organisation_data >= {"clients_client", "qc_batch", *CLIENT_CHILDREN}
    with world.db.engine.connect() as conn:
        flags = {
            name: (rls, forced)
            for name, rls, forced in conn.execute(
                text("SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class")
            )
        }
        policies = {r[0] for r in conn.execute(text("SELECT tablename FROM pg_policies"))}
    for name in sorted(organisation_data):
        assert flags[name] == (True, True), name
        assert name in policies, name


@pytest.mark.parametrize("setting", [None, ""])
def test_without_an_organisation_nothing_is_seen(world: World, setting: str | None) -> None:
    """A query that forgot the actor fails closed: no client row, only unowned batches."""
    with world.db.engine.connect() as conn:
        _as(conn, setting)
        for table in ("clients_client", *CLIENT_CHILDREN, "clients_contribution"):
            assert _count(conn, table) == 0, table
        lots = conn.scalars(text("SELECT lot FROM qc_batch")).all()
        assert lots == ["SHARED-LOT"]
        assert _count(conn, "qc_measurement") == 0


def test_organisation_a_sees_only_its_own_rows(world: World) -> None:
    with world.db.engine.connect() as conn:
        set_organisation(conn, str(world.org_a))
        orgs = set(conn.scalars(text("SELECT organisation_id FROM clients_client")))
        assert orgs == {world.org_a}
        assert _count(conn, "clients_assessment") == 1
        assert _count(conn, "clients_personal") == 1
        missing = conn.scalar(
            text("SELECT count(*) FROM clients_client WHERE pseudonym = :p"),
            {"p": world.pseudonym_b},
        )
        assert missing == 0
        lots = set(conn.scalars(text("SELECT lot FROM qc_batch")))
        assert lots == {"A-LOT", "SHARED-LOT"}
        assert _count(conn, "qc_measurement") == 0  # B's measurement stays B's
        assert conn.scalar(text(f"SELECT current_setting('{SETTING}')")) == str(world.org_a)


def test_every_organisation_sees_everything(world: World) -> None:
    with world.db.engine.connect() as conn:
        set_organisation(conn, EVERY_ORGANISATION)
        assert _count(conn, "clients_client") == 2
        assert _count(conn, "clients_assessment") == 2
        assert _count(conn, "qc_batch") == 3
        assert _count(conn, "qc_measurement") == 1


def test_organisation_a_cannot_change_or_add_to_b(world: World) -> None:
    with world.db.engine.connect() as conn:
        set_organisation(conn, str(world.org_a))
        changed = conn.execute(
            text("UPDATE clients_client SET profile = '{}' WHERE id = :i"), {"i": world.client_b}
        ).rowcount
        deleted = conn.execute(
            text("DELETE FROM clients_assessment WHERE client_id = :i"), {"i": world.client_b}
        ).rowcount
        moved = conn.execute(text("UPDATE qc_batch SET product = 'x' WHERE lot = 'B-LOT'")).rowcount
        assert (changed, deleted, moved) == (0, 0, 0)
    for statement, values in (
        # a new client in B's organisation
        (
            "INSERT INTO clients_client (pseudonym, organisation_id, profile, created_by, "
            "created_at) VALUES ('C-PROBE001', :org, '{}', 'x', now())",
            {"org": world.org_b},
        ),
        # a consent on B's client: the key resolves, the policy refuses
        (
            "INSERT INTO clients_consent (client_id, topic, version, given, at, recorded_by"
            ") VALUES (:client, 'treatment', '1', true, now(), 'x')",
            {"client": world.client_b},
        ),
        # taking A's client over into B
        ("UPDATE clients_client SET organisation_id = :org", {"org": world.org_b}),
    ):
        with world.db.engine.connect() as conn:
            set_organisation(conn, str(world.org_a))
            with pytest.raises(Exception, match="row-level security"):
                conn.execute(text(statement), values)
    with world.db.engine.connect() as conn:
        set_organisation(conn, EVERY_ORGANISATION)
        assert _count(conn, "clients_client") == 2
        assert _count(conn, "clients_assessment") == 2


def test_the_setting_ends_with_the_transaction(world: World) -> None:
    """``SET LOCAL`` semantics: a pooled connection never carries an organisation on."""
    with world.db.engine.connect() as conn:
        set_organisation(conn, EVERY_ORGANISATION)
        assert _count(conn, "clients_client") == 2
        conn.commit()
        assert _count(conn, "clients_client") == 0


def test_the_services_still_reach_their_own_rows(world: World) -> None:
    """The fence is not a blanket refusal: B's clinician opens B's client, A's does not."""
    from exoderm.errors import NotFoundError

    with world.db.reader() as s:
        doc_b = Actor("doc_B", Role.clinician, world.org_b)
        assert clients.get_client(s, doc_b, world.pseudonym_b).pseudonym == world.pseudonym_b
    with pytest.raises(NotFoundError), world.db.reader() as s:
        clients.get_client(s, Actor("doc_A", Role.clinician, world.org_a), world.pseudonym_b)
