"""Simulation pages: form → time-course plots; cohort job page that polls until done."""

from __future__ import annotations

import time

from tests.api.conftest import World
from tests.web.logins import csrf_of, login

FORM = {
    "model": "wound",
    "source": "adipose-msc",
    "dose": "1e10",
    "unit": "particles",
    "route": "injection",
    "schedule": "0,7,14",
}


def test_simulation_form_plots_time_courses(world: World) -> None:
    viewer = login(world.client(), "viewer")
    csrf = csrf_of(viewer.get("/simulate").text)
    r = viewer.post("/simulate", data={"csrf_token": csrf, **FORM})
    assert r.status_code == 200, r.text
    assert r.text.count('<svg role="img"') >= 2 and "time_to_95_closure_days" in r.text


def test_bad_schedule_is_reported(world: World) -> None:
    viewer = login(world.client(), "viewer")
    csrf = csrf_of(viewer.get("/simulate").text)
    r = viewer.post("/simulate", data={"csrf_token": csrf, **FORM, "schedule": "0,x"})
    assert r.status_code == 422 and "schedule" in r.text


def test_cohort_runs_as_job_with_status_fragment(world: World) -> None:
    sci = login(world.client(), "sci")
    csrf = csrf_of(sci.get("/simulate").text)
    r = sci.post(
        "/simulate/cohort",
        data={"csrf_token": csrf, **FORM, "patients": "50"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
    url = r.headers["location"]
    deadline = time.monotonic() + 60
    fragment = sci.get(url, headers={"HX-Request": "true"}).text
    while "succeeded" not in fragment and time.monotonic() < deadline:
        assert "failed" not in fragment
        time.sleep(0.2)
        fragment = sci.get(url, headers={"HX-Request": "true"}).text
    assert "closure_day7_pct" in fragment and "hx-trigger" not in fragment
    assert login(world.client(), "qc").get(url).status_code == 404
