"""Design over HTTP: formulate under constraints (MILP), check claims, the catalogue,
product types, existing formulas checked and improved.

An infeasible request is a 422 problem that names the conflicting constraints. Every
answer is a typed model of :mod:`exoderm.design.service`. Raw-material lists and
formulas arrive as JSON rows, one row per component as in the CSV files
(:mod:`exoderm.design.raw_materials`, :mod:`exoderm.design.formula_file`); they are
validated by the design module, and a bad row is a 422 problem whose ``file`` is the
list (``raw_materials`` or ``rows``), ``line`` the row's position counting from 1 and
``field`` the column.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from exoderm.api.problems import problem_responses
from exoderm.design import (
    EVIDENCE_LEVELS,
    ClaimVerdictRead,
    FormulationRequest,
    FormulationSheetRead,
    FormulationSheetsRead,
    Kind,
    Market,
    ProductClass,
    Target,
    service,
)
from exoderm.design.annex_limits import Route as AnnexRoute
from exoderm.design.claims.label import MAX_LABEL_CHARS, LabelReportRead
from exoderm.design.formula_check import FormulaCheckRead
from exoderm.design.formula_file import FormulaFile, formula_from_records
from exoderm.design.inventory import InventoryEntry, InventoryStats
from exoderm.design.raw_materials import MAX_ROWS, RawMaterialList, raw_materials_from_records
from exoderm.design.service import IngredientRead
from exoderm.design.skeletons import Skeleton
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


class RawMaterialRow(BaseModel):
    """One component of a raw material: one row of the long-format raw-material CSV.

    Supplier, cost, currency, minimum order, functions and notes may be given on one row
    of the trade name only; rows of one trade name must not disagree.
    """

    model_config = ConfigDict(extra="forbid")

    trade_name: str = Field(max_length=200, examples=["Example Preservative PE-90"])
    supplier: str = Field("", max_length=200, examples=["Example Supplier A"])
    inci: str = Field(max_length=300, description="A CosIng INCI name.", examples=["Aqua"])
    percent: float = Field(description="The component's share of the raw material, % w/w.")
    cost_per_kg: float | None = Field(None, description="Price of a kilogram of the raw material.")
    currency: str | None = Field(None, max_length=3, examples=["EUR"])
    minimum_order_kg: float | None = None
    functions: list[str] = Field(default_factory=list, max_length=20, examples=[["preservative"]])
    notes: str = Field("", max_length=2000)

    def cells(self) -> dict[str, str]:
        """The row as the CSV reader's cells (empty text for a value not given)."""
        return {
            "trade_name": self.trade_name,
            "supplier": self.supplier,
            "inci": self.inci,
            "percent": str(self.percent),
            "cost_per_kg": _text(self.cost_per_kg),
            "currency": self.currency or "",
            "minimum_order_kg": _text(self.minimum_order_kg),
            "functions": ";".join(self.functions),
            "notes": self.notes,
        }


class FormulaRowIn(BaseModel):
    """One row of an existing formula: an INCI name or a raw material's trade name."""

    model_config = ConfigDict(extra="forbid")

    ingredient: str = Field(max_length=300, examples=["Phenoxyethanol"])
    percent: float = Field(description="% w/w of the formula.", examples=[0.8])
    phase: str | None = Field(
        None, max_length=20, description="A letter A, B, C … or water, oil, cool-down."
    )
    ph: float | None = Field(None, description="The formula's pH, on any one row.")

    def cells(self) -> dict[str, str]:
        """The row as the formula reader's cells."""
        return {
            "ingredient": self.ingredient,
            "percent": str(self.percent),
            "phase": self.phase or "",
            "ph": _text(self.ph),
        }


def _text(value: float | None) -> str:
    return "" if value is None else str(value)


class FormulationAsk(FormulationRequest):
    """Targets and constraints, and optionally the raw materials to build from."""

    raw_materials: list[RawMaterialRow] | None = Field(
        None,
        max_length=MAX_ROWS,
        description="Your raw materials, one row per component: build and price from them.",
    )

    def request(self) -> FormulationRequest:
        """The design request without the raw materials."""
        return FormulationRequest.model_validate(self.model_dump(exclude={"raw_materials"}))


class FormulaCheck(BaseModel):
    """An existing formula to check, where it is sold and how it is used."""

    model_config = ConfigDict(extra="forbid")

    rows: list[FormulaRowIn] = Field(min_length=1, max_length=MAX_ROWS)
    market: Market = Market.EU
    route: AnnexRoute = "leave-on"
    raw_materials: list[RawMaterialRow] | None = Field(
        None, max_length=MAX_ROWS, description="Raw materials whose trade names rows may use."
    )


