"""``--format csv`` output: a cell that starts like a formula is shown as text."""

from __future__ import annotations

import csv
import io

import pytest

from exoderm.cli.output import OutputFormat, emit_rows
from exoderm.cli.state import STATE


def test_formula_cells_are_neutralised_and_numbers_kept(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(STATE, "format", OutputFormat.csv)
    rows = [
        {"name": '=HYPERLINK("http://evil.example","x")', "value": -1.5, "note": "@SUM(A1)"},
        {"name": "plain", "value": 2, "note": "+a"},
    ]
    emit_rows(rows)
    parsed = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert parsed[1] == ['\'=HYPERLINK("http://evil.example","x")', "-1.5", "'@SUM(A1)"]
    assert parsed[2] == ["plain", "2", "'+a"]
