"""Formulation designer pages: form → ranked formulations with coverage chart and claim
verdicts; a claims checker for hand-written wording."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from exoderm.api.routers.design import catalogue, run_formulation
from exoderm.design import EVIDENCE_LEVELS, FormulationRequest, Market, ProductClass, check_claim
from exoderm.design.sheet import sheet_data
from exoderm.serving.auth import Principal
from exoderm.serving.context import AppContext, app_context
from exoderm.simulate.expectation import expected_outcomes
from exoderm.web.charts import bar_chart
from exoderm.web.form_values import integer, number
from exoderm.web.page_auth import page_scope
from exoderm.web.templating import is_htmx, render

router = APIRouter(prefix="/design", include_in_schema=False)
Reader = Annotated[Principal, Depends(page_scope("design:read"))]


def _context(svc: AppContext, **extra: Any) -> dict[str, Any]:
    cat = catalogue(svc)
    return {
        "targets": list(cat.targets.values()),
        "markets": [m.value for m in Market],
        "classes": [c.value for c in ProductClass],
        "levels": EVIDENCE_LEVELS,
        "results": None,
        "form": {},
        **extra,
    }


@router.get("")
def index(request: Request, who: Reader, svc: AppContext = Depends(app_context)) -> Response:
    return render(request, "design/index.html", _context(svc))


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
    from starlette.concurrency import run_in_threadpool

    result = await run_in_threadpool(run_formulation, svc, request_model)
    expected = (
        await run_in_threadpool(lambda: [expected_outcomes(f) for f in result.all])
        if simulate
        else [None] * len(result.all)
    )
    sheets = []
    for f, predicted in zip(result.all, expected, strict=True):
        sheet = sheet_data(f, predicted)
        effects = sheet["expected_effects"]
        sheet["chart"] = (
            bar_chart(
                [e["label"] for e in effects],
                [e["weighted_coverage"] for e in effects],
                title=f"Coverage of targets, formulation {f.rank}",
                xlabel="evidence-weighted coverage",
            )
            if effects
            else None
        )
        sheets.append(sheet)
    return render(
        request,
        "design/index.html",
        _context(svc, results=sheets, form={**data, "targets": chosen, "simulate": simulate}),
    )


@router.post("/claims")
def claims(
    request: Request,
    who: Reader,
    text: Annotated[str, Form(min_length=1, max_length=500)],
    market: Annotated[Market, Form()] = Market.EU,
    product_class: Annotated[ProductClass, Form()] = ProductClass.cosmetic,
    evidence_level: Annotated[str, Form(max_length=60)] = "",
) -> Response:
    verdict = check_claim(text, market.value, product_class.value, evidence_level or None)
    template = "design/_verdict.html" if is_htmx(request) else "design/verdict.html"
    return render(request, template, {"v": verdict})
