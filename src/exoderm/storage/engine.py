"""Engines and transactions.

SQLite is the embedded default: the file is opened in WAL mode with foreign keys on and
a busy timeout, so that readers never block the writer and a killed writer leaves the
database intact. PostgreSQL (psycopg 3) serves multi-user deployments.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from exoderm.errors import StorageError, UserInputError
from exoderm.settings import get_settings, private_folder


def _normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and pick the psycopg 3 driver for it."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def apply_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL journal, foreign keys, a busy timeout and full sync on every new connection."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def private_sqlite_file(path: Path) -> None:
    """Create ``path``'s folder (0700, with any missing parents) and an empty database file
    (0600) if they are new.

    SQLite gives its ``-wal`` and ``-shm`` files the database file's permissions, so client
    records are readable by their owner only whatever the process umask is (OWASP ASVS
    5.0 V14.2: sensitive data stored with the least access). Existing files and folders
    keep the permissions their owner chose.
    """
    private_folder(path.parent)
    if not path.exists():
        path.touch(mode=0o600)
        path.chmod(0o600)


#: PostgreSQL connection pool per process: connections kept open, extra ones opened under
#: load (closed when returned), how long a request waits for a free connection, after how
#: long a connection is replaced, and how long opening one may take (OWASP ASVS 5.0
#: V13.1.2, V13.2.6). A request that finds the pool full for :data:`POOL_TIMEOUT_S`
#: gets :class:`~exoderm.errors.StorageError` (HTTP 503), not a hang.
POOL_SIZE = 5
POOL_OVERFLOW = 10
POOL_TIMEOUT_S = 10
POOL_RECYCLE_S = 1800
CONNECT_TIMEOUT_S = 10


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for SQLite the parent folder is created."""
    url = _normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise UserInputError(
            f"cannot parse database URL {url!r}",
            field="database_url",
            expected="e.g. sqlite:///path/to/exoderm.db or postgresql://user@host/db",
        ) from exc
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            private_sqlite_file(Path(parsed.database).expanduser())
        kwargs["connect_args"] = {"timeout": 10}
    else:
        kwargs |= {
            "pool_pre_ping": True,  # a connection the server dropped is replaced, not used
            "pool_size": POOL_SIZE,
            "max_overflow": POOL_OVERFLOW,
            "pool_timeout": POOL_TIMEOUT_S,
            "pool_recycle": POOL_RECYCLE_S,
            "connect_args": {"connect_timeout": CONNECT_TIMEOUT_S},
        }
    try:
        engine = create_engine(parsed, **kwargs)
    except NoSuchModuleError as exc:
        raise UserInputError(
            f"no database driver for {parsed.drivername!r}",
            field="database_url",
            expected="sqlite or postgresql (install exoderm[postgres])",
        ) from exc
    except ModuleNotFoundError as exc:
        raise StorageError(
            f"the driver for {parsed.get_backend_name()} is not installed ({exc.name}); "
            "install exoderm[postgres]"
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", apply_sqlite_pragmas)
    return engine


@contextmanager
def _pool_guard(engine: Engine) -> Iterator[None]:
    """A full connection pool is a clear storage error (HTTP 503), after the rollback."""
    try:
        yield
    except PoolTimeout as exc:
        raise StorageError(
            f"every database connection is busy ({engine.pool.status()}); try again shortly"
        ) from exc


def upsert(
    connection: Connection,
    table: Table,
    values: dict[str, object],
    *,
    key: str,
    set_: dict[str, object],
) -> None:
    """``INSERT … ON CONFLICT (key) DO UPDATE SET …`` on SQLite or PostgreSQL: one
    statement, so two first writers at once cannot both insert (and the row is locked)."""
    insert = sqlite_insert if connection.dialect.name == "sqlite" else postgresql_insert
    connection.execute(
        insert(table)
        .values(**values)
        .on_conflict_do_update(index_elements=[table.c[key]], set_=set_)
    )


@dataclass
class Database:
    """An open database: its engine and a session factory.

    Use :meth:`transaction` for every unit of work that writes: it commits once at the
    end, or rolls everything back if anything inside raises.
    """

    url: str
    engine: Engine
    sessions: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction: commit on success, roll back on any exception."""
        with _pool_guard(self.engine), self.sessions.begin() as session:
            yield session

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A session for reads only; nothing it does is committed."""
        with _pool_guard(self.engine), self.sessions() as session:
            yield session

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A bare connection for a small read on the hot path (no ORM session)."""
        with _pool_guard(self.engine), self.engine.connect() as connection:
            yield connection

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str | None = None) -> Database:
    """Open the configured database (``url`` > ``EXODERM_DATABASE_URL`` > embedded SQLite)."""
    resolved = url or get_settings().resolved_database_url
    resolved = _normalise_url(resolved)
    return Database(resolved, make_engine(resolved))
