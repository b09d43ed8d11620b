"""Golden tests: the NanoSight importer reproduces every number the real exports print.

Expected values are transcribed from ``/work/shared/data/README.md`` §1 (the instrument's
reported values), not produced by exoderm.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from exoderm.errors import UserInputError
from exoderm.qc.importers import import_file
from tests.shared import SHARED_DATA

NS = SHARED_DATA / "nanosight"

# per video: concentration, mean, mode, SD, D10, D50, D90, valid tracks
BEADS = {
    "conc": [
        1.43e9,
        1.28e9,
        1.18e9,
        2.51e9,
        1.8e9,
        1.52e9,
        1.3e9,
        1.36e9,
        1.18e9,
        1.46e9,
        1.4e9,
        1.18e9,
    ],
    "mean": [98.7, 97.9, 99.4, 96.4, 97.2, 97.8, 109.9, 107.1, 104.5, 99.3, 98.7, 98.7],
    "mode": [95.4, 94, 97.1, 95.3, 93.5, 94.7, 96.3, 94.7, 98.8, 95.5, 96.1, 92.2],
    "sd": [10.9, 9.7, 13.6, 14.2, 13, 14.8, 55.2, 33, 24.9, 14.5, 12.3, 12.8],
    "d10": [86.9, 87.2, 87, 79.2, 82.2, 82.5, 85.6, 87.7, 86.8, 81.8, 85.3, 83.8],
    "d50": [96, 95, 97, 94.7, 95.1, 95.3, 98, 98.2, 98.7, 96.5, 96.1, 95.9],
    "d90": [108.8, 109, 109.5, 111.5, 113.1, 111.1, 119.4, 118.9, 116.2, 118.9, 110.1, 112.8],
    "tracks": [4286, 3810, 3494, 6496, 6000, 5554, 4137, 4168, 3479, 5446, 5413, 4866],
    "average": {
        "conc": 1.47e9,
        "mean": 100.5,
        "mode": 95.3,
        "sd": 19.1,
        "d10": 84.7,
        "d50": 96.4,
        "d90": 113.3,
    },
    "se": {"conc": 1.07e8, "Mean": 1.2, "Mode": 0.5, "SD": 3.8, "D10": 0.8, "D50": 0.4, "D90": 1.2},
}
BEADS2 = {
    "conc": [5.91e12, 6.05e12, 6.01e12, 6.25e12, 6.24e12],
    "mean": [100.5, 103, 101.5, 101.5, 101.2],
    "mode": [94.9, 98.2, 101.8, 99.3, 97.9],
    "sd": [11, 18.5, 12, 12, 10.5],
    "d10": [88.1, 89.2, 88.1, 88.1, 90.1],
    "d50": [98.6, 99.7, 101, 100.2, 99.6],
    "d90": [116.7, 117.8, 113.4, 115, 113.6],
    "tracks": [1872, 1898, 1879, 1948, 1929],
    "average": {
        "conc": 6.09e12,
        "mean": 101.5,
        "mode": 98.4,
        "sd": 12.8,
        "d10": 88.7,
        "d50": 99.8,
        "d90": 115.3,
    },
    "se": {
        "conc": 6.67e10,
        "Mean": 0.4,
        "Mode": 1.1,
        "SD": 1.5,
        "D10": 0.4,
        "D50": 0.4,
        "D90": 0.9,
    },
}
FIELDS = {
    "mean": "mean_nm",
    "mode": "mode_nm",
    "sd": "sd_nm",
    "d10": "d10_nm",
    "d50": "d50_nm",
    "d90": "d90_nm",
}


@pytest.mark.parametrize(("name", "expected"), [("beads.csv", BEADS), ("beads2.csv", BEADS2)])
def test_every_reported_number_is_reproduced(name: str, expected: dict) -> None:
    (m,) = import_file(NS / name)
    assert m.method == "NTA" and len(m.replicates) == len(expected["conc"])
    for i, rep in enumerate(m.replicates):
        assert rep.concentration_per_ml == expected["conc"][i]
        assert rep.particles_counted == expected["tracks"][i]
        for key, attr in FIELDS.items():
            assert getattr(rep, attr) == expected[key][i], (name, i, key)
        # the percentile table's rows 10/50/90 are the printed D-values
        pct = rep.reported["percentile_nm"]
        assert (pct[10], pct[50], pct[90]) == (rep.d10_nm, rep.d50_nm, rep.d90_nm)
    avg = expected["average"]
    assert m.concentration_per_ml == avg["conc"]
    for key, attr in FIELDS.items():
        assert getattr(m, attr) == avg[key]
    assert m.concentration_se_per_ml == expected["se"]["conc"]
    for label in ("Mean", "Mode", "SD", "D10", "D50", "D90"):
        assert m.reported[f"{label} Standard Error"] == expected["se"][label]


@pytest.mark.parametrize("name", ["beads.csv", "beads2.csv"])
def test_bins_sum_to_the_reported_concentration(name: str) -> None:
    """Σ Graph Data × 1 nm equals the printed concentration to its 3 significant figures."""
    (m,) = import_file(NS / name)
    for rep in [*m.replicates, m]:
        total = sum(b.concentration_per_ml or 0 for b in rep.bins)
        assert float(f"{total:.2e}") == rep.concentration_per_ml
        assert all(b.width_nm == pytest.approx(1.0) for b in rep.bins)


def test_dilution_and_metadata() -> None:
    (m1,) = import_file(NS / "beads.csv")
    assert m1.dilution == 1 and not m1.dilution_applied
    assert any("not recorded" in n for n in m1.notes)
    assert m1.software == "NTA 3.2 Dev Build 3.2.16"
    (m2,) = import_file(NS / "beads2.csv")
    assert m2.dilution == 10000 and m2.dilution_applied
    assert m2.stock_concentration_per_ml == 6.09e12  # already multiplied by the instrument
    assert m2.sample_name == "100nmbeads"
    assert m2.measured_at is not None and m2.measured_at.year == 2020
    assert m2.settings["Detection Threshold"] == "5"
    assert m1.settings["Camera Level"] == ["15"] * 3 + ["10"] * 3 + ["15"] * 3 + ["10"] * 3


def _truncate(tmp_path: Path, name: str, keep_bytes: int) -> Path:
    data = (NS / name).read_bytes()[:keep_bytes]
    out = tmp_path / f"cut_{name}"
    out.write_bytes(data)
    return out


@pytest.mark.parametrize("name", ["beads.csv", "beads2.csv"])
@pytest.mark.parametrize("fraction", [0.2, 0.5, 0.97])
def test_truncated_file_is_rejected_with_its_line(
    tmp_path: Path, name: str, fraction: float
) -> None:
    size = (NS / name).stat().st_size
    cut = _truncate(tmp_path, name, int(size * fraction))
    n_lines = len(cut.read_bytes().splitlines())
    with pytest.raises(UserInputError) as info:
        import_file(cut)
    problem = info.value.problem
    assert problem.location.file == cut
    assert problem.location.line is not None and 1 <= problem.location.line <= n_lines
    assert problem.location.field


def test_truncated_at_a_line_boundary_inside_graph_data(tmp_path: Path) -> None:
    lines = (NS / "beads2.csv").read_bytes().splitlines(keepends=True)
    graph = next(i for i, line in enumerate(lines) if line.startswith(b"Graph Data"))
    cut = tmp_path / "cut.csv"
    cut.write_bytes(b"".join(lines[: graph + 400]))
    with pytest.raises(UserInputError) as info:
        import_file(cut)
    assert info.value.problem.location.field == "Percentile"
    assert info.value.problem.location.line == graph + 400


def test_latin1_file_imports(tmp_path: Path) -> None:
    """A cp1252/latin-1 export (µ, ², °) is decoded, not rejected."""
    raw = (NS / "beads2.csv").read_bytes()
    raw = raw.replace(
        b"Sample Description,100nmbeads",
        "Sample Description,100 nm beads in PBS ± 2 µg/mL at 22 °C".encode("latin-1"),
    )
    raw = raw.replace(b"Remarks,", "Remarks,Diffusion in E4 nm²/s".encode("latin-1"))
    path = tmp_path / "latin1.csv"
    path.write_bytes(raw)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    (m,) = import_file(path)
    assert m.sample_name == "100 nm beads in PBS ± 2 µg/mL at 22 °C"
    assert m.concentration_per_ml == 6.09e12


def test_bad_number_names_line_and_field(tmp_path: Path) -> None:
    text = (NS / "beads2.csv").read_text("latin-1").replace("Mode,94.9,", "Mode,9x.9,")
    path = tmp_path / "bad.csv"
    path.write_text(text, "latin-1")
    with pytest.raises(UserInputError) as info:
        import_file(path)
    expected_line = (
        text.splitlines().index(
            next(line for line in text.splitlines() if line.startswith("Mode,9x"))
        )
        + 1
    )
    assert info.value.problem.location.line == expected_line
    assert info.value.problem.location.field == "[Size Data] Number Mode"


def test_results_rows_per_video_and_average() -> None:
    (m,) = import_file(NS / "beads2.csv")
    reps = m.replicates
    assert [r.reported["Particles per frame"] for r in reps] == [109.7, 112.6, 111.7, 116.2, 116.1]
    assert [r.reported["Centres per frame"] for r in reps] == [99.4, 102.6, 99.9, 103.6, 103.2]
    assert [r.reported["Completed tracks"] for r in reps] == [4677, 4571, 4470, 4512, 4655]
    assert m.reported["Particles per frame Average"] == 113.3
    assert m.reported["Centres per frame Average"] == 101.7
    (old,) = import_file(NS / "beads.csv")
    assert old.reported["Particles per frame Average"] == 200.6
    assert [r.reported["Completed tracks"] for r in old.replicates][:3] == [10824, 9217, 8495]
    assert old.settings["Temperature/C"][0] == "22.348"
