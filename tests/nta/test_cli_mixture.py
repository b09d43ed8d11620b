"""``exoderm nta analyze --mixture``: the components table, flow warnings and report files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from exoderm.cli.main import main

ACQ = ["--temperature", "22", "--pixel-size", "0.166", "--fps", "25", "--exposure", "30ms"]


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two populations (60 and 150 nm, 1:1 by number) on a small field."""
    path = tmp_path_factory.mktemp("nta_mixture") / "mix.tif"
    code = main(
        [
            "--quiet",
            "nta",
            "simulate",
            str(path),
            "--frames",
            "60",
            "--width",
            "192",
            "--height",
            "192",
            "--size",
            "60:1",
            "--size",
            "150:1",
            "--concentration",
            "6e9",
            "--brightness-exponent",
            "0",
            "--drift",
            "0.5",
            "0",
            "--seed",
            "4",
        ]
    )
    assert code == 0
    return path


def test_mixture_table_is_printed(video: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    args = ["--format", "csv", "nta", "analyze", str(video), *ACQ, "--bootstrap", "0"]
    code = main([*args, "--mixture", "--max-components", "3"])
    assert code == 0
    captured = capsys.readouterr()
    assert "diameter_nm" in captured.out and "number_fraction" in captured.out
    rows = list(csv.reader(captured.out.splitlines()))
    header = rows.index(next(r for r in rows if r and r[0] == "diameter_nm"))
    components = rows[header + 1 :]
    assert 1 <= len(components) <= 3
    assert all(float(r[0]) > 0 for r in components)
    # the 0.5 px/frame drift is reported by the flow diagnostics
    assert "warning (mix.tif)" in captured.err


def test_mixture_table_has_a_title(video: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    code = main(["nta", "analyze", str(video), *ACQ, "--bootstrap", "0", "--mixture"])
    assert code == 0
    out = capsys.readouterr().out
    assert "population(s) of" in out and "diameter_nm" in out


def test_no_mixture_by_default(video: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    code = main(["--format", "json", "nta", "analyze", str(video), *ACQ, "--bootstrap", "0"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert "mixture" not in summary


def test_mixture_in_json_and_report_files(
    video: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    out = tmp_path / "out"
    args = ["--quiet", "--format", "json", "nta", "analyze", str(video), *ACQ]
    code = main([*args, "--bootstrap", "0", "--mixture", "--out", str(out)])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)  # still one JSON document
    assert summary["mixture"] and summary["mixture"][0]["diameter_nm"] > 0
    names = {p.name for p in out.iterdir()}
    assert {"mix_flow.csv", "mix_mixture.csv"} <= names
    flow = dict(csv.reader((out / "mix_flow.csv").read_text().splitlines()[1:]))
    assert float(flow["drift_vx_um_s"]) > 0  # the simulated drift is along +x
    mixture = (out / "mix_mixture.csv").read_text().splitlines()
    assert mixture[0].startswith("diameter_nm") and len(mixture) == len(summary["mixture"]) + 1


def test_max_components_out_of_range_is_a_usage_error(video: Path) -> None:
    code = main(["nta", "analyze", str(video), *ACQ, "--mixture", "--max-components", "9"])
    assert code == 2
