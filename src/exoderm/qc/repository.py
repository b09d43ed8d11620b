"""Storing and reading batches and particle measurements.

Functions take the caller's :class:`~sqlalchemy.orm.Session`; the caller wraps a command
in one ``db.transaction()`` so a failure writes nothing. Writes need a QC-capable role
(admin, scientist or QC analyst) and are written to the audit log.

The organisation fence of QC lives here, once (:func:`visible_to`): a non-admin sees the
batches of their own organisation and those entered without one (by an admin); another
organisation's lot is "not found". :mod:`exoderm.qc.service` applies it to every call.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement, Select, func, or_, select, true
from sqlalchemy.orm import Session

from exoderm.accounts import audit
from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Role
from exoderm.accounts.tenancy import bind_organisation
from exoderm.errors import ConflictError, LinedDocument, NotFoundError, validation_failed
from exoderm.qc.batch import BatchRecord
from exoderm.qc.measurement import ParticleMeasurement
from exoderm.qc.records import QcBatch, QcMeasurement
from exoderm.qc.results import MeasurementRead

#: Roles allowed to create batches and record measurements.
QC_WRITE_ROLES = (Role.admin, Role.scientist, Role.qc_analyst)
#: Roles allowed to read batches, decisions, certificates and trends.
QC_READ_ROLES = (Role.admin, Role.scientist, Role.qc_analyst, Role.viewer)

#: A measurement as stored with a batch (the name before :class:`MeasurementRead`).
StoredMeasurement = MeasurementRead


def parse_batch_record(
    data: dict[str, Any], *, source: str = "batch record", document: LinedDocument | None = None
) -> BatchRecord:
    """Validate a batch record dict; every problem names its field (and line, if known)."""
    try:
        return BatchRecord.model_validate(data)
    except ValidationError as exc:
        raise validation_failed(exc, subject=source, file=source, document=document) from exc


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """The QC organisation fence as a condition on :class:`QcBatch` rows.

    Admins see every batch; everyone else the batches of their own organisation and the
    ones entered without an organisation.
    """
    if actor.role is Role.admin:
        return true()
    return or_(QcBatch.organisation_id.is_(None), QcBatch.organisation_id == actor.organisation_id)


def batches_query(
    actor: Actor, product: str | None = None, *, newest_first: bool = False
) -> Select[Any]:
    """The batches ``actor`` may see (of one product if given), in creation order."""
    if newest_first:
        order = (QcBatch.created_at.desc(), QcBatch.id.desc())
    else:
        order = (QcBatch.created_at.asc(), QcBatch.id.asc())
    stmt = select(QcBatch).where(visible_to(actor)).order_by(*order)
    return stmt if product is None else stmt.where(QcBatch.product == product)


def _lot_taken(session: Session, lot: str, actor: Actor) -> bool:
    """Whether ``lot`` is taken in the actor's namespace or among the batches they see.

    Lots of other organisations are neither seen nor counted, so a taken lot elsewhere is
    no existence oracle (OWASP ASVS 5.0 V8.2.2).
    """
    own = func.coalesce(QcBatch.organisation_id, 0) == (actor.organisation_id or 0)
    stmt = select(QcBatch.id).where(QcBatch.lot == lot, or_(own, visible_to(actor)))
    return session.scalar(stmt.limit(1)) is not None


def create_batch(session: Session, record: BatchRecord, actor: Actor) -> QcBatch:
    """Store a new batch; a lot number is unique within the actor's organisation."""
    actor.require(*QC_WRITE_ROLES, action="create QC batches")
    bind_organisation(session, actor)
    if _lot_taken(session, record.lot, actor):
        raise ConflictError(f"lot {record.lot!r} already exists")
    batch = QcBatch(
        product=record.product,
        lot=record.lot,
        source_kind=record.source.kind,
        record=record.model_dump(mode="json"),
        created_by=actor.username,
        organisation_id=actor.organisation_id,
    )
    session.add(batch)
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        action="qc.batch.create",
        subject_type="qc_batch",
        subject_id=record.lot,
        organisation_id=actor.organisation_id,
    )
    return batch


