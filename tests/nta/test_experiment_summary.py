"""NanoSight-style ``ExperimentSummary.csv`` export: round trip through the QC importer."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from exoderm.cli.main import main
from exoderm.errors import UserInputError
from exoderm.nta import Calibration, FrameSource, NtaResult, analyze, simulate_video
from exoderm.nta.nanosight_export import experiment_summary_csv
from exoderm.qc.distribution import bin_edges, percentile_nm
from exoderm.qc.importers import import_file, nanosight
from exoderm.qc.importers.text import SourceText
from exoderm.qc.measurement import ParticleMeasurement

#: 3 significant digits, as NTA 3.4 prints concentrations (``5.91e+12``)
CONCENTRATION_REL = 5e-3
#: one decimal, as NanoSight prints sizes
SIZE_ABS = 0.05 + 1e-9
SUMMARY = ("mean_nm", "mode_nm", "sd_nm", "d10_nm", "d50_nm", "d90_nm")


def _analyse(video: FrameSource, calibration: Calibration | None) -> NtaResult:
    return analyze(
        video,
        temperature=22,
        pixel_size=0.166,
        fps=25,
        exposure="30ms",
        bootstrap=0,
        calibration=calibration,
    )


def _result(seed: int) -> NtaResult:
    video = simulate_video(n_frames=60, width=128, height=128, n_particles=25, seed=seed)
    return _analyse(video, Calibration.from_volume(120.0))


@pytest.fixture(scope="module")
def results() -> list[NtaResult]:
    return [_result(3), _result(4)]


def _parse(text: str) -> tuple[SourceText, ParticleMeasurement]:
    src = SourceText(Path("ExperimentSummary.csv"), text.splitlines(), "0" * 64, "utf-8")
    assert nanosight.looks_like(src)
    (measurement,) = nanosight.parse(src)
    return src, measurement


def _cumulative(m: ParticleMeasurement, diameters: list[float]) -> np.ndarray:
    lower, upper = bin_edges(m.bins)
    conc = np.array([b.concentration_per_ml for b in m.bins])
    cdf = np.concatenate([[0.0], np.cumsum(conc)]) / conc.sum()
    return np.interp(diameters, np.concatenate([[lower[0]], upper]), cdf)


def test_one_result_survives_the_qc_importer(results: list[NtaResult]) -> None:
    result = results[0]
    assert result.concentration is not None
    _, m = _parse(experiment_summary_csv(result, sample="synthetic 100 nm"))
    assert m.sample_name == "synthetic 100 nm"
    assert m.concentration_per_ml == pytest.approx(
        result.concentration.concentration_per_ml, rel=CONCENTRATION_REL
    )
    for key in SUMMARY:
        assert getattr(m, key) == pytest.approx(result.summary[key], abs=SIZE_ABS), key
    (video,) = m.replicates
    assert video.particles_counted == result.sized_tracks
    assert video.completed_tracks == result.tracks
    assert m.settings["Temperature/C"] == "22.000"
    assert m.settings["Viscosity/cP"] == f"{result.viscosity_mpas:.6f}"
    assert [w.value for w in m.warnings] == result.warnings


def test_distribution_survives_the_qc_importer(results: list[NtaResult]) -> None:
    result = results[0]
    assert result.concentration is not None
    _, m = _parse(experiment_summary_csv(result, sample="s"))
    per_bin = [b.concentration_per_ml for b in m.bins]
    total = sum(c for c in per_bin if c is not None)
    assert None not in per_bin
    # each 1-nm bin is printed to the particle: the sum is the concentration
    assert total == pytest.approx(result.concentration.concentration_per_ml, rel=1e-4)
    dist = result.distribution()
    # on the export's 1-nm edges the cumulative fraction is exoderm's, up to the rounding
    # of each bin to a whole particle/mL (inside a 1-nm bin it is interpolated afresh)
    picks = [dist.quantile(q) for q in (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)]
    diameters = [float(d) for d in np.round(picks)]
    expected = [dist.fraction_below(d) for d in diameters]
    np.testing.assert_allclose(_cumulative(m, diameters), expected, atol=1e-4)
    lower, upper = bin_edges(m.bins)
    weights = np.array([b.concentration_per_ml for b in m.bins])
    for q, key in ((0.1, "d10_nm"), (0.5, "d50_nm"), (0.9, "d90_nm")):
        # D-values read back from the exported bins, not only the printed rows
        assert percentile_nm(lower, upper, weights, q) == pytest.approx(
            result.summary[key], abs=0.5
        )
    reported = m.replicates[0].reported["percentile_nm"]
    assert isinstance(reported, list)
    percentiles = [p for p in reported if isinstance(p, float)]
    assert len(percentiles) == 101
    assert percentiles[50] == pytest.approx(result.summary["d50_nm"], abs=SIZE_ABS)
    assert percentiles == sorted(percentiles)


def test_several_results_are_the_videos_of_one_experiment(results: list[NtaResult]) -> None:
    _, m = _parse(experiment_summary_csv(results, sample="s"))
    assert [r.name for r in m.replicates] == [Path(r.source).stem for r in results]
    for key in SUMMARY:
        values = [r.summary[key] for r in results]
        assert getattr(m, key) == pytest.approx(np.mean(values), abs=SIZE_ABS), key
        for replicate, value in zip(m.replicates, values, strict=True):
            assert getattr(replicate, key) == pytest.approx(value, abs=SIZE_ABS)
    concentrations = [r.concentration.concentration_per_ml for r in results if r.concentration]
    # NanoSight's Standard Error column: sample SD / √n
    se = float(np.std(concentrations, ddof=1) / np.sqrt(2))
    assert m.concentration_se_per_ml == pytest.approx(se, rel=0.01)


def test_a_result_without_concentration_is_refused() -> None:
    video = simulate_video(n_frames=30, width=96, height=96, n_particles=12, seed=1)
    result = _analyse(video, None)
    with pytest.raises(UserInputError, match="no concentration"):
        experiment_summary_csv(result, sample="s")


def test_cli_writes_a_summary_the_importer_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = tmp_path / "sim.tif"
    simulate = ["--quiet", "nta", "simulate", str(video), "--frames", "60"]
    size = ["--width", "128", "--height", "128", "--concentration", "3e9", "--seed", "5"]
    assert main([*simulate, *size]) == 0
    capsys.readouterr()
    csv_path = tmp_path / "ExperimentSummary.csv"
    acq = ["--temperature", "22", "--pixel-size", "0.166", "--fps", "25", "--exposure", "30ms"]
    analyse = ["--quiet", "--format", "json", "nta", "analyze", str(video), *acq]
    options = ["--effective-volume", "120", "--bootstrap", "0", "--summary-csv", str(csv_path)]
    assert main([*analyse, *options]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert csv_path.read_bytes().startswith(b"NTA Experiment Summary File,\r\n")
    (m,) = import_file(csv_path)
    assert m.concentration_per_ml == pytest.approx(
        printed["concentration_per_ml"], rel=CONCENTRATION_REL
    )
    assert m.d50_nm == pytest.approx(printed["d50_nm"], abs=SIZE_ABS)
    assert m.replicates[0].name == "sim"


def test_cli_summary_without_calibration_is_a_user_error(tmp_path: Path) -> None:
    acq = ["--temperature", "22", "--pixel-size", "0.166", "--fps", "25", "--exposure", "30ms"]
    missing = tmp_path / "none.tif"
    missing.write_bytes(b"")
    code = main(["nta", "analyze", str(missing), *acq, "--summary-csv", str(tmp_path / "s.csv")])
    assert code == 2
    assert not (tmp_path / "s.csv").exists()
