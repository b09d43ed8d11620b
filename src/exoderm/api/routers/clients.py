"""Clients over HTTP: records, assessments, screening, regimens, outcomes, privacy.

Every call goes through :mod:`exoderm.clients.service`, which checks the role and
organisation of the :class:`~exoderm.accounts.actor.Actor` (a client of another
organisation is "not found") and writes an audit event for every read and write. Personal
data (name, contact, date of birth) is only returned to roles that may see it. The
responses are the capability's own typed models.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from exoderm.api.problems import problem_responses
from exoderm.clients import (
    Assessment,
    ClientExport,
    ClientProfile,
    ClientRead,
    ClientRow,
    Consent,
    Erasure,
    ItemValue,
    OutcomePoint,
    PersonalData,
    Regimen,
    ScreeningResult,
    purge_freed_pages,
    regimen_calendar,
    regimen_html,
    regimen_pdf,
    service,
)
from exoderm.clients.service import InstrumentRead
from exoderm.serving.auth import Principal, need
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.paging import page_query
from exoderm.storage.paging import Page, PageQuery

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


class AssessmentIn(BaseModel):
    instrument: str = Field(min_length=1, max_length=40, examples=["dlqi"])
    inputs: dict[str, ItemValue] = Field(description="Item → value, as the instrument defines.")
    visit_date: date | None = None


class RegimenIn(BaseModel):
    start: date | None = None
    simulate: bool = Field(
        False, description="Add the simulator's expected outcome (a labelled model prediction)."
    )


@router.get(
    "/instruments",
    response_model=list[InstrumentRead],
    summary="Assessment instruments with their ranges and sources",
)
def instruments(who: Principal = Depends(need("clients:read"))) -> list[InstrumentRead]:
    return service.instruments()


@router.get("", response_model=Page[ClientRow], summary="Clients of my organisation")
def clients(
    who: Annotated[Principal, Depends(need("clients:read"))],
    page: Annotated[PageQuery, Depends(page_query)],
    concern: str | None = Query(None, max_length=100, description="Only with this concern."),
    svc: AppContext = Depends(app_context),
) -> Page[ClientRow]:
    with svc.db.transaction() as s:
        return service.list_clients(s, who.actor, concern=concern, page=page)


@router.post("", response_model=ClientRead, status_code=201, summary="Add a client")
def create(
    body: NewClient,
    who: Principal = Depends(need("clients:write")),
    svc: AppContext = Depends(app_context),
) -> ClientRead:
    with svc.db.transaction() as s:
        return service.add_client(
            s,
            who.actor,
            personal=body.personal,
            profile=body.profile,
            organisation_id=body.organisation_id,
            consents=[c.to_consent() for c in body.consents],
        )


@router.get("/{pseudonym}", response_model=ClientRead, summary="One client (audited read)")
def show(
    pseudonym: Pseudonym,
    who: Principal = Depends(need("clients:read")),
    svc: AppContext = Depends(app_context),
) -> ClientRead:
    with svc.db.transaction() as s:
        return service.get_client(s, who.actor, pseudonym)


@router.put("/{pseudonym}/profile", response_model=ClientRead, summary="Replace the profile")
def put_profile(
    pseudonym: Pseudonym,
    body: ClientProfile,
    who: Principal = Depends(need("clients:write")),
    svc: AppContext = Depends(app_context),
) -> ClientRead:
    with svc.db.transaction() as s:
        return service.update_profile(s, who.actor, pseudonym, profile=body)


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
        service.add_consent(s, who.actor, pseudonym, consent=body.to_consent())
    return Response(status_code=204)


@router.post(
    "/{pseudonym}/assessments",
    response_model=Assessment,
    status_code=201,
    summary="Score and store an assessment",
)
def assess(
    pseudonym: Pseudonym,
    body: AssessmentIn,
    who: Principal = Depends(need("clients:write")),
    svc: AppContext = Depends(app_context),
) -> Assessment:
    with svc.db.transaction() as s:
        return service.record_assessment(
            s,
            who.actor,
            pseudonym,
            instrument=body.instrument,
            inputs=body.inputs,
            visit_date=body.visit_date,
        )


@router.get(
    "/{pseudonym}/screening",
    response_model=ScreeningResult,
    summary="Contraindications and precautions, each with its rule and source",
)
def screening(
    pseudonym: Pseudonym,
    who: Principal = Depends(need("clients:read")),
    svc: AppContext = Depends(app_context),
) -> ScreeningResult:
    with svc.db.transaction() as s:
        return service.screen_client(s, who.actor, pseudonym)


@router.post(
    "/{pseudonym}/regimens",
    summary="Build and store a regimen",
    status_code=201,
    response_model=Regimen,
    responses={
        201: {
            "content": {
                "text/calendar": {"schema": {"type": "string", "format": "binary"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "text/html": {"schema": {"type": "string"}},
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
        plan = service.create_regimen(
            s, who.actor, pseudonym, start=body.start, simulate=body.simulate
        )
    if format == "ics":
        return Response(regimen_calendar(plan), status_code=201, media_type="text/calendar")
    if format == "pdf":
        return Response(regimen_pdf(plan), status_code=201, media_type="application/pdf")
    if format == "html":
        return Response(regimen_html(plan), status_code=201, media_type="text/html")
    return Response(plan.model_dump_json(), status_code=201, media_type="application/json")


@router.get(
    "/{pseudonym}/outcomes",
    response_model=list[OutcomePoint],
    summary="Change from baseline and responder status per instrument",
)
def outcomes(
    pseudonym: Pseudonym,
    who: Principal = Depends(need("clients:read")),
    svc: AppContext = Depends(app_context),
) -> list[OutcomePoint]:
    with svc.db.transaction() as s:
        return service.client_outcomes(s, who.actor, pseudonym).points


@router.get(
    "/{pseudonym}/export",
    response_model=ClientExport,
    summary="Everything recorded about a client (data portability)",
)
def export(
    pseudonym: Pseudonym,
    who: Principal = Depends(need("clients:read")),
    svc: AppContext = Depends(app_context),
) -> ClientExport:
    with svc.db.transaction() as s:
        return service.export_client(s, who.actor, pseudonym)


@router.delete(
    "/{pseudonym}",
    response_model=Erasure,
    summary="Erase personal data (anonymised outcomes are kept)",
)
def erase(
    pseudonym: Pseudonym,
    who: Principal = Depends(need("clients:write")),
    svc: AppContext = Depends(app_context),
) -> Erasure:
    with svc.db.transaction() as s:
        summary = service.erase_client(s, who.actor, pseudonym)
    purge_freed_pages(svc.db)
    return summary
