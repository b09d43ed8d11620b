"""Lossless JSON-lines export and import of all user data.

The file is one header line followed by one line per row::

    {"format": "exoderm-export", "version": 1, "revisions": [...], "tables": {...}}
    {"table": "organisation", "row": {"id": 1, "name": "...", ...}}

Values are encoded by their column type (timestamps as ISO 8601 with offset, binary as
base64, decimals as strings) so that an import reproduces every value exactly. Tables
are written parents first (foreign-key order), so the file imports in a single pass.
An import goes into an empty database at the same schema revisions, in one transaction:
on any problem nothing is written.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Enum,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    Time,
    func,
    select,
    text,
)
from sqlalchemy.engine import Connection

from exoderm.errors import ConflictError, Problem, UserInputError, ValidationFailed
from exoderm.errors import Location as Loc
from exoderm.storage.engine import Database
from exoderm.storage.migrate import current_revisions
from exoderm.storage.row_security import EVERY_ORGANISATION, set_organisation
from exoderm.storage.tables import load_all_models

FORMAT = "exoderm-export"
VERSION = 1


def _encoder(column: Column[Any]) -> Callable[[Any], Any]:
    kind = column.type
    if isinstance(kind, DateTime | Date | Time):
        return lambda v: v.isoformat()
    if isinstance(kind, LargeBinary):
        return lambda v: base64.b64encode(v).decode("ascii")
    if isinstance(kind, Numeric) and getattr(kind, "asdecimal", False):
        return lambda v: str(v)
    if isinstance(kind, Enum):
        return lambda v: v.value if hasattr(v, "value") else v
    return lambda v: v


def _decoder(column: Column[Any]) -> Callable[[Any], Any]:
    kind = column.type
    if isinstance(kind, DateTime):
        return datetime.fromisoformat
    if isinstance(kind, Date):
        return date.fromisoformat
    if isinstance(kind, Time):
        return time.fromisoformat
    if isinstance(kind, LargeBinary):
        return base64.b64decode
    if isinstance(kind, Numeric) and getattr(kind, "asdecimal", False):
        return Decimal
    if isinstance(kind, Enum) and kind.enum_class is not None:
        enum_class = kind.enum_class
        return lambda v: enum_class(v)
    return lambda v: v


def _tables(metadata: MetaData) -> list[Table]:
    return [t for t in metadata.sorted_tables if t.name != "alembic_version"]


def _encode_row(table: Table, row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in table.columns:
        value = row._mapping[column]
        out[column.name] = None if value is None else _encoder(column)(value)
    return out


def iter_export(db: Database) -> Iterator[str]:
    """The export as JSON lines (header first), read in one consistent snapshot."""
    metadata = load_all_models()
    tables = _tables(metadata)
    with db.engine.connect() as conn, conn.begin():
        set_organisation(conn, EVERY_ORGANISATION)  # the whole installation
        counts = {t.name: conn.scalar(select(func.count()).select_from(t)) or 0 for t in tables}
        header = {
            "format": FORMAT,
            "version": VERSION,
            "revisions": sorted(current_revisions(db)),
            "tables": counts,
        }
        yield json.dumps(header, sort_keys=True)
        for table in tables:
            order = list(table.primary_key.columns) or list(table.columns)
            for row in conn.execute(select(table).order_by(*order)):
                yield json.dumps(
                    {"table": table.name, "row": _encode_row(table, row)},
                    sort_keys=True,
                    ensure_ascii=False,
                )


def export_jsonl(db: Database, path: Path) -> dict[str, int]:
    """Write all user data to ``path``; returns the number of rows per table.

    The file is written next to its destination and moved into place at the end, so a
    failed export never leaves a half-written file.
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    header: dict[str, Any] = {}
    with tmp.open("w", encoding="utf-8") as fh:
        for i, line in enumerate(iter_export(db)):
            if i == 0:
                header = json.loads(line)
            fh.write(line + "\n")
    tmp.replace(path)
    return dict(header.get("tables", {}))


