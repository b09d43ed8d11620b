"""A throw-away database in memory, with every table: for examples, trials and doctests.

The schema is built from the models (``Base.metadata.create_all``), which the migration
test keeps identical to the Alembic head, so it is the schema ``exoderm db upgrade``
gives, made in milliseconds instead of running every migration, and stamped at the
Alembic heads so that it counts as current.
"""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, event
from sqlalchemy.pool import StaticPool

from exoderm.storage.base import Base
from exoderm.storage.engine import Database, apply_sqlite_pragmas
from exoderm.storage.migrate import alembic_config
from exoderm.storage.tables import load_all_models


def scratch_database() -> Database:
    """A new, empty database in memory with the whole schema; gone when dropped.

    Returns
    -------
    Database
        An SQLite database in memory, one connection shared by every session.

    References
    ----------
    .. [1] SQLite Consortium. In-Memory Databases. https://www.sqlite.org/inmemorydb.html

    Examples
    --------
    >>> db = scratch_database()
    >>> with db.reader() as session:
    ...     session.connection().dialect.name
    'sqlite'
    """
    engine = create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
    )
    event.listen(engine, "connect", apply_sqlite_pragmas)
    load_all_models()
    Base.metadata.create_all(engine)
    db = Database("sqlite://", engine)
    command.stamp(alembic_config(db), "heads")
    return db
