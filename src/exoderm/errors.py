"""The exoderm error hierarchy.

Every error a user can cause is an :class:`ExodermError`. Its message is one line that
says *what* went wrong, *where* (file, line, field) and *what was expected*, so that the
CLI, the API and the web pages can show it as it is, without a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Location:
    """Where a problem sits in the user's input."""

    file: str | Path | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            parts.append(str(self.file))
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.field:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)


@dataclass(frozen=True)
class Problem:
    """One finding about bad input: what is wrong, where, and what was expected."""

    message: str
    location: Location = field(default_factory=Location)
    expected: str | None = None

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if str(self.location) else self.message
        if self.expected:
            text += f" (expected {self.expected})"
        return text


class ExodermError(Exception):
    """Base of every error exoderm raises on purpose. ``exit_code`` is for the CLI."""

    exit_code: int = 1
    http_status: int = 400
    title: str = "exoderm error"


class UserInputError(ExodermError):
    """The user's input is wrong: a value, a file, an option."""

    exit_code = 2
    http_status = 422
    title = "Invalid input"

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        expected: str | None = None,
    ) -> None:
        self.problem = Problem(message, Location(file, line, field), expected)
        super().__init__(str(self.problem))


class ValidationFailed(UserInputError):
    """Several problems found at once (e.g. an import file): all are reported, none written."""

    def __init__(self, problems: Sequence[Problem], *, subject: str = "input") -> None:
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{subject}: {n} problem{'s' if n != 1 else ''}"
        body = "; ".join(str(p) for p in self.problems[:20])
        more = f"; … and {n - 20} more" if n > 20 else ""
        ExodermError.__init__(self, f"{head}: {body}{more}")
        self.problem = self.problems[0] if self.problems else Problem(head)


class NotFoundError(ExodermError):
    """A named thing (record, node, batch, client) does not exist."""

    exit_code = 3
    http_status = 404
    title = "Not found"


class ConflictError(ExodermError):
    """The request contradicts stored state (duplicate, immutable, non-empty target)."""

    exit_code = 4
    http_status = 409
    title = "Conflict"


class PermissionDenied(ExodermError):
    """The acting user's role or organisation does not allow this."""

    exit_code = 5
    http_status = 403
    title = "Forbidden"


class StorageError(ExodermError):
    """The database is missing, out of date or unreachable."""

    exit_code = 6
    http_status = 503
    title = "Storage unavailable"
