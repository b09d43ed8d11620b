"""Every test and every doctest in the package keeps to itself: no data directory, key or
setting of the user's is read or written."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from exoderm.settings import reset_settings_cache


@pytest.fixture(autouse=True)
def _isolated_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Never touch the user's real data directory, config or keys from a test."""
    home = tmp_path_factory.mktemp("exoderm-home")
    monkeypatch.setenv("EXODERM_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("EXODERM_CONFIG", str(home / "config.toml"))
    monkeypatch.delenv("EXODERM_DATABASE_URL", raising=False)
    reset_settings_cache()
    yield
    reset_settings_cache()
