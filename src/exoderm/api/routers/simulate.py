"""Simulation over HTTP: one scenario's time courses and endpoints (each with its 90 %
interval over the fit's parameter uncertainty, and the effective-range finding), and
virtual-patient cohorts as background jobs (poll ``/api/v1/jobs/{id}``).

Numbers that are not finite (an endpoint not reached within the simulated time) are
returned as ``null``: JSON has no NaN. The work is done by :mod:`exoderm.simulate.service`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from exoderm.api.problems import problem_responses
from exoderm.serving.auth import Principal, need
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.jobs import JobRead, ProgressReporter
from exoderm.simulate import service as simulate
from exoderm.simulate.reads import SimulationRead
from exoderm.simulate.scenario import TreatmentScenario

router = APIRouter(
    prefix="/simulate", tags=["simulate"], responses=problem_responses(401, 403, 422)
)
Simulator = Annotated[Principal, Depends(need("simulate:read"))]


class CohortRequest(BaseModel):
    scenario: TreatmentScenario
    patients: int = Field(1000, ge=10, le=20_000)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    cv: float = Field(0.2, ge=0, le=2, description="Coefficient of variation of parameters.")


@router.post(
    "/run",
    response_model=SimulationRead,
    summary="Simulate one scenario: treated vs untreated time courses and endpoints, each "
    "endpoint with its 90 % interval, and whether the dose is in the effective range",
)
def run(body: TreatmentScenario, who: Simulator) -> SimulationRead:
    return simulate.run(who.actor, scenario=body, max_days=simulate.REQUEST_MAX_DAYS)


@router.post(
    "/cohorts",
    response_model=JobRead,
    status_code=202,
    summary="Start a virtual-patient cohort in the background",
    responses=problem_responses(429),
)
def start_cohort(
    body: CohortRequest, who: Simulator, svc: AppContext = Depends(app_context)
) -> JobRead:
    actor = who.actor
    simulate.check_request(actor, scenario=body.scenario, max_days=simulate.REQUEST_MAX_DAYS)

    def work(report: ProgressReporter) -> dict[str, dict[str, float | None]]:
        return simulate.run_cohort(
            actor,
            scenario=body.scenario,
            patients=body.patients,
            seed=body.seed,
            cv=body.cv,
            progress=report,
        ).endpoints

    job = svc.jobs.submit(
        "simulate.cohort", work, owner_id=who.user_id, organisation_id=who.organisation_id
    )
    return JobRead.of(job)
