"""NTA page: upload a video with its acquisition settings → a background job whose page
shows progress, then the size distribution and concentration."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.responses import RedirectResponse, Response

from exoderm.api.routers.nta import NtaSettingsIn, submit_analysis
from exoderm.serving.auth import Principal
from exoderm.serving.context import AppContext, app_context
from exoderm.web.page_auth import page_scope
from exoderm.web.templating import render

router = APIRouter(prefix="/nta", include_in_schema=False)
Writer = Annotated[Principal, Depends(page_scope("nta:write"))]


@router.get("")
def index(
    request: Request,
    who: Annotated[Principal, Depends(page_scope("nta:read"))],
    svc: AppContext = Depends(app_context),
) -> Response:
    jobs = [
        j
        for j in svc.jobs.list_for(user_id=who.user_id, is_admin=who.is_admin)
        if j.kind == "nta.analysis"
    ]
    return render(request, "nta/index.html", {"jobs": jobs})


@router.post("")
async def upload(
    request: Request,
    who: Writer,
    video: Annotated[UploadFile, File()],
    temperature_c: Annotated[float, Form(ge=0, le=60)] = 22.0,
    pixel_size_um: Annotated[float, Form(gt=0, le=100)] = 0.166,
    fps: Annotated[float, Form(gt=0, le=10_000)] = 25.0,
    exposure_ms: Annotated[float, Form(ge=0, le=10_000)] = 30.0,
    dilution: Annotated[float, Form(gt=0, le=1e9)] = 1.0,
    lot: Annotated[str, Form(max_length=100)] = "",
    svc: AppContext = Depends(app_context),
) -> Response:
    settings = NtaSettingsIn(
        temperature_c=temperature_c,
        pixel_size_um=pixel_size_um,
        fps=fps,
        exposure_ms=exposure_ms,
        dilution=dilution,
    )
    job = await submit_analysis(video, settings, who, svc, lot or None)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)