def get_batch(session: Session, lot: str, actor: Actor | None = None) -> QcBatch:
    """The batch with lot number ``lot``, or :class:`NotFoundError`.

    With an ``actor``, a batch of another organisation is reported as not found (admins
    see every organisation).
    """
    stmt = select(QcBatch).where(QcBatch.lot == lot)
    if actor is not None:
        bind_organisation(session, actor)
        stmt = stmt.where(visible_to(actor))
    batches = list(session.scalars(stmt.order_by(QcBatch.id)))
    if not batches:
        raise NotFoundError(f"no QC batch with lot {lot!r}")
    return batches[0] if len(batches) == 1 else _own_or_ambiguous(batches, lot, actor)


def _own_or_ambiguous(batches: list[QcBatch], lot: str, actor: Actor | None) -> QcBatch:
    """Of several organisations' batches with one lot number (only an admin or an
    unfenced caller sees more than one), the caller's own; otherwise a clear conflict."""
    own = actor.organisation_id if actor is not None else None
    mine = [b for b in batches if b.organisation_id == own]
    if len(mine) == 1:
        return mine[0]
    raise ConflictError(
        f"lot {lot!r} exists in {len(batches)} organisations; act as a user of the "
        "organisation that holds it"
    )


def batch_record(batch: QcBatch) -> BatchRecord:
    """The validated batch record of a stored batch."""
    return BatchRecord.model_validate(batch.record)


def list_batches(
    session: Session, product: str | None = None, actor: Actor | None = None
) -> list[QcBatch]:
    """All batches (of one product if given) the actor may see, oldest first."""
    if actor is not None:
        bind_organisation(session, actor)
        return list(session.scalars(batches_query(actor, product)))
    stmt = select(QcBatch).order_by(QcBatch.created_at, QcBatch.id)
    if product is not None:
        stmt = stmt.where(QcBatch.product == product)
    return list(session.scalars(stmt))


def record_measurement(
    session: Session, lot: str, measurement: ParticleMeasurement, actor: Actor
) -> MeasurementRead:
    """Attach a particle measurement (from an importer or the NTA engine) to batch ``lot``."""
    batch = get_batch(session, lot, actor)
    actor.require(*QC_WRITE_ROLES, action="record QC measurements")
    row = QcMeasurement(
        batch_id=batch.id,
        method=measurement.method,
        instrument=measurement.instrument,
        source_file=measurement.source_file,
        source_sha256=measurement.source_sha256,
        concentration_per_ml=measurement.concentration_per_ml,
        stock_concentration_per_ml=measurement.stock_concentration_per_ml,
        mean_nm=measurement.mean_nm,
        mode_nm=measurement.mode_nm,
        d50_nm=measurement.d50_nm,
        payload=measurement.model_dump(mode="json", exclude_none=True),
        recorded_by=actor.username,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        action="qc.measurement.record",
        subject_type="qc_batch",
        subject_id=lot,
        organisation_id=actor.organisation_id,
        detail={
            "measurement_id": row.id,
            "method": measurement.method,
            "source_file": measurement.source_file,
        },
    )
    return _stored(row, lot)


def _stored(row: QcMeasurement, lot: str) -> MeasurementRead:
    return MeasurementRead(
        id=row.id,
        lot=lot,
        recorded_by=row.recorded_by,
        recorded_at=row.created_at,
        measurement=ParticleMeasurement.model_validate(row.payload),
    )


def measurements_for(
    session: Session, lot: str, actor: Actor | None = None
) -> list[MeasurementRead]:
    """Every measurement of batch ``lot``, oldest first (fenced for ``actor`` if given)."""
    return measurements_of(session, get_batch(session, lot, actor))


def measurements_of(session: Session, batch: QcBatch) -> list[MeasurementRead]:
    """Every measurement of a batch already read through the fence, oldest first."""
    lot = batch.lot
    rows = session.scalars(
        select(QcMeasurement)
        .where(QcMeasurement.batch_id == batch.id)
        .order_by(QcMeasurement.created_at, QcMeasurement.id)
    )
    return [_stored(row, lot) for row in rows]


__all__ = [
    "QC_READ_ROLES",
    "QC_WRITE_ROLES",
    "StoredMeasurement",
    "batch_record",
    "batches_query",
    "create_batch",
    "get_batch",
    "list_batches",
    "measurements_for",
    "measurements_of",
    "parse_batch_record",
    "record_measurement",
    "visible_to",
]
