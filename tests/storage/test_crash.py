"""A writer killed with SIGKILL in the middle of a transaction leaves the database intact
and unchanged: nothing of the half-done transaction is visible afterwards."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import func, select, text

from exoderm.accounts.records import Organisation, OrganisationKind
from exoderm.storage import Database

WRITER = textwrap.dedent(
    """
    import sys, time
    from exoderm.accounts.records import Organisation, OrganisationKind
    from exoderm.storage import open_database

    db = open_database(sys.argv[1])
    with db.transaction() as session:
        for i in range(5000):
            session.add(Organisation(name=f"half-written {i}", kind=OrganisationKind.lab))
            if i % 500 == 0:
                session.flush()
        session.flush()
        print("inside", flush=True)
        time.sleep(60)
    """
)


def _orgs(db: Database) -> list[str]:
    with db.reader() as s:
        return list(s.scalars(select(Organisation.name).order_by(Organisation.id)))


@pytest.mark.parametrize("n_before", [3])
def test_sigkill_mid_transaction_leaves_database_unchanged(any_db: Database, n_before: int) -> None:
    with any_db.transaction() as s:
        s.add_all(
            [Organisation(name=f"kept {i}", kind=OrganisationKind.clinic) for i in range(n_before)]
        )
    before = _orgs(any_db)

    env = dict(os.environ)
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, any_db.url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "inside", proc.stderr.read() if proc.stderr else ""
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    any_db.engine.dispose()
    assert _orgs(any_db) == before
    with any_db.engine.connect() as conn:
        if any_db.backend == "sqlite":
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        count = conn.execute(select(func.count()).select_from(Organisation)).scalar()
    assert count == n_before
    # and the database still takes writes
    with any_db.transaction() as s:
        s.add(Organisation(name="after the crash", kind=OrganisationKind.lab))
    assert _orgs(any_db)[-1] == "after the crash"


def test_exception_inside_transaction_rolls_everything_back(any_db: Database) -> None:
    with pytest.raises(RuntimeError), any_db.transaction() as s:
        s.add(Organisation(name="never", kind=OrganisationKind.lab))
        s.flush()
        raise RuntimeError("boom")
    assert _orgs(any_db) == []
