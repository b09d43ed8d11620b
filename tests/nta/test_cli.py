"""``exoderm nta`` commands: simulate → calibrate → analyze (JSON/CSV/PNG, QC record)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exoderm.cli.main import main
from exoderm.cli.nta import parse_exposure_ms
from exoderm.errors import UserInputError


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("nta") / "sim.tif"
    code = main(
        [
            "--quiet",
            "nta",
            "simulate",
            str(path),
            "--frames",
            "80",
            "--width",
            "256",
            "--height",
            "256",
            "--concentration",
            "3e9",
            "--brightness-exponent",
            "2",
            "--seed",
            "2",
        ]
    )
    assert code == 0
    return path


ACQ = ["--temperature", "22", "--pixel-size", "0.166", "--fps", "25", "--exposure", "30ms"]


def test_simulate_writes_video_and_truth(video: Path) -> None:
    truth = json.loads(video.with_suffix(".truth.json").read_text())
    assert truth["frames"] == 80
    assert truth["number_density_per_ml"] == pytest.approx(3e9, rel=0.05)


def test_calibrate_then_analyze_with_batch(
    video: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    truth = json.loads(video.with_suffix(".truth.json").read_text())
    cal = tmp_path / "cal.json"
    assert (
        main(
            [
                "--quiet",
                "--format",
                "json",
                "nta",
                "calibrate",
                str(video),
                "--standard-concentration",
                str(truth["number_density_per_ml"]),
                "--standard",
                "simulated",
                "--out",
                str(cal),
                *ACQ,
            ]
        )
        == 0
    )
    assert json.loads(cal.read_text())["effective_volume_pl"] > 0
    capsys.readouterr()

    db = f"sqlite:///{tmp_path / 'x.db'}"
    from exoderm.accounts.actor import local_operator
    from exoderm.qc import create_batch, measurements_for, parse_batch_record
    from exoderm.storage import open_database, upgrade

    database = open_database(db)
    upgrade(database)
    with database.transaction() as session:
        record = {"product": "Serum", "lot": "L-NTA", "source": {"kind": "cell"}}
        create_batch(session, parse_batch_record(record), local_operator())

    out = tmp_path / "out"
    code = main(
        [
            "--db",
            db,
            "--quiet",
            "--format",
            "json",
            "nta",
            "analyze",
            str(video),
            *ACQ,
            "--dilution",
            "100",
            "--calibration",
            str(cal),
            "--batch",
            "L-NTA",
            "--out",
            str(out),
            "--bootstrap",
            "5",
        ]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    # the calibration video is the sample: concentration = truth × dilution
    assert summary["concentration_per_ml"] == pytest.approx(
        100 * truth["number_density_per_ml"], rel=0.01
    )
    assert 80 < summary["d50_nm"] < 125
    assert {p.name for p in out.iterdir()} >= {
        "sim.json",
        "sim_distribution.csv",
        "sim_tracks.csv",
        "sim.png",
    }
    with database.transaction() as session:
        stored = measurements_for(session, "L-NTA")
    assert len(stored) == 1
    database.dispose()


def test_bad_inputs_are_one_line_errors(
    video: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["nta", "analyze", str(tmp_path / "none.tif"), *ACQ]) == 2
    assert "no such file" in capsys.readouterr().err
    bad = [a if a != "30ms" else "thirty" for a in ACQ]
    assert main(["nta", "analyze", str(video), *bad]) == 2
    err = capsys.readouterr().err
    assert "exposure" in err and "Traceback" not in err
    slow = [a if a != "25" else "10" for a in ACQ]  # 10 fps: 200 ms exposure cannot fit
    assert (
        main(
            [
                "--quiet",
                "nta",
                "analyze",
                str(video),
                *slow[:-1],
                "200ms",
                "--max-frames",
                "5",
                "--bootstrap",
                "0",
            ]
        )
        == 2
    )
    assert "exposure" in capsys.readouterr().err


def test_parse_exposure() -> None:
    assert parse_exposure_ms("30ms") == pytest.approx(30.0)
    assert parse_exposure_ms("0.03s") == pytest.approx(30.0)
    assert parse_exposure_ms("30000us") == pytest.approx(30.0)
    assert parse_exposure_ms("12") == pytest.approx(12.0)
    with pytest.raises(UserInputError):
        parse_exposure_ms("fast")
