"""Edge validation, the dose layer and the CLI (one-line errors, JSON output, files)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from exoderm.cli.main import main
from exoderm.errors import ValidationFailed
from exoderm.simulate.exposure import Exposure, dose_in_ug
from exoderm.simulate.scenario import DoseUnit, build_scenario, parse_schedule


def test_particles_convert_with_purity_ratio() -> None:
    assert dose_in_ug(3e10, DoseUnit.particles) == pytest.approx(1.0)
    assert dose_in_ug(5.0, DoseUnit.ug) == 5.0


def test_exposure_decays_and_sums_doses() -> None:
    ex = Exposure(np.array([0.0, 1.0]), np.array([[10.0, 10.0]]), np.log(2), 10.0)
    assert ex.level(1.0, given_until=0.0)[0] == pytest.approx(5.0)
    assert ex.level(1.0, given_until=1.0)[0] == pytest.approx(15.0)
    assert ex.effect(1.0, 1.0)[0] == pytest.approx(15.0 / 25.0)


def test_bad_inputs_are_validation_errors() -> None:
    with pytest.raises(ValidationFailed, match="schedule"):
        parse_schedule("0,seven")
    with pytest.raises(ValidationFailed, match="dose"):
        build_scenario(model="wound", dose=-1.0)
    with pytest.raises(ValidationFailed, match="schedule"):
        build_scenario(model="wound", dose=1.0, schedule=(-3.0,))


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_wound_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    png = tmp_path / "w.png"
    code, out, _ = run(
        [
            "--format",
            "json",
            "simulate",
            "wound",
            "--source",
            "adipose-msc",
            "--dose",
            "1e12",
            "--route",
            "injection",
            "--schedule",
            "0,7,14",
            "--plot",
            str(png),
        ],
        capsys,
    )
    assert code == 0
    data = json.loads(out)
    assert data["model"] == "wound"
    assert data["time_to_95_closure_days"] < data["time_to_95_closure_control_days"]
    assert png.stat().st_size > 1000


def test_cli_error_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["simulate", "wound", "--schedule", "0,x"], capsys)
    assert code == 2
    assert "Traceback" not in err and "item 2" in err


def test_cli_cohort_and_export(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(
        [
            "--format",
            "json",
            "simulate",
            "cohort",
            "--model",
            "ad",
            "--patients",
            "50",
            "--dose",
            "1e13",
        ],
        capsys,
    )
    assert code == 0
    rows = {r["endpoint"]: r for r in json.loads(out)}
    assert rows["easi_change_pct"]["p05"] <= rows["easi_change_pct"]["median"]
    assert 0.0 <= rows["rate_easi50"]["rate_pct"] <= 100.0
    xml = tmp_path / "ad.xml"
    code, _, _ = run(["simulate", "export-sbml", "--model", "ad", "--out", str(xml)], capsys)
    assert code == 0 and "<sbml" in xml.read_text()


def test_cli_validate_writes_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The full report: every check, every leave-one-out row, every independent outcome."""
    from exoderm.simulate import oos

    report = tmp_path / "validation.md"
    argv = ["--quiet", "simulate", "validate", "--out-of-sample", "--out", str(report)]
    code, _, _ = run(argv, capsys)
    text = report.read_text()
    assert code == 0
    checks, _, out_of_sample = text.partition("## Out-of-sample validation")
    assert "| W1 |" in checks and "| P2 |" in checks and "fail |" not in checks
    assert "| I-KWON2020-ECCA |" in out_of_sample  # out-of-sample rows may fail
    for o in oos.independent_outcomes():
        assert f"| {o['id']} |" in out_of_sample
    for tid in oos.fit_ids():
        assert f"| {tid} |" in out_of_sample
    assert "independent outcomes fall inside" in out_of_sample


def test_cli_validate_without_out_of_sample_says_how_to_get_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    report = tmp_path / "validation.md"
    code, _, _ = run(["--quiet", "simulate", "validate", "--out", str(report)], capsys)
    text = report.read_text()
    assert code == 0 and "| W1 |" in text and "fail |" not in text
    assert "--out-of-sample" in text and "| I-KWON2020-ECCA |" not in text


def test_fractional_dosing_days_land_on_the_grid() -> None:
    """Days are rounded to 0.05 d; RK4 and the per-patient reference then agree."""
    from exoderm.simulate.population import wound_cohort_input, wound_endpoints

    sc = build_scenario(model="wound", dose=1e12, schedule=(0.0, 3.33, 7.26))
    assert sc.schedule == (0.0, 3.35, 7.25)
    inp = wound_cohort_input(sc, 2, seed=2)
    fast, slow = wound_endpoints(inp), wound_endpoints(inp, "solve_ivp")
    for name in fast:
        np.testing.assert_allclose(fast[name], slow[name], rtol=1e-3)


def test_rk4_refuses_off_grid_doses() -> None:
    from exoderm.simulate.integrate import solve_rk4
    from exoderm.simulate.wound import WoundModel, wound_parameters

    m = WoundModel()
    p = wound_parameters()
    ex = Exposure(np.array([0.0, 1.03]), np.ones((1, 2)), 0.7, 100.0)
    with pytest.raises(ValueError, match="grid"):
        solve_rk4(m, p, m.initial_state(p, 1), ex, np.array([0.0, 2.0]), 0.05)


def test_cli_parameters_lists_sources(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--format", "json", "simulate", "parameters", "--model", "wound"], capsys)
    rows = {r["parameter"]: r for r in json.loads(out)}
    assert code == 0
    assert rows["k10"]["value"] == 0.924 and rows["k10"]["source"] == "W2007"
    assert rows["k_close"]["source"] == "ASSUMPTION"
