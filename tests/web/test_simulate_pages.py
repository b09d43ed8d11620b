"""Simulation pages: form → time-course plots; cohort job page that polls until done."""

from __future__ import annotations

import html
import re
import time

from pytest import approx

from exoderm.simulate.effective_range import effective_range
from exoderm.simulate.plots import ENDPOINT_LABELS
from exoderm.web.simulate_pages import _scenario
from tests.api.conftest import World
from tests.web.logins import csrf_of, login

ENDPOINTS = sorted({k for table in ENDPOINT_LABELS.values() for k in table})
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
    assert r.text.count('<svg role="img"') >= 2 and "Time to 95 % closure, treated" in r.text
    assert 'aria-label="Open wound area (fraction of the initial area)"' in r.text
    assert 'aria-label="Fibroblasts (cells/mm³)"' in r.text
    shown = re.sub(r"<svg.*?</svg>", "", r.text, flags=re.S)  # ids inside SVGs are no text
    assert not [k for k in ENDPOINTS if k in shown], "snake_case endpoint names on the page"


def test_dose_below_the_effective_range_is_said(world: World) -> None:
    viewer = login(world.client(), "viewer")
    csrf = csrf_of(viewer.get("/simulate").text)
    readme = {**FORM, "diabetic": "true"}  # the README's `exoderm simulate wound` example
    text = html.unescape(viewer.post("/simulate", data={"csrf_token": csrf, **readme}).text)
    expected = effective_range(_scenario(readme))
    assert not expected.meaningful and expected.lowest_meaningful_dose is not None
    assert "the model predicts no meaningful difference" in text
    assert "from 10¹¹ particles per administration" in text
    strong = {**readme, "dose": "1e13"}
    text = html.unescape(viewer.post("/simulate", data={"csrf_token": csrf, **strong}).text)
    assert "At this dose the model predicts a difference" in text


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


def test_endpoint_table_shows_90_percent_intervals(world: World) -> None:
    viewer = login(world.client(), "viewer")
    csrf = csrf_of(viewer.get("/simulate").text)
    text = html.unescape(viewer.post("/simulate", data={"csrf_token": csrf, **FORM}).text)
    assert '<th scope="col">90 % interval</th>' in text
    assert "over the fit's parameter uncertainty" in text
    row = re.search(
        r"Closure at day 14, treated − untreated</th><td>([^<]+)</td><td>([^<]+)</td>", text
    )
    assert row is not None
    value = float(row.group(1))
    low, high = (float(x) for x in row.group(2).split(" – "))
    assert low <= value <= high and low < high


def test_the_api_and_the_page_show_the_dose(world: World) -> None:
    body = {"model": "wound", "dose": 1e12, "schedule": [0, 7], "particles_per_ug": 1e10}
    r = world.client("sci").post("/api/v1/simulate/run", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["dose"]["ug_protein"] == approx(100.0)
    viewer = login(world.client(), "viewer")
    csrf = csrf_of(viewer.get("/simulate").text)
    form = {"model": "wound", "source": "adipose-msc", "dose": "1e12", "unit": "particles",
            "route": "topical", "schedule": "0,7", "csrf_token": csrf}  # fmt: skip
    text = html.unescape(viewer.post("/simulate", data=form).text)
    assert 'id="dose-conversions"' in text and "F_route (topical)" in text
    assert "33.3 µg protein" in text
    bad = viewer.post("/simulate", data={**form, "particles_per_ug": "-5"})
    assert bad.status_code == 422
