"""QC tables: batches, particle measurements and signed certificates of analysis.

Rich, nested content (the batch record, a measurement with its bins) is kept as JSON
validated by the pydantic models on the way in and out; the values that trend charts and
queries need (product, lot, mode, concentration, ...) are real columns.
Signed certificates are immutable: a flush that would change or delete one raises
:class:`~exoderm.errors.ConflictError` (a correction is a new version).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from exoderm.errors import ConflictError
from exoderm.storage.base import Base, Timestamped, utcnow


class QcBatch(Timestamped, Base):
    """One lot of one product, with its batch record (:class:`exoderm.qc.batch.BatchRecord`)."""

    __tablename__ = "qc_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product: Mapped[str] = mapped_column(String(200), index=True)
    lot: Mapped[str] = mapped_column(String(100))
    source_kind: Mapped[str] = mapped_column(String(20))
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(100))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )


#: A lot number is unique within one organisation (batches entered without one share the
#: namespace 0), so that one laboratory's lot numbers reveal nothing of another's.
Index(
    "uq_qc_batch_organisation_lot",
    func.coalesce(QcBatch.organisation_id, 0),
    QcBatch.lot,
    unique=True,
)


class QcMeasurement(Timestamped, Base):
    """One particle measurement of a batch (:class:`exoderm.qc.measurement.ParticleMeasurement`)."""

    __tablename__ = "qc_measurement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("qc_batch.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(10))
    instrument: Mapped[str] = mapped_column(String(200))
    source_file: Mapped[str | None] = mapped_column(String(500))
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    concentration_per_ml: Mapped[float | None] = mapped_column(Float)
    stock_concentration_per_ml: Mapped[float | None] = mapped_column(Float)
    mean_nm: Mapped[float | None] = mapped_column(Float)
    mode_nm: Mapped[float | None] = mapped_column(Float)
    d50_nm: Mapped[float | None] = mapped_column(Float)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_by: Mapped[str] = mapped_column(String(100))


class QcCertificate(Base):
    """A signed certificate of analysis: one version, frozen at signing."""

    __tablename__ = "qc_certificate"
    __table_args__ = (UniqueConstraint("batch_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("qc_batch.id", ondelete="RESTRICT"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(20))
    spec_id: Mapped[str] = mapped_column(String(100))
    spec_version: Mapped[str] = mapped_column(String(20))
    signed_by: Mapped[str] = mapped_column(String(100))
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_sha256: Mapped[str] = mapped_column(String(64))
    html: Mapped[str] = mapped_column(Text)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)


@event.listens_for(Session, "before_flush")
def _certificates_are_immutable(session: Session, _ctx: Any, _instances: Any) -> None:
    """Refuse any change to, or deletion of, a stored certificate."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, QcCertificate) and (
            obj in session.deleted or session.is_modified(obj, include_collections=False)
        ):
            raise ConflictError(
                f"certificate version {obj.version} is signed and cannot be changed; "
                "issue a corrected version instead"
            )


__all__ = ["QcBatch", "QcCertificate", "QcMeasurement"]
