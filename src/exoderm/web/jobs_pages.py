"""The page of a background job: status and progress, refreshed by HTMX every second
until the job ends; then its result (an NTA size distribution is drawn as a chart)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from exoderm.accounts import service
from exoderm.nta.results import NtaJobResult
from exoderm.serving.auth import Principal
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.jobs import Job, JobStatus
from exoderm.web.charts import line_chart
from exoderm.web.page_auth import page_user
from exoderm.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)


def nta_chart(result: NtaJobResult) -> str | None:
    """The number-weighted size distribution of an analysis, as an SVG line chart."""
    if not result.bins:
        return None
    return line_chart(
        {
            "number-weighted density": (
                [b.centre_nm for b in result.bins],
                [b.density_per_nm for b in result.bins],
            )
        },
        title="Size distribution (finite-track-length corrected)",
        xlabel="diameter (nm)",
        ylabel="density per nm",
    )


def _chart(job: Job) -> str | None:
    if job.status is JobStatus.succeeded and isinstance(job.result, NtaJobResult):
        return nta_chart(job.result)
    return None


@router.get("/jobs/{job_id}")
def job(
    request: Request,
    job_id: str,
    who: Annotated[Principal, Depends(page_user)],
    svc: AppContext = Depends(app_context),
) -> Response:
    found = service.get_job(svc.jobs, who.actor, job_id=job_id)
    template = "jobs/_status.html" if is_htmx(request) else "jobs/show.html"
    return render(request, template, {"job": found, "chart": _chart(found)})
