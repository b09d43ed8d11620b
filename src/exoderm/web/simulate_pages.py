"""Simulation pages: scenario form → time-course plots (treated vs untreated) and
endpoints, each with its 90 % interval over the fit's parameter uncertainty, and whether
the dose is in the model's effective range; a virtual-patient cohort runs as a background
job with a progress page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from exoderm.serving.auth import Principal
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.jobs import ProgressReporter
from exoderm.simulate import service as simulator
from exoderm.simulate.intervals import Band
from exoderm.simulate.plots import endpoint_label, state_label
from exoderm.simulate.reads import SimulationRead
from exoderm.simulate.scenario import (
    DoseUnit,
    ModelName,
    Route,
    Source,
    TreatmentScenario,
    build_scenario,
    parse_schedule,
)
from exoderm.web.charts import line_chart
from exoderm.web.form_values import number
from exoderm.web.page_auth import page_scope
from exoderm.web.templating import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(page_scope("simulate:read"))]

#: The states worth plotting per model (others are in the API response).
PLOTTED: dict[str, tuple[str, ...]] = {
    "wound": ("W", "C", "F", "T"),
    "photoageing": ("MMP1", "PC", "ROS", "TNF", "TGF", "Ci"),
    "ad": ("EASI", "IL4", "IL13", "s", "p"),
}


def _options() -> dict[str, Any]:
    return {
        "models": [m.value for m in ModelName],
        "sources": [s.value for s in Source],
        "units": [u.value for u in DoseUnit],
        "routes": [r.value for r in Route],
    }


@router.get("/simulate")
def index(request: Request, who: Reader) -> Response:
    return render(request, "simulate/index.html", {**_options(), "result": None, "form": {}})


def _scenario(form: dict[str, Any]) -> TreatmentScenario:
    return build_scenario(
        model=form.get("model", "wound"),
        source=form.get("source", "adipose-msc"),
        dose=number(form, "dose", 0.0),
        unit=form.get("unit", "particles"),
        route=form.get("route", "injection"),
        schedule=parse_schedule(form.get("schedule", "0")),
        diabetic=form.get("diabetic") == "true",
        duration_days=number(form, "days"),
        particles_per_ug=number(form, "particles_per_ug"),
        ug_per_percent=number(form, "ug_per_percent"),
    )


def _charts(result: SimulationRead) -> list[str]:
    """One chart per plotted state: named, with its unit, the treated arm dashed."""
    wanted = PLOTTED.get(result.model, ())
    charts = []
    for s in result.series:
        if wanted and s.variable not in wanted:
            continue
        label, unit = state_label(result.model, s.variable)
        pairs_t = [(t, v) for t, v in zip(result.times, s.treated, strict=True) if v is not None]
        pairs_c = [(t, v) for t, v in zip(result.times, s.control, strict=True) if v is not None]
        control = "vehicle" if result.model == "ad" else "untreated"
        charts.append(
            line_chart(
                {
                    control: ([p[0] for p in pairs_c], [p[1] for p in pairs_c]),
                    "with exosomes": ([p[0] for p in pairs_t], [p[1] for p in pairs_t]),
                },
                title=f"{label} ({unit})",
                xlabel=f"time ({result.time_unit}s)",
                ylabel=unit,
                dashed=("with exosomes",),
            )
        )
    return charts


def _endpoint_rows(
    result: SimulationRead,
) -> list[tuple[str, str, float | None, Band | None]]:
    """(name, unit, value, 90 % interval) of every endpoint, in the model's order."""
    bands = result.intervals.endpoints if result.intervals is not None else {}
    return [
        (*endpoint_label(result.model, k), v, bands.get(k)) for k, v in result.endpoints.items()
    ]


@router.post("/simulate")
async def simulate(
    request: Request, who: Reader, svc: AppContext = Depends(app_context)
) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    scenario = _scenario(form)

    def work() -> SimulationRead:
        return simulator.run(who.actor, scenario=scenario, max_days=simulator.REQUEST_MAX_DAYS)

    result = await run_in_threadpool(work)
    return render(
        request,
        "simulate/index.html",
        {
            **_options(),
            "result": result,
            "charts": _charts(result),
            "endpoints": _endpoint_rows(result),
            "dose_effect": result.dose_effect,
            "form": form,
        },
    )


@router.post("/simulate/cohort")
async def start_cohort(
    request: Request,
    who: Reader,
    patients: Annotated[int, Form(ge=10, le=100_000)] = 1000,
    svc: AppContext = Depends(app_context),
) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    actor = who.actor
    scenario = simulator.check_request(
        actor, scenario=_scenario(form), max_days=simulator.REQUEST_MAX_DAYS
    )

    def work(report: ProgressReporter) -> dict[str, dict[str, float | None]]:
        return simulator.run_cohort(
            actor, scenario=scenario, patients=patients, progress=report
        ).endpoints

    job = svc.jobs.submit(
        "simulate.cohort", work, owner_id=who.user_id, organisation_id=who.organisation_id
    )
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)
