"""Golden tests for the Horiba ViewSizer folder (values from ``shared/data/README.md`` §2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from exoderm.errors import UserInputError
from exoderm.qc.importers import import_file
from tests.shared import SHARED_DATA

FOLDER = SHARED_DATA / "viewsizer" / "1-1e5 150nm Nanosphere 2"
VIDEOS = [
    (113, 140.7991, 50.377166),
    (98, 130.88652, 66.399897),
    (109, 146.26076, 53.887808),
    (110, 151.86546, 45.375707),
    (105, 145.2715, 43.234322),
    (113, 146.84213, 41.457835),
    (119, 146.98062, 46.673535),
    (105, 148.45389, 48.503281),
    (103, 141.43064, 53.67525),
    (112, 146.98932, 48.470041),
    (102, 136.87851, 52.878401),
    (106, 143.8972, 52.012633),
    (103, 145.3446, 44.645014),
    (101, 145.41944, 41.912257),
    (103, 143.46637, 46.038818),
]


def test_per_video_values_and_totals() -> None:
    (m,) = import_file(FOLDER)
    got = [(r.particles_counted, r.mean_nm, r.sd_nm) for r in m.replicates]
    assert got == VIDEOS
    assert m.particles_counted == 1602
    # Σ PSD × width = 1602 / (15 × 2.3e-6 mL)
    assert m.concentration_per_ml == pytest.approx(4.6434783e7, rel=1e-7)
    assert sum(b.concentration_per_ml or 0 for b in m.bins) == pytest.approx(4.6434783e7, rel=1e-7)
    assert m.mean_nm == pytest.approx(144.19, abs=0.005)
    assert (round(m.d10_nm or 0, 1), round(m.d50_nm or 0, 1), round(m.d90_nm or 0, 1)) == (
        78.7,
        149.6,
        193.6,
    )
    assert m.mode_nm == 150.0  # the 140–160 nm display bin holds the most particles
    assert m.settings["RecordingSettings/NumOfVideos"] == "15"
    assert m.sample_name == "230728 std" and m.dilution == 1
    assert m.measured_at is not None and m.measured_at.hour == 8


def test_video_sizes_reproduce_printed_mean(tmp_path: Path) -> None:
    (m,) = import_file(FOLDER)
    import statistics

    for rep in m.replicates:
        sizes = rep.particle_sizes_nm
        assert len(sizes) == rep.particles_counted
        assert float(f"{statistics.fmean(sizes):.7e}") == pytest.approx(rep.mean_nm, rel=1e-7)


def test_truncated_video_list_is_rejected(tmp_path: Path) -> None:
    copy = tmp_path / "sample"
    shutil.copytree(FOLDER, copy)
    videos = next(copy.glob("Results_*/Videos_*.dat"))
    lines = videos.read_bytes().splitlines(keepends=True)
    videos.write_bytes(b"".join(lines[:8]) + lines[8][:200])
    with pytest.raises(UserInputError) as info:
        import_file(copy)
    assert info.value.problem.location.line == 9
    assert info.value.problem.location.field == "#particles"
