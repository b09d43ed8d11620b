"""Where the read-only shared material lives: ``../shared`` beside the checkout.

``EXODERM_SHARED_DIR`` overrides the location. Tests that read it are skipped on a
developer machine without it, but never under CI (``CI=true``), where a missing file
makes them fail instead of hiding the gap.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EXODERM_SHARED_DIR") or _REPO.parent / "shared")
SHARED_DATA = SHARED / "data"
SEED = SHARED / "seed" / "000_da9473c98b5f57df.txt"
IN_CI = os.environ.get("CI", "").lower() == "true"


def needs(path: Path) -> pytest.MarkDecorator:
    """A mark that skips when ``path`` is absent locally; under CI the test runs (and fails)."""
    return pytest.mark.skipif(
        not IN_CI and not path.exists(), reason=f"shared material not present: {path}"
    )
