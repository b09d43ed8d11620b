"""The root command: groups, version, global options, errors as one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from exoderm import __version__
from exoderm.cli.main import GROUP_MODULES, main

GROUPS = ["evidence", "design", "client", "qc", "nta", "simulate", "serve", "db"]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_help_lists_every_group(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    for group in GROUPS:
        assert f" {group} " in out, group
    assert len(GROUP_MODULES) >= len(GROUPS)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--version"], capsys)
    assert code == 0 and out.strip() == f"exoderm {__version__}"


def test_console_script_runs() -> None:
    exe = Path(sys.executable).with_name("exoderm")
    done = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and __version__ in done.stdout


def test_db_upgrade_status_export_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = f"sqlite:///{tmp_path / 'a.db'}"
    dst = f"sqlite:///{tmp_path / 'b.db'}"
    assert run(["--db", src, "db", "upgrade"], capsys)[0] == 0
    code, out, _ = run(["--db", src, "--format", "json", "db", "status"], capsys)
    assert code == 0
    fields = (
        {row["field"]: row["value"] for row in json.loads(out)}
        if out.lstrip().startswith("[")
        else json.loads(out)
    )
    assert fields["up_to_date"] is True and fields["backend"] == "sqlite"

    from exoderm.accounts.records import Organisation, OrganisationKind
    from exoderm.storage import open_database

    db = open_database(src)
    with db.transaction() as s:
        s.add(Organisation(name="Klinik Süd", kind=OrganisationKind.clinic))
    db.dispose()

    dump = tmp_path / "dump.jsonl"
    code, out, _ = run(["--db", src, "--format", "csv", "db", "export", str(dump)], capsys)
    assert code == 0 and "organisation,1" in out
    assert run(["--db", dst, "db", "upgrade"], capsys)[0] == 0
    code, out, _ = run(["--db", dst, "--format", "json", "db", "import", str(dump)], capsys)
    assert code == 0
    assert {"table": "organisation", "rows": 1} in json.loads(out)


def test_user_mistake_is_one_line_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    missing = tmp_path / "nope.jsonl"
    code, _, err = run(["--db", db, "db", "import", str(missing)], capsys)
    assert code == 2
    assert "Traceback" not in err and "nope.jsonl" in err and "cannot read file" in err
    assert len(err.strip().splitlines()) == 1


def test_debug_shows_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    code, _, err = run(["--debug", "--db", db, "db", "import", str(tmp_path / "x")], capsys)
    assert code == 2 and "Traceback" in err


def test_bad_database_url(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["--db", "nonsense", "db", "status"], capsys)
    assert code == 2 and "database URL" in err and "expected" in err


def test_unknown_option_is_a_usage_error_without_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(["db", "status", "--no-such-option"], capsys)
    assert code == 2
    assert "No such option" in err and "Traceback" not in err


def test_group_without_command_shows_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["db"], capsys)
    assert code in (0, 2)
    assert "upgrade" in out + err and "Traceback" not in err
