"""Reading instrument exports: encoding, line-numbered numbers, and error reporting.

Instrument software writes Windows code pages (NanoSight, Zetasizer and ZetaView export
latin-1/cp1252, as their real exports show), while files that passed through other tools
may be UTF-8.
A file is decoded as UTF-8 when it is valid UTF-8 (a BOM is dropped), else as latin-1,
which never fails and maps ``°``/``µ``/``²`` correctly.
"""

from __future__ import annotations

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
