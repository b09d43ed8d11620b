"""QC over HTTP: batches, instrument imports, the release check, signed certificates.

Batches are fenced by organisation: a non-admin sees the batches of their own
organisation (and those entered by an admin without one); another lab's lot is a 404.
Signing a certificate is audited by :func:`exoderm.qc.certificate.issue_certificate`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path as FsPath
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from exoderm.api.problems import problem_responses
from exoderm.errors import NotFoundError, UserInputError
from exoderm.qc import (
    BatchRecord,
    StoredMeasurement,
    batch_record,
    create_batch,
    get_batch,
    measurements_for,
    record_measurement,
)
from exoderm.qc.certificate import certificate, certificates_for, issue_certificate
from exoderm.qc.check import check_batch
from exoderm.qc.decision import ReleaseDecision
from exoderm.qc.importers import FORMATS, Format, import_file
from exoderm.qc.records import QcBatch, QcCertificate
from exoderm.qc.specs import packaged_specs
from exoderm.serving.auth import Principal, need
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.paging import page_query
from exoderm.storage.paging import Page, PageQuery, page_of_select
from exoderm.storage.timestamps import UtcDatetime

router = APIRouter(prefix="/qc", tags=["qc"], responses=problem_responses(401, 403, 404, 422))

#: The largest instrument export accepted by upload (NanoSight summaries are < 1 MB).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

Lot = Annotated[str, Path(min_length=1, max_length=100, description="Lot number.")]


class BatchSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    lot: str
    product: str
    source_kind: str
    created_by: str
    created_at: UtcDatetime
    organisation_id: int | None

    @classmethod
    def of(cls, b: QcBatch) -> BatchSummary:
        return BatchSummary.model_validate(b)


class MeasurementOut(BaseModel):
    id: int
    lot: str
    recorded_by: str
    recorded_at: UtcDatetime
    measurement: dict[str, Any] = Field(description="exoderm.qc.ParticleMeasurement as JSON.")

    @classmethod
    def of(cls, m: StoredMeasurement) -> MeasurementOut:
        return cls(
            id=m.id,
            lot=m.lot,
            recorded_by=m.recorded_by,
            recorded_at=m.recorded_at,
            measurement=m.measurement.model_dump(mode="json"),
        )


class CertificateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    decision: str
    spec_id: str
    spec_version: str
    signed_by: str
    signed_at: UtcDatetime
    reason: str | None
    content_sha256: str

    @classmethod
    def of(cls, c: QcCertificate) -> CertificateOut:
        return cls.model_validate(c)


class BatchOut(BatchSummary):
    record: dict[str, Any] = Field(description="exoderm.qc.BatchRecord as JSON.")
    measurements: list[MeasurementOut]
    certificates: list[CertificateOut]


class CriterionOut(BaseModel):
    id: str
    title: str
    measured: str
    limit: str
    verdict: str
    source: str


class ChecklistItemOut(BaseModel):
    id: str
    requirement: str
    status: str
    evidence: str
    mandatory: bool
    source: str


class DecisionOut(BaseModel):
    lot: str
    product: str
    spec: str
    decision: str
    criteria: list[CriterionOut]
    checklist: list[ChecklistItemOut]
    ev_metric: dict[str, int]
    allowed_term: str
    naming_reason: str
    naming_findings: list[str]

    @classmethod
    def of(cls, d: ReleaseDecision) -> DecisionOut:
        return cls(
            lot=d.lot,
            product=d.product,
            spec=d.spec,
            decision=d.decision,
            criteria=[CriterionOut(**c.__dict__) for c in d.criteria],
            checklist=[ChecklistItemOut(**i.__dict__) for i in d.checklist.items],
            ev_metric={
                "score": d.metric.score,
                "fulfilled": d.metric.fulfilled,
                "applicable": d.metric.applicable,
            },
            allowed_term=d.naming.allowed_term,
            naming_reason=d.naming.reason,
            naming_findings=list(d.naming.findings),
        )


class SignRequest(BaseModel):
    reason: str | None = Field(
        None, max_length=2000, description="Required for a correction (version ≥ 2)."
    )
    spec: str | None = Field(
        None,
        max_length=200,
        description="Spec sheet id; default the product's spec or the packaged default.",
    )


def visible_batch(session: Session, who: Principal, lot: str) -> QcBatch:
    """The batch if the caller's organisation may see it; 404 otherwise (no leak)."""
    batch = get_batch(session, lot)
    if not who.is_admin and batch.organisation_id not in (None, who.organisation_id):
        raise NotFoundError(f"no QC batch with lot {lot!r}")
    return batch


