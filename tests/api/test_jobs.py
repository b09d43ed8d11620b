"""Background jobs: progress, results, failures, and who may see them."""

from __future__ import annotations

import threading

import pytest

from exoderm.errors import NotFoundError, UserInputError
from exoderm.serving.jobs import JobRunner, JobStatus, ProgressReporter


@pytest.fixture
def runner() -> JobRunner:
    r = JobRunner(max_workers=2)
    yield r
    r.shutdown()


def test_progress_then_result(runner: JobRunner) -> None:
    gate = threading.Event()

    def work(report: ProgressReporter) -> dict[str, int]:
        report(0.5, "half way")
        gate.wait(5)
        return {"answer": 42}

    job = runner.submit("demo", work, owner_id=1, organisation_id=None)
    for _ in range(200):
        if job.progress == 0.5:
            break
        threading.Event().wait(0.01)
    assert job.status is JobStatus.running and job.message == "half way"
    gate.set()
    done = runner.wait(job.id, timeout=5)
    assert done.status is JobStatus.succeeded and done.result == {"answer": 42}
    assert done.progress == 1.0 and done.finished_at is not None


def test_user_error_and_crash_are_recorded(runner: JobRunner) -> None:
    def bad_input(report: ProgressReporter) -> None:
        raise UserInputError("frame rate must be positive", field="fps")

    def crash(report: ProgressReporter) -> None:
        raise RuntimeError("boom")

    a = runner.wait(runner.submit("x", bad_input, owner_id=1, organisation_id=None).id)
    b = runner.wait(runner.submit("x", crash, owner_id=1, organisation_id=None).id)
    assert a.status is JobStatus.failed and a.error_status == 422 and "fps" in (a.error or "")
    assert b.status is JobStatus.failed and b.error_status == 500 and "boom" not in (b.error or "")


def test_only_owner_or_admin_sees_job(runner: JobRunner) -> None:
    job = runner.submit("x", lambda report: 1, owner_id=7, organisation_id=None)
    assert runner.get(job.id, user_id=7, is_admin=False) is job
    assert runner.get(job.id, user_id=1, is_admin=True) is job
    with pytest.raises(NotFoundError):
        runner.get(job.id, user_id=8, is_admin=False)
    assert runner.list_for(user_id=8, is_admin=False) == []
