"""Storing and reading batches and particle measurements.

Functions take the caller's :class:`~sqlalchemy.orm.Session`; the caller wraps a command
in one ``db.transaction()`` so a failure writes nothing. Writes need a QC-capable role
(admin, scientist or QC analyst) and are written to the audit log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from exoderm.accounts import audit
from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Role
from exoderm.errors import ConflictError, NotFoundError, Problem, ValidationFailed
from exoderm.errors import Location as Loc
from exoderm.qc.batch import BatchRecord
from exoderm.qc.measurement import ParticleMeasurement
from exoderm.qc.records import QcBatch, QcMeasurement

#: Roles allowed to create batches, record measurements and sign certificates.
QC_WRITE_ROLES = (Role.admin, Role.scientist, Role.qc_analyst)


class StoredMeasurement(BaseModel):
    """A measurement as stored with a batch."""

    id: int
    lot: str
    recorded_by: str
    recorded_at: datetime
    measurement: ParticleMeasurement


def _validation_problems(exc: ValidationError, source: str) -> list[Problem]:
    return [
        Problem(err["msg"], Loc(source, None, ".".join(str(p) for p in err["loc"])))
        for err in exc.errors()
    ]


def parse_batch_record(data: dict[str, Any], *, source: str = "batch record") -> BatchRecord:
    """Validate a batch record dict; every problem names its field."""
    try:
        return BatchRecord.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(_validation_problems(exc, source), subject=source) from exc


def create_batch(session: Session, record: BatchRecord, actor: Actor) -> QcBatch:
    """Store a new batch; a lot number is unique across products."""
    actor.require(*QC_WRITE_ROLES, action="create QC batches")
    if session.scalar(select(QcBatch.id).where(QcBatch.lot == record.lot)) is not None:
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
    batch = session.scalar(select(QcBatch).where(QcBatch.lot == lot))
    if batch is None or (actor is not None and not _visible(actor, batch)):
        raise NotFoundError(f"no QC batch with lot {lot!r}")
    return batch


def _visible(actor: Actor, batch: QcBatch) -> bool:
    return batch.organisation_id is None or actor.may_see_organisation(batch.organisation_id)


def batch_record(batch: QcBatch) -> BatchRecord:
    """The validated batch record of a stored batch."""
    return BatchRecord.model_validate(batch.record)


def list_batches(
    session: Session, product: str | None = None, actor: Actor | None = None
) -> list[QcBatch]:
    """All batches (of one product if given) the actor may see, oldest first."""
    stmt = select(QcBatch).order_by(QcBatch.created_at, QcBatch.id)
    if product is not None:
        stmt = stmt.where(QcBatch.product == product)
    batches = list(session.scalars(stmt))
    return batches if actor is None else [b for b in batches if _visible(actor, b)]


def record_measurement(
    session: Session, lot: str, measurement: ParticleMeasurement, actor: Actor
) -> StoredMeasurement:
    """Attach a particle measurement (from an importer or the NTA engine) to batch ``lot``."""
    actor.require(*QC_WRITE_ROLES, action="record QC measurements")
    batch = get_batch(session, lot, actor)
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


def _stored(row: QcMeasurement, lot: str) -> StoredMeasurement:
    return StoredMeasurement(
        id=row.id,
        lot=lot,
        recorded_by=row.recorded_by,
        recorded_at=row.created_at,
        measurement=ParticleMeasurement.model_validate(row.payload),
    )


def measurements_for(session: Session, lot: str) -> list[StoredMeasurement]:
    """Every measurement of batch ``lot``, oldest first."""
    batch = get_batch(session, lot)
    rows = session.scalars(
        select(QcMeasurement)
        .where(QcMeasurement.batch_id == batch.id)
        .order_by(QcMeasurement.created_at, QcMeasurement.id)
    )
    return [_stored(row, lot) for row in rows]


__all__ = [
    "QC_WRITE_ROLES",
    "StoredMeasurement",
    "batch_record",
    "create_batch",
    "get_batch",
    "list_batches",
    "measurements_for",
    "parse_batch_record",
    "record_measurement",
]
