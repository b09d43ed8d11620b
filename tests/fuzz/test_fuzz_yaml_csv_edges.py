"""Fuzzing the shared edge helpers: YAML/JSON and CSV readers, and validation messages.

YAML documents with wrong types, bad tags, invalid dates, aliases that expand
exponentially ("billion laughs", CWE-776) and deep nesting must parse or raise a
:class:`~exoderm.errors.UserInputError` naming the source — within bounded time and memory.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from exoderm.cli.client import _read_mapping
from exoderm.design.claims.label import read_label_file
from exoderm.errors import (
    MAX_YAML_DEPTH,
    MAX_YAML_NODES,
    LinedDocument,
    UserInputError,
    problems_from_validation,
    read_csv_records,
    read_yaml,
    read_yaml_mapping,
)
from tests.fuzz.budget import fuzz
from tests.fuzz.checks import parse_or_refuse
from tests.fuzz.mutations import GARBAGE_CELLS, mutated

SOURCE = "input.yaml"
YAML_SNIPPETS = (
    "lot: A1",
    "date: 2023-02-30",
    "date: 2023-13-01",
    "when: 2001-12-14t21:59:43.10-25:00",
    "n: " + "1" * 5000,
    "x: !!python/object:os.system ls",
    "x: !!binary '@@@'",
    "x: !!set {a, b}",
    "x: !!omap [a, b]",
    "x: !!omap {a: 1}",
    "x: !!pairs [1]",
    "x: !!int abc",
    "x: !!float [1]",
    "x: !!timestamp today",
    "x: !!str",
    "? [a, b]\n: c",
    "? {a: 1}\n: c",
    "x: *undefined",
    "x: &a [*a]",
    "<<: [1, 2]",
    "<<: *a",
    "x: &a {y: 1}\nz:\n  <<: *a",
    "%YAML 1.1\n---\nx: 1",
    "%TAG ! tag:x,2000:\n---\nx: !foo 1",
    "--- a\n--- b",
    "\t- tab",
    "x: '\\x00'",
    '"\\ud800": 1',
    "x: |\n  text\n bad",
    "- a\n- b",
    "",
    "~",
    "{",
    "[[[",
    "x: @reserved",
)


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="exoderm-fuzz-yaml-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _yaml(text: str) -> LinedDocument | None:
    doc = parse_or_refuse(lambda: read_yaml(text, SOURCE), names=SOURCE)
    if doc is not None:
        assert isinstance(doc, LinedDocument)
        assert all(isinstance(line, int) and line >= 1 for line in doc.lines.values())
    return doc


@given(
    text=st.lists(st.sampled_from(YAML_SNIPPETS) | st.text(max_size=20), max_size=4).map("\n".join)
)
@fuzz(300)
def test_yaml_snippets_and_random_text(text: str) -> None:
    _yaml(text)
    mapping = parse_or_refuse(lambda: read_yaml_mapping(text, SOURCE), names=SOURCE)
    if mapping is not None:
        assert isinstance(mapping.data, dict)


@given(data=mutated(b"lot: A1\nproduct:\n  name: serum\n  tags: [a, b]\ndate: 2024-01-31\n"))
@fuzz(150)
def test_damaged_yaml_bytes(data: bytes) -> None:
    _yaml(data.decode("utf-8", "replace"))


def _laughs(fanout: int, depth: int) -> tuple[str, int]:
    """A document whose last alias expands to ``fanout ** depth`` leaves, and how many
    nodes a full walk of it visits."""
    lines = ["defs:", f"  - &a0 [{', '.join(['lol'] * fanout)}]"]
    sizes = [1 + fanout]
    for k in range(1, depth):
        lines.append(f"  - &a{k} [{', '.join([f'*a{k - 1}'] * fanout)}]")
        sizes.append(1 + fanout * sizes[-1])
    lines.append(f"bomb: *a{depth - 1}")
    return "\n".join(lines) + "\n", 2 + sum(sizes) + sizes[-1]


@given(fanout=st.integers(2, 12), depth=st.integers(1, 12))
@fuzz(80)
def test_alias_expansion_is_bounded(fanout: int, depth: int) -> None:
    text, visits = _laughs(fanout, depth)
    if visits > 2 * MAX_YAML_NODES:
        with pytest.raises(UserInputError, match="too many"):
            read_yaml(text, SOURCE)
    elif visits < MAX_YAML_NODES // 2:
        doc = read_yaml(text, SOURCE)
        assert isinstance(doc.data, dict) and "bomb" in doc.data
    else:
        _yaml(text)


@given(
    depth=st.integers(1, 2000),
    style=st.sampled_from(("flow_list", "flow_map", "block_list", "block_map")),
)
@fuzz(80)
def test_deep_nesting_is_refused_or_parsed(depth: int, style: str) -> None:
    if style.startswith("block"):
        depth = min(depth, 300)  # block text grows with depth squared
    if style == "flow_list":
        text = "[" * depth + "1" + "]" * depth
    elif style == "flow_map":
        text = "{a: " * depth + "1" + "}" * depth
    elif style == "block_list":
        text = "".join("  " * k + "-\n" for k in range(depth)) + "  " * depth + "- 1\n"
    else:
        text = "".join("  " * k + "a:\n" for k in range(depth)) + "  " * depth + "a: 1\n"
    if depth > 2 * MAX_YAML_DEPTH:
        with pytest.raises(UserInputError):
            read_yaml(text, SOURCE)
    elif depth < MAX_YAML_DEPTH // 2:
        assert read_yaml(text, SOURCE).data is not None
    else:
        _yaml(text)


csv_cell = st.sampled_from(GARBAGE_CELLS[:-1]) | st.text(max_size=10)


@given(
    rows=st.lists(st.lists(csv_cell, max_size=5), max_size=6),
    quote=st.sampled_from(("", '"', '"""', "\r", "\x00")),
    huge=st.booleans(),
)
@fuzz(200)
def test_csv_records(rows: list[list[str]], quote: str, huge: bool) -> None:
    text = "\n".join(",".join(row) for row in rows) + quote
    if huge:
        text += "9" * 131_073
    records = parse_or_refuse(lambda: read_csv_records(text, "table.csv"), names="table.csv")
    if records is not None:
        assert all(isinstance(line, int) and isinstance(row, dict) for line, row in records)


