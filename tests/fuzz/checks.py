"""What every fuzz case asserts: a typed result, or a clear exoderm error — nothing else."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from exoderm.errors import UserInputError, ValidationFailed

#: The only exceptions an importer may raise on bad input (ValidationFailed is a
#: UserInputError; both carry a one-line message naming file, line and field).
ACCEPTED_ERRORS: tuple[type[UserInputError], ...] = (UserInputError, ValidationFailed)

T = TypeVar("T")


def parse_or_refuse(parse: Callable[[], T], *, names: Path | str | None = None) -> T | None:
    """Run ``parse``; return its result, or ``None`` after checking the error it raised.

    Any exception that is not one of :data:`ACCEPTED_ERRORS` propagates and fails the
    test (hypothesis then shrinks the input). An accepted error must have a non-empty,
    one-line message, naming ``names`` (the file) when given.
    """
    try:
        return parse()
    except ACCEPTED_ERRORS as exc:
        message = str(exc)
        assert message.strip(), f"{type(exc).__name__} with an empty message"
        assert "Traceback" not in message
        if names is not None:
            assert Path(str(names)).name in message, f"error does not name the file: {message}"
        return None
