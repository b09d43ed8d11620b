"""Client pages: list and new-client form, profile with screening, assessments,
regimen (handout and calendar downloads), outcome chart, export and erase.

Every read and write goes through :mod:`exoderm.clients.service`, which fences by
organisation (another clinic's client is "not found") and audits each access.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import RedirectResponse, Response

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
from exoderm.clients.concerns import concern_table
from exoderm.clients.instruments.forms import form_for
from exoderm.errors import UserInputError
from exoderm.serving.auth import Principal
from exoderm.serving.context import AppContext, app_context
from exoderm.web.charts import line_chart
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
    series: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    if not points:
        return None
    start = min(date.fromisoformat(p.visit_date) for p in points)
    for p in points:
        xs, ys = series[p.series]
        xs.append((date.fromisoformat(p.visit_date) - start).days / 7)
        ys.append(p.value)
    return line_chart(
        dict(series), title="Outcomes over time", xlabel="weeks since baseline", ylabel="score"
    )


def _baseline_visits(points: list[OutcomePoint]) -> set[tuple[str, str]]:
    """(series, visit date) of each series' first visit: shown as "baseline", no verdict."""
    first: dict[str, str] = {}
    for p in points:
        if p.series not in first or p.visit_date < first[p.series]:
            first[p.series] = p.visit_date
    return set(first.items())


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
    tool = INSTRUMENTS.get(instrument) or INSTRUMENTS["dlqi"]
    return render(
        request,
        "clients/show.html",
        {
            "c": view,
            "screening": screening,
            "report": report,
            "chart": _outcome_chart(report.points),
            "baselines": _baseline_visits(report.points),
            "instruments": INSTRUMENTS,
            "tool": tool,
            "form": form_for(tool),
            "today": date.today().isoformat(),
        },
    )


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


@router.post("/{pseudonym}/assessments")
async def assess(
    request: Request, pseudonym: str, who: Writer, svc: AppContext = Depends(app_context)
) -> Response:
    form = await request.form()
    code = str(form.get("instrument", ""))
    tool = INSTRUMENTS.get(code)
    if tool is None:
        raise UserInputError(
            f"unknown instrument {code!r}", field="instrument", expected=", ".join(INSTRUMENTS)
        )
    inputs: dict[str, float | int | str] = {}
    for name in tool.fields:
        raw = str(form.get(f"f_{name}", "")).strip()
        if raw:
            try:
                inputs[name] = float(raw) if any(ch in raw for ch in ".eE") else int(raw)
            except ValueError:
                inputs[name] = raw
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
    format: Annotated[str, Form(pattern="^(html|pdf|ics)$")] = "html",
    simulate: Annotated[bool, Form()] = False,
    svc: AppContext = Depends(app_context),
) -> Response:
    with svc.db.transaction() as s:
        plan = service.create_regimen(s, who.actor, pseudonym, simulate=simulate)
    if format == "ics":
        return Response(
            regimen_calendar(plan),
            media_type="text/calendar",
            headers={"Content-Disposition": f'attachment; filename="regimen-{pseudonym}.ics"'},
        )
    if format == "pdf":
        return Response(
            regimen_pdf(plan),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="regimen-{pseudonym}.pdf"'},
        )
    return render(request, "clients/regimen.html", {"plan": plan, "pseudonym": pseudonym})


@router.post("/{pseudonym}/erase")
def erase(
    request: Request,
    pseudonym: str,
    who: Writer,
    confirm: Annotated[bool, Form()] = False,
    svc: AppContext = Depends(app_context),
) -> Response:
    if not confirm:
        raise UserInputError(
            "tick the box to confirm the erasure", field="confirm", expected="confirmation"
        )
    with svc.db.transaction() as s:
        service.erase_client(s, who.actor, pseudonym)
    purge_freed_pages(svc.db)
    return RedirectResponse(f"/clients/{pseudonym}", status_code=303)
