"""Design over HTTP: formulate under constraints (MILP), check claims, the catalogue.

An infeasible request is a 422 problem that names the conflicting constraints. Every
answer is a typed model of :mod:`exoderm.design.service`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from exoderm.api.problems import problem_responses
from exoderm.design import (
    EVIDENCE_LEVELS,
    ClaimVerdictRead,
    FormulationRequest,
    FormulationSheetsRead,
    Kind,
    Market,
    ProductClass,
    Target,
    service,
)
from exoderm.design.claims.label import MAX_LABEL_CHARS, LabelReportRead
from exoderm.design.inventory import InventoryEntry, InventoryStats
from exoderm.design.service import IngredientRead
from exoderm.serving.auth import Principal, need
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.paging import page_query
from exoderm.storage.paging import Page, PageQuery

router = APIRouter(prefix="/design", tags=["design"], responses=problem_responses(401, 403, 422))


#: The sheet as a document (``format=html`` or ``markdown``).
_TEXT = {"schema": {"type": "string"}}


class ClaimCheck(BaseModel):
    text: str = Field(min_length=1, max_length=500, examples=["visibly reduces fine lines"])
    market: Market = Market.EU
    product_class: ProductClass = ProductClass.cosmetic
    evidence_level: str | None = Field(None, description="One of " + ", ".join(EVIDENCE_LEVELS))
    cites: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Evidence behind the claim: evidence-claim ids, 'doi:...' or 'pmid:...', "
        "resolved in the evidence graph; a level found there replaces evidence_level.",
        examples=[["lit-park2023-wrinkles"]],
    )


class LabelCheck(BaseModel):
    text: str = Field(
        min_length=1,
        max_length=MAX_LABEL_CHARS,
        description="A whole label or product page; a line 'Ingredients: ...' is the INCI list.",
        examples=["Hydrates skin. Works without injections. Ingredients: Aqua, Glycerin"],
    )
    markets: list[Market] = Field(default_factory=lambda: [Market.EU], min_length=1)
    product_class: ProductClass = ProductClass.cosmetic
    inci: list[str] | None = Field(None, description="INCI names, when not on the label.")
    cites: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Evidence behind the label's claims (evidence-claim ids, 'doi:...', "
        "'pmid:...'), resolved in the evidence graph for every sentence.",
    )


@router.post(
    "/formulate",
    response_model=FormulationSheetsRead,
    summary="The optimal formulation and the next alternatives",
    responses={200: {"content": {"text/html": _TEXT, "text/markdown": _TEXT}}},
)
def design(
    body: FormulationRequest,
    format: Literal["json", "html", "markdown"] = Query("json"),
    simulate: bool = Query(
        False, description="Add the simulator's expected effects (a labelled model prediction)."
    ),
    who: Principal = Depends(need("design:read")),
    svc: AppContext = Depends(app_context),
) -> FormulationSheetsRead | Response:
    with svc.db.reader() as s:
        result = service.formulate(s, who.actor, body)
    if format == "json":
        return service.formulation_sheets(result, simulate=simulate)
    media = {"html": "text/html", "markdown": "text/markdown"}[format]
    text = service.render_formulation(result.best, format, simulate=simulate)
    return Response(text, media_type=media)


@router.post(
    "/claims/check",
    response_model=ClaimVerdictRead,
    summary="Check claim wording for a market and product class",
)
def claims(
    body: ClaimCheck,
    who: Principal = Depends(need("design:read")),
    svc: AppContext = Depends(app_context),
) -> ClaimVerdictRead:
    with svc.db.reader() as s:
        return service.check_claim(
            s,
            who.actor,
            body.text,
            market=body.market,
            product_class=body.product_class,
            evidence_level=body.evidence_level,
            cites=body.cites,
        )


@router.post(
    "/claims/label",
    response_model=LabelReportRead,
    summary="Check a whole label: a verdict per sentence and market, and the INCI identity",
)
def claims_label(
    body: LabelCheck,
    who: Principal = Depends(need("design:read")),
    svc: AppContext = Depends(app_context),
) -> LabelReportRead:
    with svc.db.reader() as s:
        return service.check_label(
            s,
            who.actor,
            body.text,
            markets=body.markets,
            product_class=body.product_class,
            inci=body.inci,
            cites=body.cites,
        )


@router.get("/catalogue", response_model=Page[IngredientRead], summary="Ingredient catalogue")
def ingredients(
    who: Annotated[Principal, Depends(need("design:read"))],
    page: Annotated[PageQuery, Depends(page_query)],
    kind: Kind | None = None,
    market: Market | None = None,
    svc: AppContext = Depends(app_context),
) -> Page[IngredientRead]:
    with svc.db.reader() as s:
        return service.catalogue(s, who.actor, kind=kind, market=market, page=page)


@router.get("/targets", response_model=list[Target], summary="Targets a design can aim at")
def targets(
    who: Principal = Depends(need("design:read")), svc: AppContext = Depends(app_context)
) -> list[Target]:
    with svc.db.reader() as s:
        return service.targets(s, who.actor)


@router.get(
    "/inventory",
    response_model=InventoryStats,
    summary="The EU CosIng inventory shipped with exoderm: counts and source",
)
def inventory(who: Principal = Depends(need("design:read"))) -> InventoryStats:
    return service.inventory_stats(who.actor)


@router.get(
    "/inventory/{name}",
    response_model=InventoryEntry,
    summary="Any INCI name: CAS, EC, CosIng functions and annex restrictions per market",
    responses=problem_responses(404),
)
def inventory_name(
    name: Annotated[str, Path(min_length=1, max_length=300, description="An INCI name.")],
    who: Principal = Depends(need("design:read")),
) -> InventoryEntry:
    return service.inventory_entry(who.actor, name)
