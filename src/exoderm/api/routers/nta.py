"""NTA over HTTP: upload a video → a background analysis job → size distribution and
concentration; optionally stored on a QC batch as a measurement carrying its settings.

The acquisition (temperature, pixel size, frame rate, exposure) is required, as in the CLI
and on the web page: one policy, :func:`exoderm.nta.analysis_settings`. A calibration (the
JSON file ``exoderm nta calibrate`` writes, or a stated effective volume) makes the result
report the concentration. The job is queued by
:func:`exoderm.serving.nta_jobs.start_analysis`, as from the web page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile

from exoderm.api.problems import problem_responses
from exoderm.nta import analysis_settings
from exoderm.nta.uploads import calibration_upload, video_name
from exoderm.serving import nta_jobs
from exoderm.serving.auth import Principal, need
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.jobs import JobRead

router = APIRouter(prefix="/nta", tags=["nta"], responses=problem_responses(401, 403, 413, 422))


@router.post(
    "/analyses",
    response_model=JobRead,
    status_code=202,
    summary="Upload a video and analyse it in the background",
    responses=problem_responses(429),
)
def start_analysis(
    video: Annotated[UploadFile, File(description="TIFF stack, AVI or MP4.")],
    who: Annotated[Principal, Depends(need("nta:write"))],
    temperature_c: Annotated[float | None, Form(description="Required. °C, 0–100.")] = None,
    pixel_size_um: Annotated[float | None, Form(description="Required. µm per pixel.")] = None,
    fps: Annotated[float | None, Form(description="Required. Frames per second.")] = None,
    exposure_ms: Annotated[
        str | None, Form(description="Required. Exposure: ms, or with units ('30ms', '0.03 s').")
    ] = None,
    viscosity_mpas: Annotated[
        float | None, Form(description="Dispersant viscosity (default: water at T).")
    ] = None,
    dilution: Annotated[float | None, Form(description="Dilution factor (default 1).")] = None,
    max_frames: Annotated[int | None, Form(description="Analyse only the first N frames.")] = None,
    bootstrap: Annotated[int | None, Form(description="Bootstrap resamples (default 100).")] = None,
    calibration: Annotated[
        UploadFile | None, File(description="Calibration JSON from 'exoderm nta calibrate'.")
    ] = None,
    effective_volume_pl: Annotated[
        float | None, Form(description="Or: a stated effective scattering volume, pL.")
    ] = None,
    volume_relative_se: Annotated[
        float | None, Form(description="Relative SE of the stated volume.")
    ] = None,
    lot: Annotated[str | None, Form(max_length=100, description="Store on this QC batch.")] = None,
    mixture: Annotated[
        bool, Form(description="Also fit discrete size populations (EM mixture, K by BIC).")
    ] = False,
    mixture_max_components: Annotated[
        int | None, Form(ge=1, le=6, description="Most populations tried (default 4).")
    ] = None,
    flow_diagnostics: Annotated[
        bool | None, Form(description="Drift, flow-field and D-trend tests (default on).")
    ] = None,
    calibration_free_concentration: Annotated[
        bool | None,
        Form(
            description="Also estimate the concentration from the detection volume, "
            "without a calibration (default on)."
        ),
    ] = None,
    svc: AppContext = Depends(app_context),
) -> JobRead:
    """Storing the result on a QC batch (``lot``) needs the ``qc:write`` scope as well."""
    video_name(video.filename)
    settings = analysis_settings(
        temperature=temperature_c,
        pixel_size=pixel_size_um,
        fps=fps,
        exposure=exposure_ms,
        viscosity=viscosity_mpas,
        dilution=dilution,
        max_frames=max_frames,
        bootstrap=bootstrap,
        calibration=calibration_upload(
            calibration.filename if calibration else None,
            calibration.file if calibration else None,
            effective_volume_pl=effective_volume_pl,
            volume_relative_se=volume_relative_se,
        ),
        mixture=mixture,
        mixture_max_components=mixture_max_components,
        flow_diagnostics=flow_diagnostics,
        calibration_free_concentration=calibration_free_concentration,
    )
    job = nta_jobs.start_analysis(
        svc, who, filename=video.filename, stream=video.file, settings=settings, lot=lot
    )
    return JobRead.of(job)
