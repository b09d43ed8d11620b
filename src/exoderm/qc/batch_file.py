"""Reading a batch record from a YAML, JSON or TOML file (validated at the edge)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import yaml

from exoderm.errors import UserInputError
from exoderm.qc.batch import BatchRecord
from exoderm.qc.repository import parse_batch_record


def _load(path: Path, text: str) -> Any:
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            return json.loads(text)
        if suffix == ".toml":
            return tomllib.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise UserInputError(f"invalid JSON ({exc.msg})", file=path, line=exc.lineno) from exc
    except tomllib.TOMLDecodeError as exc:
        raise UserInputError(f"invalid TOML ({exc})", file=path) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise UserInputError(
            f"invalid YAML ({getattr(exc, 'problem', exc)})",
            file=path,
            line=mark.line + 1 if mark else None,
        ) from exc


def load_batch_file(path: Path) -> BatchRecord:
    """Parse and validate a batch record file; every problem names the file and field."""
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise UserInputError(f"cannot read file: {exc.strerror}", file=path) from exc
    except UnicodeDecodeError as exc:
        raise UserInputError("not UTF-8 text", file=path, expected="a UTF-8 file") from exc
    data = _load(path, text)
    if not isinstance(data, dict):
        raise UserInputError(
            "expected a mapping of fields", file=path, line=1, expected="product:, lot:, source: …"
        )
    return parse_batch_record(data, source=str(path))
