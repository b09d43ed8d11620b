"""Reading numbers from submitted forms: a bad value is a user error naming the field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exoderm.errors import UserInputError


def number(form: Mapping[str, Any], name: str, default: float | None = None) -> float | None:
    """The field as a float (``default`` when empty)."""
    raw = str(form.get(name, "") or "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise UserInputError(f"{raw!r} is not a number", field=name, expected="a number") from None


def integer(form: Mapping[str, Any], name: str, default: int) -> int:
    """The field as an integer (``default`` when empty)."""
    raw = str(form.get(name, "") or "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise UserInputError(
            f"{raw!r} is not a whole number", field=name, expected="a whole number"
        ) from None
