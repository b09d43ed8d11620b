"""Frame sources stream TIFF stacks, image folders, NumPy files and videos."""

from __future__ import annotations

from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest
import tifffile

from exoderm.errors import UserInputError
from exoderm.nta.frames import from_array, open_frames, to_grey


@pytest.fixture
def stack() -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 4000, (5, 32, 40), dtype=np.uint16)


def test_tiff_stack_streams_each_page(tmp_path: Path, stack: np.ndarray) -> None:
    path = tmp_path / "v.tif"
    with tifffile.TiffWriter(path) as tif:
        for frame in stack:
            tif.write(frame, contiguous=False)
    source = open_frames(path)
    assert source.n_frames == 5
    frames = list(source)
    assert all(np.array_equal(a, b) for a, b in zip(frames, stack, strict=True))


def test_image_folder_in_natural_order(tmp_path: Path, stack: np.ndarray) -> None:
    for i, frame in enumerate(stack):
        iio.imwrite(tmp_path / f"f_{i * 5}.png", frame)  # f_0, f_5, f_10 …: natural order
    frames = list(open_frames(tmp_path))
    assert all(np.array_equal(a, b) for a, b in zip(frames, stack, strict=True))


def test_npy_and_array(tmp_path: Path, stack: np.ndarray) -> None:
    np.save(tmp_path / "v.npy", stack)
    assert len(list(open_frames(tmp_path / "v.npy"))) == 5
    assert from_array(stack).n_frames == 5


def test_video_file(tmp_path: Path) -> None:
    path = tmp_path / "v.mp4"
    frames = np.zeros((4, 64, 64, 3), dtype=np.uint8)
    frames[:, 20:30, 20:30] = 200
    iio.imwrite(path, frames, plugin="pyav", codec="mpeg4", fps=10)
    out = list(open_frames(path))
    assert len(out) == 4
    assert out[0].ndim == 2
    assert out[0][25, 25] > 150 > out[0][5, 5] + 100


def test_colour_channel_and_mean() -> None:
    rgba = np.zeros((2, 2, 4), dtype=np.uint8)
    rgba[..., 0], rgba[..., 1], rgba[..., 2], rgba[..., 3] = 30, 60, 90, 255
    assert to_grey(rgba, 1)[0, 0] == 60
    assert to_grey(rgba)[0, 0] == pytest.approx(60)
    with pytest.raises(UserInputError, match="channel"):
        to_grey(rgba, 7)


def test_missing_and_unknown_files_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(UserInputError, match="no such file"):
        open_frames(tmp_path / "nope.tif")
    odd = tmp_path / "notes.txt"
    odd.write_text("x")
    with pytest.raises(UserInputError, match="unknown video format"):
        open_frames(odd)
