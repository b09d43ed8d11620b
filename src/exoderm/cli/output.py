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

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from exoderm.cli.state import STATE, OutputFormat

console = Console()
err_console = Console(stderr=True)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def emit_rows(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str] | None = None,
    *,
    title: str | None = None,
) -> None:
    """Print ``rows`` in the format chosen with ``--format``."""
    cols = list(columns) if columns else (list(rows[0].keys()) if rows else [])
    fmt = STATE.format
    if fmt is OutputFormat.json:
        data = [{c: row.get(c) for c in cols} for row in rows]
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    elif fmt is OutputFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(cols)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in cols])
    elif len(cols) * MIN_COLUMN_WIDTH > console.width:
        _emit_records(rows, cols, title)
    else:
        table = Table(title=title, show_lines=False)
        for c in cols:
            table.add_column(c)
        for row in rows:
            table.add_row(*[_cell(row.get(c)) for c in cols])
        console.print(table)


#: Narrower than this, a table column wraps every word; rows then print one below another.
MIN_COLUMN_WIDTH = 16


def _emit_records(
    rows: Sequence[Mapping[str, Any]], cols: Sequence[str], title: str | None
) -> None:
    """One field-and-value block per row, for tables too wide for the terminal."""
    if title:
        console.print(f"[bold]{title}[/]")
    for n, row in enumerate(rows, 1):
        block = Table(title=f"{n} of {len(rows)}", show_header=False, title_justify="left")
        block.add_column("field", style="bold", no_wrap=True)
        block.add_column("value")
        for c in cols:
            block.add_row(c, _cell(row.get(c)))
        console.print(block)


def emit_object(obj: Mapping[str, Any], *, title: str | None = None) -> None:
    """Print one record: JSON object, key/value CSV, or a two-column table."""
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
