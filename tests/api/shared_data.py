"""Where the read-only golden data lives: ``../shared/data`` beside the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

_CANDIDATES = (
    Path(__file__).resolve().parents[2].parent / "shared" / "data",
    Path("/work/shared/data"),
)


def shared_file(relative: str) -> Path:
    for base in _CANDIDATES:
        if (base / relative).exists():
            return base / relative
    pytest.fail(f"golden data file {relative} not found in {[str(c) for c in _CANDIDATES]}")
