"""Background jobs: progress, results, failures, and who may see them."""

from __future__ import annotations

import threading

import pytest

from exoderm.accounts import service
from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Role
from exoderm.errors import NotFoundError, UserInputError
from exoderm.serving.jobs import JobRunner, JobStatus, ProgressReporter
from tests.api.conftest import World


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
    assert "boom" not in b.message and "logged" in b.message


def test_runner_finds_and_lists_its_jobs(runner: JobRunner) -> None:
    job = runner.submit("x", lambda report: 1, owner_id=7, organisation_id=None)
    assert runner.find(job.id) is job
    assert runner.find("no-such-job") is None
    assert job in runner.all()


def test_service_applies_the_ownership_rule(runner: JobRunner) -> None:
    owner = Actor("ana", Role.scientist, organisation_id=1, user_id=7)
    colleague = Actor("bo", Role.scientist, organisation_id=1, user_id=8)
    root = Actor("root", Role.admin, user_id=1)
    first = runner.submit("x", lambda report: 1, owner_id=7, organisation_id=1)
    second = runner.submit("x", lambda report: 2, owner_id=7, organisation_id=1)
    assert service.get_job(runner, owner, job_id=first.id) is first
    assert service.get_job(runner, root, job_id=first.id) is first
    with pytest.raises(NotFoundError):
        service.get_job(runner, colleague, job_id=first.id)
    assert service.list_jobs(runner, colleague).total == 0
    mine = service.list_jobs(runner, owner)
    assert mine.total == 2 and {j.id for j in mine.items} == {first.id, second.id}
    assert service.list_jobs(runner, root).total == 2


def test_one_owner_cannot_fill_the_queue() -> None:
    """ASVS 5.0 V15.2.2 / V15.4.4: at most ``max_per_owner`` unfinished jobs per user."""
    from exoderm.serving.jobs import TooManyJobs

    runner = JobRunner(max_workers=1, max_per_owner=2)
    gate = threading.Event()

    def work(report: ProgressReporter) -> dict[str, int]:
        gate.wait(5)
        return {"done": 1}

    try:
        first = runner.submit("demo", work, owner_id=7, organisation_id=None)
        runner.submit("demo", work, owner_id=7, organisation_id=None)
        with pytest.raises(TooManyJobs, match="2 jobs queued or running"):
            runner.submit("demo", work, owner_id=7, organisation_id=None)
        with pytest.raises(TooManyJobs):
            runner.check_room(7)
        runner.submit("demo", work, owner_id=8, organisation_id=None)  # another user
        gate.set()
        runner.wait(first.id, timeout=5)
        for job in runner.all():
            runner.wait(job.id, timeout=5)
        runner.check_room(7)  # room again once they finished
    finally:
        gate.set()
        runner.shutdown()


def test_the_api_answers_429_past_the_cap(world: World) -> None:
    from exoderm.serving.jobs import JobRunner as Runner

    ctx = world.app.state.context
    ctx.jobs.shutdown()
    ctx.jobs = Runner(max_workers=1, max_per_owner=1)
    gate = threading.Event()
    ctx.jobs.submit(
        "demo", lambda report: gate.wait(5), owner_id=world.user_ids["sci"], organisation_id=None
    )
    try:
        answer = world.client("sci").post(
            "/api/v1/simulate/cohorts",
            json={"scenario": {"model": "wound", "dose": 1e10, "schedule": [0]}, "patients": 10},
        )
        assert answer.status_code == 429, answer.text
        assert "jobs queued or running" in answer.json()["detail"]
    finally:
        gate.set()
