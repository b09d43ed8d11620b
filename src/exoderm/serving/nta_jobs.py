"""Starting an NTA analysis in the background: the one path both HTTP faces take.

A user's share of the job queue is checked *before* the video is copied to the server, so
a refused job (:class:`~exoderm.serving.jobs.TooManyJobs`, HTTP 429) never stages a
video; a video staged for a job the queue then refuses is deleted at once. Storing the
result on a QC batch needs the ``qc:write`` scope as well as ``nta:write``.
"""

from __future__ import annotations

from typing import BinaryIO

from exoderm.nta.analysis import AnalysisSettings
from exoderm.nta.uploads import analysis_job, stage_video
from exoderm.serving.auth import Principal
from exoderm.serving.context import AppContext
from exoderm.serving.jobs import Job, TooManyJobs

#: The kind of job an NTA analysis runs as (the job list and pages filter on it).
NTA_ANALYSIS = "nta.analysis"


def start_analysis(
    ctx: AppContext,
    who: Principal,
    *,
    filename: str | None,
    stream: BinaryIO,
    settings: AnalysisSettings,
    lot: str | None = None,
) -> Job:
    """Queue the analysis of an uploaded video for ``who``; the queued job."""
    if lot:
        who.require("qc:write")
    ctx.jobs.check_room(who.user_id)
    staged = stage_video(filename, stream)
    try:
        return ctx.jobs.submit(
            NTA_ANALYSIS,
            analysis_job(ctx.db, who.actor, staged, settings, record_on_batch=lot or None),
            owner_id=who.user_id,
            organisation_id=who.organisation_id,
        )
    except TooManyJobs:
        staged.discard()
        raise
