"""Settings come from arguments, EXODERM_* variables and a TOML file, in that order."""

from __future__ import annotations

from pathlib import Path

import pytest

from exoderm.settings import Settings, get_settings, reset_settings_cache


def test_default_database_is_sqlite_in_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXODERM_DATA_DIR", str(tmp_path))
    reset_settings_cache()
    assert get_settings().resolved_database_url == f"sqlite:///{tmp_path / 'exoderm.db'}"


def test_toml_file_then_environment_then_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('database_url = "sqlite:///from-toml.db"\nport = 9001\n')
    monkeypatch.setenv("EXODERM_CONFIG", str(config))
    reset_settings_cache()
    assert Settings().database_url == "sqlite:///from-toml.db"
    assert Settings().port == 9001
    monkeypatch.setenv("EXODERM_DATABASE_URL", "sqlite:///from-env.db")
    assert Settings().database_url == "sqlite:///from-env.db"
    assert get_settings(database_url="sqlite:///arg.db").database_url == "sqlite:///arg.db"
