"""A fresh data directory and what exoderm writes into it are private to their owner."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from exoderm.cli.main import main
from exoderm.cli.simulate import default_report
from exoderm.settings import get_settings, private_folder, reset_settings_cache


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def fresh_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data directory two levels below an existing folder, none of it created yet,
    under the common umask 022 (a plain mkdir would make it world-readable)."""
    data = tmp_path / "home" / "exoderm"
    monkeypatch.setenv("EXODERM_DATA_DIR", str(data))
    reset_settings_cache()
    old = os.umask(0o022)
    try:
        yield data
    finally:
        os.umask(old)
        reset_settings_cache()


def test_cli_creates_a_private_data_dir(
    fresh_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["user", "org", "add", "Clinic North", "--kind", "clinic"]) == 0
    argv = ["client", "add", "--name", "Ana Silva", "--org", "Clinic North"]
    assert main([*argv, "--phototype", "5"]) == 0
    capsys.readouterr()
    assert _mode(fresh_data.parent) == 0o700 and _mode(fresh_data) == 0o700
    assert _mode(fresh_data / "exoderm.db") == 0o600
    key = get_settings().key_dir / "client-data.key"  # outside the data folder
    assert _mode(key) == 0o600 and _mode(key.parent) == 0o700
    assert not (fresh_data / "client-data.key").exists()
    others = [p.name for p in fresh_data.iterdir() if _mode(p) & 0o077]
    assert others == []


def test_validation_report_defaults_to_the_data_dir(fresh_data: Path) -> None:
    report = default_report()
    assert report == fresh_data / "reports" / "validation.md"
    assert _mode(fresh_data) == 0o700 and _mode(report.parent) == 0o700


def test_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    assert private_folder(shared) == shared and _mode(shared) == 0o755
    assert _mode(private_folder(shared / "new")) == 0o700
