"""Migrations and models agree, on SQLite and PostgreSQL, and the history is well formed."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from exoderm.storage import Database, status
from exoderm.storage.migrate import alembic_config
from exoderm.storage.tables import load_all_models


def test_upgrade_creates_every_table(any_db: Database) -> None:
    s = status(any_db)
    assert s.up_to_date and s.current == s.heads
    expected = {t.name for t in load_all_models().sorted_tables}
    from sqlalchemy import inspect

    with any_db.engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
    assert expected <= present


def test_models_match_migrations(any_db: Database) -> None:
    """Fails when a model changed without a migration (or the other way round)."""
    with any_db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, load_all_models())
    assert diff == []


def test_history_has_one_root_and_labelled_branches(sqlite_db: Database) -> None:
    script = ScriptDirectory.from_config(alembic_config(sqlite_db))
    revisions = list(script.walk_revisions())
    roots = [r for r in revisions if r.down_revision is None]
    assert [r.revision for r in roots] == ["core_0001"]
    for rev in revisions:
        prefix = rev.revision.split("_", 1)[0]
        labelled = {label for r in revisions for label in r.branch_labels}
        assert prefix in labelled, f"revision {rev.revision} is not on a labelled branch"
