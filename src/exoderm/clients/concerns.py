"""Concern names: canonical names (as in the evidence graph) and their synonyms.

The table lives in ``data/concerns.yaml`` together with each concern's design targets,
instruments and procedure options (read by :mod:`exoderm.clients.regimen`).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from exoderm.errors import UserInputError


@lru_cache(maxsize=1)
def concern_table() -> dict[str, dict[str, Any]]:
    text = resources.files("exoderm.clients").joinpath("data", "concerns.yaml").read_text("utf-8")
    return dict(yaml.safe_load(text)["concerns"])


def resolve_concern(name: str) -> str:
    """The canonical concern for ``name`` (canonical name or synonym, case-insensitive)."""
    key = " ".join(name.lower().split())
    for canonical, spec in concern_table().items():
        if key == canonical or key in spec.get("synonyms", []):
            return canonical
    raise UserInputError(
        f"unknown concern {name!r}",
        field="concerns",
        expected="one of " + ", ".join(concern_table()),
    )
