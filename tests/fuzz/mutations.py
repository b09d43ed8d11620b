"""Strategies that damage real files: byte flips, truncation, line edits, bad cells,
re-encoding and delimiter swaps, one to three at a time."""

from __future__ import annotations

from hypothesis import strategies as st

#: Cell contents that break naive number parsing.
GARBAGE_CELLS = (
    "",
    " ",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "1e309",
    "-1e309",
    "9" * 400,
    "1" + "0" * 5000,
    "9" * 131_073,  # one character over the csv module's default field size limit
    "-1",
    "0",
    "-0",
    "1e-320",
    "abc",
    "1,5",
    "1.2.3",
    "0x1F",
    "ü€µ²",
    "\x00",
    "\ufeff1",
    '"',
    "[Results]",
    "Percentile",
    "Graph Data",
    "=",
    ",,,,",
    "\t\t",
)


def _flip(data: bytes, draw: st.DrawFn) -> bytes:
    if not data:
        return data
    i = draw(st.integers(0, len(data) - 1))
    return data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1 :]


def _truncate(data: bytes, draw: st.DrawFn) -> bytes:
    return data[: draw(st.integers(0, len(data)))]


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _delete_line(data: bytes, draw: st.DrawFn) -> bytes:
    lines = _lines(data)
    if not lines:
        return data
    i = draw(st.integers(0, len(lines) - 1))
    n = draw(st.integers(1, 5))
    return b"".join(lines[:i] + lines[i + n :])


def _duplicate_line(data: bytes, draw: st.DrawFn) -> bytes:
    lines = _lines(data)
    if not lines:
        return data
    i = draw(st.integers(0, len(lines) - 1))
    return b"".join(lines[: i + 1] + [lines[i]] * draw(st.integers(1, 3)) + lines[i + 1 :])


def _replace_cell(data: bytes, draw: st.DrawFn) -> bytes:
    lines = _lines(data)
    if not lines:
        return data
    i = draw(st.integers(0, len(lines) - 1))
    text = lines[i].decode("latin-1")
    body = text.rstrip("\r\n")
    end = text[len(body) :]
    sep = "\t" if "\t" in body else ("," if "," in body else " ")
    cells = body.split(sep)
    j = draw(st.integers(0, len(cells) - 1))
    cells[j] = draw(st.sampled_from(GARBAGE_CELLS) | st.text(max_size=20))
    new = (sep.join(cells) + end).encode("utf-8", "surrogatepass")
    return b"".join(lines[:i]) + new + b"".join(lines[i + 1 :])


def _reencode(data: bytes, draw: st.DrawFn) -> bytes:
    encoding = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252"]))
    text = data.decode("latin-1")
    if draw(st.booleans()):
        return b"\xef\xbb\xbf" + data
    return text.encode(encoding, "replace")


def _swap_delimiter(data: bytes, draw: st.DrawFn) -> bytes:
    a, b = draw(
        st.sampled_from(
            [
                (b",", b";"),
                (b",", b"\t"),
                (b"\t", b","),
                (b".", b","),
                (b"\r\n", b"\n"),
                (b"\n", b"\r"),
            ]
        )
    )
    return data.replace(a, b)


MUTATIONS = (
    _flip,
    _truncate,
    _delete_line,
    _duplicate_line,
    _replace_cell,
    _reencode,
    _swap_delimiter,
)


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` after one to three random mutations."""
    data = seed
    for _ in range(draw(st.integers(1, 3))):
        data = draw(st.sampled_from(MUTATIONS))(data, draw)
    return data
