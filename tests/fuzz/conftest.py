"""Fuzz-suite settings: no repr warnings for megabyte-sized generated files."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/fuzz/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.filterwarnings("ignore:Generating overly large repr"))


def pytest_configure(config: pytest.Config) -> None:
    # PIL warns when it opens a header that declares a huge image; the frame reader then
    # refuses it (exoderm.nta.frames.MAX_FRAME_PIXELS), which the tests assert.
    config.addinivalue_line("filterwarnings", "ignore::PIL.Image.DecompressionBombWarning")
