"""The four-eyes rule for erasure (ASVS 5.0 V2.3.5): one person asks, another agrees."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import AuditEvent, Role
from exoderm.clients import PersonalData, add_client, erase_client, parse_profile, show_client
from exoderm.errors import NotFoundError, UserInputError
from exoderm.storage import Database
from exoderm.storage.base import utcnow


def _client(db: Database, actor: Actor) -> str:
    with db.transaction() as s:
        return add_client(
            s,
            actor,
            personal=PersonalData(name="Ada Byron", date_of_birth=date(1990, 12, 10)),
            profile=parse_profile({"fitzpatrick": {"phototype": 2}}),
        ).pseudonym


def _erase(db: Database, actor: Actor, pseudonym: str) -> str:
    with db.transaction() as s:
        return erase_client(s, actor, pseudonym, second_person=True).status


def _has_name(db: Database, actor: Actor, pseudonym: str) -> bool:
    with db.transaction() as s:
        view = show_client(s, actor, pseudonym)
    return view.personal is not None and view.personal.name == "Ada Byron"


def test_a_second_person_must_agree(sqlite_db: Database, clinician: Actor) -> None:
    colleague = Actor("dr.c", Role.clinician, clinician.organisation_id)
    pseudonym = _client(sqlite_db, clinician)
    assert _erase(sqlite_db, clinician, pseudonym) == "requested"
    assert _has_name(sqlite_db, clinician, pseudonym)  # nothing erased yet
    with pytest.raises(UserInputError, match="another person must agree"):
        _erase(sqlite_db, clinician, pseudonym)
    with sqlite_db.transaction() as s:
        summary = erase_client(s, colleague, pseudonym, second_person=True)
    assert summary.status == "erased" and summary.requested_by == "dr.a"
    assert summary.personal_rows_deleted == 1
    assert not _has_name(sqlite_db, colleague, pseudonym)
    with sqlite_db.reader() as s:
        actions = [
            (e.actor, e.action)
            for e in s.scalars(select(AuditEvent).where(AuditEvent.subject_id == pseudonym))
            if e.action.startswith("client.erase")
        ]
    assert actions == [("dr.a", "client.erase.request"), ("dr.c", "client.erase")]


def test_another_organisation_cannot_agree(
    sqlite_db: Database, clinician: Actor, other_clinician: Actor
) -> None:
    pseudonym = _client(sqlite_db, clinician)
    assert _erase(sqlite_db, clinician, pseudonym) == "requested"
    with pytest.raises(NotFoundError):
        _erase(sqlite_db, other_clinician, pseudonym)
    assert _has_name(sqlite_db, clinician, pseudonym)


def test_a_request_lapses_after_fourteen_days(sqlite_db: Database, clinician: Actor) -> None:
    colleague = Actor("dr.c", Role.clinician, clinician.organisation_id)
    pseudonym = _client(sqlite_db, clinician)
    assert _erase(sqlite_db, clinician, pseudonym) == "requested"
    with sqlite_db.transaction() as s:
        s.execute(
            update(AuditEvent)
            .where(AuditEvent.action == "client.erase.request")
            .values(at=utcnow() - timedelta(days=15))
        )
    assert _erase(sqlite_db, colleague, pseudonym) == "requested"  # a new request
    assert _has_name(sqlite_db, clinician, pseudonym)
    assert _erase(sqlite_db, clinician, pseudonym) == "erased"  # dr.a now agrees to dr.c's


def test_without_the_rule_one_person_erases(sqlite_db: Database, clinician: Actor) -> None:
    pseudonym = _client(sqlite_db, clinician)
    with sqlite_db.transaction() as s:
        assert erase_client(s, clinician, pseudonym).status == "erased"
