"""Drift correction, QC conversion, Dask batch and the MSD alternative."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import tifffile

from exoderm.nta import (
    Acquisition,
    AnalysisSettings,
    FrameSource,
    analyze,
    analyze_many,
    to_measurement,
)
from exoderm.nta.analysis import analyze_tracks, track_video
from exoderm.nta.sizing import SizingSettings
from exoderm.nta.synthetic import SimulationSettings, VideoSimulator

ACQ = Acquisition(temperature_c=22, pixel_size_um=0.166, fps=25, exposure_ms=30)


def _source(seed: int, frames: int = 120, **kw: object) -> FrameSource:
    s = SimulationSettings(
        width=256,
        height=256,
        n_frames=frames,
        concentration_per_ml=4e9,
        n_particles=None,
        brightness_exponent=2,
        seed=seed,
        **kw,  # type: ignore[arg-type]
    )
    return FrameSource(f"sim-{seed}", VideoSimulator(s, record_truth=False).frames(), frames)


def test_drift_is_measured_and_removed() -> None:
    settings = AnalysisSettings(acquisition=ACQ, sizing=SizingSettings(bootstrap=0))
    table = track_video(_source(5, drift_px_per_frame=(1.5, -0.5)), settings)
    corrected = analyze_tracks(table, settings, "drift")
    raw = analyze_tracks(table, settings.model_copy(update={"drift_correction": False}), "raw")
    vx, vy = corrected.drift_um_per_s
    # 1.5 px/frame × 0.166 µm × 25 fps = 6.225 µm/s; −2.075 µm/s. The estimate is a mean
    # of ~ppf × frames Brownian steps (per-axis SD √(2DΔt) = 0.6 µm for 100 nm at 22 °C):
    steps = corrected.particles_per_frame * corrected.frames
    se = math.sqrt(2 * 4.52 * 0.04) / math.sqrt(steps) * 25  # µm/s
    assert abs(vx - 6.225) < 4 * se
    assert abs(vy + 2.075) < 4 * se
    # uncorrected drift inflates D, i.e. shrinks sizes
    assert raw.summary["d50_nm"] < 0.9 * corrected.summary["d50_nm"]
    assert corrected.summary["d50_nm"] == pytest.approx(100, rel=0.08)


def test_measurement_carries_settings() -> None:
    settings = AnalysisSettings(acquisition=ACQ, sizing=SizingSettings(bootstrap=0))
    result = analyze(_source(6, frames=60), settings)
    m = to_measurement(result, instrument="sim")
    assert m.method == "NTA"
    assert m.settings["acquisition"]["exposure_ms"] == 30
    assert m.settings["blur_r"] == pytest.approx(0.125)
    assert m.d50_nm == result.summary["d50_nm"]
    assert m.concentration_per_ml is None and any("calibration" in n for n in m.notes)
    assert sum(b.percent or 0 for b in m.bins) == pytest.approx(100.0, rel=1e-6)


def test_msd_estimator_is_available() -> None:
    settings = AnalysisSettings(
        acquisition=ACQ, estimator="msd", sizing=SizingSettings(bootstrap=0)
    )
    result = analyze(_source(7, frames=60), settings)
    sizes = [t.diameter_nm for t in result.track_rows if t.diameter_nm]
    assert 60 < float(np.median(sizes)) < 160


def test_dask_many_videos_match_sequential(tmp_path: Path) -> None:
    paths = []
    for seed in (8, 9):
        path = tmp_path / f"v{seed}.tif"
        with tifffile.TiffWriter(path) as tif:
            for frame in _source(seed, frames=40):
                tif.write(frame, contiguous=True)
        paths.append(path)
    settings = AnalysisSettings(acquisition=ACQ, sizing=SizingSettings(bootstrap=0))
    parallel = analyze_many(paths, settings, n_workers=2, processes=False)
    from exoderm.nta import open_frames

    sequential = [analyze(open_frames(p), settings) for p in paths]
    assert [r.source for r in parallel] == [str(p) for p in paths]
    for a, b in zip(parallel, sequential, strict=True):
        assert a.detections == b.detections
        assert a.summary == pytest.approx(b.summary)


@pytest.mark.slow
def test_twenty_videos_on_a_local_dask_cluster_give_byte_identical_json(tmp_path: Path) -> None:
    """Worker processes, one video per task: the JSON of every result equals the serial run's
    byte for byte (seeded bootstrap included), in the order the videos were given."""
    paths = []
    for seed in range(100, 120):
        path = tmp_path / f"v{seed}.tif"
        with tifffile.TiffWriter(path) as tif:
            for frame in _source(seed, frames=24):
                tif.write(frame, contiguous=True)
        paths.append(path)
    settings = AnalysisSettings(acquisition=ACQ, sizing=SizingSettings(bootstrap=40))
    parallel = analyze_many(paths, settings, n_workers=2, processes=True)
    from exoderm.nta import open_frames

    serial = [analyze(open_frames(p), settings) for p in paths]
    assert len(parallel) == 20
    for a, b in zip(parallel, serial, strict=True):
        assert a.model_dump_json(indent=2).encode() == b.model_dump_json(indent=2).encode()
        ids = [t.track for t in a.track_rows]
        assert len(ids) == len(set(ids)), "track ids repeat within a video"


def test_detection_threads_do_not_change_the_tracks() -> None:
    frames = list(_source(21, frames=30))
    tables = []
    for threads in (1, 3):
        settings = AnalysisSettings(acquisition=ACQ, detection_threads=threads)
        tables.append(track_video(FrameSource("sim-21", iter(frames), 30), settings))
    one, three = tables
    for name in ("frame", "track", "x", "y", "mass"):
        np.testing.assert_array_equal(getattr(one, name), getattr(three, name))
