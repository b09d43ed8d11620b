"""NTA over HTTP: upload a simulated video, follow the job, store the result on a batch."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from exoderm.nta.synthetic import SimulationSettings, SizeComponent, write_simulation
from tests.api.conftest import World
from tests.api.test_qc import record


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small simulated NTA video of 100 nm particles (40 frames, 160×160 px)."""
    path = tmp_path_factory.mktemp("nta") / "beads100.tif"
    write_simulation(
        SimulationSettings(
            width=160,
            height=160,
            n_frames=40,
            n_particles=25,
            sizes=[SizeComponent(diameter_nm=100)],
            seed=3,
        ),
        path,
    )
    return path


def wait_for(client: Any, job_id: str, timeout: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    status = client.get(f"/api/v1/jobs/{job_id}").json()
    while status["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
        status = client.get(f"/api/v1/jobs/{job_id}").json()
    return status


def test_upload_analyse_and_store_on_batch(world: World, video: Path) -> None:
    qc = world.client("qc")
    assert qc.post("/api/v1/qc/batches", json=record("NTA-1")).status_code == 201
    with video.open("rb") as fh:
        r = qc.post(
            "/api/v1/nta/analyses",
            files={"video": (video.name, fh, "image/tiff")},
            data={
                "temperature_c": "22",
                "pixel_size_um": "0.166",
                "fps": "25",
                "exposure_ms": "30",
                "lot": "NTA-1",
            },
        )
    assert r.status_code == 202, r.text
    status = wait_for(qc, r.json()["id"])
    assert status["status"] == "succeeded", status
    result = status["result"]
    assert result["frames"] == 40 and result["tracks"] > 0
    assert "track_rows" not in result
    batch = qc.get("/api/v1/qc/batches/NTA-1").json()
    assert [m["id"] for m in batch["measurements"]] == [result["stored_measurement_id"]]


def test_bad_upload_and_roles(world: World, tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a video")
    with text.open("rb") as fh:
        r = world.client("qc").post(
            "/api/v1/nta/analyses", files={"video": ("notes.txt", fh, "text/plain")}
        )
    assert r.status_code == 422 and r.json()["errors"][0]["file"] == "notes.txt"
    with text.open("rb") as fh:
        r = world.client("doc_a").post(
            "/api/v1/nta/analyses", files={"video": ("v.tif", fh, "image/tiff")}
        )
    assert r.status_code == 403


ACQUISITION = {"temperature_c": "22", "pixel_size_um": "0.166", "fps": "25", "exposure_ms": "30ms"}


def test_corrupt_video_fails_the_job_not_the_server(world: World, tmp_path: Path) -> None:
    bad = tmp_path / "broken.tif"
    bad.write_bytes(b"II*\x00garbage")
    with bad.open("rb") as fh:
        r = world.client("sci").post(
            "/api/v1/nta/analyses",
            files={"video": ("broken.tif", fh, "image/tiff")},
            data=ACQUISITION,
        )
    assert r.status_code == 202
    status = wait_for(world.client("sci"), r.json()["id"])
    assert status["status"] == "failed" and status["error"]


@pytest.mark.parametrize("missing", sorted(ACQUISITION))
def test_acquisition_is_required_not_defaulted(world: World, video: Path, missing: str) -> None:
    data = {k: v for k, v in ACQUISITION.items() if k != missing}
    with video.open("rb") as fh:
        r = world.client("sci").post(
            "/api/v1/nta/analyses", files={"video": (video.name, fh, "image/tiff")}, data=data
        )
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert errors[0]["field"] == f"acquisition.{missing}"
    assert errors[0]["message"] == "Field required"


def test_stated_volume_gives_a_concentration_and_the_server_path_stays_private(
    world: World, video: Path
) -> None:
    with video.open("rb") as fh:
        r = world.client("sci").post(
            "/api/v1/nta/analyses",
            files={"video": (video.name, fh, "image/tiff")},
            data=ACQUISITION | {"bootstrap": "0", "effective_volume_pl": "150"},
        )
    assert r.status_code == 202, r.text
    status = wait_for(world.client("sci"), r.json()["id"])
    assert status["status"] == "succeeded", status
    result = status["result"]
    conc = result["concentration"]
    assert conc["effective_volume_pl"] == 150
    assert conc["concentration_per_ml"] == pytest.approx(
        result["particles_per_frame"] / 150e-9, rel=1e-9
    )
    assert result["source"] == video.name and "exoderm-nta-" not in str(result)
