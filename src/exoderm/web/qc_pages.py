"""QC pages: batch list and entry, batch page (upload an instrument export, size
distribution, MISEV checklist, release decision, signing, certificates) and trend charts.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from exoderm.qc import FORMATS, DecisionRead, MeasurementRead, parse_batch_text
from exoderm.qc import service as qc
from exoderm.qc.examples import example_record
from exoderm.qc.signing import MEANING_TEXT, Meaning, ReauthenticationFailed, reauthenticate
from exoderm.serving.auth import Principal, client_address
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.uploads import save_upload
from exoderm.web.charts import line_chart
from exoderm.web.page_auth import page_scope
from exoderm.web.templating import render

router = APIRouter(prefix="/qc", include_in_schema=False)
Reader = Annotated[Principal, Depends(page_scope("qc:read"))]
Writer = Annotated[Principal, Depends(page_scope("qc:write"))]

#: A starting point for the batch form: every section a QC analyst fills in.
TEMPLATE: dict[str, Any] = example_record("LOT-001").model_dump(mode="json", exclude_unset=True)


@router.get("")
def index(
    request: Request,
    who: Reader,
    product: str = Query("", max_length=200),
    svc: AppContext = Depends(app_context),
) -> Response:
    with svc.db.reader() as s:
        batches = qc.list_batches(s, who.actor, product=product or None).items
    return render(
        request,
        "qc/index.html",
        {
            "batches": batches,
            "product": product,
            "template": yaml.safe_dump(TEMPLATE, sort_keys=False, allow_unicode=True),
        },
    )


@router.post("")
def create(
    request: Request,
    who: Writer,
    record: Annotated[str, Form(max_length=100_000)],
    svc: AppContext = Depends(app_context),
) -> Response:
    parsed = parse_batch_text(record, "batch record")
    with svc.db.transaction() as s:
        qc.create_batch(s, who.actor, record=parsed)
    return RedirectResponse(f"/qc/batches/{parsed.lot}", status_code=303)


def _decision_view(d: DecisionRead) -> SimpleNamespace:
    """The decision in the shape the batch template reads (checklist, metric, naming)."""
    return SimpleNamespace(
        decision=d.decision,
        spec=d.spec,
        criteria=d.criteria,
        checklist=SimpleNamespace(items=d.checklist),
        metric=d.ev_metric,
        naming=SimpleNamespace(allowed_term=d.allowed_term, reason=d.naming_reason),
    )


def _distribution_chart(measurements: list[MeasurementRead]) -> str | None:
    series: dict[str, tuple[list[float], list[float]]] = {}
    for stored in measurements:
        m = stored.measurement
        bins = [b for b in m.bins if b.centre_nm <= 1000]
        values = [
            b.concentration_per_ml
            if b.concentration_per_ml is not None
            else (b.percent or b.count or 0.0)
            for b in bins
        ]
        if bins:
            series[f"#{stored.id} {m.method} {m.instrument}"[:40]] = (
                [b.centre_nm for b in bins],
                values,
            )
    if not series:
        return None
    return line_chart(
        series,
        title="Size distribution",
        xlabel="diameter (nm)",
        ylabel="particles/mL per bin (or %)",
    )


def _weighting_charts(measurements: list[MeasurementRead]) -> list[str]:
    """One size plot per weighting (Number, Surface Area, Volume) of each measurement."""
    charts: list[str] = []
    for stored in measurements:
        m = stored.measurement
        for w in m.weightings:
            pairs = [
                (x, y) for x, y in zip(w.graph_centres, w.graph_average, strict=False) if x <= 1000
            ]
            if not pairs:
                continue
            charts.append(
                line_chart(
                    {w.weighting: ([x for x, _ in pairs], [y for _, y in pairs])},
                    title=f"#{stored.id} {m.instrument}: {w.weighting} weighting",
                    xlabel="diameter (nm)",
                    ylabel="particles/mL per nm",
                )
            )
    return charts


@router.get("/batches/{lot}")
def batch(
    request: Request, lot: str, who: Reader, svc: AppContext = Depends(app_context)
) -> Response:
    with svc.db.reader() as s:
        b = qc.get_batch(s, who.actor, lot)
        decision = qc.check_batch(s, who.actor, lot)
    record = b.record
    return render(
        request,
        "qc/batch.html",
        {
            "b": b,
            "record": record,
            "measurements": b.measurements,
            "decision": _decision_view(decision),
            "certificates": b.certificates,
            "chart": _distribution_chart(b.measurements),
            "weighting_charts": _weighting_charts(b.measurements),
            "formats": FORMATS,
            "meanings": [(m.value, MEANING_TEXT[m]) for m in Meaning],
            "record_json": json.dumps(record.model_dump(mode="json"), indent=2, ensure_ascii=False),
        },
    )


@router.post("/batches/{lot}/imports")
async def upload(
    request: Request,
    lot: str,
    who: Writer,
    file: Annotated[UploadFile, File()],
    format: Annotated[str, Form(max_length=20)] = "",
    svc: AppContext = Depends(app_context),
) -> Response:
    with tempfile.TemporaryDirectory(prefix="exoderm-upload-") as tmp:
        path = await save_upload(file, Path(tmp))

        def work() -> None:
            with svc.db.transaction() as s:
                qc.import_measurements(
                    s, who.actor, lot, path, format=format or None, source_name=path.name
                )

        await run_in_threadpool(work)
    return RedirectResponse(f"/qc/batches/{lot}#measurements", status_code=303)


@router.post("/batches/{lot}/sign")
def sign(
    request: Request,
    lot: str,
    who: Writer,
    password: Annotated[str, Form(max_length=1024)] = "",
    meaning: Annotated[Meaning, Form()] = Meaning.approved,
    reason: Annotated[str, Form(max_length=2000)] = "",
    svc: AppContext = Depends(app_context),
) -> Response:
    """Sign after re-entering the password (a missing or wrong one is a 403 page: a 401
    would send the signed-in user to the login page)."""
    with svc.db.reader() as s:
        qc.check_may_sign(s, who.actor, lot)
    if not password:
        raise ReauthenticationFailed("re-enter your password to sign the certificate")
    signer = reauthenticate(
        svc.db, who.actor, password, address=client_address(request), via="browser session"
    )
    with svc.db.transaction() as s:
        cert = qc.sign_certificate(
            s,
            signer,
            lot,
            meaning=meaning,
            reason=reason or None,
            second_person=svc.settings.release_needs_review,
        )
    return RedirectResponse(f"/qc/batches/{lot}#cert-{cert.version}", status_code=303)


@router.get("/trends")
def trends(
    request: Request,
    who: Reader,
    product: str = Query("", max_length=200),
    svc: AppContext = Depends(app_context),
) -> Response:
    charts: list[dict[str, Any]] = []
    if product:
        with svc.db.reader() as s:
            found = qc.lot_trends(s, who.actor, product)
        for chart in found:
            if not chart.points:
                continue
            xs = list(range(1, len(chart.points) + 1))
            ys = [p.value for p in chart.points]
            lines = [(chart.mean, "mean")]
            if chart.sd > 0:
                lo, hi = chart.limit(3)
                lines += [(lo, "−3 SD"), (hi, "+3 SD")]
            charts.append(
                {
                    "chart": chart,
                    "svg": line_chart(
                        {chart.label: (xs, ys)},
                        title=f"{product}: {chart.label}",
                        xlabel="lot (production order)",
                        ylabel=chart.label,
                        hlines=lines,
                    ),
                }
            )
    return render(request, "qc/trends.html", {"product": product, "charts": charts})
