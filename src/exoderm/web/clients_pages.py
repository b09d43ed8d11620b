"""Client pages: list and new-client form, profile with screening, assessments,
regimen (handout and calendar downloads), outcome chart, export and erase.

Every read and write goes through :mod:`exoderm.clients.service`, which fences by
organisation (another clinic's client is "not found") and audits each access.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from starlette.responses import RedirectResponse, Response

from exoderm.accounts import service as accounts_service
from exoderm.clients import (
    INSTRUMENTS,
    Consent,
    OutcomePoint,
    parse_personal,
    parse_profile,
    purge_freed_pages,
    regimen_calendar,
    regimen_pdf,
    service,
)
from exoderm.clients.calendar import invitation_reminders
from exoderm.clients.clinician_report import clinician_report_pdf
from exoderm.clients.concerns import concern_table
from exoderm.clients.handout import expected_sentences
from exoderm.clients.instruments import Instrument
from exoderm.clients.instruments.forms import InstrumentForm, form_for
from exoderm.clients.invitations import (
    InvitationRequest,
    Verifier,
    link_qr_svg,
    patient_reported_codes,
)
from exoderm.clients.photos import MAX_BYTES, PhotoQuota, PhotoView
from exoderm.clients.treatments import ExposureKind, Route, TreatmentInput
from exoderm.errors import UserInputError
from exoderm.serving.auth import Principal, client_address, login_policy
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.downloads import attachment
from exoderm.web.charts import date_chart
from exoderm.web.page_auth import page_scope
from exoderm.web.templating import render

router = APIRouter(prefix="/clients", include_in_schema=False)
Reader = Annotated[Principal, Depends(page_scope("clients:read"))]
Writer = Annotated[Principal, Depends(page_scope("clients:write"))]


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]


@router.get("")
def index(request: Request, who: Reader, svc: AppContext = Depends(app_context)) -> Response:
    with svc.db.transaction() as s:
        rows = service.list_clients(s, who.actor).items
    return render(
        request,
        "clients/index.html",
        {"rows": rows, "concerns": list(concern_table()), "error": None},
    )


@router.post("")
def create(
    request: Request,
    who: Writer,
    name: Annotated[str, Form(max_length=200)],
    phototype: Annotated[int, Form(ge=1, le=6)],
    concern: Annotated[str, Form(max_length=100)],
    severity: Annotated[int, Form(ge=1, le=3)] = 2,
    email: Annotated[str, Form(max_length=254)] = "",
    date_of_birth: Annotated[str, Form(max_length=10)] = "",
    allergies: Annotated[str, Form(max_length=1000)] = "",
    medications: Annotated[str, Form(max_length=1000)] = "",
    pregnant: Annotated[bool, Form()] = False,
    consent: Annotated[bool, Form()] = False,
    svc: AppContext = Depends(app_context),
) -> Response:
    personal = parse_personal(
        {"name": name, "email": email or None, "date_of_birth": date_of_birth or None},
        source="form",
    )
    profile = parse_profile(
        {
            "fitzpatrick": {"phototype": phototype},
            "concerns": [{"name": concern, "severity": severity}],
            "allergies": _split(allergies),
            "medications": _split(medications),
            "pregnant": pregnant,
        },
        source="form",
    )
    consents = [Consent(topic="treatment", version="v1")] if consent else []
    with svc.db.transaction() as s:
        view = service.add_client(
            s, who.actor, personal=personal, profile=profile, consents=consents
        )
    return RedirectResponse(f"/clients/{view.pseudonym}", status_code=303)


def _outcome_chart(points: list[OutcomePoint]) -> str | None:
    """Scores against visit dates, each series with its MCID band around its baseline."""
    if not points:
        return None
    series: dict[str, tuple[list[date], list[float]]] = defaultdict(lambda: ([], []))
    bands: dict[str, tuple[float, float, str]] = {}
    for p in sorted(points, key=lambda p: p.visit_date):
        days, values = series[p.series]
        days.append(date.fromisoformat(p.visit_date))
        values.append(p.value)
        mcid = _mcid(p.instrument)
        if mcid is not None and p.series not in bands:
            label = f"{p.series}: change smaller than the MCID ({mcid:g})"
            bands[p.series] = (p.baseline - mcid, p.baseline + mcid, label)
    return date_chart(dict(series), title="Outcomes over time", ylabel="score", bands=bands)


def _mcid(code: str) -> float | None:
    """The instrument's verified absolute MCID (points), if it defines one."""
    for r in INSTRUMENTS[code].info.responders:
        if r.absolute is not None and r.verified:
            return r.absolute
    return None


