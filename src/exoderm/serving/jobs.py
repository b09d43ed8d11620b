"""Background jobs for long work (NTA analyses, simulation cohorts), with progress.

Design: an in-process thread pool and an in-memory registry of job states. Why not a
jobs table: the work's *results* are persisted by the capability libraries themselves
(an NTA result is stored on its QC batch; a cohort result is returned and can be saved),
so the job record is only transient status; a table would add a write on every progress
tick for nothing a restart could resume anyway (a thread dies with its process). The
cost: after a restart, in-flight jobs are gone and their status returns 404, so the
client resubmits. The numerical work (NumPy/SciPy) releases the GIL, so threads use both
cores; the pool is small (``max_workers``) so that the server stays responsive.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from exoderm.errors import ExodermError
from exoderm.nta.results import NtaJobResult
from exoderm.storage.base import utcnow
from exoderm.storage.timestamps import UtcDatetime

log = logging.getLogger(__name__)

#: ``report(fraction_done, message)`` — what a job's work function calls to show progress.
ProgressReporter = Callable[[float, str], None]
Work = Callable[[ProgressReporter], Any]


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


@dataclass
class Job:
    id: str
    kind: str
    owner_id: int | None
    organisation_id: int | None
    status: JobStatus = JobStatus.queued
    progress: float = 0.0
    message: str = ""
    result: Any = None
    error: str | None = None
    error_status: int | None = None
    created_at: datetime = field(default_factory=utcnow)
    finished_at: datetime | None = None


#: A cohort's outcome distributions: per endpoint, median, p05, p95, n_missing or rate_pct.
CohortEndpoints = dict[str, dict[str, float | None]]
#: What a finished job holds: an NTA analysis or a cohort's endpoints.
JobResult = NtaJobResult | CohortEndpoints


class JobRead(BaseModel):
    """A background job as the API and pages show it: status, progress and result."""

    id: str
    kind: str
    status: JobStatus
    progress: float
    message: str
    error: str | None
    created_at: UtcDatetime
    finished_at: UtcDatetime | None
    result: JobResult | None = None

    @classmethod
    def of(cls, job: Job) -> JobRead:
        """The view of ``job``; a result only once it succeeded."""
        return cls(
            id=job.id,
            kind=job.kind,
            status=job.status,
            progress=job.progress,
            message=job.message,
            error=job.error,
            created_at=job.created_at,
            finished_at=job.finished_at,
            result=job.result if job.status is JobStatus.succeeded else None,
        )


#: Jobs one user may have queued or running at once (OWASP ASVS 5.0 V15.2.2, V15.4.4).
MAX_JOBS_PER_OWNER = 4


class TooManyJobs(ExodermError):
    """The user already has as many jobs queued or running as allowed."""

    exit_code = 7
    http_status = 429
    title = "Too many jobs"


class JobRunner:
    """Runs work functions in a thread pool and keeps their status for polling.

    One user may have at most ``max_per_owner`` jobs queued or running, so no one fills
    the shared queue; a further job is refused with :class:`TooManyJobs` (HTTP 429)."""

    def __init__(
        self, max_workers: int = 2, keep: int = 500, max_per_owner: int = MAX_JOBS_PER_OWNER
    ) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="exoderm-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._keep = keep
        self._max_per_owner = max_per_owner

    def _unfinished(self, owner_id: int | None) -> int:
        return sum(
            1
            for j in self._jobs.values()
            if j.owner_id == owner_id and j.status in (JobStatus.queued, JobStatus.running)
        )

    def check_room(self, owner_id: int | None) -> None:
        """Refuse early (before an upload is staged) when the owner's share is full."""
        with self._lock:
            self._refuse_if_full(owner_id)

    def _refuse_if_full(self, owner_id: int | None) -> None:
        if owner_id is not None and self._unfinished(owner_id) >= self._max_per_owner:
            raise TooManyJobs(
                f"you already have {self._max_per_owner} jobs queued or running; wait for "
                "one to finish (see /jobs)"
            )

    def submit(
        self, kind: str, work: Work, *, owner_id: int | None, organisation_id: int | None
    ) -> Job:
        job = Job(
            id=uuid.uuid4().hex, kind=kind, owner_id=owner_id, organisation_id=organisation_id
        )
        with self._lock:
            self._refuse_if_full(owner_id)
            self._jobs[job.id] = job
            self._forget_old()
        self._pool.submit(self._run, job, work)
        return job

    def _run(self, job: Job, work: Work) -> None:
        job.status = JobStatus.running

        def report(fraction: float, message: str = "") -> None:
            job.progress = min(1.0, max(0.0, float(fraction)))
            job.message = message

        try:
            job.result = work(report)
            job.progress = 1.0
            job.status = JobStatus.succeeded
        except ExodermError as exc:
            job.error, job.error_status = str(exc), exc.http_status
            job.status = JobStatus.failed
        except Exception as exc:  # a bug in the work: record it, keep the pool alive
            job.error, job.error_status = f"internal error: {type(exc).__name__}", 500
            # the details go to the server's log only: an exception's message may hold
            # internal data (paths, queries) the user must not see (ASVS 5.0 V16.5.1)
            log.error("job %s (%s) crashed", job.id, job.kind, exc_info=exc)
            job.message = "an unexpected error occurred; it has been logged"
            job.status = JobStatus.failed
        finally:
            job.finished_at = utcnow()

    def find(self, job_id: str) -> Job | None:
        """The job with this id, or None (who may see it is ``accounts.service``'s rule)."""
        return self._jobs.get(job_id)

    def all(self) -> list[Job]:
        """Every job kept, oldest first."""
        with self._lock:
            return list(self._jobs.values())

    def wait(self, job_id: str, timeout: float = 30.0) -> Job:
        """Block until a job finishes (tests and the CLI use this)."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self._jobs[job_id]
            if job.status in (JobStatus.succeeded, JobStatus.failed):
                return job
            time.sleep(0.02)
        return self._jobs[job_id]

    def _forget_old(self) -> None:
        done = [j for j in self._jobs.values() if j.finished_at is not None]
        if len(done) > self._keep:
            done.sort(key=lambda j: j.finished_at or j.created_at)
            for job in done[: len(done) - self._keep]:
                del self._jobs[job.id]

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
