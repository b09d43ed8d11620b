"""NTA page: upload a simulated video, follow the job page to the size chart."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from exoderm.nta.simulate import SimulationSettings, SizeComponent, write_simulation
from tests.api.conftest import World
from tests.web.logins import csrf_of, login


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("nta-web") / "sim.tif"
    write_simulation(
        SimulationSettings(
            width=160,
            height=160,
            n_frames=40,
            n_particles=25,
            sizes=[SizeComponent(diameter_nm=100)],
            seed=5,
        ),
        path,
    )
    return path


def test_upload_video_and_see_distribution(world: World, video: Path) -> None:
    sci = login(world.client(), "sci")
    csrf = csrf_of(sci.get("/nta").text)
    with video.open("rb") as fh:
        r = sci.post(
            "/nta",
            data={"csrf_token": csrf, "temperature_c": "22"},
            files={"video": (video.name, fh, "image/tiff")},
            follow_redirects=False,
        )
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    deadline = time.monotonic() + 90
    page = sci.get(url).text
    while "succeeded" not in page and time.monotonic() < deadline:
        assert "failed" not in page
        time.sleep(0.3)
        page = sci.get(url).text
    assert "NTA summary" in page and '<svg role="img"' in page
    assert url.rsplit("/", 1)[-1] in sci.get("/nta").text
