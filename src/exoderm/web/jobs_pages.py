"""The page of a background job: status and progress, refreshed by HTMX every second
until the job ends; then its result (an NTA size distribution is drawn as a chart)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from exoderm.serving.auth import Principal
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.jobs import Job, JobStatus
from exoderm.web.charts import line_chart
from exoderm.web.page_auth import page_user
from exoderm.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)


def nta_chart(result: dict[str, Any]) -> str | None:
    bins = result.get("bins") or []
    if not bins:
        return None
    return line_chart(
        {
            "number-weighted density": (
                [b["centre_nm"] for b in bins],
                [b["density_per_nm"] for b in bins],
            )
        },
        title="Size distribution (finite-track-length corrected)",
        xlabel="diameter (nm)",
        ylabel="density per nm",
    )


def _chart(job: Job) -> str | None:
    if job.status is JobStatus.succeeded and job.kind == "nta.analysis" and job.result:
        return nta_chart(job.result)
    return None


@router.get("/jobs/{job_id}")
def job(
    request: Request,
    job_id: str,
    who: Annotated[Principal, Depends(page_user)],
    svc: AppContext = Depends(app_context),
) -> Response:
    found = svc.jobs.get(job_id, user_id=who.user_id, is_admin=who.is_admin)
    template = "jobs/_status.html" if is_htmx(request) else "jobs/show.html"
    return render(request, template, {"job": found, "chart": _chart(found)})
