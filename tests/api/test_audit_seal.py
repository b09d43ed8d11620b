"""The audit log's keyed hash chain (ASVS 5.0 V16.4.2): an event changed, removed or
inserted behind the application's back is found, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, update

from exoderm.accounts import audit, service
from exoderm.accounts import users as user_lib
from exoderm.accounts.actor import Actor
from exoderm.accounts.audit_seal import verify
from exoderm.accounts.records import AuditEvent, OrganisationKind, Role
from exoderm.cli.main import main
from exoderm.storage.engine import Database

ROOT = Actor("root", Role.admin)


def _history(db: Database) -> list[int]:
    """Three transactions of ordinary work; the ids of the events they wrote."""
    with db.transaction() as s:
        org = user_lib.create_organisation(s, "Seal Clinic", OrganisationKind.clinic, by=ROOT)
    with db.transaction() as s:
        user_lib.create_user(s, "sealdoc", Role.clinician, password=None, organisation=org.id)
    with db.transaction() as s:
        for k in range(3):
            audit.record(
                s,
                actor="sealdoc",
                action="client.read",
                subject_type="client",
                subject_id=f"C-{k}",
                detail={"fields": ["name"], "n": k},
            )
    with db.reader() as s:
        return list(s.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def test_an_untouched_log_verifies(any_db: Database) -> None:
    ids = _history(any_db)
    with any_db.reader() as s:
        found = service.verify_audit_log(s, ROOT)
    assert found.intact and found.sealed == len(ids) >= 4 and found.unsealed == 0


def test_a_changed_event_is_found(any_db: Database) -> None:
    ids = _history(any_db)
    with any_db.transaction() as s:
        s.execute(update(AuditEvent).where(AuditEvent.id == ids[1]).values(actor="someone"))
    with any_db.reader() as s:
        found = verify(s)
    assert not found.intact and found.event_id == ids[1] and "changed" in (found.problem or "")


def test_a_changed_detail_is_found(any_db: Database) -> None:
    ids = _history(any_db)
    with any_db.transaction() as s:
        s.execute(update(AuditEvent).where(AuditEvent.id == ids[-2]).values(detail={"n": 99}))
    with any_db.reader() as s:
        assert verify(s).event_id == ids[-2]


def test_a_removed_event_is_found(any_db: Database) -> None:
    ids = _history(any_db)
    with any_db.transaction() as s:
        s.execute(delete(AuditEvent).where(AuditEvent.id == ids[2]))
    with any_db.reader() as s:
        found = verify(s)
    assert not found.intact and "missing" in (found.problem or "") and found.event_id == ids[2]


def test_an_inserted_or_cut_event_is_found(any_db: Database) -> None:
    _history(any_db)
    with any_db.transaction() as s:  # a forged row with a made-up seal, written around the ORM
        s.execute(
            insert(AuditEvent.__table__).values(
                actor="ghost",
                action="client.read",
                subject_type="client",
                subject_id="C-9",
                at=s.scalars(select(AuditEvent.at)).first(),
                seal="0" * 64,
            )
        )
    with any_db.reader() as s:
        assert "off the chain" in (verify(s).problem or "")
    with any_db.transaction() as s:  # the forged row and the newest real one go
        newest = s.scalars(
            select(AuditEvent.id).where(AuditEvent.actor != "ghost").order_by(AuditEvent.id.desc())
        ).first()
        s.execute(delete(AuditEvent).where(AuditEvent.actor == "ghost"))
        s.execute(delete(AuditEvent).where(AuditEvent.id == newest))
    with any_db.reader() as s:
        cut = verify(s)
    assert not cut.intact and cut.event_id == newest


def test_another_key_cannot_forge_the_chain(any_db: Database) -> None:
    _history(any_db)
    with any_db.reader() as s:
        assert verify(s).intact
        assert not verify(s, key=b"someone else's key").intact


def test_the_cli_exits_7_on_a_broken_chain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'seal.db'}"
    assert main(["--db", url, "user", "org", "add", "Seal Lab", "--kind", "lab"]) == 0
    capsys.readouterr()
    assert main(["--db", url, "--format", "json", "db", "verify-audit"]) == 0
    assert json.loads(capsys.readouterr().out)["intact"] is True
    from exoderm.storage import open_database

    db = open_database(url)
    with db.transaction() as s:
        s.execute(update(AuditEvent).values(note="edited by hand"))
    db.dispose()
    assert main(["--db", url, "--format", "json", "db", "verify-audit"]) == 7
    out = capsys.readouterr()
    assert json.loads(out.out)["intact"] is False and "chain is broken" in out.err
