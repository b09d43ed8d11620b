"""A client's rights over their data: export everything, erase the person.

*Export* returns every row recorded about the client — profile, decrypted personal data,
consents, assessments, regimens and the audit trail — as one JSON document
(machine-readable; GDPR Art. 20 data portability).

*Erase* deletes the personal data, consents, photos and links and anonymises the rest
(GDPR Art. 17):
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
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from exoderm.accounts import idempotency
from exoderm.accounts.actor import Actor
from exoderm.accounts.audit import events_for
from exoderm.clients import access, erasure_approval
from exoderm.clients.assessments import Assessment, assessments_of
from exoderm.clients.personal import PersonalData, age_band
from exoderm.clients.profile import ClientProfile
from exoderm.clients.records import (
    ConsentRecord,
    InvitationRecord,
    PersonalRecord,
    PhotoRecord,
    RegimenRecord,
)
from exoderm.clients.regimen import Regimen
from exoderm.clients.repository import ConsentRead, consents_of, personal_of, profile_of
from exoderm.storage.base import utcnow
from exoderm.storage.engine import Database
from exoderm.storage.timestamps import UtcDatetime

EXPORT_FORMAT = "exoderm-client-export"
EXPORT_VERSION = 1

#: A value in a client audit event's detail (counts, flags, names, pseudonym lists).
AuditValue = str | int | float | bool | list[str] | None


class ExportedClient(BaseModel):
    """The pseudonymous client row and its clinical profile."""

    id: int
    pseudonym: str
    organisation_id: int
    created_at: UtcDatetime
    created_by: str
    age_band: str | None
    erased_at: UtcDatetime | None
    profile: ClientProfile


class ExportedRegimen(BaseModel):
    """A stored regimen and who made it when."""

    id: int
    created_at: UtcDatetime
    created_by: str
    plan: Regimen


class ExportedAuditEvent(BaseModel):
    """One audit event about the client."""

    id: int
    at: UtcDatetime
    actor: str
    action: str
    detail: dict[str, AuditValue] | None


class ClientExport(BaseModel):
    """Everything recorded about one client (GDPR Art. 15 and 20)."""

    format: str = EXPORT_FORMAT
    version: int = EXPORT_VERSION
    exported_at: UtcDatetime
    client: ExportedClient
    personal_data: PersonalData | None
    consents: list[ConsentRead]
    assessments: list[Assessment]
    regimens: list[ExportedRegimen]
    audit: list[ExportedAuditEvent]


class Erasure(BaseModel):
    """What an erasure removed (GDPR Art. 17), or that it waits for a second person."""

    pseudonym: str
    personal_rows_deleted: int
    consents_deleted: int
    photos_deleted: int = 0
    age_band: str | None
    status: Literal["erased", "requested"] = "erased"
    requested_by: str | None = Field(
        None, description="Under the four-eyes rule: who asked first (the eraser agreed)."
    )


def export_client(session: Session, actor: Actor, pseudonym: str) -> ClientExport:
    """Everything recorded about one client, as JSON-ready data (audited)."""
    client = access.load_client(session, actor, pseudonym, action="export")
    access.require_personal_data(actor)
    personal = personal_of(session, client)
    regimens = session.scalars(
        select(RegimenRecord).where(RegimenRecord.client_id == client.id).order_by(RegimenRecord.id)
    )
    access.log(session, actor, "export", client)
    session.flush()
    assessments = sorted(assessments_of(session, client.id), key=lambda a: a.id)
    return ClientExport(
        exported_at=utcnow(),
        client=ExportedClient(
            id=client.id,
            pseudonym=client.pseudonym,
            organisation_id=client.organisation_id,
            created_at=client.created_at,
            created_by=client.created_by,
            age_band=client.age_band,
            erased_at=client.erased_at,
            profile=profile_of(client),
        ),
        personal_data=personal,
        consents=consents_of(session, client),
        assessments=assessments,
        regimens=[
            ExportedRegimen(
                id=r.id,
                created_at=r.created_at,
                created_by=r.created_by,
                plan=Regimen.model_validate(r.plan),
            )
            for r in regimens
        ],
        audit=[
            ExportedAuditEvent(id=e.id, at=e.at, actor=e.actor, action=e.action, detail=e.detail)
            for e in events_for(session, access.SUBJECT, client.pseudonym)
        ],
    )


def _secure_delete(session: Session, on: bool) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text(f"PRAGMA secure_delete={'ON' if on else 'OFF'}"))


def _delete(
    session: Session,
    table: type[PersonalRecord] | type[ConsentRecord] | type[PhotoRecord] | type[InvitationRecord],
    client_id: int,
) -> int:
    result = session.execute(delete(table).where(table.client_id == client_id))
    return int(getattr(result, "rowcount", 0) or 0)


def erase_client(
    session: Session, actor: Actor, pseudonym: str, *, second_person: bool = False
) -> Erasure:
    """Delete the client's personal data and consents; keep anonymised outcomes.

    With ``second_person`` (the four-eyes rule), the first call records the request and
    erases nothing; a different user's call then erases. Call :func:`purge_freed_pages`
    after the transaction commits (the CLI does).
    """
    client = access.load_client(session, actor, pseudonym, action="erase clients")
    access.require_personal_data(actor)
    approval = None
    if second_person and client.erased_at is None:
        approval = erasure_approval.approve_or_request(session, actor, client)
    if second_person and client.erased_at is None and approval is None:
        return Erasure(
            pseudonym=client.pseudonym,
            personal_rows_deleted=0,
            consents_deleted=0,
            age_band=None,
            status="requested",
            requested_by=actor.username,
        )
    personal = personal_of(session, client)
    if personal is not None:
        client.age_band = age_band(personal.age_on(date.today()))
    _secure_delete(session, True)
    removed_personal = _delete(session, PersonalRecord, client.id)
    removed_consents = _delete(session, ConsentRecord, client.id)
    removed_photos = _delete(session, PhotoRecord, client.id)
    _delete(session, InvitationRecord, client.id)
    idempotency.forget_every_answer(session)  # a stored answer may hold the personal data
    client.profile = profile_of(client).anonymised().model_dump(mode="json")
    client.erased_at = utcnow()
    session.flush()
    summary = Erasure(
        pseudonym=client.pseudonym,
        personal_rows_deleted=removed_personal,
        consents_deleted=removed_consents,
        photos_deleted=removed_photos,
        age_band=client.age_band,
        requested_by=approval.requested_by if approval else None,
    )
    access.log(session, actor, "erase", client, summary.model_dump())
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
