"""Frame sources: every video format is read one frame at a time.

Why streaming: trackpy users run out of memory on long videos (trackpy issues #373 and
#405); an NTA run of 10,000 frames of 1 Mpx is 20 GB as uint16. Every source
here yields 2-D ``float32``-convertible frames lazily and knows its length when the
container says so. Colour frames are reduced to one channel (``channel``) or to the mean of
the colour channels; an alpha channel is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from exoderm.errors import UserInputError

TIFF_SUFFIXES = frozenset({".tif", ".tiff"})
VIDEO_SUFFIXES = frozenset({".avi", ".mp4", ".mov", ".mkv", ".m4v", ".wmv"})
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"})


def to_grey(frame: NDArray[Any], channel: int | None = None) -> NDArray[Any]:
    """One 2-D plane from a grey or colour frame (``channel`` picks R=0, G=1, B=2)."""
    if frame.ndim == 2:
        return frame
    if frame.ndim != 3:
        raise UserInputError(f"a frame has {frame.ndim} dimensions", expected="2-D or colour image")
    if channel is not None:
        if not 0 <= channel < frame.shape[2]:
            raise UserInputError(
                f"channel {channel} does not exist",
                field="channel",
                expected=f"0..{frame.shape[2] - 1}",
            )
        return frame[:, :, channel]
    colour = frame[:, :, : min(3, frame.shape[2])]
    return colour.mean(axis=2, dtype=np.float32)


@dataclass
class FrameSource:
    """A lazily read sequence of frames. Iterate it to get 2-D arrays, one at a time."""

    name: str
    frames: Iterable[NDArray[Any]]
    n_frames: int | None = None
    channel: int | None = None

    def __iter__(self) -> Iterator[NDArray[Any]]:
        for frame in self.frames:
            yield to_grey(np.asarray(frame), self.channel)


def from_array(array: NDArray[Any] | Sequence[NDArray[Any]], name: str = "array") -> FrameSource:
    """Frames from a NumPy array ``(frames, rows, cols[, colours])`` or a list of frames."""
    return FrameSource(name=name, frames=array, n_frames=len(array))


def _tiff_frames(path: Path) -> Iterator[NDArray[Any]]:
    import tifffile

    with tifffile.TiffFile(path) as tif:
        series = tif.series[0] if tif.series else None
        if series is not None and len(series.shape) >= 3 and len(tif.pages) == 1:
            # a single page holding a whole stack (e.g. ImageJ hyperstack): memory-map it
            data = tifffile.memmap(path) if tif.pages[0].is_memmappable else series.asarray()
            yield from data
            return
        for page in tif.pages:
            yield page.asarray()


def _tiff_length(path: Path) -> int:
    import tifffile

    with tifffile.TiffFile(path) as tif:
        if len(tif.pages) == 1 and tif.series and len(tif.series[0].shape) >= 3:
            return int(tif.series[0].shape[0])
        return len(tif.pages)


def _video_frames(path: Path) -> Iterator[NDArray[Any]]:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            yield frame.to_ndarray(format="gray")


def _video_length(path: Path) -> int | None:
    import av

    with av.open(str(path)) as container:
        frames = container.streams.video[0].frames
        return int(frames) if frames else None


def _natural_key(path: Path) -> list[Any]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.name)]


def _folder_frames(files: list[Path]) -> Iterator[NDArray[Any]]:
    import imageio.v3 as iio

    for file in files:
        yield iio.imread(file)


def open_frames(path: str | Path, *, channel: int | None = None) -> FrameSource:
    """Open a TIFF stack, a video file (AVI, MP4, …) or a folder of images, lazily."""
    p = Path(path)
    if not p.exists():
        raise UserInputError("no such file or folder", file=p, expected="a video, TIFF or folder")
    try:
        if p.is_dir():
            files = sorted(
                (f for f in p.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES), key=_natural_key
            )
            if not files:
                raise UserInputError(
                    "the folder holds no images", file=p, expected="PNG/JPEG/TIFF/BMP frames"
                )
            return FrameSource(str(p), _folder_frames(files), len(files), channel)
        suffix = p.suffix.lower()
        if suffix in TIFF_SUFFIXES:
            return FrameSource(str(p), _tiff_frames(p), _tiff_length(p), channel)
        if suffix in VIDEO_SUFFIXES:
            return FrameSource(str(p), _video_frames(p), _video_length(p), channel)
        if suffix == ".npy":
            data = np.load(p, mmap_mode="r")
            return FrameSource(str(p), data, len(data), channel)
    except UserInputError:
        raise
    except Exception as exc:  # a broken or unreadable container is the user's file problem
        raise UserInputError(
            f"cannot read video: {exc}", file=p, expected="a readable TIFF, video or image folder"
        ) from exc
    raise UserInputError(
        f"unknown video format '{p.suffix}'",
        file=p,
        expected="TIFF, AVI/MP4/MOV/MKV, .npy or a folder of images",
    )
