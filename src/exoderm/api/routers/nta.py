"""NTA over HTTP: upload a video → a background analysis job → size distribution and
concentration; optionally stored on a QC batch as a measurement carrying its settings.

The upload is written to a private temporary folder that the job deletes when it ends;
the video is streamed frame by frame by :func:`exoderm.nta.open_frames`.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, UploadFile
from pydantic import BaseModel, Field

from exoderm.api.problems import problem_responses
from exoderm.api.routers.accounts import JobOut
from exoderm.errors import UserInputError
from exoderm.nta import Acquisition, AnalysisSettings, NtaResult, analyze, open_frames
from exoderm.serving.auth import Principal, need
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.jobs import Job, ProgressReporter

router = APIRouter(prefix="/nta", tags=["nta"], responses=problem_responses(401, 403, 413, 422))

#: Largest accepted upload (a 500-frame 512×512 16-bit TIFF is ≈ 260 MB).
MAX_VIDEO_BYTES = 1 << 30
VIDEO_SUFFIXES = (".tif", ".tiff", ".avi", ".mp4", ".mov", ".mkv")


class NtaSettingsIn(BaseModel):
    temperature_c: float = Field(22.0, ge=0, le=60)
    pixel_size_um: float = Field(0.166, gt=0, le=100)
    fps: float = Field(25.0, gt=0, le=10_000)
    exposure_ms: float = Field(30.0, ge=0, le=10_000)
    dilution: float = Field(1.0, gt=0, le=1e9)
    max_frames: int | None = Field(None, ge=2, le=1_000_000)

    def analysis(self) -> AnalysisSettings:
        return AnalysisSettings(
            acquisition=Acquisition(
                temperature_c=self.temperature_c,
                pixel_size_um=self.pixel_size_um,
                fps=self.fps,
                exposure_ms=self.exposure_ms,
            ),
            dilution=self.dilution,
            max_frames=self.max_frames,
        )


def result_summary(result: NtaResult) -> dict[str, Any]:
    """The result without per-track rows (those can be thousands; see the CLI report)."""
    return result.model_dump(mode="json", exclude={"track_rows"})


def analysis_work(
    path: FsPath,
    folder: FsPath,
    settings: AnalysisSettings,
    who: Principal,
    svc: AppContext,
    lot: str | None,
) -> Any:
    def work(report: ProgressReporter) -> dict[str, Any]:
        try:
            source = open_frames(path)
            total = settings.max_frames or source.n_frames or 1

            def tick(frame: int) -> None:
                report(min(0.95, frame / max(total, 1)), f"frame {frame} of {total}")

            result = analyze(source, settings, tick)
            out = result_summary(result)
            if lot:
                out["stored_measurement_id"] = store_on_batch(svc, who, lot, result)
            return out
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    return work


def store_on_batch(svc: AppContext, who: Principal, lot: str, result: NtaResult) -> int:
    from exoderm.api.routers.qc import visible_batch
    from exoderm.nta import to_measurement
    from exoderm.qc import record_measurement

    with svc.db.transaction() as s:
        visible_batch(s, who, lot)
        stored = record_measurement(s, lot, to_measurement(result), who.actor)
        return stored.id


async def save_video(upload: UploadFile) -> tuple[FsPath, FsPath]:
    """The upload in its own temporary folder: (file, folder)."""
    name = FsPath(upload.filename or "video.tif").name or "video.tif"
    if not name.lower().endswith(VIDEO_SUFFIXES):
        raise UserInputError(
            f"unsupported video file {name!r}",
            file=name,
            expected="a TIFF stack, AVI, MP4, MOV or MKV",
        )
    folder = FsPath(tempfile.mkdtemp(prefix="exoderm-nta-"))
    target = folder / name
    size = 0
    try:
        with target.open("wb") as fh:
            while chunk := await upload.read(1 << 20):
                size += len(chunk)
                if size > MAX_VIDEO_BYTES:
                    raise UserInputError(
                        "video larger than 1 GiB", file=name, expected="a shorter video or the CLI"
                    )
                fh.write(chunk)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return target, folder


async def submit_analysis(
    video: UploadFile, settings: NtaSettingsIn, who: Principal, svc: AppContext, lot: str | None
) -> Job:
    """Save the upload and queue its analysis; the one path for the API and the web page.

    Storing the result on a QC batch (``lot``) needs the ``qc:write`` scope as well.
    """
    if lot:
        who.require("qc:write")
    path, folder = await save_video(video)
    return svc.jobs.submit(
        "nta.analysis",
        analysis_work(path, folder, settings.analysis(), who, svc, lot),
        owner_id=who.user_id,
        organisation_id=who.organisation_id,
    )


@router.post(
    "/analyses",
    response_model=JobOut,
    status_code=202,
    summary="Upload a video and analyse it in the background",
)
async def start_analysis(
    video: Annotated[UploadFile, File(description="TIFF stack, AVI or MP4.")],
    who: Annotated[Principal, Depends(need("nta:write"))],
    temperature_c: Annotated[float, Form(ge=0, le=60)] = 22.0,
    pixel_size_um: Annotated[float, Form(gt=0, le=100)] = 0.166,
    fps: Annotated[float, Form(gt=0, le=10_000)] = 25.0,
    exposure_ms: Annotated[float, Form(ge=0, le=10_000)] = 30.0,
    dilution: Annotated[float, Form(gt=0, le=1e9)] = 1.0,
    max_frames: Annotated[int | None, Form(ge=2, le=1_000_000)] = None,
    lot: Annotated[str | None, Form(max_length=100, description="Store on this QC batch.")] = None,
    svc: AppContext = Depends(app_context),
) -> JobOut:
    settings = NtaSettingsIn(
        temperature_c=temperature_c,
        pixel_size_um=pixel_size_um,
        fps=fps,
        exposure_ms=exposure_ms,
        dilution=dilution,
        max_frames=max_frames,
    )
    job = await submit_analysis(video, settings, who, svc, lot or None)
    return JobOut.of(job)
