"""Fuzzing the NTA inputs: video containers, image folders, calibrations and upload names.

Random bytes under a video or image name, damaged real TIFF/PNG/MP4 files and headers
that declare huge images must either stream 2-D frames or raise a
:class:`~exoderm.errors.UserInputError` naming the file; a declared size above the
limits is refused before any pixel is decoded.
"""

from __future__ import annotations

import functools
import io
import shutil
import struct
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest
import tifffile
from hypothesis import given
from hypothesis import strategies as st

from exoderm.errors import UserInputError
from exoderm.nta.concentration import Calibration, read_calibration
from exoderm.nta.frames import MAX_FRAME_PIXELS, MAX_TOTAL_PIXELS, open_frames
from exoderm.nta.uploads import stage_video
from tests.fuzz.budget import fuzz
from tests.fuzz.checks import parse_or_refuse
from tests.fuzz.mutations import mutated
from tests.shared import SHARED_DATA, needs

BULK_WATER_PNG = SHARED_DATA / "bulk_water" / "bulk_water_000.png"
#: Frames read from each fuzzed file: enough to pass the header and the first frames.
FRAMES_READ = 3
FILE_SUFFIXES = (".tif", ".tiff", ".avi", ".mp4", ".mov", ".mkv", ".npy")


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="exoderm-fuzz-nta-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _frames(path: Path) -> None:
    """Open ``path`` and read a few frames: each a 2-D array, or a clear refusal."""

    def read() -> list[np.ndarray]:
        source = open_frames(path)
        out = []
        for frame in source:
            out.append(frame)
            if len(out) == FRAMES_READ:
                break
        return out

    frames = parse_or_refuse(read, names=path)
    if frames is not None:
        assert all(f.ndim == 2 for f in frames)


@functools.cache
def _tiff_seed() -> bytes:
    buffer = io.BytesIO()
    stack = np.random.default_rng(0).integers(0, 4000, (3, 16, 20), dtype=np.uint16)
    with tifffile.TiffWriter(buffer) as tif:
        for frame in stack:
            tif.write(frame, contiguous=False)
    return buffer.getvalue()


@functools.cache
def _mp4_seed() -> bytes:
    frames = np.zeros((3, 32, 32, 3), dtype=np.uint8)
    frames[:, 10:20, 10:20] = 200
    return bytes(iio.imwrite("<bytes>", frames, extension=".mp4", plugin="pyav", codec="mpeg4"))


@given(data=st.binary(max_size=600), suffix=st.sampled_from(FILE_SUFFIXES))
@fuzz(150)
def test_random_bytes_named_as_video(workdir: Path, data: bytes, suffix: str) -> None:
    path = workdir / f"random{suffix}"
    path.write_bytes(data)
    _frames(path)


@given(
    data=st.sampled_from(("tiff", "mp4")).flatmap(
        lambda kind: mutated(_tiff_seed() if kind == "tiff" else _mp4_seed()).map(
            lambda b: (kind, b)
        )
    )
)
@fuzz(200)
def test_damaged_tiff_and_mp4(workdir: Path, data: tuple[str, bytes]) -> None:
    kind, content = data
    path = workdir / f"damaged.{'tif' if kind == 'tiff' else 'mp4'}"
    path.write_bytes(content)
    _frames(path)


@needs(BULK_WATER_PNG)
@given(data=st.binary(max_size=200) | st.integers(0, 160_000).map(lambda n: b"cut:%d" % n))
@fuzz(40)
def test_truncated_or_random_png_in_a_folder(workdir: Path, data: bytes) -> None:
    folder = workdir / "frames"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    cut = data.startswith(b"cut:")
    content = BULK_WATER_PNG.read_bytes()[: int(data[4:])] if cut else data
    (folder / "frame_000.png").write_bytes(content)
    _frames(folder)


@needs(BULK_WATER_PNG)
@given(data=st.data())
@fuzz(20)
def test_damaged_real_png_frame(workdir: Path, data: st.DataObject) -> None:
    folder = workdir / "png"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    (folder / "bulk_water_000.png").write_bytes(data.draw(mutated(BULK_WATER_PNG.read_bytes())))
    _frames(folder)


