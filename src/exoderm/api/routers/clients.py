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

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
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
from exoderm.clients.expectations import CohortComparison, ExpectedObserved
from exoderm.clients.invitations import (
    InvitationRead,
    InvitationRequest,
    IssuedInvitation,
    Respondent,
    RespondentPrompt,
    SubmittedResponse,
    Verification,
)
from exoderm.clients.photos import MAX_BYTES, PhotoQuota, PhotoRead, PhotoTimeline, PhotoView
from exoderm.clients.rwe import ContributionRead
from exoderm.clients.service import InstrumentRead
from exoderm.clients.treatments import TreatmentInput, TreatmentRead
from exoderm.errors import PermissionDenied
from exoderm.evidence.rwe import DEFAULT_MIN_CELL, RealWorldClaimRead
from exoderm.serving.auth import Principal, client_address, need
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.paging import page_query
from exoderm.storage.paging import Page, PageQuery

router = APIRouter(
    prefix="/clients", tags=["clients"], responses=problem_responses(401, 403, 404, 422)
)
#: Endpoints a client reaches from a questionnaire link, without an account.
respond = APIRouter(
    prefix="/respond", tags=["respond"], responses=problem_responses(403, 404, 422, 429)
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


def _token_only(who: Principal, action: str) -> None:
    """A highly sensitive operation is not taken from a browser session's cookie here: the
    page asks for the password again first (ASVS 7.5.3)."""
    if who.via == "session":
        raise PermissionDenied(
            f"from a browser, {action} on the client's page, which asks for your password"
        )


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
    """With an API token; a browser session uses the client page, which asks for the
    password again first (step-up)."""
    _token_only(who, "export a client's data")
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
    """With an API token; a browser session uses the client page (step-up)."""
    _token_only(who, "erase a client's personal data")
    with svc.db.transaction() as s:
        summary = service.erase_client(
            s, who.actor, pseudonym, second_person=svc.settings.erasure_needs_approval
        )
    purge_freed_pages(svc.db)
    return summary


class VerificationIn(BaseModel):
    answer: str = Field(min_length=1, max_length=100, description="Date of birth or code.")


class ResponseIn(BaseModel):
    nonce: str = Field(min_length=10, max_length=100)
    answers: dict[str, ItemValue] = Field(max_length=100)


class ContributionIn(BaseModel):
    contributes: bool


class RealWorldBuildIn(BaseModel):
    min_cell: int = Field(DEFAULT_MIN_CELL, ge=2, le=1000)


Token = Annotated[str, Path(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]


@router.post(
    "/{pseudonym}/invitations",
    response_model=IssuedInvitation,
    status_code=201,
    summary="Send a single-use link for a patient-reported instrument",
)
def invite(
    pseudonym: Pseudonym,
    body: InvitationRequest,
    who: Principal = Depends(need("clients:write")),
    svc: AppContext = Depends(app_context),
) -> IssuedInvitation:
    with svc.db.transaction() as s:
        return service.invite_client(s, who.actor, pseudonym, request=body)


@router.get(
    "/{pseudonym}/invitations",
    response_model=list[InvitationRead],
    summary="A client's questionnaire links and their state",
)
def invitations(
    pseudonym: Pseudonym,
    who: Principal = Depends(need("clients:read")),
    svc: AppContext = Depends(app_context),
) -> list[InvitationRead]:
    with svc.db.transaction() as s:
        return service.list_invitations(s, who.actor, pseudonym)


@router.post(
    "/invitations/{invitation_id}/revoke",
    response_model=InvitationRead,
    summary="Withdraw a questionnaire link",
)
def revoke(
    invitation_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    who: Principal = Depends(need("clients:write")),
    svc: AppContext = Depends(app_context),
) -> InvitationRead:
    with svc.db.transaction() as s:
        return service.revoke_invitation(s, who.actor, invitation_id)


@router.post(
    "/{pseudonym}/photos",
    response_model=PhotoRead,
    status_code=201,
    summary="Add a standardised photo (consent needed; stored encrypted)",
    responses=problem_responses(409, 413),
)
async def add_photo(
    pseudonym: Pseudonym,
    file: Annotated[UploadFile, File(description="A JPEG or PNG, at most 15 MB.")],
    view: Annotated[PhotoView, Form()] = PhotoView.frontal,
    captured_on: Annotated[date | None, Form()] = None,
    who: Principal = Depends(need("clients:write")),
    svc: AppContext = Depends(app_context),
) -> PhotoRead:
    data = await file.read(MAX_BYTES + 1)
    from starlette.concurrency import run_in_threadpool

    def store() -> PhotoRead:
        with svc.db.transaction() as s:
            return service.add_photo(
                s,
                who.actor,
                pseudonym,
                data=data,
                view=view,
                captured_on=captured_on,
                quota=PhotoQuota.from_settings(svc.settings),
            )

    return await run_in_threadpool(store)


@router.get(
    "/{pseudonym}/photos",
    response_model=PhotoTimeline,
    summary="A client's photos by view, baseline and follow-up side by side",
)
def photos(
    pseudonym: Pseudonym,
    who: Principal = Depends(need("clients:read")),
    svc: AppContext = Depends(app_context),
) -> PhotoTimeline:
    with svc.db.transaction() as s:
        return service.photo_timeline(s, who.actor, pseudonym)


@router.get(
    "/{pseudonym}/photos/{photo_id}",
    response_class=Response,
    summary="One photo's image (consent needed)",
    responses={
        200: {
            "content": {
                "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                "image/png": {"schema": {"type": "string", "format": "binary"}},
            }
        }
    },
)
def photo(
    pseudonym: Pseudonym,
    photo_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    who: Principal = Depends(need("clients:read")),
    svc: AppContext = Depends(app_context),
) -> Response:
    with svc.db.transaction() as s:
        data, media_type = service.photo_image(s, who.actor, pseudonym, photo_id=photo_id)
    return Response(data, media_type=media_type, headers={"Cache-Control": "no-store"})


@router.post(
    "/{pseudonym}/treatments",
    response_model=TreatmentRead,
    status_code=201,
    summary="Record a treatment given (exposure, route, concern, start)",
)
def add_treatment(
    pseudonym: Pseudonym,
    body: TreatmentInput,
    who: Principal = Depends(need("clients:write")),
    svc: AppContext = Depends(app_context),
) -> TreatmentRead:
    with svc.db.transaction() as s:
        return service.record_treatment(s, who.actor, pseudonym, treatment=body)


@router.get(
    "/{pseudonym}/treatments",
    response_model=list[TreatmentRead],
    summary="A client's treatments",
)
def treatments(
    pseudonym: Pseudonym,
    who: Principal = Depends(need("clients:read")),
    svc: AppContext = Depends(app_context),
) -> list[TreatmentRead]:
    with svc.db.transaction() as s:
        return service.list_treatments(s, who.actor, pseudonym)


@router.put(
    "/organisations/{organisation_id}/real-world-evidence",
    response_model=ContributionRead,
    summary="Opt an organisation in to or out of contributing outcomes (admins)",
)
def contribution(
    organisation_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    body: ContributionIn,
    who: Principal = Depends(need("clients:write")),
    svc: AppContext = Depends(app_context),
) -> ContributionRead:
    with svc.db.transaction() as s:
        return service.set_rwe_contribution(
            s, who.actor, organisation_id=organisation_id, contributes=body.contributes
        )


@router.post(
    "/real-world-evidence",
    response_model=list[RealWorldClaimRead],
    summary="Aggregate opted-in outcomes into real-world claims (admins; k per organisation)",
)
def build_rwe(
    body: RealWorldBuildIn,
    who: Principal = Depends(need("clients:write")),
    svc: AppContext = Depends(app_context),
) -> list[RealWorldClaimRead]:
    with svc.db.transaction() as s:
        return service.build_real_world_evidence(s, who.actor, min_cell=body.min_cell)


@router.get(
    "/cohort/expected-observed",
    response_model=CohortComparison,
    summary="My organisation's treated clients per cell: observed beside the registry",
)
def cohort(
    who: Principal = Depends(need("clients:read")),
    svc: AppContext = Depends(app_context),
) -> CohortComparison:
    with svc.db.transaction() as s:
        return service.cohort_expected_observed(s, who.actor)


@router.get(
    "/{pseudonym}/expected-observed",
    response_model=ExpectedObserved,
    summary="A client's observed changes beside the registry and the simulator",
)
def expected_observed(
    pseudonym: Pseudonym,
    who: Principal = Depends(need("clients:read")),
    svc: AppContext = Depends(app_context),
) -> ExpectedObserved:
    with svc.db.transaction() as s:
        return service.expected_vs_observed(s, who.actor, pseudonym)


@respond.get("/{token}", response_model=RespondentPrompt, summary="What a link asks for")
def prompt(
    token: Token, request: Request, svc: AppContext = Depends(app_context)
) -> RespondentPrompt:
    with svc.db.reader() as s:
        return service.respondent_prompt(
            s, Respondent(address=client_address(request)), token=token
        )


@respond.post(
    "/{token}/verification",
    response_model=Verification,
    summary="Confirm who you are (a wrong answer is counted; 20 lock the link)",
)
def verify(
    token: Token, body: VerificationIn, request: Request, svc: AppContext = Depends(app_context)
) -> Verification:
    with svc.db.transaction() as s:
        return service.verify_respondent(
            s, Respondent(address=client_address(request)), token=token, answer=body.answer
        )


@respond.post(
    "/{token}/answers",
    response_model=SubmittedResponse,
    status_code=201,
    summary="Send the answers (once)",
)
def answer(
    token: Token, body: ResponseIn, request: Request, svc: AppContext = Depends(app_context)
) -> SubmittedResponse:
    with svc.db.transaction() as s:
        return service.submit_response(
            s,
            Respondent(address=client_address(request)),
            token=token,
            nonce=body.nonce,
            answers=body.answers,
        )
