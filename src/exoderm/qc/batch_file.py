"""Reading a batch record from a YAML, JSON or TOML file or text (validated at the edge).

YAML and JSON (JSON is YAML 1.2) are read with :func:`exoderm.errors.read_yaml_mapping`,
so every problem names the line of its field; TOML names the line of a syntax error.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from exoderm.errors import LinedDocument, UserInputError, read_yaml_mapping
from exoderm.qc.batch import BatchRecord
from exoderm.qc.repository import parse_batch_record


def _toml(text: str, source: str | Path) -> LinedDocument:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise UserInputError(
            f"invalid TOML ({exc})", file=source, line=int(line.group(1)) if line else None
        ) from exc
    return LinedDocument(data, str(source), {})


def parse_batch_text(text: str, source: str | Path = "batch record") -> BatchRecord:
    """Parse and validate a batch record given as YAML or JSON text (or TOML for ``.toml``).

    Examples
    --------
    >>> parse_batch_text("product: Serum A\\nlot: L-1\\nsource: {kind: cell}\\n").lot
    'L-1'
    """
    is_toml = Path(str(source)).suffix.lower() == ".toml"
    doc = _toml(text, source) if is_toml else read_yaml_mapping(text, source)
    if not isinstance(doc.data, dict) or not doc.data:
        raise UserInputError(
            "expected a mapping of fields",
            file=source,
            line=1,
            expected="product:, lot:, source: …",
        )
    return parse_batch_record(doc.data, source=str(source), document=doc)


def load_batch_file(path: Path) -> BatchRecord:
    """Parse and validate a batch record file; every problem names the file and field."""
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise UserInputError(f"cannot read file: {exc.strerror}", file=path) from exc
    except UnicodeDecodeError as exc:
        raise UserInputError("not UTF-8 text", file=path, expected="a UTF-8 file") from exc
    return parse_batch_text(text, path)
