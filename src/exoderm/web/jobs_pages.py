"""The page of a background job: status and progress, refreshed by HTMX every second
until the job ends; then its result. A finished NTA analysis shows its size distribution
on a D1–D99 axis and offers the distribution as CSV, the result as JSON and the chart as
PNG, each behind the same fence as the job page (:func:`exoderm.accounts.service.get_job`:
the user who submitted the job, or an admin)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from exoderm.accounts import service
from exoderm.errors import NotFoundError
from exoderm.nta.results import NtaJobResult
from exoderm.qc.certificate import plot_range
from exoderm.serving.auth import Principal
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.downloads import attachment
from exoderm.serving.jobs import Job, JobStatus
from exoderm.web.charts import png_of, size_distribution_figure, svg_of
from exoderm.web.page_auth import page_user
from exoderm.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)
Viewer = Annotated[Principal, Depends(page_user)]
CHART_LABEL = "Size distribution (number-weighted, finite-track-length corrected)"
#: Row names of the size summary (:func:`exoderm.nta.sizing.summarise`, all in nm).
SIZE_NAMES = {
    "mean_nm": "Mean diameter",
    "sd_nm": "Standard deviation",
    "mode_nm": "Mode",
    "d10_nm": "D10",
    "d50_nm": "D50 (median)",
    "d90_nm": "D90",
}


def size_axis(result: NtaJobResult) -> tuple[float, float]:
    """The size axis of the chart: D1 to D99 of the number distribution, with a margin."""
    return plot_range([[b.centre_nm, b.fraction] for b in result.bins])


def nta_chart(result: NtaJobResult) -> str | None:
    """The number-weighted size distribution of an analysis, as an inline SVG."""
    if not result.bins:
        return None
    fig = size_distribution_figure(
        [b.centre_nm for b in result.bins],
        [b.density_per_nm for b in result.bins],
        xlim=size_axis(result),
    )
    return svg_of(fig, CHART_LABEL)


def _chart(job: Job) -> str | None:
    if job.status is JobStatus.succeeded and isinstance(job.result, NtaJobResult):
        return nta_chart(job.result)
    return None


@router.get("/jobs/{job_id}")
def job(
    request: Request, job_id: str, who: Viewer, svc: AppContext = Depends(app_context)
) -> Response:
    found = service.get_job(svc.jobs, who.actor, job_id=job_id)
    template = "jobs/_status.html" if is_htmx(request) else "jobs/show.html"
    axis = size_axis(found.result) if _finished_nta(found) else None
    return render(
        request,
        template,
        {"job": found, "chart": _chart(found), "axis": axis, "size_names": SIZE_NAMES},
    )


def _finished_nta(job: Job) -> bool:
    return job.status is JobStatus.succeeded and isinstance(job.result, NtaJobResult)


def _nta_result(svc: AppContext, who: Principal, job_id: str) -> NtaJobResult:
    """The result of a finished NTA job the principal may see (else not found)."""
    found = service.get_job(svc.jobs, who.actor, job_id=job_id)
    if not _finished_nta(found) or not isinstance(found.result, NtaJobResult):
        raise NotFoundError(f"no finished NTA analysis {job_id}")
    return found.result


def _attachment(body: bytes, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers=attachment(filename),
    )


@router.get("/jobs/{job_id}/distribution.csv")
def distribution_csv(job_id: str, who: Viewer, svc: AppContext = Depends(app_context)) -> Response:
    result = _nta_result(svc, who, job_id)
    text = result.to_frame("distribution").to_csv(index=False)
    return _attachment(text.encode("utf-8"), "text/csv; charset=utf-8", f"nta-{job_id}.csv")


@router.get("/jobs/{job_id}/result.json")
def result_json(job_id: str, who: Viewer, svc: AppContext = Depends(app_context)) -> Response:
    result = _nta_result(svc, who, job_id)
    body = json.dumps(result.without_tracks(), indent=2, ensure_ascii=False)
    return _attachment(body.encode("utf-8"), "application/json", f"nta-{job_id}.json")


@router.get("/jobs/{job_id}/distribution.png")
def distribution_png(job_id: str, who: Viewer, svc: AppContext = Depends(app_context)) -> Response:
    result = _nta_result(svc, who, job_id)
    if not result.bins:
        raise NotFoundError(f"the analysis {job_id} has no size distribution")
    fig = size_distribution_figure(
        [b.centre_nm for b in result.bins],
        [b.density_per_nm for b in result.bins],
        xlim=size_axis(result),
    )
    return _attachment(png_of(fig), "image/png", f"nta-{job_id}.png")