@router.get("/{pseudonym}")
def show(
    request: Request,
    pseudonym: str,
    who: Reader,
    instrument: str = Query("dlqi", max_length=40),
    svc: AppContext = Depends(app_context),
) -> Response:
    with svc.db.transaction() as s:
        view = service.get_client(s, who.actor, pseudonym)
        screening = service.screen_client(s, who.actor, pseudonym)
        report = service.client_outcomes(s, who.actor, pseudonym)
        links = service.list_invitations(s, who.actor, pseudonym)
        photos = service.photo_timeline(s, who.actor, pseudonym)
        given = service.list_treatments(s, who.actor, pseudonym)
        compared = service.expected_vs_observed(s, who.actor, pseudonym)
    tool = INSTRUMENTS.get(instrument) or INSTRUMENTS["dlqi"]
    return render(
        request,
        "clients/show.html",
        {
            "c": view,
            "screening": screening,
            "report": report,
            "chart": _outcome_chart(report.points),
            "instruments": INSTRUMENTS,
            "tool": tool,
            "form": form_for(tool),
            "today": date.today().isoformat(),
            "links": links,
            "patient_reported": [INSTRUMENTS[c] for c in patient_reported_codes()],
            "photos": photos,
            "views": list(PhotoView),
            "treatments": given,
            "compared": compared,
            "routes": list(Route),
            "erasure_requested": request.query_params.get("erasure") == "requested",
            "erasure_needs_approval": svc.settings.erasure_needs_approval,
        },
    )


@router.post("/{pseudonym}/invitations")
def invite(
    request: Request,
    pseudonym: str,
    who: Writer,
    instrument: Annotated[str, Form(max_length=40)],
    verifier: Annotated[Verifier, Form()] = Verifier.date_of_birth,
    valid_days: Annotated[int, Form(ge=1, le=30)] = 7,
    visit_date: Annotated[str, Form(max_length=10)] = "",
    svc: AppContext = Depends(app_context),
) -> Response:
    try:
        day = date.fromisoformat(visit_date) if visit_date else None
    except ValueError:
        raise UserInputError(
            f"{visit_date!r} is not a date", field="visit_date", expected="YYYY-MM-DD"
        ) from None
    wanted = InvitationRequest(
        instrument=instrument, verifier=verifier, valid_days=valid_days, visit_date=day
    )
    with svc.db.transaction() as s:
        link = service.invite_client(s, who.actor, pseudonym, request=wanted)
    url = str(request.base_url).rstrip("/") + link.path
    page = render(
        request,
        "clients/invitation.html",
        {"link": link, "url": url, "qr": link_qr_svg(url), "pseudonym": pseudonym},
    )
    page.headers["Cache-Control"] = "no-store"
    return page


@router.post("/{pseudonym}/invitations/{invitation_id}/revoke")
def revoke(
    pseudonym: str, invitation_id: int, who: Writer, svc: AppContext = Depends(app_context)
) -> Response:
    with svc.db.transaction() as s:
        service.revoke_invitation(s, who.actor, invitation_id)
    return RedirectResponse(f"/clients/{pseudonym}#links", status_code=303)


@router.post("/{pseudonym}/consents")
def consent(
    pseudonym: str,
    who: Writer,
    topic: Annotated[str, Form(pattern="^(photos|treatment|data-processing)$")],
    given: Annotated[bool, Form()] = False,
    version: Annotated[str, Form(max_length=40)] = "v1",
    svc: AppContext = Depends(app_context),
) -> Response:
    with svc.db.transaction() as s:
        service.add_consent(
            s, who.actor, pseudonym, consent=Consent(topic=topic, version=version, given=given)
        )
    return RedirectResponse(f"/clients/{pseudonym}#photos", status_code=303)


@router.post("/{pseudonym}/photos")
async def add_photo(
    pseudonym: str,
    who: Writer,
    file: Annotated[UploadFile, File()],
    view: Annotated[PhotoView, Form()] = PhotoView.frontal,
    captured_on: Annotated[str, Form(max_length=10)] = "",
    svc: AppContext = Depends(app_context),
) -> Response:
    data = await file.read(MAX_BYTES + 1)
    try:
        day = date.fromisoformat(captured_on) if captured_on else None
    except ValueError:
        raise UserInputError(
            f"{captured_on!r} is not a date", field="captured_on", expected="YYYY-MM-DD"
        ) from None
    from starlette.concurrency import run_in_threadpool

    def store() -> None:
        with svc.db.transaction() as s:
            service.add_photo(
                s,
                who.actor,
                pseudonym,
                data=data,
                view=view,
                captured_on=day,
                quota=PhotoQuota.from_settings(svc.settings),
            )

    await run_in_threadpool(store)
    return RedirectResponse(f"/clients/{pseudonym}#photos", status_code=303)


