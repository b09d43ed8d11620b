"""One validated acquisition, one settings policy, and the keyword verb with ``to_frame``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError

from exoderm.errors import UserInputError, ValidationFailed
from exoderm.nta import (
    Acquisition,
    Calibration,
    analysis_settings,
    analyze,
    parse_exposure_ms,
    read_calibration,
    simulate_video,
)

GOOD = {"temperature_c": 22, "pixel_size_um": 0.166, "fps": 25, "exposure_ms": 30}


@pytest.mark.parametrize(
    ("text", "ms"),
    [("30ms", 30.0), ("0.03 s", 30.0), ("30 ms", 30.0), ("30000us", 30.0), ("30000µs", 30.0)],
)
def test_exposure_strings(text: str, ms: float) -> None:
    assert parse_exposure_ms(text) == pytest.approx(ms)
    assert Acquisition(**GOOD | {"exposure_ms": text}).exposure_ms == pytest.approx(ms)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("temperature_c", -1, "temperature -1 °C is outside 0 to 100 °C"),
        ("temperature_c", 120, "temperature 120 °C is outside 0 to 100 °C"),
        ("temperature_c", float("nan"), "temperature nan °C"),
        ("pixel_size_um", 0, "pixel size 0 µm is outside 0 < pixel size ≤ 25 µm"),
        ("pixel_size_um", 300, "pixel size 300 µm"),
        ("fps", 0, "frame rate 0 fps is outside 0 < fps ≤ 10000"),
        ("exposure_ms", -5, "exposure -5 ms is outside 0 ≤ exposure ≤ 1/fps"),
        ("exposure_ms", "fast", "cannot read exposure 'fast'"),
    ],
)
def test_bad_values_name_the_field_and_the_range(field: str, value: object, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Acquisition(**GOOD | {field: value})
    err = caught.value.errors()[0]
    assert err["loc"] == (field,)
    assert words in err["msg"]


def test_exposure_must_fit_in_the_frame_interval_and_is_frozen() -> None:
    with pytest.raises(ValidationError, match="does not fit in the frame interval 100 ms"):
        Acquisition(**GOOD | {"fps": 10, "exposure_ms": "200ms"})
    acq = Acquisition(**GOOD)
    with pytest.raises(ValidationError):
        acq.fps = 30  # type: ignore[misc]


def test_settings_policy_requires_the_acquisition_and_lists_every_problem() -> None:
    with pytest.raises(ValidationFailed) as caught:
        analysis_settings(temperature=None, pixel_size=None, fps=25, exposure="30ms")
    fields = [p.location.field for p in caught.value.problems]
    assert fields == ["acquisition.temperature_c", "acquisition.pixel_size_um"]
    s = analysis_settings(temperature=22, pixel_size=0.166, fps=25, exposure=30, bootstrap=0)
    assert (s.dilution, s.sizing.bootstrap, s.detection.radius) == (1.0, 0, 4)


def test_calibration_from_volume_and_from_json(tmp_path: Path) -> None:
    stated = Calibration.from_volume(150.0, 0.02)
    assert (stated.effective_volume_pl, stated.fitted_at) == (150.0, None)
    path = tmp_path / "cal.json"
    stated.save(path)
    assert read_calibration(path.read_text(), path.name) == stated
    with pytest.raises(ValidationFailed, match=r"cal\.json"):
        read_calibration("{}", "cal.json")
    with pytest.raises(UserInputError, match="effective"):
        Calibration.from_volume(-1)


def test_keyword_verb_on_a_path_returns_frames(tmp_path: Path) -> None:
    video = tmp_path / "beads.tif"
    simulate_video(video, n_frames=40, width=128, height=128, n_particles=20, seed=3)
    assert video.with_suffix(".truth.json").exists()
    result = analyze(
        video,
        temperature=22,
        pixel_size=0.166,
        fps=25,
        exposure="30ms",
        bootstrap=0,
        calibration=Calibration.from_volume(150.0),
    )
    assert result.source == str(video) and result.frames == 40
    assert result.concentration is not None
    bins = result.to_frame()
    tracks = result.to_frame("tracks")
    assert isinstance(bins, pd.DataFrame) and len(bins) == len(result.bins)
    assert bins["fraction"].sum() == pytest.approx(1.0)
    assert len(tracks) == result.sized_tracks
    with pytest.raises(UserInputError, match="not both"):
        analyze(video, result.settings, temperature=22)
