"""Simulation over HTTP: time courses and endpoints match the library; cohorts as jobs."""

from __future__ import annotations

import math
import time

from exoderm.simulate.outcomes import predict_outcomes
from exoderm.simulate.scenario import build_scenario
from tests.api.conftest import World


def test_wound_run_matches_library(world: World) -> None:
    body = {
        "model": "wound",
        "source": "adipose-msc",
        "dose": 1e10,
        "route": "injection",
        "schedule": [0, 7, 14],
    }
    r = world.client("sci").post("/api/v1/simulate/run", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    lib = predict_outcomes(build_scenario(**body))
    for name, value in lib.endpoints.items():
        got = out["endpoints"][name]
        assert (got is None) if math.isnan(value) else got == value
    assert len(out["times"]) <= 400 and out["times"][0] == 0
    names = {s["variable"] for s in out["series"]}
    assert "W" in names or names  # wound area is among the states


def test_invalid_scenario_is_422(world: World) -> None:
    r = world.client("sci").post(
        "/api/v1/simulate/run", json={"model": "wound", "dose": -1, "schedule": [0]}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "dose"


def test_wound_run_shorter_than_its_endpoints_is_422_not_500(world: World) -> None:
    """The wound endpoints are read at day 14: a 10-day run is refused at the edge."""
    r = world.client("sci").post(
        "/api/v1/simulate/run",
        json={"model": "wound", "dose": 1e10, "schedule": [0], "duration_days": 10},
    )
    assert r.status_code == 422, r.text
    assert "at least 14 days" in r.text


def test_cohort_job_reports_progress_and_result(world: World) -> None:
    client = world.client("viewer")
    r = client.post(
        "/api/v1/simulate/cohorts",
        json={"scenario": {"model": "wound", "dose": 1e10, "schedule": [0]}, "patients": 50},
    )
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    deadline = time.monotonic() + 60
    status = r.json()
    while status["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.1)
        status = client.get(f"/api/v1/jobs/{job_id}").json()
    assert status["status"] == "succeeded", status
    assert status["progress"] == 1.0
    assert "closure_day7_pct" in status["result"]
    # another user cannot see the job
    assert world.client("sci").get(f"/api/v1/jobs/{job_id}").status_code == 404
    mine = client.get("/api/v1/jobs").json()
    assert [j["id"] for j in mine["items"]] == [job_id]


def test_run_carries_intervals_and_the_dose_finding(world: World) -> None:
    body = {
        "model": "wound",
        "source": "adipose-msc",
        "dose": 1e10,
        "route": "injection",
        "schedule": [0, 7, 14],
        "diabetic": True,
    }
    r = world.client("viewer").post("/api/v1/simulate/run", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    bands = out["intervals"]["endpoints"]
    assert set(bands) == set(out["endpoints"])
    for name in ("closure_day14_pct", "closure_difference_day14_pp"):
        assert bands[name]["low"] <= out["endpoints"][name] <= bands[name]["high"]
        assert bands[name]["low"] < bands[name]["high"]
    assert "90 %" in out["intervals"]["label"]
    day14 = next(h for h in out["intervals"]["headline"] if h["key"] == "closure_day14")
    assert set(day14) >= {"treated", "control", "difference"}
    assert out["dose_effect"]["meaningful"] is False
    assert out["dose_effect"]["lowest_meaningful_dose"] > body["dose"]
    assert "no meaningful difference" in out["dose_effect_sentence"]
    schema = world.app.openapi()["components"]["schemas"]
    assert "PredictionIntervals" in schema and "Band" in schema
