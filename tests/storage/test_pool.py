"""The database connection pool: its limits are set, and a full pool is a clear 503."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import QueuePool

from exoderm.errors import StorageError
from exoderm.storage.engine import (
    POOL_OVERFLOW,
    POOL_SIZE,
    POOL_TIMEOUT_S,
    Database,
    make_engine,
)


def test_postgresql_engines_get_the_documented_pool() -> None:
    engine = make_engine("postgresql+psycopg://exoderm@127.0.0.1:1/none")  # never connects
    pool = engine.pool
    assert isinstance(pool, QueuePool)
    assert (pool.size(), pool._max_overflow, pool._timeout) == (
        POOL_SIZE,
        POOL_OVERFLOW,
        POOL_TIMEOUT_S,
    )
    assert pool._pre_ping and pool._recycle == 1800


def test_a_full_pool_is_a_storage_error_not_a_hang(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'pool.db'}"
    engine = create_engine(url, poolclass=QueuePool, pool_size=1, max_overflow=0, pool_timeout=0.2)
    db = Database(url, engine)
    with db.transaction() as held:
        held.execute(text("SELECT 1"))  # the pool's one connection is now checked out
        busy = pytest.raises(StorageError, match="every database connection is busy")
        with busy as err, db.reader() as second:
            second.execute(text("SELECT 1"))
        assert err.value.http_status == 503
    with db.reader() as again:  # returned to the pool once the first transaction ended
        assert again.execute(text("SELECT 1")).scalar() == 1