@router.get("/{pseudonym}/photos/{photo_id}")
def photo(
    pseudonym: str, photo_id: int, who: Reader, svc: AppContext = Depends(app_context)
) -> Response:
    with svc.db.transaction() as s:
        data, media_type = service.photo_image(s, who.actor, pseudonym, photo_id=photo_id)
    return Response(data, media_type=media_type, headers={"Cache-Control": "no-store"})


@router.post("/{pseudonym}/treatments")
def treatment(
    pseudonym: str,
    who: Writer,
    exposure: Annotated[str, Form(max_length=100)],
    route: Annotated[Route, Form()],
    concern: Annotated[str, Form(max_length=100)],
    started_on: Annotated[str, Form(max_length=10)],
    exposure_kind: Annotated[ExposureKind, Form()] = ExposureKind.ev_source,
    svc: AppContext = Depends(app_context),
) -> Response:
    try:
        start = date.fromisoformat(started_on)
    except ValueError:
        raise UserInputError(
            f"{started_on!r} is not a date", field="started_on", expected="YYYY-MM-DD"
        ) from None
    given = TreatmentInput(
        exposure=exposure,
        exposure_kind=exposure_kind,
        route=route,
        concern=concern,
        started_on=start,
    )
    with svc.db.transaction() as s:
        service.record_treatment(s, who.actor, pseudonym, treatment=given)
    return RedirectResponse(f"/clients/{pseudonym}#treatments", status_code=303)


@router.get("/{pseudonym}/assessment-form")
def assessment_form(
    request: Request, pseudonym: str, who: Reader, instrument: str = Query("dlqi", max_length=40)
) -> Response:
    """HTMX fragment: the input fields of the chosen instrument."""
    tool = INSTRUMENTS.get(instrument)
    if tool is None:
        raise UserInputError(
            f"unknown instrument {instrument!r}",
            field="instrument",
            expected=", ".join(INSTRUMENTS),
        )
    return render(
        request, "clients/_instrument_fields.html", {"tool": tool, "form": form_for(tool)}
    )


@router.post("/assessment-preview")
async def assessment_preview(request: Request, who: Writer) -> Response:
    """The live total while a form is filled: scored by the instrument, never stored.

    Items not yet answered count as their lowest score, and the reply says how many are
    left, so the running total only grows as the clinician goes on. The total saved is
    always the one the server computes on submit.
    """
    form = await request.form()
    tool = _tool(str(form.get("instrument", "")))
    inputs = _form_inputs(tool, {k: str(v) for k, v in form.items()})
    return Response(
        _preview(tool, form_for(tool), inputs),
        media_type="text/plain; charset=utf-8",
        headers={"Cache-Control": "no-store"},
    )


def _tool(code: str) -> Instrument:
    tool = INSTRUMENTS.get(code)
    if tool is None:
        raise UserInputError(
            f"unknown instrument {code!r}", field="instrument", expected=", ".join(INSTRUMENTS)
        )
    return tool


def _form_inputs(tool: Instrument, form: dict[str, str]) -> dict[str, float | int | str]:
    """The instrument's fields from a posted form (``f_<field>``), numbers parsed."""
    inputs: dict[str, float | int | str] = {}
    for name in tool.fields:
        raw = form.get(f"f_{name}", "").strip()
        if raw:
            try:
                inputs[name] = float(raw) if any(ch in raw for ch in ".eE") else int(raw)
            except ValueError:
                inputs[name] = raw
    return inputs


def _lowest(form: InstrumentForm, name: str) -> float:
    for section in form.sections:
        for item in section.items:
            if item.field == name:
                if item.choices:
                    return min(float(c.value) for c in item.choices)
                return item.minimum or 0.0
    return 0.0


def _preview(tool: Instrument, form: InstrumentForm, inputs: dict[str, float | int | str]) -> str:
    """ "Total 17.8 points — moderate", or the running total and the items still open."""
    trial: dict[str, float | int | str] = dict(inputs)
    missing: list[str] = []
    for _ in range(len(tool.fields) + 1):
        try:
            result = tool.score(trial)
        except UserInputError as problem:
            name = problem.problem.location.field
            if problem.problem.message != "missing item" or name is None or name in trial:
                return f"Check {name or 'the form'}: {problem.problem.message}"
            trial[name] = _lowest(form, name)
            missing.append(name)
            continue
        band = f" — {result.band}" if result.band else ""
        total = f"{result.value:g} {tool.info.unit}{band}"
        if missing:
            return f"Running total {total} ({len(missing)} items still to answer)"
        return f"Total {total}"
    return "Complete the form to see the total"