class ImprovementTargets(FormulationRequest):
    """What the improved formula aims at; an existing formula need not carry an EV."""

    min_ev_sources: int = Field(0, ge=0, le=10)


class Improvement(BaseModel):
    """An existing formula, the targets, and how many actives may change."""

    model_config = ConfigDict(extra="forbid")

    rows: list[FormulaRowIn] = Field(min_length=1, max_length=MAX_ROWS)
    request: ImprovementTargets
    max_changes: int = Field(
        1,
        ge=0,
        le=100,
        description="Most actives added or removed (a bound above the formula's actives "
        "plus max_actives changes nothing).",
    )
    raw_materials: list[RawMaterialRow] | None = Field(
        None,
        max_length=MAX_ROWS,
        description="Your raw materials, one row per component: build and price from them.",
    )


class ImprovementSheetsRead(BaseModel):
    """The existing formula's findings, what changed, and the improved formula's sheets."""

    check: FormulaCheckRead = Field(description="The existing formula's rule findings.")
    recognised: list[str] = Field(description="Catalogue actives found in the formula.")
    max_changes: int
    kept: list[str]
    added: list[str]
    removed: list[str]
    before: dict[str, float] = Field(description="Weighted coverage per target, existing.")
    after: dict[str, float] = Field(description="Weighted coverage per target, improved.")
    best: FormulationSheetRead = Field(description="The improved formula's sheet.")
    alternatives: list[FormulationSheetRead]


def _raw_materials(rows: list[RawMaterialRow] | None) -> RawMaterialList | None:
    if rows is None:
        return None
    records = [(n, row.cells()) for n, row in enumerate(rows, start=1)]
    return raw_materials_from_records(records, source="raw_materials")


def _formula(rows: list[FormulaRowIn], materials: RawMaterialList | None) -> FormulaFile:
    records = [(n, row.cells()) for n, row in enumerate(rows, start=1)]
    return formula_from_records(records, raw_materials=materials, source="rows")


@router.post(
    "/formulate",
    response_model=FormulationSheetsRead,
    summary="The optimal formulation and the next alternatives",
    responses={200: {"content": {"text/html": _TEXT, "text/markdown": _TEXT}}},
)
def design(
    body: FormulationAsk,
    format: Literal["json", "html", "markdown"] = Query("json"),
    simulate: bool = Query(
        False, description="Add the simulator's expected effects (a labelled model prediction)."
    ),
    who: Principal = Depends(need("design:read")),
    svc: AppContext = Depends(app_context),
) -> FormulationSheetsRead | Response:
    materials = _raw_materials(body.raw_materials)
    with svc.db.reader() as s:
        result = service.formulate(s, who.actor, body.request(), raw_materials=materials)
    if format == "json":
        return service.formulation_sheets(result, simulate=simulate)
    media = {"html": "text/html", "markdown": "text/markdown"}[format]
    text = service.render_formulation(result.best, format, simulate=simulate)
    return Response(text, media_type=media)


@router.get(
    "/product-types",
    response_model=list[Skeleton],
    summary="Product types: phases in order of addition (temperature, shear) and slots",
)
def product_types(who: Principal = Depends(need("design:read"))) -> list[Skeleton]:
    return service.product_types(who.actor)


@router.post(
    "/formula-checks",
    response_model=FormulaCheckRead,
    summary="Check an existing formula: prohibitions, annex limits, pH, incompatible pairs",
)
def formula_checks(
    body: FormulaCheck, who: Principal = Depends(need("design:read"))
) -> FormulaCheckRead:
    formula = _formula(body.rows, _raw_materials(body.raw_materials))
    return service.check_formula(who.actor, formula, market=body.market, route=body.route)


@router.post(
    "/improvements",
    response_model=ImprovementSheetsRead,
    summary="The best formula within max_changes actives of an existing one",
)
def improvements(
    body: Improvement,
    who: Principal = Depends(need("design:read")),
    svc: AppContext = Depends(app_context),
) -> ImprovementSheetsRead:
    materials = _raw_materials(body.raw_materials)
    formula = _formula(body.rows, materials)
    with svc.db.reader() as s:
        out = service.improve_formula(
            s,
            who.actor,
            formula,
            body.request,
            max_changes=body.max_changes,
            raw_materials=materials,
        )
    sheets = service.formulation_sheets(out.result)
    return ImprovementSheetsRead(
        check=out.check,
        recognised=out.recognised,
        max_changes=out.max_changes,
        kept=out.kept,
        added=out.added,
        removed=out.removed,
        before=out.before,
        after=out.after,
        best=sheets.best,
        alternatives=sheets.alternatives,
    )


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
