"""Design over HTTP: formulate under constraints (MILP), check claims, the catalogue.

An infeasible request is a 422 problem that names the conflicting constraints.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from exoderm.api.problems import problem_responses
from exoderm.design import (
    EVIDENCE_LEVELS,
    Catalogue,
    Formulation,
    FormulationRequest,
    Kind,
    Market,
    ProductClass,
    check_claim,
    formulate,
    load_catalogue,
)
from exoderm.design.sheet import render_html, render_markdown, sheet_data
from exoderm.serving.auth import Principal, need
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.paging import page_query
from exoderm.simulate.expectation import expected_outcomes
from exoderm.storage.paging import Page, PageQuery, page_of_list

router = APIRouter(prefix="/design", tags=["design"], responses=problem_responses(401, 403, 422))


def catalogue(svc: AppContext) -> Catalogue:
    """The packaged catalogue plus imported ingredients (cached for a few seconds)."""

    def load() -> Catalogue:
        with svc.db.reader() as s:
            return load_catalogue(s)

    found: Catalogue = svc.data_cache.get_or_make("design.catalogue", load)
    return found


def knowledge_base_or_none(svc: AppContext) -> Any:
    try:
        from exoderm.api.routers.evidence import knowledge_base
    except ModuleNotFoundError:
        return None
    return knowledge_base(svc)


class FormulationsOut(BaseModel):
    best: dict[str, Any] = Field(description="The optimum's formulation sheet.")
    alternatives: list[dict[str, Any]] = Field(description="Next distinct formulations.")


class ClaimCheck(BaseModel):
    text: str = Field(min_length=1, max_length=500, examples=["visibly reduces fine lines"])
    market: Market = Market.EU
    product_class: ProductClass = ProductClass.cosmetic
    evidence_level: str | None = Field(None, description="One of " + ", ".join(EVIDENCE_LEVELS))


class ClaimVerdictOut(BaseModel):
    text: str
    market: str
    product_class: str
    accepted: bool
    reason: str
    rule: str
    rewording: str | None
    rule_id: str | None
    substantiation: str
    evidence_level: str | None


class IngredientOut(BaseModel):
    key: str
    name: str
    inci: str
    kind: str
    origin: str
    role: str
    vegan: bool
    cost_tier: int


class TargetOut(BaseModel):
    id: str
    label: str
    kg_node: str
    aliases: list[str]
    is_disease: bool


def run_formulation(svc: AppContext, request: FormulationRequest) -> Any:
    return formulate(request, catalogue=catalogue(svc), kb=knowledge_base_or_none(svc))


@router.post(
    "/formulate",
    summary="The optimal formulation and the next alternatives",
    responses={200: {"model": FormulationsOut, "content": {"text/html": {}, "text/markdown": {}}}},
)
def design(
    body: FormulationRequest,
    format: Literal["json", "html", "markdown"] = Query("json"),
    simulate: bool = Query(
        False, description="Add the simulator's expected effects (a labelled model prediction)."
    ),
    who: Principal = Depends(need("design:read")),
    svc: AppContext = Depends(app_context),
) -> Response:
    result = run_formulation(svc, body)

    def expected(f: Formulation) -> list[Any] | None:
        return expected_outcomes(f) if simulate else None

    if format == "html":
        return Response(render_html(result.best, expected(result.best)), media_type="text/html")
    if format == "markdown":
        return Response(
            render_markdown(result.best, expected(result.best)), media_type="text/markdown"
        )
    out = FormulationsOut(
        best=sheet_data(result.best, expected(result.best)),
        alternatives=[sheet_data(f, expected(f)) for f in result.alternatives],
    )
    return Response(out.model_dump_json(), media_type="application/json")


@router.post(
    "/claims/check",
    response_model=ClaimVerdictOut,
    summary="Check claim wording for a market and product class",
)
def claims(body: ClaimCheck, who: Principal = Depends(need("design:read"))) -> ClaimVerdictOut:
    v = check_claim(body.text, body.market.value, body.product_class.value, body.evidence_level)
    return ClaimVerdictOut(
        text=v.text,
        market=v.market,
        product_class=v.product_class,
        accepted=v.accepted,
        reason=v.reason,
        rule=v.rule,
        rewording=v.rewording,
        rule_id=v.rule_id,
        substantiation=v.substantiation,
        evidence_level=v.evidence_level,
    )


@router.get("/catalogue", response_model=Page[IngredientOut], summary="Ingredient catalogue")
def ingredients(
    who: Annotated[Principal, Depends(need("design:read"))],
    page: Annotated[PageQuery, Depends(page_query)],
    kind: Kind | None = None,
    svc: AppContext = Depends(app_context),
) -> Page[IngredientOut]:
    items = [i for i in catalogue(svc) if kind is None or i.kind is kind]
    chosen, total = page_of_list(sorted(items, key=lambda i: i.key), page)
    return Page[IngredientOut](
        items=[
            IngredientOut(
                key=i.key,
                name=i.name,
                inci=i.inci,
                kind=i.kind.value,
                origin=i.origin.value,
                role=i.role,
                vegan=i.vegan,
                cost_tier=i.cost_tier,
            )
            for i in chosen
        ],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/targets", response_model=list[TargetOut], summary="Targets a design can aim at")
def targets(
    who: Principal = Depends(need("design:read")), svc: AppContext = Depends(app_context)
) -> list[TargetOut]:
    return [
        TargetOut(
            id=t.id,
            label=t.label,
            kg_node=t.kg_node,
            aliases=list(t.aliases),
            is_disease=t.is_disease,
        )
        for t in catalogue(svc).targets.values()
    ]
