"""Where the read-only golden data lives: ``../shared/data`` beside the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shared import SHARED_DATA

_CANDIDATES = (SHARED_DATA,)


def shared_file(relative: str) -> Path:
    for base in _CANDIDATES:
        if (base / relative).exists():
            return base / relative
    pytest.fail(f"golden data file {relative} not found in {[str(c) for c in _CANDIDATES]}")
