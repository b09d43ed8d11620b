"""A new embedded database and its folder are private to their owner."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import text

from exoderm.storage import open_database, upgrade


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_database_folder_and_files_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        db_file = tmp_path / "new" / "data" / "exoderm.db"
        db = open_database(f"sqlite:///{db_file}")
        upgrade(db)
        with db.transaction() as s:
            s.execute(text("CREATE TABLE t (x INTEGER)"))
        assert _mode(db_file.parent) == 0o700
        assert _mode(db_file) == 0o600
        wal = db_file.with_name("exoderm.db-wal")
        assert wal.exists() and _mode(wal) == 0o600
        db.dispose()
    finally:
        os.umask(old)


def test_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    db = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.reader() as s:
        s.execute(text("SELECT 1"))
    assert _mode(tmp_path) == 0o755 and _mode(tmp_path / "x.db") == 0o600
    db.dispose()
