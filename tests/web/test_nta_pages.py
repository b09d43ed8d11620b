"""NTA page: upload a simulated video, follow the job page to the size chart."""

from __future__ import annotations

import html
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from exoderm.cli.main import main
from exoderm.nta.synthetic import SimulationSettings, SizeComponent, write_simulation
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
            data={
                "csrf_token": csrf,
                "temperature_c": "22",
                "pixel_size_um": "0.166",
                "fps": "25",
                "exposure_ms": "30ms",
                "bootstrap": "",
                "effective_volume_pl": "",
            },
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
    assert "done: frame 40 of 40 analysed" in page and '<progress max="1" value="1"' in page
    downloads = {
        "distribution.csv": "text/csv",
        "result.json": "application/json",
        "distribution.png": "image/png",
    }
    for name, media_type in downloads.items():
        assert f'href="{url}/{name}"' in page
        got = sci.get(f"{url}/{name}")
        assert got.status_code == 200 and got.headers["content-type"].startswith(media_type)
        assert "attachment" in got.headers["content-disposition"]
        assert login(world.client(), "qc").get(f"{url}/{name}").status_code == 404
    rows = sci.get(f"{url}/distribution.csv").text.splitlines()
    assert rows[0] == "lower_nm,upper_nm,centre_nm,fraction,density_per_nm" and len(rows) > 10
    result = sci.get(f"{url}/result.json").json()
    assert result["frames"] == 40 and "track_rows" not in result
    low, high = (float(x) for x in re.findall(r"Size axis (\d+)–(\d+) nm", page)[0])
    assert low < result["summary"]["d10_nm"] and result["summary"]["d90_nm"] < high < 1000


# --------------------------------------------------------------------------- three faces
ACQ = {"temperature_c": "22", "pixel_size_um": "0.166", "fps": "25", "exposure_ms": "30ms"}
CLI_ACQ = ["--temperature", "22", "--pixel-size", "0.166", "--fps", "25", "--exposure", "30ms"]
#: What the library says of 120 °C, whichever face it came through.
TOO_HOT = "temperature 120 °C is outside 0 to 100 °C (liquid water at 0.1 MPa)"


def _wait(client: TestClient, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    status = client.get(f"/api/v1/jobs/{job_id}").json()
    while status["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
        status = client.get(f"/api/v1/jobs/{job_id}").json()
    assert status["status"] == "succeeded", status
    result: dict[str, Any] = status["result"]
    return result


def test_out_of_range_temperature_is_rejected_alike_by_cli_api_and_web(
    world: World, video: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hot = [a if a != "22" else "120" for a in CLI_ACQ]
    assert main(["nta", "analyze", str(video), *hot]) == 2
    cli_err = " ".join(capsys.readouterr().err.split())
    with video.open("rb") as fh:
        api = world.client("sci").post(
            "/api/v1/nta/analyses",
            files={"video": (video.name, fh, "image/tiff")},
            data=ACQ | {"temperature_c": "120"},
        )
    sci = login(world.client(), "sci")
    csrf = csrf_of(sci.get("/nta").text)
    with video.open("rb") as fh:
        web = sci.post(
            "/nta",
            data=ACQ | {"temperature_c": "120", "csrf_token": csrf},
            files={"video": (video.name, fh, "image/tiff")},
        )
    assert api.status_code == 422 and web.status_code == 422
    problem = api.json()["errors"][0]
    assert (problem["field"], problem["message"]) == ("acquisition.temperature_c", TOO_HOT)
    assert TOO_HOT in cli_err
    assert TOO_HOT in html.unescape(web.text)
    assert api.json()["detail"] in cli_err


def test_web_requires_the_acquisition_and_names_the_missing_field(
    world: World, video: Path
) -> None:
    sci = login(world.client(), "sci")
    csrf = csrf_of(sci.get("/nta").text)
    with video.open("rb") as fh:
        r = sci.post(
            "/nta",
            data={k: v for k, v in ACQ.items() if k != "fps"} | {"csrf_token": csrf},
            files={"video": (video.name, fh, "image/tiff")},
        )
    assert r.status_code == 422
    assert "acquisition.fps" in html.unescape(r.text) and "Field required" in r.text


def test_same_video_same_json_through_cli_api_and_web(
    world: World, video: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cal = tmp_path / "cal.json"
    calibrate = ["--quiet", "nta", "calibrate", str(video), "--out", str(cal), *CLI_ACQ]
    assert main([*calibrate, "--standard-concentration", "2e9"]) == 0
    out = tmp_path / "out"
    cli = ["--quiet", "nta", "analyze", str(video), *CLI_ACQ, "--bootstrap", "0"]
    assert main([*cli, "--calibration", str(cal), "--out", str(out)]) == 0
    capsys.readouterr()
    from_cli = json.loads((out / f"{video.stem}.json").read_text())
    from_cli.pop("track_rows")

    form = ACQ | {"bootstrap": "0"}
    with video.open("rb") as fh, cal.open("rb") as c:
        api = world.client("sci").post(
            "/api/v1/nta/analyses",
            files={"video": (video.name, fh, "image/tiff"), "calibration": (cal.name, c)},
            data=form,
        )
    assert api.status_code == 202, api.text
    from_api = _wait(world.client("sci"), api.json()["id"])

    sci = login(world.client(), "sci")
    csrf = csrf_of(sci.get("/nta").text)
    with video.open("rb") as fh, cal.open("rb") as c:
        web = sci.post(
            "/nta",
            data=form | {"csrf_token": csrf},
            files={"video": (video.name, fh, "image/tiff"), "calibration": (cal.name, c)},
            follow_redirects=False,
        )
    assert web.status_code == 303, web.text
    from_web = _wait(sci, web.headers["location"].rsplit("/", 1)[-1])

    assert from_cli["concentration"]["concentration_per_ml"] > 0
    assert from_api == from_cli
    assert from_web == from_cli
