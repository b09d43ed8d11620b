"""Frame sources: every video format is read one frame at a time.

Why streaming: trackpy users run out of memory on long videos (trackpy issues #373 and
#405); an NTA run of 10,000 frames of 1 Mpx is 20 GB as uint16. Every source
here yields 2-D ``float32``-convertible frames lazily and knows its length when the
container says so. Colour frames are reduced to one channel (``channel``) or to the mean of
the colour channels; an alpha channel is ignored.

Every size a container declares is checked before a frame is decoded
(:data:`MAX_FRAME_PIXELS`, :data:`MAX_TOTAL_PIXELS`), so a small file whose header claims
a huge image (a "decompression bomb") is refused instead of exhausting memory, as OWASP
ASVS 5.0 V5.2.1 and V5.2.3 require; a frame that cannot be decoded is a
:class:`~exoderm.errors.UserInputError` naming the file and the frame.
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
#: Largest frame decoded, in pixels: 4096 × 4096, 16 times the 1 Mpx frame of the memory
#: estimate above; a design limit (OWASP ASVS 5.0 V5.2.1: accept only what can be processed).
MAX_FRAME_PIXELS = 4096 * 4096
#: Most pixels in one video, all frames together: 2**34 ≈ 1.7e10, above the 10,000 frames
#: of 1 Mpx of the memory estimate above (OWASP ASVS 5.0 V5.2.3: check the unpacked size
#: before unpacking).
MAX_TOTAL_PIXELS = 1 << 34


def check_declared_size(
    frame_shape: Sequence[int], n_frames: int | None, *, file: str | Path
) -> None:
    """Refuse a video whose header declares frames or a total larger than the limits.

    Parameters
    ----------
    frame_shape : sequence of int
        The declared shape of one frame (rows, columns[, colours]).
    n_frames : int or None
        The declared number of frames, if the container states it.
    file : str or Path
        The video, for the error message.

    Raises
    ------
    UserInputError
        A frame has more than :data:`MAX_FRAME_PIXELS` pixels, or all frames together more
        than :data:`MAX_TOTAL_PIXELS`.

    References
    ----------
    .. [1] OWASP Foundation. Application Security Verification Standard 5.0.0 (2025),
       V5.2 File Upload and Content, requirements 5.2.1 and 5.2.3.

    Examples
    --------
    >>> check_declared_size((1024, 1280), 749, file="run.tif")
    >>> check_declared_size((100_000, 100_000), 1, file="bomb.tif")
    Traceback (most recent call last):
    ...
    exoderm.errors.UserInputError: bomb.tif, field 'frame size': a frame of 100000 × 100000
    pixels is too large (expected at most 16777216 pixels per frame)
    """
    rows = int(frame_shape[0]) if len(frame_shape) > 0 else 1
    cols = int(frame_shape[1]) if len(frame_shape) > 1 else 1
    if rows * cols > MAX_FRAME_PIXELS:
        raise UserInputError(
            f"a frame of {rows} × {cols} pixels is too large",
            file=file,
            field="frame size",
            expected=f"at most {MAX_FRAME_PIXELS} pixels per frame",
        )
    if n_frames is not None and n_frames * rows * cols > MAX_TOTAL_PIXELS:
        raise UserInputError(
            f"{n_frames} frames of {rows} × {cols} pixels are too many",
            file=file,
            field="frame count",
            expected=f"at most {MAX_TOTAL_PIXELS} pixels in all frames together",
        )


def _decoded(frames: Iterator[NDArray[Any]], file: Path) -> Iterator[NDArray[Any]]:
    """``frames``, with any decoder failure turned into a user error naming the frame."""
    done = 0
    try:
        for frame in frames:
            yield frame
            done += 1
    except UserInputError:
        raise
    except Exception as exc:  # a broken frame is the user's file problem, whatever the codec
        raise UserInputError(
            f"cannot decode frame {done + 1}: {exc}",
            file=file,
            expected="a readable TIFF, video or image",
        ) from exc


def to_grey(
    frame: NDArray[Any], channel: int | None = None, *, file: str | None = None
) -> NDArray[Any]:
    """One 2-D plane from a grey or colour frame (``channel`` picks R=0, G=1, B=2)."""
    if frame.ndim == 2:
        return frame
    if frame.ndim != 3:
        raise UserInputError(
            f"a frame has {frame.ndim} dimensions", file=file, expected="2-D or colour image"
        )
    if channel is not None:
        if not 0 <= channel < frame.shape[2]:
            raise UserInputError(
                f"channel {channel} does not exist",
                file=file,
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
            yield to_grey(np.asarray(frame), self.channel, file=self.name)


def from_array(array: NDArray[Any] | Sequence[NDArray[Any]], name: str = "array") -> FrameSource:
    """Frames from a NumPy array ``(frames, rows, cols[, colours])`` or a list of frames."""
    return FrameSource(name=name, frames=array, n_frames=len(array))


def _tiff_frames(path: Path) -> Iterator[NDArray[Any]]:
    import tifffile

    with tifffile.TiffFile(path) as tif:
        series = tif.series[0] if tif.series else None
        if series is not None and len(series.shape) >= 3 and len(tif.pages) == 1:
            # a single page holding a whole stack (e.g. ImageJ hyperstack): memory-map it
            check_declared_size(series.shape[1:], int(series.shape[0]), file=path)
            data = tifffile.memmap(path) if tif.pages[0].is_memmappable else series.asarray()
            yield from data
            return
        for page in tif.pages:
            check_declared_size(page.shape, None, file=path)
            yield page.asarray()


def _tiff_length(path: Path) -> int:
    import tifffile

    with tifffile.TiffFile(path) as tif:
        if len(tif.pages) == 1 and tif.series and len(tif.series[0].shape) >= 3:
            shape = tif.series[0].shape
            check_declared_size(shape[1:], int(shape[0]), file=path)
            return int(shape[0])
        n = len(tif.pages)
        check_declared_size(tif.pages.first.shape, n, file=path)
        return n


def _video_frames(path: Path) -> Iterator[NDArray[Any]]:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            check_declared_size((frame.height, frame.width), None, file=path)
            yield frame.to_ndarray(format="gray")


def _video_length(path: Path) -> int | None:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = int(stream.frames) if stream.frames else None
        size = (stream.codec_context.height, stream.codec_context.width)
        check_declared_size(size, frames, file=path)
        return frames


def _natural_key(path: Path) -> list[Any]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.name)]


def _folder_frames(files: list[Path]) -> Iterator[NDArray[Any]]:
    import imageio.v3 as iio

    for file in files:
        try:
            shape = iio.improps(file).shape
        except Exception as exc:  # an unreadable image is the user's file problem
            raise UserInputError(
                f"cannot read image: {exc}", file=file, expected="a PNG, JPEG, TIFF or BMP frame"
            ) from exc
        check_declared_size(shape, len(files), file=file)
        yield from _read_image(file)


def _read_image(file: Path) -> Iterator[NDArray[Any]]:
    import imageio.v3 as iio

    try:
        image = iio.imread(file)
    except Exception as exc:  # a truncated or corrupt image is the user's file problem
        raise UserInputError(
            f"cannot decode image: {exc}", file=file, expected="a PNG, JPEG, TIFF or BMP frame"
        ) from exc
    yield image


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
            n = _tiff_length(p)
            return FrameSource(str(p), _decoded(_tiff_frames(p), p), n, channel)
        if suffix in VIDEO_SUFFIXES:
            n_video = _video_length(p)
            return FrameSource(str(p), _decoded(_video_frames(p), p), n_video, channel)
        if suffix == ".npy":
            data = np.load(p, mmap_mode="r")
            check_declared_size(data.shape[1:], len(data), file=p)
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
