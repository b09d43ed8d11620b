"""Size populations and the calibration-free concentration, asked for over the API and on
the web page, on a simulated 50/150 nm mixture."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from exoderm.nta.synthetic import SimulationSettings, SizeComponent, write_simulation
from tests.api.conftest import World, world, world_template
from tests.web.logins import csrf_of, login

__all__ = ["world", "world_template"]
ACQ = {"temperature_c": "22", "pixel_size_um": "0.166", "fps": "25", "exposure_ms": "30ms"}


@pytest.fixture(scope="module")
def mixture_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("nta-mix") / "mix50-150.tif"
    write_simulation(
        SimulationSettings(
            width=192,
            height=192,
            n_frames=60,
            n_particles=40,
            sizes=[
                SizeComponent(diameter_nm=50, fraction=1.0),
                SizeComponent(diameter_nm=150, fraction=1.0),
            ],
            seed=5,
        ),
        path,
    )
    return path


def _wait(client: TestClient, url: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    status = client.get(url).json()
    while status["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
        status = client.get(url).json()
    assert status["status"] == "succeeded", status
    result: dict[str, Any] = status["result"]
    return result


def test_the_api_fits_populations_and_the_calibration_free_concentration(
    world: World, mixture_video: Path
) -> None:
    sci = world.client("sci")
    with mixture_video.open("rb") as fh:
        r = sci.post(
            "/api/v1/nta/analyses",
            files={"video": (mixture_video.name, fh, "image/tiff")},
            data={
                **ACQ,
                "bootstrap": "0",
                "mixture": "true",
                "mixture_max_components": "3",
                "calibration_free_concentration": "true",
            },
        )
    assert r.status_code == 202, r.text
    result = _wait(sci, f"/api/v1/jobs/{r.json()['id']}")
    assert result["settings"]["mixture"] is True
    assert result["settings"]["mixture_max_components"] == 3
    mix = result["mixture"]
    assert mix is not None and 1 <= mix["n_components"] <= 3
    assert set(mix["bic"]) == {"1", "2", "3"}  # every K tried up to the limit
    free = result["calibration_free"]
    assert free is not None and free["ci_low_per_ml"] <= free["concentration_per_ml"]
    assert free["concentration_per_ml"] <= free["ci_high_per_ml"]
    plain = world.client("sci")
    with mixture_video.open("rb") as fh:
        r = plain.post(
            "/api/v1/nta/analyses",
            files={"video": (mixture_video.name, fh, "image/tiff")},
            data={
                **ACQ,
                "bootstrap": "0",
                "max_frames": "20",
                "calibration_free_concentration": "false",
            },
        )
    default = _wait(plain, f"/api/v1/jobs/{r.json()['id']}")
    assert default["mixture"] is None and default["calibration_free"] is None


def test_the_web_page_offers_them_and_shows_the_populations(
    world: World, mixture_video: Path
) -> None:
    sci = login(world.client(), "sci")
    form = sci.get("/nta").text
    assert 'name="mixture"' in form
    with mixture_video.open("rb") as fh:
        r = sci.post(
            "/nta",
            data={
                "csrf_token": csrf_of(form),
                **ACQ,
                "bootstrap": "0",
                "mixture": "true",
                "calibration_free_concentration": "true",
            },
            files={"video": (mixture_video.name, fh, "image/tiff")},
            follow_redirects=False,
        )
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    deadline = time.monotonic() + 120
    page = sci.get(url).text
    while "succeeded" not in page and time.monotonic() < deadline:
        assert "failed" not in page
        time.sleep(0.3)
        page = sci.get(url).text
    result = sci.get(f"{url}/result.json").json()
    components = result["mixture"]["components"]
    assert components, "the 40-particle mixture video gives populations to show"
    table = re.search(r'<table id="nta-mixture">.*?</table>', page, re.S)
    assert table is not None
    assert table.group(0).count("<tr><td>") == len(components)
    assert f"{components[0]['diameter_nm']:.1f}" in table.group(0)
    assert "Concentration from the detection volume" in page
