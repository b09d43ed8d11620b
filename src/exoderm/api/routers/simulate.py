"""Simulation over HTTP: one scenario's time courses and endpoints, and virtual-patient
cohorts as background jobs (poll ``/api/v1/jobs/{id}``).

Numbers that are not finite (an endpoint not reached within the simulated time) are
returned as ``null``: JSON has no NaN.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from exoderm.api.problems import problem_responses
from exoderm.api.routers.accounts import JobOut
from exoderm.errors import UserInputError
from exoderm.serving.auth import Principal, need
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.jobs import ProgressReporter
from exoderm.simulate.outcomes import OutcomeSummary, predict_outcomes
from exoderm.simulate.population import cohort
from exoderm.simulate.scenario import TreatmentScenario

router = APIRouter(
    prefix="/simulate", tags=["simulate"], responses=problem_responses(401, 403, 422)
)

#: Time courses are thinned to at most this many points per series for transport.
MAX_POINTS = 400
#: A request simulates at most this many days (≈ 4 s for the wound model); longer runs
#: belong to the CLI or the Python API, where nothing waits on an HTTP connection.
MAX_API_DAYS = 365.0


def finite(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def thin(times: np.ndarray, max_points: int = MAX_POINTS) -> np.ndarray:
    """Indices of at most ``max_points`` evenly spread samples (first and last kept)."""
    if len(times) <= max_points:
        return np.arange(len(times))
    return np.unique(np.linspace(0, len(times) - 1, max_points).round().astype(int))


class TimeCourse(BaseModel):
    variable: str
    treated: list[float | None]
    control: list[float | None]


class SimulationOut(BaseModel):
    model: str
    scenario: dict[str, Any]
    endpoints: dict[str, float | None]
    time_unit: str
    times: list[float]
    series: list[TimeCourse]

    @classmethod
    def of(cls, out: OutcomeSummary) -> SimulationOut:
        idx = thin(np.asarray(out.times))
        return cls(
            model=out.scenario.model.value,
            scenario=out.scenario.model_dump(mode="json"),
            endpoints={k: finite(v) for k, v in out.endpoints.items()},
            time_unit=out.time_unit,
            times=[float(t) for t in np.asarray(out.times)[idx]],
            series=[
                TimeCourse(
                    variable=name,
                    treated=[finite(v) for v in np.asarray(values)[idx]],
                    control=[finite(v) for v in np.asarray(out.control[name])[idx]],
                )
                for name, values in out.treated.items()
                if name in out.control
            ],
        )


class CohortRequest(BaseModel):
    scenario: TreatmentScenario
    patients: int = Field(1000, ge=10, le=20_000)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    cv: float = Field(0.2, ge=0, le=2, description="Coefficient of variation of parameters.")


def check_duration(scenario: TreatmentScenario) -> None:
    if scenario.duration > MAX_API_DAYS:
        raise UserInputError(
            f"{scenario.duration:g} days is longer than the service simulates per request",
            field="duration_days",
            expected=f"at most {MAX_API_DAYS:g} days (use 'exoderm simulate' for longer)",
        )


def run_scenario(scenario: TreatmentScenario) -> SimulationOut:
    check_duration(scenario)
    return SimulationOut.of(predict_outcomes(scenario))


def cohort_work(request: CohortRequest) -> Any:
    def work(report: ProgressReporter) -> dict[str, dict[str, float | None]]:
        report(0.05, f"simulating {request.patients} virtual patients")
        result = cohort(request.scenario, request.patients, request.seed, request.cv)
        report(1.0, "done")
        return {name: {k: finite(v) for k, v in stats.items()} for name, stats in result.items()}

    return work


@router.post(
    "/run",
    response_model=SimulationOut,
    summary="Simulate one scenario: treated vs untreated time courses and endpoints",
)
def run(body: TreatmentScenario, who: Principal = Depends(need("simulate:read"))) -> SimulationOut:
    return run_scenario(body)


@router.post(
    "/cohorts",
    response_model=JobOut,
    status_code=202,
    summary="Start a virtual-patient cohort in the background",
)
def start_cohort(
    body: CohortRequest,
    who: Annotated[Principal, Depends(need("simulate:read"))],
    svc: AppContext = Depends(app_context),
) -> JobOut:
    check_duration(body.scenario)
    job = svc.jobs.submit(
        "simulate.cohort",
        cohort_work(body),
        owner_id=who.user_id,
        organisation_id=who.organisation_id,
    )
    return JobOut.of(job)
