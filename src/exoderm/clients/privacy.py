"""A client's rights over their data: export everything, erase the person.

*Export* returns every row recorded about the client — profile, decrypted personal data,
consents, assessments, regimens and the audit trail — as one JSON document
(machine-readable; GDPR Art. 20 data portability).

*Erase* deletes the personal data and consents and anonymises the rest (GDPR Art. 17):
the encrypted personal-data row is deleted, the date of birth survives only as a ten-year
age band, free-text medication and condition lists are dropped, and the pseudonymous
assessments stay for outcome statistics. On SQLite the deletion runs with
``PRAGMA secure_delete`` so the freed page is zeroed, and :func:`purge_freed_pages`
(after the commit) checkpoints and truncates the write-ahead log, so no copy of the
deleted row remains in the database files. On PostgreSQL deleted tuples persist until
``VACUUM``; the row only ever held ciphertext.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.accounts.audit import events_for
from exoderm.clients import access
from exoderm.clients.personal import age_band
from exoderm.clients.records import (
    AssessmentRecord,
    ConsentRecord,
    PersonalRecord,
    RegimenRecord,
)
from exoderm.clients.repository import consents_of, personal_of, profile_of
from exoderm.storage.base import utcnow
from exoderm.storage.engine import Database

EXPORT_FORMAT = "exoderm-client-export"
EXPORT_VERSION = 1


def _json_row(obj: Any, columns: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in columns:
        value = getattr(obj, c)
        out[c] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def export_client(session: Session, actor: Actor, pseudonym: str) -> dict[str, Any]:
    """Everything recorded about one client, as JSON-ready data (audited)."""
    client = access.load_client(session, actor, pseudonym, action="export")
    access.require_personal_data(actor)
    personal = personal_of(session, client)
    assessments = session.scalars(
        select(AssessmentRecord)
        .where(AssessmentRecord.client_id == client.id)
        .order_by(AssessmentRecord.id)
    )
    regimens = session.scalars(
        select(RegimenRecord).where(RegimenRecord.client_id == client.id).order_by(RegimenRecord.id)
    )
    access.log(session, actor, "export", client)
    session.flush()
    audit_trail = [
        _json_row(e, ["id", "at", "actor", "action", "detail"])
        for e in events_for(session, access.SUBJECT, client.pseudonym)
    ]
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": utcnow().isoformat(),
        "client": {
            **_json_row(
                client,
                [
                    "id",
                    "pseudonym",
                    "organisation_id",
                    "created_at",
                    "created_by",
                    "age_band",
                    "erased_at",
                ],
            ),
            "profile": profile_of(client).model_dump(mode="json"),
        },
        "personal_data": None if personal is None else personal.model_dump(mode="json"),
        "consents": consents_of(session, client),
        "assessments": [
            _json_row(
                a,
                [
                    "id",
                    "instrument",
                    "visit_date",
                    "value",
                    "band",
                    "inputs",
                    "components",
                    "recorded_by",
                    "created_at",
                ],
            )
            for a in assessments
        ],
        "regimens": [_json_row(r, ["id", "created_at", "created_by", "plan"]) for r in regimens],
        "audit": audit_trail,
    }


def _secure_delete(session: Session, on: bool) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text(f"PRAGMA secure_delete={'ON' if on else 'OFF'}"))


def _delete(
    session: Session, table: type[PersonalRecord] | type[ConsentRecord], client_id: int
) -> int:
    result = session.execute(delete(table).where(table.client_id == client_id))
    return int(getattr(result, "rowcount", 0) or 0)


def erase_client(session: Session, actor: Actor, pseudonym: str) -> dict[str, Any]:
    """Delete the client's personal data and consents; keep anonymised outcomes.

    Call :func:`purge_freed_pages` after the transaction commits (the CLI does).
    """
    client = access.load_client(session, actor, pseudonym, action="erase clients")
    access.require_personal_data(actor)
    personal = personal_of(session, client)
    if personal is not None:
        client.age_band = age_band(personal.age_on(date.today()))
    _secure_delete(session, True)
    removed_personal = _delete(session, PersonalRecord, client.id)
    removed_consents = _delete(session, ConsentRecord, client.id)
    client.profile = profile_of(client).anonymised().model_dump(mode="json")
    client.erased_at = utcnow()
    session.flush()
    summary = {
        "pseudonym": client.pseudonym,
        "personal_rows_deleted": removed_personal,
        "consents_deleted": removed_consents,
        "age_band": client.age_band,
    }
    access.log(session, actor, "erase", client, summary)
    return summary


def purge_freed_pages(db: Database) -> None:
    """After an erase has committed: leave no copy of deleted rows in SQLite's files.

    ``wal_checkpoint(TRUNCATE)`` copies the (zeroed) pages into the main file and empties
    the write-ahead log, which still holds earlier page images; ``VACUUM`` then rebuilds
    the file without free pages. No-op on other engines.
    """
    if db.backend != "sqlite":
        return
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text("PRAGMA secure_delete=ON"))
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        conn.execute(text("VACUUM"))
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
