"""Formulation designer pages: form (product type, optional raw-material list) → ranked
formulations with coverage chart, manufacturing procedure by phase, raw materials and
cost per kg, and claim verdicts; a claims checker for hand-written wording; a whole-label
checker (pasted or uploaded label, several markets, optional INCI list) with HTML and PDF
reports; a formula check (an uploaded CSV/XLSX formula against the annex rules, pH
windows and declared incompatibilities)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.datastructures import UploadFile as FormFile
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
from exoderm.design.annex_limits import ROUTES
from exoderm.design.annex_limits import Route as AnnexRoute
from exoderm.design.claims import REPORT_FORMATS, LabelDossierRead, decode_label
from exoderm.design.claims.label import MAX_LABEL_CHARS
from exoderm.design.formula_check import FormulaCheckRead
from exoderm.design.formula_file import FormulaFile, formula_from_records
from exoderm.design.raw_materials import (
    MAX_FILE_BYTES,
    RawMaterialList,
    Record,
    raw_materials_from_records,
    read_table,
)
from exoderm.errors import Location, Problem, UserInputError, ValidationFailed
from exoderm.serving.auth import Principal
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.downloads import attachment
from exoderm.serving.uploads import save_upload
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
        "product_types": service.product_types(who.actor),
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
async def design(
    request: Request,
    who: Reader,
    raw_materials: Annotated[UploadFile | None, File()] = None,
    svc: AppContext = Depends(app_context),
) -> Response:
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
    product_type = str(form.get("product_type") or "")
    if product_type:
        data["product_type"] = product_type
    simulate = form.get("simulate") == "true"
    request_model = FormulationRequest.parse(data, source="design form")
    with tempfile.TemporaryDirectory(prefix="exoderm-upload-") as tmp:
        materials = await _raw_material_upload(raw_materials, Path(tmp))

    def run() -> FormulationSheetsRead:
        with svc.db.reader() as s:
            result = service.formulate(s, who.actor, request_model, raw_materials=materials)
        return service.formulation_sheets(result, simulate=simulate)

    found = await run_in_threadpool(run)
    sheets = [_with_chart(_page_data(sheet)) for sheet in [found.best, *found.alternatives]]
    shown = {**data, "targets": chosen, "simulate": simulate, "product_type": product_type}
    return render(request, "design/index.html", _context(svc, who, results=sheets, form=shown))


# ---------------------------------------------------------------------------- uploads
async def _saved_table(upload: UploadFile, folder: Path, what: str) -> tuple[list[Record], str]:
    """An uploaded CSV/XLSX table's rows and the upload's name (the problems' file)."""
    path = await save_upload(
        upload, folder, max_bytes=MAX_FILE_BYTES, expected=f"{what} (CSV or XLSX)"
    )
    try:
        return await run_in_threadpool(read_table, path), path.name
    except UserInputError as exc:
        found = exc.problem
        where = Location(path.name, found.location.line, found.location.field)
        raise ValidationFailed(
            [Problem(found.message, where, found.expected)], subject=f"{what} {path.name}"
        ) from exc


async def _raw_material_upload(upload: UploadFile | None, folder: Path) -> RawMaterialList | None:
    """The uploaded raw-material list (:mod:`exoderm.design.raw_materials`), if one was sent."""
    if upload is None or not upload.filename:
        return None
    records, name = await _saved_table(upload, folder, "raw-material list")
    return await run_in_threadpool(lambda: raw_materials_from_records(records, source=name))


async def _formula_upload(
    upload: UploadFile, folder: Path, materials: RawMaterialList | None
) -> FormulaFile:
    if not upload.filename:
        raise UserInputError(
            "choose the formula file", field="formula", expected="a CSV or XLSX formula"
        )
    records, name = await _saved_table(upload, folder, "formula")
    return await run_in_threadpool(
        lambda: formula_from_records(records, raw_materials=materials, source=name)
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


# ----------------------------------------------------------------------- formula check
@router.get("/check")
def formula_check_form(request: Request, who: Reader) -> Response:
    return render(request, "design/check.html", _check_context(None, {}))


@router.post("/check")
async def formula_check(
    request: Request,
    who: Reader,
    formula: Annotated[UploadFile, File()],
    raw_materials: Annotated[UploadFile | None, File()] = None,
    market: Annotated[Market, Form()] = Market.EU,
    route: Annotated[AnnexRoute, Form()] = "leave-on",
) -> Response:
    with tempfile.TemporaryDirectory(prefix="exoderm-upload-") as tmp:
        materials = await _raw_material_upload(raw_materials, Path(tmp))
        parsed = await _formula_upload(formula, Path(tmp), materials)
    check = await run_in_threadpool(
        lambda: service.check_formula(who.actor, parsed, market=market, route=route)
    )
    form = {"market": market.value, "route": route, "file": Path(parsed.source).name}
    return render(request, "design/check.html", _check_context(check, form))


def _check_context(check: FormulaCheckRead | None, form: dict[str, str]) -> dict[str, Any]:
    return {
        "markets": [m.value for m in Market],
        "routes": ROUTES,
        "check": check,
        "errors": check.errors if check is not None else [],
        "form": form,
    }


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
    return Response(body, media_type=media, headers=attachment(name))


async def _label_values(form: FormData) -> dict[str, Any]:
    """The label form as plain values; an uploaded .txt replaces the pasted text."""
    values: dict[str, Any] = {key: str(form.get(key) or "") for key in _LABEL_FIELDS}
    values["market"] = [str(m) for m in form.getlist("market")]
    upload = form.get("file")
    if isinstance(upload, FormFile) and upload.filename:
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