@router.post("/{pseudonym}/assessments")
async def assess(
    request: Request, pseudonym: str, who: Writer, svc: AppContext = Depends(app_context)
) -> Response:
    form = await request.form()
    code = str(form.get("instrument", ""))
    tool = _tool(code)
    inputs = _form_inputs(tool, {k: str(v) for k, v in form.items()})
    visit = str(form.get("visit_date", "")).strip()
    try:
        visit_date = date.fromisoformat(visit) if visit else None
    except ValueError:
        raise UserInputError(
            f"{visit!r} is not a date", field="visit_date", expected="YYYY-MM-DD"
        ) from None
    from starlette.concurrency import run_in_threadpool

    def store() -> None:
        with svc.db.transaction() as s:
            service.record_assessment(
                s, who.actor, pseudonym, instrument=code, inputs=inputs, visit_date=visit_date
            )

    await run_in_threadpool(store)
    return RedirectResponse(f"/clients/{pseudonym}?instrument={code}#outcomes", status_code=303)


@router.post("/{pseudonym}/regimen")
def regimen(
    request: Request,
    pseudonym: str,
    who: Writer,
    format: Annotated[str, Form(pattern="^(html|pdf|report|ics|clinic-ics)$")] = "html",
    simulate: Annotated[bool, Form()] = False,
    svc: AppContext = Depends(app_context),
) -> Response:
    with svc.db.transaction() as s:
        plan = service.create_regimen(s, who.actor, pseudonym, simulate=simulate)
    if format == "clinic-ics":
        return Response(
            invitation_reminders(plan),
            media_type="text/calendar",
            headers=attachment(f"questionnaires-{pseudonym}.ics"),
        )
    if format == "ics":
        return Response(
            regimen_calendar(plan),
            media_type="text/calendar",
            headers=attachment(f"regimen-{pseudonym}.ics"),
        )
    if format == "report":
        return Response(
            clinician_report_pdf(plan),
            media_type="application/pdf",
            headers=attachment(f"regimen-report-{pseudonym}.pdf"),
        )
    if format == "pdf":
        return Response(
            regimen_pdf(plan),
            media_type="application/pdf",
            headers=attachment(f"regimen-{pseudonym}.pdf"),
        )
    return render(
        request,
        "clients/regimen.html",
        {"plan": plan, "pseudonym": pseudonym, "sentences": expected_sentences(plan)},
    )


def _step_up(request: Request, who: Principal, svc: AppContext, password: str, otp: str) -> None:
    """The password again (and the app's code, if the user has one) before the operation."""
    accounts_service.reauthenticate(
        svc.db,
        who.actor,
        current_password=password,
        otp=otp or None,
        address=client_address(request),
        policy=login_policy(svc),
    )


@router.post("/{pseudonym}/erase")
def erase(
    request: Request,
    pseudonym: str,
    who: Writer,
    confirm: Annotated[bool, Form()] = False,
    current_password: Annotated[str, Form(max_length=1024)] = "",
    otp: Annotated[str, Form(max_length=16)] = "",
    svc: AppContext = Depends(app_context),
) -> Response:
    """Erase a client's personal data, after the user's password (ASVS 7.5.3 step-up)."""
    if not confirm:
        raise UserInputError(
            "tick the box to confirm the erasure", field="confirm", expected="confirmation"
        )
    _step_up(request, who, svc, current_password, otp)
    with svc.db.transaction() as s:
        summary = service.erase_client(
            s, who.actor, pseudonym, second_person=svc.settings.erasure_needs_approval
        )
    purge_freed_pages(svc.db)
    note = "?erasure=requested" if summary.status == "requested" else ""
    return RedirectResponse(f"/clients/{pseudonym}{note}", status_code=303)


@router.post("/{pseudonym}/export")
def export(
    request: Request,
    pseudonym: str,
    who: Reader,
    current_password: Annotated[str, Form(max_length=1024)] = "",
    otp: Annotated[str, Form(max_length=16)] = "",
    svc: AppContext = Depends(app_context),
) -> Response:
    """Everything recorded about a client as JSON, after the user's password (step-up)."""
    _step_up(request, who, svc, current_password, otp)
    with svc.db.transaction() as s:
        data = service.export_client(s, who.actor, pseudonym)
    return Response(
        data.model_dump_json(indent=2),
        media_type="application/json",
        headers=attachment(f"{pseudonym}.json"),
    )