# ------------------------------------------------------------------ decompression bombs
def _tiff_header(width: int, height: int, pages: int) -> bytes:
    """A little-endian TIFF of ``pages`` uncompressed 16-bit pages of the declared size,
    holding only a few bytes of pixel data (TIFF 6.0, Adobe 1992, section 2)."""
    entries = 9
    ifd_size = 2 + entries * 12 + 4
    pixel_offset = 8 + pages * ifd_size
    out = bytearray(b"II*\x00" + struct.pack("<I", 8))
    for k in range(pages):
        next_ifd = 8 + (k + 1) * ifd_size if k + 1 < pages else 0
        tags = [
            (256, 4, width),  # ImageWidth
            (257, 4, height),  # ImageLength
            (258, 3, 16),  # BitsPerSample
            (259, 3, 1),  # Compression: none
            (262, 3, 1),  # PhotometricInterpretation: BlackIsZero
            (273, 4, pixel_offset),  # StripOffsets
            (277, 3, 1),  # SamplesPerPixel
            (278, 4, height),  # RowsPerStrip
            (279, 4, min(2 * width * height, 0xFFFFFFFF)),  # StripByteCounts
        ]
        out += struct.pack("<H", entries)
        for tag, kind, value in tags:
            out += struct.pack("<HHII", tag, kind, 1, value)
        out += struct.pack("<I", next_ifd)
    return bytes(out + b"\x00" * 64)


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose IHDR declares ``width`` × ``height`` 8-bit grey (ISO/IEC 15948:2004 §11.2.2)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = zlib.compress(b"\x00" * 64)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


side = st.integers(1, 2**31 - 1)


@given(width=side, height=side, pages=st.integers(1, 4))
@fuzz(80)
def test_tiff_declaring_a_huge_image_is_refused_before_decoding(
    workdir: Path, width: int, height: int, pages: int
) -> None:
    path = workdir / "bomb.tif"
    path.write_bytes(_tiff_header(width, height, pages))
    too_big = width * height > MAX_FRAME_PIXELS or width * height * pages > MAX_TOTAL_PIXELS
    if too_big:
        with pytest.raises(UserInputError, match=r"too large|too many") as info:
            list(open_frames(path))
        assert path.name in str(info.value)
    else:
        _frames(path)


@given(width=side, height=side)
@fuzz(40)
def test_png_declaring_a_huge_image_is_refused_before_decoding(
    workdir: Path, width: int, height: int
) -> None:
    folder = workdir / "bomb"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    (folder / "frame.png").write_bytes(_png_header(width, height))
    if width * height > MAX_FRAME_PIXELS:
        with pytest.raises(UserInputError, match=r"too large|cannot read image"):
            list(open_frames(folder))
    else:
        _frames(folder)


# ------------------------------------------------------------------ calibration and names
json_scalar = st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8)
calibration_like = st.dictionaries(
    st.sampled_from(("effective_volume_pl", "volume_relative_se", "standard", "extra", "")),
    json_scalar,
    max_size=5,
)


@given(
    text=calibration_like.map(lambda d: __import__("json").dumps(d))
    | st.binary(max_size=200).map(lambda b: b.decode("latin-1"))
)
@fuzz(120)
def test_calibration_json(text: str) -> None:
    result = parse_or_refuse(lambda: read_calibration(text, "cal.json"), names="cal.json")
    if result is not None:
        assert isinstance(result, Calibration)


upload_names = (
    st.none()
    | st.text(max_size=30)
    | st.tuples(
        st.text(max_size=12),
        st.sampled_from(("", "/", "\\", "\x00", "..", "/..")),
        st.sampled_from(FILE_SUFFIXES),
    ).map("".join)
)


@given(name=upload_names, body=st.binary(max_size=64))
@fuzz(150)
def test_upload_names(name: str | None, body: bytes) -> None:
    staged = parse_or_refuse(lambda: stage_video(name, io.BytesIO(body)))
    if staged is not None:
        try:
            assert staged.path.read_bytes() == body
            assert staged.path.parent == staged.folder
        finally:
            staged.discard()