def visible_batches_query(who: Principal, product: str | None) -> Any:
    stmt = select(QcBatch).order_by(QcBatch.created_at.desc(), QcBatch.id.desc())
    if product:
        stmt = stmt.where(QcBatch.product == product)
    if not who.is_admin:
        stmt = stmt.where(
            or_(QcBatch.organisation_id.is_(None), QcBatch.organisation_id == who.organisation_id)
        )
    return stmt


@router.get("/batches", response_model=Page[BatchSummary], summary="QC batches")
def batches(
    who: Annotated[Principal, Depends(need("qc:read"))],
    page: Annotated[PageQuery, Depends(page_query)],
    product: str | None = Query(None, max_length=200, description="Only this product."),
    svc: AppContext = Depends(app_context),
) -> Page[BatchSummary]:
    with svc.db.reader() as s:
        rows, total = page_of_select(s, visible_batches_query(who, product), page)
        return Page[BatchSummary](
            items=[BatchSummary.of(b) for b in rows],
            total=total,
            limit=page.limit,
            offset=page.offset,
        )


def _batch_out(s: Session, b: QcBatch) -> BatchOut:
    return BatchOut(
        **BatchSummary.of(b).model_dump(),
        record=batch_record(b).model_dump(mode="json"),
        measurements=[MeasurementOut.of(m) for m in measurements_for(s, b.lot)],
        certificates=[CertificateOut.of(c) for c in certificates_for(s, b.lot)],
    )


@router.post(
    "/batches",
    response_model=BatchOut,
    status_code=201,
    summary="Create a batch",
    responses=problem_responses(409),
)
def create(
    body: BatchRecord,
    who: Principal = Depends(need("qc:write")),
    svc: AppContext = Depends(app_context),
) -> BatchOut:
    with svc.db.transaction() as s:
        return _batch_out(s, create_batch(s, body, who.actor))


@router.get(
    "/batches/{lot}",
    response_model=BatchOut,
    summary="A batch with its record, measurements and certificates",
)
def show(
    lot: Lot, who: Principal = Depends(need("qc:read")), svc: AppContext = Depends(app_context)
) -> BatchOut:
    with svc.db.reader() as s:
        return _batch_out(s, visible_batch(s, who, lot))


async def save_upload(upload: UploadFile, folder: FsPath) -> FsPath:
    name = FsPath(upload.filename or "upload.txt").name or "upload.txt"
    target = folder / name
    size = 0
    with target.open("wb") as fh:
        while chunk := await upload.read(1 << 16):
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                raise UserInputError(
                    f"file is larger than {MAX_UPLOAD_BYTES >> 20} MB",
                    file=name,
                    expected="an instrument export",
                )
            fh.write(chunk)
    return target


@router.post(
    "/batches/{lot}/imports",
    response_model=list[MeasurementOut],
    status_code=201,
    summary="Import an instrument export (NanoSight, ZetaView, Zetasizer, generic)",
    responses=problem_responses(413),
)
async def import_export(
    lot: Lot,
    file: Annotated[UploadFile, File(description="The instrument's export file.")],
    format: Annotated[
        str | None,
        Form(
            description="One of " + ", ".join(FORMATS) + "; default: recognised from the content."
        ),
    ] = None,
    who: Principal = Depends(need("qc:write")),
    svc: AppContext = Depends(app_context),
) -> list[MeasurementOut]:
    if format is not None and format not in FORMATS:
        raise UserInputError(
            f"unknown format {format!r}", field="format", expected=", ".join(FORMATS)
        )
    if format == "viewsizer":
        raise UserInputError(
            "ViewSizer results are folders; import them with the CLI",
            field="format",
            expected="a single-file format",
        )
    with tempfile.TemporaryDirectory(prefix="exoderm-upload-") as tmp:
        path = await save_upload(file, FsPath(tmp))
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(_import_and_store, svc, who, lot, path, format)


