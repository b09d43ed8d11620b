"""NTA page: upload a video with its acquisition settings → a background job whose page
shows progress, then the size distribution and concentration.

The same policy as the CLI and the API (:func:`exoderm.nta.analysis_settings`): the
acquisition is required and nothing is pre-filled; a calibration file or a stated volume
gives the concentration.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.responses import RedirectResponse, Response

from exoderm.accounts import service as accounts_service
from exoderm.nta import analysis_settings
from exoderm.nta.uploads import calibration_upload, video_name
from exoderm.serving.auth import Principal
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.nta_jobs import NTA_ANALYSIS, start_analysis
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
    visible = accounts_service.list_jobs(svc.jobs, who.actor).items
    jobs = [j for j in visible if j.kind == NTA_ANALYSIS]
    return render(request, "nta/index.html", {"jobs": jobs})


@router.post("")
def upload(
    request: Request,
    who: Writer,
    video: Annotated[UploadFile, File()],
    temperature_c: Annotated[float | None, Form()] = None,
    pixel_size_um: Annotated[float | None, Form()] = None,
    fps: Annotated[float | None, Form()] = None,
    exposure_ms: Annotated[str | None, Form()] = None,
    dilution: Annotated[float | None, Form()] = None,
    bootstrap: Annotated[int | None, Form()] = None,
    max_frames: Annotated[int | None, Form()] = None,
    calibration: Annotated[UploadFile | None, File()] = None,
    effective_volume_pl: Annotated[float | None, Form()] = None,
    lot: Annotated[str, Form(max_length=100)] = "",
    mixture: Annotated[bool, Form()] = False,
    svc: AppContext = Depends(app_context),
) -> Response:
    video_name(video.filename)
    settings = analysis_settings(
        temperature=temperature_c,
        pixel_size=pixel_size_um,
        fps=fps,
        exposure=exposure_ms or None,
        dilution=dilution,
        bootstrap=bootstrap,
        max_frames=max_frames,
        calibration=calibration_upload(
            calibration.filename if calibration else None,
            calibration.file if calibration else None,
            effective_volume_pl=effective_volume_pl,
        ),
        mixture=mixture,
    )
    job = start_analysis(
        svc, who, filename=video.filename, stream=video.file, settings=settings, lot=lot
    )
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)
