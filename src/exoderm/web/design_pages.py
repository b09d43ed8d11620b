"""Formulation designer pages: form → ranked formulations with coverage chart and claim
verdicts; a claims checker for hand-written wording; a whole-label checker (pasted or
uploaded label, several markets, optional INCI list) with HTML and PDF reports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from exoderm.design import (
    EVIDENCE_LEVELS,
    FormulationRequest,
    FormulationSheetRead,
    FormulationSheetsRead,
    Market,
    ProductClass,
    service,
)
from exoderm.design.claims import REPORT_FORMATS, LabelDossierRead, decode_label
from exoderm.design.claims.label import MAX_LABEL_CHARS
from exoderm.errors import UserInputError
from exoderm.serving.auth import Principal
from exoderm.serving.context import AppContext, app_context
from exoderm.web.charts import bar_chart
from exoderm.web.form_values import integer, number
from exoderm.web.page_auth import page_scope
from exoderm.web.templating import is_htmx, render

router = APIRouter(prefix="/design", include_in_schema=False)
Reader = Annotated[Principal, Depends(page_scope("design:read"))]


def _context(svc: AppContext, who: Principal, **extra: Any) -> dict[str, Any]:
    with svc.db.reader() as s:
        targets = service.targets(s, who.actor)
    return {
        "targets": targets,
        "markets": [m.value for m in Market],
        "classes": [c.value for c in ProductClass],
        "levels": EVIDENCE_LEVELS,
        "results": None,
        "form": {},
        **extra,
    }


@router.get("")
def index(request: Request, who: Reader, svc: AppContext = Depends(app_context)) -> Response:
    return render(request, "design/index.html", _context(svc, who))


@router.post("")
async def design(request: Request, who: Reader, svc: AppContext = Depends(app_context)) -> Response:
    form = await request.form()
    chosen = [str(t) for t in form.getlist("target")]
    targets = {t: number(form, f"weight_{t}", 1.0) for t in chosen}
    data: dict[str, Any] = {
        "targets": targets,
        "market": str(form.get("market", "EU")),
        "product_class": str(form.get("product_class", "cosmetic")),
        "plant_only": form.get("plant_only") == "true",
        "no_human": form.get("no_human") == "true",
        "vegan": form.get("vegan") == "true",
        "max_actives": integer(form, "max_actives", 4),
        "top": integer(form, "top", 3),
    }
    simulate = form.get("simulate") == "true"
    request_model = FormulationRequest.parse(data, source="design form")

    def run() -> FormulationSheetsRead:
        with svc.db.reader() as s:
            result = service.formulate(s, who.actor, request_model)
        return service.formulation_sheets(result, simulate=simulate)

    found = await run_in_threadpool(run)
    sheets = [_with_chart(_page_data(sheet)) for sheet in [found.best, *found.alternatives]]
    return render(
        request,
        "design/index.html",
        _context(svc, who, results=sheets, form={**data, "targets": chosen, "simulate": simulate}),
    )


def _page_data(sheet: FormulationSheetRead) -> dict[str, Any]:
    """The sheet as template data; no ``expected_model`` key unless predictions ran."""
    unasked = {"expected_model"} if sheet.expected_model is None else None
    data: dict[str, Any] = sheet.model_dump(mode="json", by_alias=True, exclude=unasked)
    return data


def _with_chart(sheet: dict[str, Any]) -> dict[str, Any]:
    effects = sheet["expected_effects"]
    sheet["chart"] = (
        bar_chart(
            [e["label"] for e in effects],
            [e["weighted_coverage"] for e in effects],
            title=f"Coverage of targets, formulation {sheet['rank']}",
            xlabel="evidence-weighted coverage",
        )
        if effects
        else None
    )
    return sheet


@router.post("/claims")
def claims(
    request: Request,
    who: Reader,
    text: Annotated[str, Form(min_length=1, max_length=500)],
    market: Annotated[Market, Form()] = Market.EU,
    product_class: Annotated[ProductClass, Form()] = ProductClass.cosmetic,
    evidence_level: Annotated[str, Form(max_length=60)] = "",
    svc: AppContext = Depends(app_context),
) -> Response:
    with svc.db.reader() as s:
        verdict = service.check_claim(
            s,
            who.actor,
            text,
            market=market,
            product_class=product_class,
            evidence_level=evidence_level or None,
        )
    template = "design/_verdict.html" if is_htmx(request) else "design/verdict.html"
    return render(request, template, {"v": verdict})


# ------------------------------------------------------------------------ whole labels
_LABEL_FIELDS = ("text", "inci", "product_class", "title")


@router.get("/label")
def label_form(request: Request, who: Reader) -> Response:
    return render(request, "design/label.html", _label_context(None, {"market": ["EU"]}))


@router.post("/label")
async def label_check(
    request: Request, who: Reader, svc: AppContext = Depends(app_context)
) -> Response:
    form = await _label_values(await request.form())
    dossier = await run_in_threadpool(_label_dossier, svc, who, form)
    return render(request, "design/label.html", _label_context(dossier, form))


@router.post("/label/report")
async def label_report(
    request: Request, who: Reader, svc: AppContext = Depends(app_context)
) -> Response:
    raw = await request.form()
    fmt = str(raw.get("format", "pdf"))
    if fmt not in REPORT_FORMATS:
        raise UserInputError(
            f"report format {fmt!r}", field="format", expected=" or ".join(REPORT_FORMATS)
        )
    form = await _label_values(raw)
    dossier = await run_in_threadpool(_label_dossier, svc, who, form)
    body = await run_in_threadpool(service.render_label_report, dossier, fmt)
    media = "application/pdf" if fmt == "pdf" else "text/html; charset=utf-8"
    name = f"label-check-{dossier.checked_on.isoformat()}.{fmt}"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


async def _label_values(form: FormData) -> dict[str, Any]:
    """The label form as plain values; an uploaded .txt replaces the pasted text."""
    values: dict[str, Any] = {key: str(form.get(key) or "") for key in _LABEL_FIELDS}
    values["market"] = [str(m) for m in form.getlist("market")]
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(MAX_LABEL_CHARS * 4 + 1)
        values["text"] = decode_label(data, source=upload.filename)
    if not values["market"]:
        raise UserInputError(
            "choose at least one market", field="market", expected=", ".join(Market)
        )
    return values


def _label_dossier(svc: AppContext, who: Principal, form: dict[str, Any]) -> LabelDossierRead:
    markets = [Market.parse(m) for m in form["market"]]
    classes = [c.value for c in ProductClass]
    if (form["product_class"] or "cosmetic") not in classes:
        raise UserInputError(
            f"unknown product class {form['product_class']!r}",
            field="product_class",
            expected=", ".join(classes),
        )
    with svc.db.reader() as s:
        return service.label_report(
            s,
            who.actor,
            form["text"],
            markets=markets,
            product_class=ProductClass(form["product_class"] or "cosmetic"),
            inci=form["inci"] or None,
            title=form["title"],
        )


def _label_context(dossier: LabelDossierRead | None, form: dict[str, Any]) -> dict[str, Any]:
    return {
        "markets": [m.value for m in Market],
        "classes": [c.value for c in ProductClass],
        "formats": REPORT_FORMATS,
        "d": dossier,
        "form": form,
    }
