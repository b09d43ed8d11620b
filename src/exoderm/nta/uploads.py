"""Uploaded videos and background analyses: what the API and the web pages share.

An upload is copied into a private temporary folder (:func:`stage_video`); the job built by
:func:`analysis_job` opens its own database transaction, calls
:func:`exoderm.nta.service.analyze` and deletes the folder when it ends, whatever happens.
The faces only parse the request, stage the file and hand the job to their job runner.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from exoderm.accounts.actor import Actor
from exoderm.errors import UserInputError
from exoderm.nta import service
from exoderm.nta.analysis import AnalysisSettings
from exoderm.nta.concentration import Calibration, read_calibration
from exoderm.nta.frames import open_frames
from exoderm.nta.results import NtaJobResult
from exoderm.storage import Database

#: Largest accepted video upload (a 500-frame 512×512 16-bit TIFF is ≈ 260 MB).
MAX_VIDEO_BYTES = 1 << 30
#: Largest accepted calibration file.
MAX_CALIBRATION_BYTES = 1 << 20
VIDEO_SUFFIXES = (".tif", ".tiff", ".avi", ".mp4", ".mov", ".mkv")
#: ``report(fraction_done, message)``, as a job runner passes it to the work.
Report = Callable[[float, str], None]


@dataclass(frozen=True)
class StagedVideo:
    """An uploaded video in its own temporary folder."""

    path: Path
    folder: Path

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def video_name(filename: str | None) -> str:
    """The base name of an uploaded video, which must be a supported kind of file.

    Examples
    --------
    >>> video_name("C:\\fakepath/../run 1.avi")
    'run 1.avi'
    >>> video_name("run\\x00.avi")
    Traceback (most recent call last):
    ...
    exoderm.errors.UserInputError: run\\x00.avi, field 'filename': the file name 'run\\x00.avi'
    contains control characters (expected a file name of printable characters)
    """
    name = Path(filename or "video.tif").name or "video.tif"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise UserInputError(
            f"the file name {name!r} contains control characters",
            file=name.encode("unicode_escape").decode("ascii"),
            field="filename",
            expected="a file name of printable characters",
        )
    if not name.lower().endswith(VIDEO_SUFFIXES):
        raise UserInputError(
            f"unsupported video file {name!r}",
            file=name,
            expected="a TIFF stack, AVI, MP4, MOV or MKV",
        )
    return name


def stage_video(filename: str | None, stream: BinaryIO) -> StagedVideo:
    """Copy an upload into a fresh temporary folder; only the file's base name is kept.

    Examples
    --------
    >>> import io
    >>> staged = stage_video("../../beads.tif", io.BytesIO(b"II*\\x00"))
    >>> staged.path.name
    'beads.tif'
    >>> staged.discard()
    >>> stage_video("notes.txt", io.BytesIO(b""))
    Traceback (most recent call last):
    ...
    exoderm.errors.UserInputError: notes.txt: unsupported video file 'notes.txt' (expected a
    TIFF stack, AVI, MP4, MOV or MKV)
    """
    name = video_name(filename)
    folder = Path(tempfile.mkdtemp(prefix="exoderm-nta-"))
    staged = StagedVideo(folder / name, folder)
    size = 0
    try:
        with staged.path.open("wb") as fh:
            while chunk := stream.read(1 << 20):
                size += len(chunk)
                if size > MAX_VIDEO_BYTES:
                    raise UserInputError(
                        "video larger than 1 GiB", file=name, expected="a shorter video or the CLI"
                    )
                fh.write(chunk)
    except BaseException:
        staged.discard()
        raise
    return staged


def calibration_upload(
    filename: str | None,
    stream: BinaryIO | None,
    *,
    effective_volume_pl: float | None = None,
    volume_relative_se: float | None = None,
) -> Calibration | None:
    """The calibration a request chose: a calibration JSON file, or a stated volume.

    Examples
    --------
    >>> calibration_upload(None, None, effective_volume_pl=120.0).effective_volume_pl
    120.0
    >>> calibration_upload(None, None) is None
    True
    """
    name = Path(filename or "calibration.json").name
    data = stream.read(MAX_CALIBRATION_BYTES + 1) if stream is not None else b""
    if data and effective_volume_pl is not None:
        raise UserInputError(
            "give a calibration file or an effective volume, not both",
            field="effective_volume_pl",
        )
    if len(data) > MAX_CALIBRATION_BYTES:
        raise UserInputError("calibration file larger than 1 MiB", file=name)
    if data:
        return read_calibration(data, name)
    if effective_volume_pl is not None:
        return Calibration.from_volume(effective_volume_pl, volume_relative_se or 0.0)
    return None


def analysis_job(
    db: Database,
    actor: Actor,
    staged: StagedVideo,
    settings: AnalysisSettings,
    *,
    record_on_batch: str | None = None,
) -> Callable[[Report], NtaJobResult]:
    """The work of a background analysis of ``staged`` (deleted when the work ends)."""

    def work(report: Report) -> NtaJobResult:
        try:
            total = settings.max_frames or open_frames(staged.path).n_frames or 1
            done = [0]

            def tick(frames: int) -> None:
                done[0] += frames
                report(min(0.95, done[0] / max(total, 1)), f"frame {done[0]} of {total}")

            with db.transaction() as session:
                result = service.analyze(
                    session,
                    actor,
                    video=staged.path,
                    settings=settings,
                    record_on_batch=record_on_batch,
                    progress=tick,
                )
            return NtaJobResult.of(result)
        finally:
            staged.discard()

    return work
