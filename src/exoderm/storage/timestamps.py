"""Timestamps in API responses: always RFC 3339 with an offset.

exoderm stores UTC (``storage.base.utcnow``), but SQLite hands timezone-aware columns
back without their offset; an offset-less string is not an RFC 3339 ``date-time``, so
API models mark such values as UTC on the way out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]
