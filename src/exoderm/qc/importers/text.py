"""Reading instrument exports: encoding, line-numbered numbers, and error reporting.

Instrument software writes Windows code pages (NanoSight, Zetasizer and ZetaView export
latin-1/cp1252, as their real exports show), while files that passed through other tools
may be UTF-8.
A file is decoded as UTF-8 when it is valid UTF-8 (a BOM is dropped), else as latin-1,
which never fails and maps ``°``/``µ``/``²`` correctly.
"""

from __future__ import annotations

import csv
import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

from exoderm.errors import UserInputError


@dataclass(frozen=True)
class SourceText:
    """A decoded export: its path, lines (without line ends) and sha256 of the bytes."""

    path: Path
    lines: list[str]
    sha256: str
    encoding: str


def read_source(path: Path) -> SourceText:
    """Read and decode an export file; a missing or empty file is a user error."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise UserInputError(f"cannot read file: {exc.strerror}", file=path) from exc
    if not raw.strip():
        raise UserInputError("the file is empty", file=path, line=1, expected="an export")
    try:
        text, encoding = raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = raw.decode("latin-1"), "latin-1"
    return SourceText(Path(path), text.splitlines(), hashlib.sha256(raw).hexdigest(), encoding)


def parse_float(
    text: str, *, file: Path, line: int, field: str, decimal_comma: bool = False
) -> float:
    """A number as printed by an instrument; ``decimal_comma`` accepts ``1,750E+1``."""
    cleaned = text.strip()
    if decimal_comma:
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise UserInputError(
            f"{text.strip()!r} is not a number",
            file=file,
            line=line,
            field=field,
            expected="a number",
        ) from None
    if not math.isfinite(value):
        raise UserInputError(
            f"{text.strip()!r} is not a finite number",
            file=file,
            line=line,
            field=field,
            expected="a finite number",
        )
    return value


def optional_float(
    text: str | None, *, file: Path, line: int, field: str, decimal_comma: bool = False
) -> float | None:
    """Like :func:`parse_float`, but an empty cell is ``None``."""
    if text is None or not text.strip():
        return None
    return parse_float(text, file=file, line=line, field=field, decimal_comma=decimal_comma)


def csv_rows(lines: list[str], *, file: Path, first_line: int = 1) -> list[list[str]]:
    """The cells of comma-separated ``lines``; a broken quote or huge cell is a user error.

    Parameters
    ----------
    lines : list of str
        Lines without line ends.
    file : Path
        The file they come from, for the error message.
    first_line : int
        The 1-based line number of ``lines[0]`` in the file.

    Returns
    -------
    list of list of str
        One list of cells per CSV record.

    Raises
    ------
    UserInputError
        The text is not valid CSV (e.g. an unterminated quote swallowing the rest of the
        file into one cell larger than the csv module's field limit).

    References
    ----------
    .. [1] Shafranovich, Y. Common Format and MIME Type for Comma-Separated Values (CSV)
       Files. RFC 4180 (2005), §2. https://doi.org/10.17487/RFC4180

    Examples
    --------
    >>> csv_rows(["a,b", '"c",d'], file=Path("x.csv"))
    [['a', 'b'], ['c', 'd']]
    """
    reader = csv.reader(lines)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:
        raise UserInputError(
            f"not valid CSV ({exc})",
            file=file,
            line=first_line + max(reader.line_num - 1, 0),
            expected="comma-separated cells with balanced quotes",
        ) from exc
    return rows
