"""Fill every table of the schema with varied, valid rows, whatever the capabilities add.

Values come from each column's type (unicode text, aware timestamps, JSON with nesting,
binary, enums, decimals); foreign keys point at rows of the parent table written before.
Used by the export/import round-trip tests so that "all user data" means every table.
"""

from __future__ import annotations

import enum
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    Uuid,
    select,
)
from sqlalchemy.engine import Connection

from exoderm.storage.tables import load_all_models


def _value(column: Column[Any], i: int, rng: random.Random) -> Any:
    kind = column.type
    if isinstance(kind, Enum):
        choices = [e.value for e in kind.enum_class] if kind.enum_class else list(kind.enums)
        value = choices[i % len(choices)]
        return kind.enum_class(value) if kind.enum_class else value
    if isinstance(kind, Boolean):
        return i % 2 == 0
    if isinstance(kind, DateTime):
        moment = datetime(2025, 3, 30, 1, 59, 58, 123456, tzinfo=UTC) + timedelta(hours=7 * i)
        return moment if kind.timezone else moment.replace(tzinfo=None)
    if isinstance(kind, Date):
        return date(1990, 2, 28) + timedelta(days=400 * i)
    if isinstance(kind, Uuid):
        import uuid

        return uuid.UUID(int=rng.getrandbits(128))
    if isinstance(kind, Numeric) and not isinstance(kind, Float):
        scale = kind.scale or 2
        return Decimal(f"{rng.randint(0, 10**6)}.{rng.randint(0, 10**scale - 1):0{scale}d}")
    if isinstance(kind, Float):
        return rng.choice([0.1 + 0.2, 1e-300, 6.02214076e23, -2.5]) * (i + 1)
    if isinstance(kind, Integer):
        return rng.randint(1, 10**6) + i
    if isinstance(kind, LargeBinary):
        return bytes(rng.getrandbits(8) for _ in range(33)) + b"\x00"
    if isinstance(kind, JSON):
        return {"i": i, "ü": ["α", 1.5, None, {"nested": True}], "text": "line\nbreak"}
    if isinstance(kind, String | Text):
        length = getattr(kind, "length", None) or 60
        text = f'{column.name}-{i}-{rng.randint(0, 10**6)}-Ærø 肌 "q"'
        return text[:length]
    raise TypeError(f"rowfactory: no generator for {column.table.name}.{column.name}: {kind!r}")


def _fk_choices(conn: Connection, column: Column[Any]) -> list[Any]:
    (fk,) = column.foreign_keys
    target = fk.column
    return list(conn.scalars(select(target)))


def fill(conn: Connection, rows_per_table: int = 3, seed: int = 7) -> dict[str, int]:
    """Insert ``rows_per_table`` rows into every table, parents first."""
    rng = random.Random(seed)
    written: dict[str, int] = {}
    for table in load_all_models().sorted_tables:
        rows = [_row(conn, table, i, rng) for i in range(rows_per_table)]
        conn.execute(table.insert(), rows)
        written[table.name] = len(rows)
    return written


def _row(conn: Connection, table: Table, i: int, rng: random.Random) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for column in table.columns:
        if column.foreign_keys:
            choices = _fk_choices(conn, column)
            if choices:
                row[column.name] = choices[i % len(choices)]
                continue
            if column.nullable:
                row[column.name] = None
                continue
        if column.primary_key and isinstance(column.type, Integer) and not column.foreign_keys:
            row[column.name] = i + 1
            continue
        value = _value(column, i, rng)
        if isinstance(value, enum.Enum) and not isinstance(column.type, Enum):
            value = value.value
        row[column.name] = value
    return row
