"""Timestamps come back time-zone aware and in UTC on every engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select

from exoderm.accounts.records import AuditEvent
from exoderm.storage import Database


def test_aware_timestamps_round_trip_as_utc(any_db: Database) -> None:
    paris = timezone(timedelta(hours=1))
    moment = datetime(2026, 1, 15, 10, 30, tzinfo=paris)
    with any_db.transaction() as s:
        s.add(AuditEvent(at=moment, actor="a", action="read", subject_type="x", subject_id="1"))
    with any_db.reader() as s:
        stored = s.scalars(select(AuditEvent)).one().at
    assert stored.tzinfo is not None
    assert stored == moment
    assert stored.utcoffset() == timedelta(0)
    assert stored == datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
