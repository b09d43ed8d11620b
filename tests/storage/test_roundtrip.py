"""`db export` then `db import` into an empty database reproduces every row exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from exoderm.errors import ConflictError, ValidationFailed
from exoderm.storage import Database, export_jsonl, import_jsonl, open_database, upgrade
from exoderm.storage.row_security import EVERY_ORGANISATION, set_organisation
from exoderm.storage.tables import load_all_models
from tests.storage.rowfactory import fill


def _snapshot(db: Database) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    with db.engine.connect() as conn:
        set_organisation(conn, EVERY_ORGANISATION)  # the whole installation
        for table in load_all_models().sorted_tables:
            order = list(table.primary_key.columns)
            out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
    return out


def _fresh_like(db: Database, tmp_path: Path, request: pytest.FixtureRequest) -> Database:
    if db.backend == "sqlite":
        other = open_database(f"sqlite:///{tmp_path / 'copy.db'}")
    else:
        other = open_database(request.getfixturevalue("new_postgres_url")())
    upgrade(other)
    return other


def test_export_import_reproduces_every_table(
    any_db: Database, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    with any_db.engine.begin() as conn:
        set_organisation(conn, EVERY_ORGANISATION)
        written = fill(conn, rows_per_table=4)
    assert written and all(n == 4 for n in written.values())
    first = tmp_path / "first.jsonl"
    counts = export_jsonl(any_db, first)
    assert counts == written

    target = _fresh_like(any_db, tmp_path, request)
    try:
        imported = import_jsonl(target, first)
        assert imported == written
        assert _snapshot(target) == _snapshot(any_db)
        second = tmp_path / "second.jsonl"
        export_jsonl(target, second)
        assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
    finally:
        target.dispose()


def test_import_after_export_keeps_ids_usable(
    any_db: Database, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """After an import, new rows get fresh ids (PostgreSQL sequences were moved on)."""
    from exoderm.accounts.records import Organisation, OrganisationKind

    with any_db.transaction() as s:
        s.add_all(
            [Organisation(name=f"clinic {i}", kind=OrganisationKind.clinic) for i in range(3)]
        )
    path = tmp_path / "orgs.jsonl"
    export_jsonl(any_db, path)
    target = _fresh_like(any_db, tmp_path, request)
    try:
        import_jsonl(target, path)
        with target.transaction() as s:
            org = Organisation(name="new lab", kind=OrganisationKind.lab)
            s.add(org)
            s.flush()
            assert org.id == 4
    finally:
        target.dispose()


def test_import_refuses_non_empty_target(sqlite_db: Database, tmp_path: Path) -> None:
    with sqlite_db.engine.begin() as conn:
        fill(conn, rows_per_table=1)
    path = tmp_path / "x.jsonl"
    export_jsonl(sqlite_db, path)
    with pytest.raises(ConflictError, match="not empty"):
        import_jsonl(sqlite_db, path)


def test_bad_file_names_every_line_and_writes_nothing(sqlite_db: Database, tmp_path: Path) -> None:
    source_db = open_database(f"sqlite:///{tmp_path / 'src.db'}")
    upgrade(source_db)
    with source_db.engine.begin() as conn:
        fill(conn, rows_per_table=2)
    good = tmp_path / "good.jsonl"
    export_jsonl(source_db, good)
    source_db.dispose()
    lines = good.read_text(encoding="utf-8").splitlines()
    broken = lines[:]
    broken[2] = "{not json"
    row = json.loads(broken[-1])
    row["table"] = "no_such_table"
    broken[-1] = json.dumps(row)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(broken) + "\n", encoding="utf-8")

    with pytest.raises(ValidationFailed) as info:
        import_jsonl(sqlite_db, bad)
    message = str(info.value)
    assert "line 3" in message and "not valid JSON" in message
    assert f"line {len(lines)}" in message and "no_such_table" in message
    assert all(not rows for rows in _snapshot(sqlite_db).values())


def test_truncated_export_is_rejected(sqlite_db: Database, tmp_path: Path) -> None:
    source_db = open_database(f"sqlite:///{tmp_path / 'src.db'}")
    upgrade(source_db)
    with source_db.engine.begin() as conn:
        fill(conn, rows_per_table=2)
    good = tmp_path / "good.jsonl"
    export_jsonl(source_db, good)
    source_db.dispose()
    truncated = tmp_path / "cut.jsonl"
    truncated.write_text("\n".join(good.read_text().splitlines()[:-3]) + "\n")
    with pytest.raises(ValidationFailed, match="truncated"):
        import_jsonl(sqlite_db, truncated)
    assert all(not rows for rows in _snapshot(sqlite_db).values())
