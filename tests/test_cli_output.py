"""Tables fit the terminal: no column narrower than 8 characters, else one block per row."""

from __future__ import annotations

import io
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from exoderm.cli import output
from exoderm.cli.output import (
    MIN_COLUMN_WIDTH,
    MIN_WRAPPED_WIDTH,
    emit_object,
    emit_rows,
    fit_columns,
)
from exoderm.cli.state import STATE, OutputFormat
from tests.test_readme_tour import narrow_table_lines, table_cells

PROSE = (
    "FD&C Act 201(g)(1)(C): a product intended to affect the structure or any function "
    "of the body is a drug; FDA warning letters to cosmetic firms cite such wording"
)


@pytest.fixture
def screen(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """A 100-column terminal in table format; what is printed is returned."""
    text = io.StringIO()
    monkeypatch.setattr(output, "console", Console(file=text, width=100, color_system=None))
    monkeypatch.setattr(STATE, "format", OutputFormat.table)
    return text


@given(
    natural=st.lists(st.integers(min_value=0, max_value=300), min_size=1, max_size=12),
    width=st.integers(min_value=20, max_value=250),
)
def test_fit_columns_fits_or_says_no(natural: list[int], width: int) -> None:
    widths = fit_columns(natural, width)
    floors = [max(n, MIN_COLUMN_WIDTH) for n in natural]
    room = width - 3 * len(natural) - 1
    # a fit exists exactly when every column can have min(its need, 16) characters
    possible = sum(min(f, MIN_WRAPPED_WIDTH) for f in floors) <= room
    assert (widths is not None) == possible
    if widths is None:
        return
    assert sum(widths) <= room
    assert all(MIN_COLUMN_WIDTH <= w <= f for w, f in zip(widths, floors, strict=True))
    assert all(w >= MIN_WRAPPED_WIDTH for w, f in zip(widths, floors, strict=True) if w < f)
    if sum(floors) <= room:
        assert widths == floors  # nothing wraps when everything fits


def test_a_table_with_prose_wraps_within_the_terminal(screen: io.StringIO) -> None:
    rows = [
        {"n": i, "rule_id": "collagen-elastin", "rule": PROSE, "market": "US"} for i in range(3)
    ]
    emit_rows(rows)
    text = screen.getvalue()
    assert re.search(r"┃ n +┃ rule_id +┃ rule +┃ market +┃", text)  # one horizontal table
    assert narrow_table_lines(text) == []
    assert max(cell_len(line) for line in text.splitlines()) <= 100


def test_too_many_columns_print_one_block_per_row(screen: io.StringIO) -> None:
    rows = [{f"column_{c}": f"{PROSE[: 20 + 5 * c]}" for c in range(8)} for _ in range(2)]
    emit_rows(rows, title="findings")
    text = screen.getvalue()
    assert "1 of 2" in text and "2 of 2" in text and "┃" not in text  # no header row
    assert narrow_table_lines(text) == []
    tops = [line.rstrip() for line in text.splitlines() if line.startswith("┌")]
    assert len(tops) == 2 and len(set(tops)) == 1  # every block is as wide


def test_six_columns_of_prose_print_as_blocks(screen: io.StringIO) -> None:
    # six columns passed the old "16 characters each" rule at 100 columns, and Rich then
    # wrapped all six into 13-character columns; now they print one block per row
    rows = [{f"column_{c}": PROSE for c in range(6)}]
    emit_rows(rows)
    text = screen.getvalue()
    assert "1 of 1" in text and "┃" not in text
    assert narrow_table_lines(text) == []
    widths = {len(table_cells(line)[1]) - 2 for line in text.splitlines() if table_cells(line)}
    assert min(widths) >= MIN_WRAPPED_WIDTH


def test_short_columns_are_padded_to_eight(screen: io.StringIO) -> None:
    # the old layout drew "sev" and "x" as 5- and 3-character columns
    rows = [{"sev": "error", "kind": "annex", "finding": PROSE, "x": "yes"}]
    emit_rows(rows)
    text = screen.getvalue()
    assert re.search(r"┃ sev +┃ kind +┃ finding +┃ x +┃", text)
    assert narrow_table_lines(text) == []


def test_a_record_has_a_field_column_of_at_least_eight(screen: io.StringIO) -> None:
    emit_object({"id": 1, "name": "Clinic North"})
    lines = [line for line in screen.getvalue().splitlines() if table_cells(line)]
    assert lines and all(len(table_cells(line)[0]) - 2 >= MIN_COLUMN_WIDTH for line in lines)
    assert narrow_table_lines(screen.getvalue()) == []


def test_cell_text_is_not_markup(screen: io.StringIO) -> None:
    emit_rows([{"evidence": "[RCT] Park et al. 2023; [bold]x[/bold]"}])
    assert "[RCT] Park et al. 2023; [bold]x[/bold]" in screen.getvalue()


def test_json_is_unchanged_by_the_layout(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(STATE, "format", OutputFormat.json)
    rows = [{f"column_{c}": PROSE for c in range(8)}]
    emit_rows(rows)
    assert json.loads(capsys.readouterr().out) == rows