def _parse_file(path: Path, metadata: MetaData) -> tuple[dict[str, Any], dict[str, list]]:
    """Read and check the whole file before anything is written."""
    by_name = {t.name: t for t in _tables(metadata)}
    problems: list[Problem] = []
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in by_name}
    header: dict[str, Any] = {}
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise UserInputError(f"cannot read file: {exc.strerror}", file=path) from exc
    with handle:
        for lineno, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                item = json.loads(raw)
            except json.JSONDecodeError as exc:
                problems.append(Problem(f"not valid JSON ({exc.msg})", Loc(path, lineno)))
                continue
            if lineno == 1:
                if item.get("format") != FORMAT or item.get("version") != VERSION:
                    raise UserInputError(
                        "not an exoderm export",
                        file=path,
                        line=1,
                        field="format",
                        expected=f'a header {{"format": "{FORMAT}", "version": {VERSION}}}',
                    )
                header = item
                continue
            problems.extend(_check_row(item, by_name, rows, path, lineno))
    if not header:
        raise UserInputError("empty file", file=path, line=1, expected="an exoderm export")
    for name, expected in header.get("tables", {}).items():
        got = len(rows.get(name, []))
        if got != expected:
            problems.append(
                Problem(
                    f"table {name!r} has {got} rows, the header promises {expected} "
                    "(truncated file?)",
                    Loc(path, None, "tables"),
                )
            )
    if problems:
        raise ValidationFailed(problems, subject=f"import of {path}")
    return header, rows


def _check_row(
    item: Any,
    by_name: dict[str, Table],
    rows: dict[str, list[dict[str, Any]]],
    path: Path,
    lineno: int,
) -> list[Problem]:
    if not isinstance(item, dict) or "table" not in item or "row" not in item:
        return [Problem("expected an object with 'table' and 'row'", Loc(path, lineno))]
    table = by_name.get(item["table"])
    if table is None:
        return [Problem(f"unknown table {item['table']!r}", Loc(path, lineno, "table"))]
    decoded: dict[str, Any] = {}
    problems: list[Problem] = []
    for column in table.columns:
        value = item["row"].get(column.name)
        try:
            decoded[column.name] = None if value is None else _decoder(column)(value)
        except (ValueError, TypeError, ArithmeticError) as exc:
            problems.append(Problem(f"bad value {value!r} ({exc})", Loc(path, lineno, column.name)))
    rows[table.name].append(decoded)
    return problems


def _reset_sequences(conn: Connection, tables: list[Table]) -> None:
    """After explicit ids were inserted, move PostgreSQL's sequences past them."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (
                column.autoincrement == "auto" and column.type.python_type is int
            ):
                conn.execute(
                    text(
                        "SELECT setval(pg_get_serial_sequence(:t, :c), "
                        f'COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 0) + 1, '
                        "false) WHERE pg_get_serial_sequence(:t, :c) IS NOT NULL"
                    ),
                    {"t": table.name, "c": column.name},
                )


def import_jsonl(db: Database, path: Path) -> dict[str, int]:
    """Load an export into an empty database of the same schema, all or nothing."""
    path = Path(path)
    metadata = load_all_models()
    tables = _tables(metadata)
    header, rows = _parse_file(path, metadata)
    revisions = set(header.get("revisions", []))
    if revisions != current_revisions(db):
        raise UserInputError(
            "schema revisions differ between the export and the database",
            file=path,
            line=1,
            field="revisions",
            expected=f"{sorted(current_revisions(db))} (run 'exoderm db upgrade' on both)",
        )
    with db.engine.begin() as conn:
        set_organisation(conn, EVERY_ORGANISATION)  # the whole installation
        for table in tables:
            if conn.scalar(select(func.count()).select_from(table)):
                raise ConflictError(
                    f"the target database is not empty (table {table.name!r} has rows); "
                    "import only into a freshly upgraded database"
                )
        for table in tables:
            if rows[table.name]:
                conn.execute(table.insert(), rows[table.name])
        _reset_sequences(conn, tables)
    return {name: len(r) for name, r in rows.items() if r}


__all__ = ["export_jsonl", "import_jsonl", "iter_export"]