def imported_measurements(path: FsPath, format: str | None) -> list[Any]:
    """Parse an uploaded export; the stored file name is the user's, not the temp path."""
    found = import_file(path, cast(Format | None, format))
    return [m.model_copy(update={"source_file": path.name}) for m in found]


def _import_and_store(
    svc: AppContext, who: Principal, lot: str, path: FsPath, format: str | None
) -> list[MeasurementOut]:
    measurements = imported_measurements(path, format)
    with svc.db.transaction() as s:
        visible_batch(s, who, lot)
        return [MeasurementOut.of(record_measurement(s, lot, m, who.actor)) for m in measurements]


@router.get(
    "/batches/{lot}/check",
    response_model=DecisionOut,
    summary="MISEV checklist, specification and release decision (nothing stored)",
)
def check(
    lot: Lot,
    spec: str | None = Query(None, max_length=200),
    who: Principal = Depends(need("qc:read")),
    svc: AppContext = Depends(app_context),
) -> DecisionOut:
    with svc.db.reader() as s:
        visible_batch(s, who, lot)
        return DecisionOut.of(check_batch(s, lot, spec))


@router.post(
    "/batches/{lot}/certificates",
    response_model=CertificateOut,
    status_code=201,
    summary="Sign a certificate of analysis (a new version; signed ones never change)",
)
def sign(
    lot: Lot,
    body: SignRequest,
    who: Principal = Depends(need("qc:write")),
    svc: AppContext = Depends(app_context),
) -> CertificateOut:
    with svc.db.transaction() as s:
        visible_batch(s, who, lot)
        return CertificateOut.of(
            issue_certificate(s, lot, who.actor, spec=body.spec, reason=body.reason)
        )


@router.get(
    "/batches/{lot}/certificates",
    response_model=list[CertificateOut],
    summary="Every certificate version of a batch",
)
def certificates(
    lot: Lot, who: Principal = Depends(need("qc:read")), svc: AppContext = Depends(app_context)
) -> list[CertificateOut]:
    with svc.db.reader() as s:
        visible_batch(s, who, lot)
        return [CertificateOut.of(c) for c in certificates_for(s, lot)]


Version = Annotated[int, Path(ge=1, le=100_000)]


@router.get(
    "/batches/{lot}/certificates/{version}/pdf",
    response_class=Response,
    summary="A signed certificate as PDF",
    responses={200: {"content": {"application/pdf": {}}}},
)
def certificate_pdf(
    lot: Lot,
    version: Version,
    who: Principal = Depends(need("qc:read")),
    svc: AppContext = Depends(app_context),
) -> Response:
    with svc.db.reader() as s:
        visible_batch(s, who, lot)
        cert = certificate(s, lot, version)
        return Response(
            cert.pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="coa-{lot}-v{version}.pdf"'},
        )


@router.get(
    "/batches/{lot}/certificates/{version}/html",
    response_class=HTMLResponse,
    summary="A signed certificate as HTML",
)
def certificate_html(
    lot: Lot,
    version: Version,
    who: Principal = Depends(need("qc:read")),
    svc: AppContext = Depends(app_context),
) -> HTMLResponse:
    with svc.db.reader() as s:
        visible_batch(s, who, lot)
        return HTMLResponse(certificate(s, lot, version).html)


@router.get("/specs", response_model=list[str], summary="Packaged specification sheets")
def specs(who: Principal = Depends(need("qc:read"))) -> list[str]:
    return packaged_specs()
