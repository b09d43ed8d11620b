"""Rendering tabular results as a Rich table, stable JSON, or CSV.

JSON output (``--format json``) is stable: a JSON array of objects, one per row, with
the column names as keys, in the column order given; numbers stay numbers and missing
values are ``null``. See ``docs/cli.md``.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from exoderm.cli.state import STATE, OutputFormat
from exoderm.formula_injection import spreadsheet_safe

console = Console()
#: Messages are not hard-wrapped (the terminal wraps them), so a printed path stays one
#: string to copy.
err_console = Console(stderr=True, soft_wrap=True)

#: Exit code of a check command whose input was read and checked but is not compliant
#: (a rule broken, a claim rejected): a verdict, distinct from every error code.
NOT_COMPLIANT_EXIT = 7


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return str(value)


#: No column of a table is drawn narrower than this many characters: narrower, words
#: break into fragments that cannot be read. Shorter columns are padded to it.
MIN_COLUMN_WIDTH = 8

#: A column whose text has to wrap keeps at least this many characters (two or three
#: words a line); when the terminal cannot give every wrapping column that much, the rows
#: print one block below another instead (field and value side by side).
MIN_WRAPPED_WIDTH = 16


def fit_columns(natural: Sequence[int], width: int) -> list[int] | None:
    """Content widths for columns whose longest lines are ``natural``, in ``width`` cells.

    Every column is at least :data:`MIN_COLUMN_WIDTH` wide and no wider than it needs.
    When the whole does not fit, the widest columns wrap at one common width, the
    largest that fits (the others keep theirs); if that is below
    :data:`MIN_WRAPPED_WIDTH`, nothing fits and the answer is ``None``. Each column also
    takes its two cells of padding and one rule, plus one rule for the table's edge.

    Parameters
    ----------
    natural : Sequence[int]
        Each column's widest line (header included), in terminal cells.
    width : int
        The terminal's width in cells.

    Returns
    -------
    list[int] or None
        Each column's content width, or ``None`` when the table does not fit.

    References
    ----------
    .. [1] ECMA-48 (1991), 5th ed., Control Functions for Coded Character Sets: the
       character-cell model of a text terminal.

    Examples
    --------
    >>> fit_columns([2, 30], 100)
    [8, 30]
    >>> fit_columns([5, 60, 60], 100)
    [8, 41, 41]
    >>> fit_columns([40] * 8, 100) is None
    True
    """
    floors = [max(n, MIN_COLUMN_WIDTH) for n in natural]
    room = width - 3 * len(floors) - 1
    if sum(floors) <= room:
        return floors
    order = sorted(range(len(floors)), key=lambda i: floors[i])
    left = room
    for rank, index in enumerate(order):
        wrapping = len(order) - rank
        if floors[index] * wrapping > left:
            cap, extra = divmod(left, wrapping)
            if cap < MIN_WRAPPED_WIDTH:
                return None
            widths = list(floors)
            for position, wrapped in enumerate(order[rank:]):
                widths[wrapped] = cap + (1 if position < extra else 0)
            return widths
        left -= floors[index]
    return floors  # not reached: the sum of floors exceeded the room


def _natural(texts: Iterator[str]) -> int:
    """The widest line of ``texts``, in terminal cells."""
    return max((cell_len(line) for text in texts for line in text.splitlines()), default=0)


def emit_rows(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str] | None = None,
    *,
    title: str | None = None,
) -> None:
    """Print ``rows`` in the format chosen with ``--format``.

    In ``table`` format the table fits the terminal (see :func:`fit_columns`); when it
    cannot, each row prints as its own block of fields and values.
    """
    cols = list(columns) if columns else (list(rows[0].keys()) if rows else [])
    fmt = STATE.format
    if fmt is OutputFormat.json:
        data = [{c: row.get(c) for c in cols} for row in rows]
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
        return
    if fmt is OutputFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([spreadsheet_safe(c) for c in cols])
        for row in rows:
            writer.writerow([spreadsheet_safe(_cell(row.get(c))) for c in cols])
        return
    cells = [[_cell(row.get(c)) for c in cols] for row in rows]
    natural = [_natural(iter([c, *(r[i] for r in cells)])) for i, c in enumerate(cols)]
    widths = fit_columns(natural, console.width)
    if widths is None:
        _emit_records(cells, cols, title)
        return
    table = Table(title=Text(title) if title else None)
    for c, w in zip(cols, widths, strict=True):
        table.add_column(Text(c), width=w, overflow="fold")
    for r in cells:
        table.add_row(*(Text(v) for v in r))
    console.print(table)


def _emit_records(cells: Sequence[Sequence[str]], cols: Sequence[str], title: str | None) -> None:
    """One field-and-value block per row, all as wide, for tables too wide for the terminal."""
    if title:
        console.print(Text(title, style="bold"))
    natural = [_natural(iter(cols)), _natural(v for r in cells for v in r)]
    field_width = max(natural[0], MIN_COLUMN_WIDTH)
    widths = fit_columns(natural, console.width) or [
        field_width,
        max(console.width - 7 - field_width, 1),
    ]
    for n, row in enumerate(cells, 1):
        block = Table(show_header=False, title=f"{n} of {len(cells)}", title_justify="left")
        block.add_column("field", style="bold", width=widths[0], overflow="fold")
        block.add_column("value", width=widths[1], overflow="fold")
        for c, v in zip(cols, row, strict=True):
            block.add_row(Text(c), Text(v))
        console.print(block)


def emit_object(obj: Mapping[str, Any], *, title: str | None = None) -> None:
    """Print one record: JSON object, key/value CSV, or a field-and-value table."""
    if STATE.format is OutputFormat.json:
        sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n")
        return
    emit_rows([{"field": k, "value": v} for k, v in obj.items()], ["field", "value"], title=title)


def info(message: str) -> None:
    """A human-facing message on stderr, silenced by ``--quiet``."""
    if not STATE.quiet:
        err_console.print(message)


@contextmanager
def progress(description: str, total: float | None) -> Iterator[Any]:
    """A progress bar for long work (hidden with ``--quiet``); yields ``advance(n=1)``."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=STATE.quiet,
        transient=True,
    )
    with bar:
        task = bar.add_task(description, total=total)

        def advance(n: float = 1) -> None:
            bar.advance(task, n)

        yield advance