class _Lot(BaseModel):
    lot: str
    volume_ml: float
    tags: list[str] = []
    storage: dict[str, int] = {}


yaml_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(
    data=st.dictionaries(st.sampled_from(("lot", "volume_ml", "tags", "storage", "x")), yaml_value)
)
@fuzz(150)
def test_validation_problems_name_their_field(data: dict[str, object]) -> None:
    import yaml

    text = yaml.safe_dump(data, allow_unicode=True)
    doc = read_yaml_mapping(text, SOURCE)
    try:
        _Lot.model_validate(doc.data)
    except ValidationError as exc:
        problems = problems_from_validation(exc, document=doc)
        assert problems and all(str(p).strip() for p in problems)
        assert all(p.location.file == SOURCE for p in problems)


@given(data=st.binary(max_size=300) | mutated(b"name: Ada\nskin_type: dry\nage: 41\n"))
@fuzz(100)
def test_client_intake_mapping_file(workdir: Path, data: bytes) -> None:
    path = workdir / "client.yaml"
    path.write_bytes(data)
    mapping = parse_or_refuse(lambda: _read_mapping(path), names=path)
    if mapping is not None:
        assert isinstance(mapping, dict)


label_bytes = (
    st.binary(max_size=300)
    | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass"))
    | st.text(max_size=200).map(lambda t: t.encode("utf-16"))
    | st.text(max_size=200).map(lambda t: b"\xef\xbb\xbf" + t.encode("utf-8", "surrogatepass"))
)


@given(data=label_bytes)
@fuzz(150)
def test_claims_label_file(workdir: Path, data: bytes) -> None:
    path = workdir / "label.txt"
    path.write_bytes(data)
    text = parse_or_refuse(lambda: read_label_file(path), names=path)
    if text is not None:
        assert isinstance(text, str)
