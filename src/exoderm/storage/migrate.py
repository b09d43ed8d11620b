"""Alembic migrations, driven from Python (no alembic.ini needed).

The history has one root, ``core``, and one branch per capability on top of it, so that
capabilities evolve their tables independently; ``upgrade`` brings every branch to its
head.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from exoderm.storage.engine import Database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(db: Database) -> Config:
    """An Alembic config pointing at the packaged migrations and ``db``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    cfg.attributes["engine"] = db.engine
    return cfg


def head_revisions(db: Database) -> set[str]:
    """The newest revision of every branch shipped with this version of exoderm."""
    return set(ScriptDirectory.from_config(alembic_config(db)).get_heads())


def current_revisions(db: Database) -> set[str]:
    """The revisions the database is at (empty for a database never upgraded)."""
    with db.engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def upgrade(db: Database) -> set[str]:
    """Bring the schema to the newest revision of every branch; returns the new heads."""
    command.upgrade(alembic_config(db), "heads")
    return current_revisions(db)


@dataclass(frozen=True)
class SchemaStatus:
    """Where a database stands against the shipped migrations."""

    url: str
    backend: str
    current: frozenset[str]
    heads: frozenset[str]
    tables: int

    @property
    def up_to_date(self) -> bool:
        return self.current == self.heads

    @property
    def pending(self) -> frozenset[str]:
        return self.heads - self.current


def status(db: Database) -> SchemaStatus:
    """The schema status of ``db``."""
    with db.engine.connect() as conn:
        n_tables = len(inspect(conn).get_table_names())
    return SchemaStatus(
        url=db.engine.url.render_as_string(hide_password=True),
        backend=db.backend,
        current=frozenset(current_revisions(db)),
        heads=frozenset(head_revisions(db)),
        tables=n_tables,
    )


def ensure_schema(db: Database) -> None:
    """Create the schema of a brand-new database; refuse to work on an outdated one."""
    from exoderm.errors import StorageError

    current = current_revisions(db)
    if not current:
        upgrade(db)
        return
    heads = head_revisions(db)
    if current != heads:
        unknown = current - _all_revisions(db)
        if unknown:
            raise StorageError(
                f"the database is at revision(s) {sorted(unknown)} that this version of "
                "exoderm does not know; upgrade exoderm"
            )
        raise StorageError("the database schema is out of date; run 'exoderm db upgrade'")


def _all_revisions(db: Database) -> set[str]:
    script = ScriptDirectory.from_config(alembic_config(db))
    return {rev.revision for rev in script.walk_revisions()}
