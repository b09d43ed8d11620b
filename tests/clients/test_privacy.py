"""Export holds everything recorded; erase leaves no personal data in the database file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text

from exoderm.accounts.actor import Actor
from exoderm.clients import (
    PersonalData,
    add_client,
    client_outcomes,
    create_regimen,
    erase_client,
    export_client,
    parse_profile,
    purge_freed_pages,
    record_assessment,
    show_client,
)
from exoderm.clients.records import (
    AssessmentRecord,
    ClientRecord,
    ConsentRecord,
    PersonalRecord,
    RegimenRecord,
)
from exoderm.clients.repository import Consent
from exoderm.errors import PermissionDenied
from exoderm.storage import Database, open_database, upgrade

NAME = "Zenobia Quillfeather-Marchetti"
EMAIL = "zenobia.q@example.org"
PHONE = "+44 7700 900123"


def _add(db: Database, actor: Actor) -> str:
    with db.transaction() as s:
        view = add_client(
            s,
            actor,
            personal=PersonalData(
                name=NAME, email=EMAIL, phone=PHONE, date_of_birth=date(1987, 6, 5)
            ),
            profile=parse_profile(
                {
                    "fitzpatrick": {"phototype": 5},
                    "concerns": [{"name": "acne scars", "severity": 3}],
                    "medications": ["doxycycline"],
                    "allergies": ["lavender oil"],
                }
            ),
            consents=[Consent("treatment", "v1"), Consent("photos", "v2", given=False)],
        )
        p = view.pseudonym
        record_assessment(
            s, actor, p, "dlqi", {f"q{i}": 2 for i in range(1, 11)}, visit_date=date(2026, 1, 1)
        )
        record_assessment(
            s, actor, p, "dlqi", {f"q{i}": 1 for i in range(1, 11)}, visit_date=date(2026, 3, 1)
        )
        create_regimen(s, actor, p, start=date(2026, 1, 1))
    return p


def test_export_contains_every_recorded_row(sqlite_db: Database, clinician: Actor) -> None:
    p = _add(sqlite_db, clinician)
    with sqlite_db.transaction() as s:
        data = export_client(s, clinician, p).model_dump(mode="json")
        client = s.scalars(select(ClientRecord)).one()
        ids = {
            "assessments": set(s.scalars(select(AssessmentRecord.id))),
            "regimens": set(s.scalars(select(RegimenRecord.id))),
        }
        consents = s.scalars(select(ConsentRecord)).all()
    assert data["format"] == "exoderm-client-export"
    assert data["client"]["pseudonym"] == p and data["client"]["id"] == client.id
    assert data["client"]["profile"] == client.profile
    assert data["personal_data"]["name"] == NAME
    assert data["personal_data"]["date_of_birth"] == "1987-06-05"
    assert {a["id"] for a in data["assessments"]} == ids["assessments"]
    assert {r["id"] for r in data["regimens"]} == ids["regimens"]
    assert [(c["topic"], c["version"], c["given"]) for c in data["consents"]] == [
        (c.topic, c.version, c.given) for c in consents
    ]
    assert data["assessments"][0]["inputs"]["q1"] == 2
    assert [e["action"] for e in data["audit"]][-1] == "client.export"
    import json

    json.dumps(data)  # machine-readable as it is


def _raw_bytes(db_path: Path) -> bytes:
    data = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        f = db_path.with_name(db_path.name + suffix)
        if f.exists():
            data += f.read_bytes()
    return data


def test_erase_leaves_no_personal_data_in_the_file(
    tmp_path: Path, clinician: Actor, orgs: tuple[int, int]
) -> None:
    db_path = tmp_path / "exoderm.db"
    db = open_database(f"sqlite:///{db_path}")
    p = _add(db, clinician)
    with db.reader() as s:
        token = s.scalar(select(PersonalRecord.token))
        assert token
    with db.engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    before = _raw_bytes(db_path)
    assert token.encode() in before  # the test can see what it looks for
    assert NAME.encode() not in before  # encrypted at rest from the start

    with db.transaction() as s:
        summary = erase_client(s, clinician, p)
    purge_freed_pages(db)
    db.dispose()

    raw = _raw_bytes(db_path)
    for secret in (NAME, EMAIL, PHONE, "1987-06-05", "doxycycline", token):
        assert secret.encode("utf-8") not in raw, secret
        assert secret.encode("utf-16-le") not in raw, secret
    assert token[:40].encode() not in raw
    assert summary.personal_rows_deleted == 1 and summary.consents_deleted == 2

    db = open_database(f"sqlite:///{db_path}")
    with db.transaction() as s:
        assert s.scalar(select(PersonalRecord)) is None
        client = s.scalars(select(ClientRecord)).one()
        assert client.erased_at is not None and client.age_band is not None
        assert client.profile["concerns"][0]["name"] == "acne scars"  # kept for statistics
        report = client_outcomes(s, clinician, p)
        assert [pt.value for pt in report.points] == [20, 10]
        view = show_client(s, clinician, p)
        assert view.personal is None and view.erased
        with pytest.raises(PermissionDenied, match="erased"):
            record_assessment(s, clinician, p, "dlqi", {f"q{i}": 0 for i in range(1, 11)})
    db.dispose()


@pytest.mark.postgres
def test_export_and_erase_on_postgresql(postgres_url: str, clinician: Actor) -> None:
    from exoderm.accounts.records import Organisation, OrganisationKind

    db = open_database(postgres_url)
    upgrade(db)
    with db.transaction() as s:
        org = Organisation(name="Clinic A", kind=OrganisationKind.clinic)
        s.add(org)
        s.flush()
        actor = Actor(username="dr.pg", role=clinician.role, organisation_id=org.id)
    p = _add(db, actor)
    with db.transaction() as s:
        exported = export_client(s, actor, p)
        assert exported.personal_data is not None and exported.personal_data.name == NAME
        erase_client(s, actor, p)
    purge_freed_pages(db)
    with db.transaction() as s:
        assert s.scalar(select(PersonalRecord)) is None
        assert export_client(s, actor, p).personal_data is None
    db.dispose()
