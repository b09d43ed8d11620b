"""QC over HTTP: batches, instrument imports, the release check, signed certificates.

Every operation calls :mod:`exoderm.qc.service`, which fences by organisation (another
lab's lot is a 404), checks roles and audits; responses are the service's Read models.
A specification is named (``id`` or ``id@version``), never a path on the server.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path as FsPath
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from exoderm.api.problems import problem_responses
from exoderm.errors import UserInputError
from exoderm.qc import (
    FORMATS,
    BatchRead,
    BatchRecord,
    BatchSummary,
    CertificateRead,
    DecisionRead,
    MeasurementRead,
)
from exoderm.qc import service as qc
from exoderm.qc.results import CertificateKeyRead
from exoderm.qc.signing import Meaning, reauthenticate
from exoderm.serving.auth import Principal, client_address, need
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.downloads import attachment
from exoderm.serving.paging import page_query
from exoderm.serving.uploads import save_upload
from exoderm.storage.paging import Page, PageQuery

router = APIRouter(prefix="/qc", tags=["qc"], responses=problem_responses(401, 403, 404, 422))


Lot = Annotated[str, Path(min_length=1, max_length=100, description="Lot number.")]
Version = Annotated[int, Path(ge=1, le=100_000)]
SpecName = Annotated[
    str | None,
    Query(
        max_length=200,
        description="Spec sheet name (id or id@version, see /qc/specs); default: the "
        "product's sheet or the packaged default.",
    ),
]


class SignRequest(BaseModel):
    password: str | None = Field(
        None,
        max_length=1024,
        description="The signer's exoderm password, re-entered for this signature "
        "(21 CFR 11.200(a)): without it 401, wrong 403; nothing is signed.",
        json_schema_extra={"format": "password", "writeOnly": True},
    )
    meaning: Meaning = Field(
        Meaning.approved,
        description="What the signature means: approved (for release; only a lot whose "
        "decision is release), reviewed or rejected.",
    )
    reason: str | None = Field(
        None, max_length=2000, description="Required for a correction (version ≥ 2)."
    )
    spec: str | None = Field(
        None,
        max_length=200,
        description="Spec sheet name (id or id@version); default the product's spec or the "
        "packaged default.",
    )


@router.get("/batches", response_model=Page[BatchSummary], summary="QC batches")
def batches(
    who: Annotated[Principal, Depends(need("qc:read"))],
    page: Annotated[PageQuery, Depends(page_query)],
    product: str | None = Query(None, max_length=200, description="Only this product."),
    svc: AppContext = Depends(app_context),
) -> Page[BatchSummary]:
    with svc.db.reader() as s:
        return qc.list_batches(s, who.actor, product=product or None, page=page)


@router.post(
    "/batches",
    response_model=BatchRead,
    status_code=201,
    summary="Create a batch",
    responses=problem_responses(409),
)
def create(
    body: BatchRecord,
    who: Principal = Depends(need("qc:write")),
    svc: AppContext = Depends(app_context),
) -> BatchRead:
    with svc.db.transaction() as s:
        return qc.create_batch(s, who.actor, record=body)


@router.get(
    "/batches/{lot}",
    response_model=BatchRead,
    summary="A batch with its record, measurements and certificates",
)
def show(
    lot: Lot, who: Principal = Depends(need("qc:read")), svc: AppContext = Depends(app_context)
) -> BatchRead:
    with svc.db.reader() as s:
        return qc.get_batch(s, who.actor, lot)


@router.post(
    "/batches/{lot}/imports",
    response_model=list[MeasurementRead],
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
) -> list[MeasurementRead]:
    if format == "viewsizer":
        raise UserInputError(
            "ViewSizer results are folders; import them with the CLI",
            field="format",
            expected="a single-file format",
        )
    with tempfile.TemporaryDirectory(prefix="exoderm-upload-") as tmp:
        path = await save_upload(file, FsPath(tmp))

        def work() -> list[MeasurementRead]:
            with svc.db.transaction() as s:
                return qc.import_measurements(
                    s, who.actor, lot, path, format=format, source_name=path.name
                )

        return await run_in_threadpool(work)


@router.get(
    "/batches/{lot}/check",
    response_model=DecisionRead,
    summary="MISEV checklist, specification and release decision (nothing stored)",
)
def check(
    lot: Lot,
    spec: SpecName = None,
    who: Principal = Depends(need("qc:read")),
    svc: AppContext = Depends(app_context),
) -> DecisionRead:
    with svc.db.reader() as s:
        return qc.check_batch(s, who.actor, lot, spec=spec)


@router.post(
    "/batches/{lot}/certificates",
    response_model=CertificateRead,
    status_code=201,
    summary="Sign a certificate of analysis (a new version; signed ones never change)",
)
def sign(
    lot: Lot,
    body: SignRequest,
    request: Request,
    who: Principal = Depends(need("qc:write")),
    svc: AppContext = Depends(app_context),
) -> CertificateRead:
    """The caller re-enters their password; the signature records their name, the meaning
    and the UTC time."""
    with svc.db.reader() as s:
        qc.check_may_sign(s, who.actor, lot)
    signer = reauthenticate(
        svc.db,
        who.actor,
        body.password,
        address=client_address(request),
        via="API token" if who.via == "token" else "browser session",
    )
    with svc.db.transaction() as s:
        return qc.sign_certificate(
            s,
            signer,
            lot,
            meaning=body.meaning,
            spec=body.spec,
            reason=body.reason,
            second_person=svc.settings.release_needs_review,
        )


@router.get(
    "/batches/{lot}/certificates",
    response_model=list[CertificateRead],
    summary="Every certificate version of a batch",
)
def certificates(
    lot: Lot, who: Principal = Depends(need("qc:read")), svc: AppContext = Depends(app_context)
) -> list[CertificateRead]:
    with svc.db.reader() as s:
        return qc.list_certificates(s, who.actor, lot)


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
        cert = qc.get_certificate(s, who.actor, lot, version)
    return Response(
        cert.pdf,
        media_type="application/pdf",
        headers=attachment(f"coa-{lot}-v{version}.pdf"),
    )


#: A signed certificate's content as a document (RFC 6839 "+json" structured syntax).
CERTIFICATE_JSON = "application/vnd.exoderm.certificate+json"


@router.get(
    "/batches/{lot}/certificates/{version}/json",
    response_class=Response,
    summary="A signed certificate's content with its digital signature, as a file to check",
    responses={200: {"content": {CERTIFICATE_JSON: {}}}},
)
def certificate_json(
    lot: Lot,
    version: Version,
    who: Principal = Depends(need("qc:read")),
    svc: AppContext = Depends(app_context),
) -> Response:
    with svc.db.reader() as s:
        content = qc.get_certificate(s, who.actor, lot, version).content
    return Response(
        json.dumps(content, indent=2, ensure_ascii=False).encode("utf-8"),
        media_type=CERTIFICATE_JSON,
        headers=attachment(f"coa-{lot}-v{version}.json"),
    )


@router.get(
    "/certificate-key",
    response_model=CertificateKeyRead,
    summary="The public key that checks this installation's certificates",
)
def certificate_key(who: Principal = Depends(need("qc:read"))) -> CertificateKeyRead:
    return qc.certificate_key(who.actor)


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
        return HTMLResponse(qc.get_certificate(s, who.actor, lot, version).html)


@router.get("/specs", response_model=list[str], summary="Specification sheets a check may name")
def specs(
    who: Principal = Depends(need("qc:read")), svc: AppContext = Depends(app_context)
) -> list[str]:
    with svc.db.reader() as s:
        return qc.list_specs(s, who.actor)
