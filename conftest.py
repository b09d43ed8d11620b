"""Doctests in the package keep to themselves: no key, database or setting of the user's.

(The tests' own isolation is ``tests/conftest.py``; this covers ``src/`` doctests, which
write audit events and so create the audit key.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _pytest.doctest import DoctestItem

from exoderm.settings import reset_settings_cache


@pytest.fixture(autouse=True)
def _doctest_settings(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[None]:
    if not isinstance(request.node, DoctestItem):
        yield
        return
    home = tmp_path_factory.mktemp("doctest-home")
    monkeypatch.setenv("EXODERM_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("EXODERM_CONFIG", str(home / "config.toml"))
    monkeypatch.delenv("EXODERM_DATABASE_URL", raising=False)
    reset_settings_cache()
    yield
    reset_settings_cache()
