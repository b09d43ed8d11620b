"""Clients over HTTP: records, assessments, screening, regimens, outcomes, privacy.

Every call goes through :mod:`exoderm.clients`, which checks the role and organisation
of the :class:`~exoderm.accounts.actor.Actor` (a client of another organisation is "not
found") and writes an audit event for every read and write. Personal data (name,
contact, date of birth) is only returned to roles that may see it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from exoderm.api.problems import problem_responses
from exoderm.clients import (
    INSTRUMENTS,
    ClientProfile,
    ClientView,
    Consent,
    PersonalData,
    add_client,
    add_consent,
    client_outcomes,
    create_regimen,
    erase_client,
    export_client,
    list_clients,
    record_assessment,
    regimen_calendar,
    regimen_html,
    regimen_pdf,
    screen_client,
    show_client,
    update_profile,
)
from exoderm.serving.auth import Principal, need
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.paging import page_query
from exoderm.storage.paging import Page, PageQuery, page_of_list
from exoderm.storage.timestamps import UtcDatetime

router = APIRouter(
    prefix="/clients", tags=["clients"], responses=problem_responses(401, 403, 404, 422)
)

Pseudonym = Annotated[
    str,
    Path(
        min_length=3,
        max_length=40,
        pattern=r"^[A-Za-z0-9-]+$",
        description="The client's pseudonym, e.g. C-7K2M9QXT.",
    ),
]


class ConsentIn(BaseModel):
    topic: str = Field(min_length=1, max_length=100, examples=["treatment"])
    version: str = Field(min_length=1, max_length=40, examples=["v1"])
    given: bool = True

    def to_consent(self) -> Consent:
        return Consent(topic=self.topic, version=self.version, given=self.given)


class NewClient(BaseModel):
    personal: PersonalData
    profile: ClientProfile
    organisation_id: int | None = Field(
        None, ge=1, le=2_147_483_647, description="Default: the caller's organisation."
    )
    consents: list[ConsentIn] = Field(default_factory=list, max_length=50)


class ClientOut(BaseModel):
    pseudonym: str
    organisation_id: int
    created_at: UtcDatetime
    erased: bool
    age_band: str | None
    profile: dict[str, Any]
    personal: dict[str, Any] | None = Field(description="Only for roles that may see it.")
    consents: list[dict[str, Any]]

    @classmethod
    def of(cls, v: ClientView) -> ClientOut:
        return cls(
            pseudonym=v.pseudonym,
            organisation_id=v.organisation_id,
            created_at=v.created_at,
            erased=v.erased,
            age_band=v.age_band,
            profile=v.profile.model_dump(mode="json"),
            personal=v.personal.model_dump(mode="json") if v.personal else None,
            consents=v.consents,
        )


class ClientRow(BaseModel):
    pseudonym: str
    organisation_id: int
    phototype: int | None
    concerns: list[str]
    erased: bool
    created: str


class AssessmentIn(BaseModel):
    instrument: str = Field(min_length=1, max_length=40, examples=["dlqi"])
    inputs: dict[str, Any] = Field(description="Item → value, as the instrument defines.")
    visit_date: date | None = None


class AssessmentOut(BaseModel):
    id: int
    instrument: str
    visit_date: date
    value: float
    band: str | None
    components: dict[str, Any]
    inputs: dict[str, Any]
    recorded_by: str


class InstrumentOut(BaseModel):
    code: str
    name: str
    measures: str
    range: str
    unit: str
    direction: str
    source: str
    clinician_only: bool
    fields: list[str]


class VerdictOut(BaseModel):
    option: str
    kind: str
    rule: str
    action: str
    severity: str
    reason: str
    source: str


class ScreeningOut(BaseModel):
    flags: list[str]
    blocked: list[VerdictOut]
    warnings: list[VerdictOut]
    allowed_procedures: list[str]
    excluded_ingredients: list[str]


class RegimenIn(BaseModel):
    start: date | None = None
    simulate: bool = Field(
        False, description="Add the simulator's expected outcome (a labelled model prediction)."
    )


class OutcomeRow(BaseModel):
    instrument: str
    series: str
    visit_date: str
    value: float
    baseline: float
    change: float
    percent_improvement: float | None
    responders: dict[str, bool | None]
    note: str


@router.get(
    "/instruments",
    response_model=list[InstrumentOut],
    summary="Assessment instruments with their ranges and sources",
)
def instruments(who: Principal = Depends(need("clients:read"))) -> list[InstrumentOut]:
    return [
        InstrumentOut(
            code=t.info.code,
            name=t.info.name,
            measures=t.info.measures,
            range=t.info.range_text,
            unit=t.info.unit,
            direction=t.info.direction.value,
            source=t.info.source,
            clinician_only=t.info.clinician_only,
            fields=list(t.fields),
        )
        for t in INSTRUMENTS.values()
    ]


@router.get("", response_model=Page[ClientRow], summary="Clients of my organisation")
def clients(
    who: Annotated[Principal, Depends(need("clients:read"))],
    page: Annotated[PageQuery, Depends(page_query)],
    concern: str | None = Query(None, max_length=100, description="Only with this concern."),
    svc: AppContext = Depends(app_context),
) -> Page[ClientRow]:
    with svc.db.transaction() as s:
        rows = list_clients(s, who.actor)
    if concern:
        rows = [r for r in rows if concern.lower() in (c.lower() for c in r["concerns"])]
    items, total = page_of_list(rows, page)
    return Page[ClientRow](
        items=[ClientRow(**r) for r in items], total=total, limit=page.limit, offset=page.offset
    )


@router.post("", response_model=ClientOut, status_code=201, summary="Add a client")
def create(
    body: NewClient,
    who: Principal = Depends(need("clients:write")),
    svc: AppContext = Depends(app_context),
) -> ClientOut:
    with svc.db.transaction() as s:
        view = add_client(
            s,
            who.actor,
            personal=body.personal,
            profile=body.profile,
            organisation_id=body.organisation_id,
            consents=[c.to_consent() for c in body.consents],
        )
        return ClientOut.of(view)


@router.get("/{pseudonym}", response_model=ClientOut, summary="One client (audited read)")
def show(
    pseudonym: Pseudonym,
    who: Principal = Depends(need("clients:read")),
    svc: AppContext = Depends(app_context),
) -> ClientOut:
    with svc.db.transaction() as s:
        return ClientOut.of(show_client(s, who.actor, pseudonym))


@router.put("/{pseudonym}/profile", response_model=ClientOut, summary="Replace the profile")
def put_profile(
    pseudonym: Pseudonym,
    body: ClientProfile,
    who: Principal = Depends(need("clients:write")),
    svc: AppContext = Depends(app_context),
) -> ClientOut:
    with svc.db.transaction() as s:
        return ClientOut.of(update_profile(s, who.actor, pseudonym, body))


@router.post(
    "/{pseudonym}/consents",
    status_code=204,
    response_class=Response,
    summary="Record a consent given or withdrawn",
)
def consent(
    pseudonym: Pseudonym,
    body: ConsentIn,
    who: Principal = Depends(need("clients:write")),
    svc: AppContext = Depends(app_context),
) -> Response:
    with svc.db.transaction() as s:
        add_consent(s, who.actor, pseudonym, body.to_consent())
    return Response(status_code=204)


@router.post(
    "/{pseudonym}/assessments",
    response_model=AssessmentOut,
    status_code=201,
    summary="Score and store an assessment",
)
def assess(
    pseudonym: Pseudonym,
    body: AssessmentIn,
    who: Principal = Depends(need("clients:write")),
    svc: AppContext = Depends(app_context),
) -> AssessmentOut:
    with svc.db.transaction() as s:
        a = record_assessment(
            s, who.actor, pseudonym, body.instrument, body.inputs, visit_date=body.visit_date
        )
        return AssessmentOut(
            id=a.id,
            instrument=a.instrument,
            visit_date=a.visit_date,
            value=a.value,
            band=a.band,
            components=a.components,
            inputs=a.inputs,
            recorded_by=a.recorded_by,
        )


@router.get(
    "/{pseudonym}/screening",
    response_model=ScreeningOut,
    summary="Contraindications and precautions, each with its rule and source",
)
def screening(
    pseudonym: Pseudonym,
    who: Principal = Depends(need("clients:read")),
    svc: AppContext = Depends(app_context),
) -> ScreeningOut:
    with svc.db.transaction() as s:
        r = screen_client(s, who.actor, pseudonym)
    return ScreeningOut(
        flags=list(r.flags),
        blocked=[VerdictOut(**v.row()) for v in r.blocked],
        warnings=[VerdictOut(**v.row()) for v in r.warnings],
        allowed_procedures=list(r.allowed_procedures),
        excluded_ingredients=list(r.excluded_ingredients),
    )


@router.post(
    "/{pseudonym}/regimens",
    summary="Build and store a regimen",
    status_code=201,
    responses={
        201: {
            "content": {
                "application/json": {},
                "text/calendar": {},
                "application/pdf": {},
                "text/html": {},
            }
        }
    },
)
def regimen(
    pseudonym: Pseudonym,
    body: RegimenIn,
    format: Literal["json", "ics", "pdf", "html"] = Query("json"),
    who: Principal = Depends(need("clients:write")),
    svc: AppContext = Depends(app_context),
) -> Response:
    with svc.db.transaction() as s:
        plan = create_regimen(s, who.actor, pseudonym, start=body.start, simulate=body.simulate)
    if format == "ics":
        return Response(regimen_calendar(plan), status_code=201, media_type="text/calendar")
    if format == "pdf":
        return Response(regimen_pdf(plan), status_code=201, media_type="application/pdf")
    if format == "html":
        return Response(regimen_html(plan), status_code=201, media_type="text/html")
    return Response(plan.model_dump_json(), status_code=201, media_type="application/json")


@router.get(
    "/{pseudonym}/outcomes",
    response_model=list[OutcomeRow],
    summary="Change from baseline and responder status per instrument",
)
def outcomes(
    pseudonym: Pseudonym,
    who: Principal = Depends(need("clients:read")),
    svc: AppContext = Depends(app_context),
) -> list[OutcomeRow]:
    with svc.db.transaction() as s:
        report = client_outcomes(s, who.actor, pseudonym)
    return [
        OutcomeRow(
            instrument=p.instrument,
            series=p.series,
            visit_date=p.visit_date,
            value=p.value,
            baseline=p.baseline,
            change=p.change,
            percent_improvement=p.percent_improvement,
            responders=p.responders,
            note=p.note,
        )
        for p in report.points
    ]


@router.get(
    "/{pseudonym}/export",
    response_model=dict[str, Any],
    summary="Everything recorded about a client (data portability)",
)
def export(
    pseudonym: Pseudonym,
    who: Principal = Depends(need("clients:read")),
    svc: AppContext = Depends(app_context),
) -> dict[str, Any]:
    with svc.db.transaction() as s:
        return export_client(s, who.actor, pseudonym)


@router.delete(
    "/{pseudonym}",
    response_model=dict[str, Any],
    summary="Erase personal data (anonymised outcomes are kept)",
)
def erase(
    pseudonym: Pseudonym,
    who: Principal = Depends(need("clients:write")),
    svc: AppContext = Depends(app_context),
) -> dict[str, Any]:
    with svc.db.transaction() as s:
        summary = erase_client(s, who.actor, pseudonym)
    from exoderm.clients import purge_freed_pages

    purge_freed_pages(svc.db)
    return summary
