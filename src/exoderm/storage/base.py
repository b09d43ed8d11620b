"""The declarative base shared by every capability's tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

# Deterministic constraint names, so that Alembic migrations are identical on SQLite and
# PostgreSQL and can be compared against the models.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Timezone-aware 'now' in UTC; the only clock storage uses."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Base of all exoderm tables."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamped:
    """Mixin: creation time of a row, set by the application in UTC."""

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def _aware_columns(mapper: Any) -> list[str]:
    return [
        attr.key
        for attr in mapper.column_attrs
        if isinstance(getattr(attr.columns[0], "type", None), DateTime)
        and attr.columns[0].type.timezone
    ]


def _restore_utc(target: Any, *_args: Any) -> None:
    """SQLite has no time-zone type: give timestamps read back their UTC offset again.

    Every timestamp exoderm writes is UTC (see :func:`_store_utc`), so a naive value read
    from SQLite is UTC; PostgreSQL already returns aware values.
    """
    state = sa_inspect(target)
    for key in _aware_columns(state.mapper):
        value = state.dict.get(key)
        if isinstance(value, datetime) and value.tzinfo is None:
            set_committed_value(target, key, value.replace(tzinfo=UTC))


def _store_utc(_mapper: Any, _connection: Any, target: Any) -> None:
    """Convert aware timestamps to UTC before they are written (SQLite drops the offset)."""
    state = sa_inspect(target)
    for key in _aware_columns(state.mapper):
        value = state.dict.get(key)
        if isinstance(value, datetime) and value.tzinfo is not None:
            setattr(target, key, value.astimezone(UTC))


event.listen(Base, "load", _restore_utc, propagate=True)
event.listen(Base, "refresh", _restore_utc, propagate=True)
event.listen(Base, "before_insert", _store_utc, propagate=True)
event.listen(Base, "before_update", _store_utc, propagate=True)
