"""The exoderm error hierarchy.

Every error a user can cause is an :class:`ExodermError`. Its message is one line that
says *what* went wrong, *where* (file, line, field) and *what was expected*, so that the
CLI, the API and the web pages can show it as it is, without a traceback.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError


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


# --------------------------------------------------------------------------- edge helpers
#: A place in a parsed document: the keys and indices from its root.
DocumentPath = tuple[str | int, ...]


@dataclass(frozen=True)
class LinedDocument:
    """A parsed YAML (or JSON) document and the 1-based line of every key and item."""

    data: Any
    source: str
    lines: Mapping[DocumentPath, int]

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        key = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get(())


#: Most nodes a YAML document may expand to, counting every use of an alias; a
#: "billion laughs" document (nested aliases, CWE-776) is refused long before it.
MAX_YAML_NODES = 100_000
#: Deepest nesting of a YAML document (exoderm's own documents nest fewer than 10 levels).
MAX_YAML_DEPTH = 100


def _line_index(node: yaml.Node, source: str | Path) -> dict[DocumentPath, int]:
    lines: dict[DocumentPath, int] = {}
    visits = 0

    def walk(n: yaml.Node, path: DocumentPath) -> None:
        nonlocal visits
        visits += 1
        if visits > MAX_YAML_NODES or len(path) > MAX_YAML_DEPTH:
            raise UserInputError(
                "the document expands to too many or too deeply nested values (aliases or nesting)",
                file=source,
                line=n.start_mark.line + 1,
                expected=f"at most {MAX_YAML_NODES} values, nested at most {MAX_YAML_DEPTH} deep",
            )
        lines[path] = n.start_mark.line + 1
        if isinstance(n, yaml.MappingNode):
            for key_node, value_node in n.value:
                child = (*path, str(key_node.value))
                walk(value_node, child)
                lines[child] = key_node.start_mark.line + 1
        elif isinstance(n, yaml.SequenceNode):
            for i, item in enumerate(n.value):
                walk(item, (*path, i))

    walk(node, ())
    return lines


def _compose_and_construct(text: str, source: str | Path) -> tuple[Any, dict[DocumentPath, int]]:
    """Compose once, bound the expanded size, then construct the data from the same nodes."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines = _line_index(node, source)
        try:
            return loader.construct_document(node), lines
        except (ValueError, OverflowError, TypeError, AttributeError) as exc:
            # PyYAML's constructors fail this way on e.g. the date 2023-02-30, an int of
            # 5,000 digits or "!!timestamp today"
            raise UserInputError(
                f"a value cannot be read ({type(exc).__name__}: {exc})",
                file=source,
                expected="valid dates, numbers and tags",
            ) from exc
    finally:
        loader.dispose()


def read_yaml(text: str, source: str | Path) -> LinedDocument:
    """Parse YAML (JSON is YAML) once, keeping the line of every key; syntax errors name it.

    Parameters
    ----------
    text : str
        The document.
    source : str or Path
        Its name in error messages (a file name, "request body").

    Returns
    -------
    LinedDocument
        The data (``None`` for an empty document) and the line index.

    Raises
    ------
    UserInputError
        Not YAML or JSON, a value that cannot be constructed (e.g. the date 2023-02-30),
        nesting deeper than :data:`MAX_YAML_DEPTH`, or aliases expanding to more than
        :data:`MAX_YAML_NODES` values; the message names the source and, if known, line.

    References
    ----------
    .. [1] Ben-Kiki, O., Evans, C. & döt Net, I. YAML Ain't Markup Language (YAML)
       version 1.2, revision 1.2.2 (2021), §3.1 "Processes" (compose, construct).
    .. [2] MITRE. CWE-776: Improper Restriction of Recursive Entity References in DTDs
       ("XML Entity Expansion"), CWE version 4.14 (2024).

    Examples
    --------
    >>> doc = read_yaml("lot: A1\\nproduct:\\n  name: serum\\n", "batch.yaml")
    >>> doc.data["product"]["name"], doc.line_of(["product", "name"])
    ('serum', 3)
    """
    try:
        data, lines = _compose_and_construct(text, source)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise UserInputError(
            f"not valid YAML or JSON ({exc.problem})", file=source, line=line
        ) from exc
    except yaml.YAMLError as exc:  # e.g. ReaderError: a control character in the text
        raise UserInputError(
            f"not valid YAML or JSON ({exc})", file=source, expected="printable text"
        ) from exc
    except RecursionError as exc:
        raise UserInputError(
            "the document is nested too deeply",
            file=source,
            expected=f"nesting at most {MAX_YAML_DEPTH} deep",
        ) from exc
    return LinedDocument(data, str(source), lines)


def read_yaml_mapping(text: str, source: str | Path) -> LinedDocument:
    """:func:`read_yaml`, and the document must be a mapping (``key: value`` at the top).

    Examples
    --------
    >>> read_yaml_mapping("- a\\n- b\\n", "x.yaml")
    Traceback (most recent call last):
    ...
    exoderm.errors.UserInputError: x.yaml, line 1: the document is a list (expected a mapping...)
    """
    doc = read_yaml(text, source)
    if doc.data is None:
        return LinedDocument({}, doc.source, doc.lines)
    if not isinstance(doc.data, dict):
        raise UserInputError(
            f"the document is a {_kind(doc.data)}",
            file=source,
            line=1,
            expected="a mapping of fields",
        )
    return doc


def _kind(value: object) -> str:
    return {list: "list", str: "string", int: "number", float: "number"}.get(
        type(value), type(value).__name__
    )


def read_csv_records(text: str, source: str | Path) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV with a header, each with its 1-based line in the file.

    Examples
    --------
    >>> read_csv_records("a,b\\n1,2\\n3,4\\n", "t.csv")
    [(2, {'a': '1', 'b': '2'}), (3, {'a': '3', 'b': '4'})]
    """
    reader = csv.DictReader(io.StringIO(text))
    out: list[tuple[int, dict[str, str]]] = []
    try:
        if reader.fieldnames is None:
            raise UserInputError("the file is empty", file=source, expected="a header row")
        for row in reader:
            out.append((reader.line_num, {k: (v or "") for k, v in row.items() if k}))
    except csv.Error as exc:
        raise UserInputError(f"not valid CSV ({exc})", file=source, line=reader.line_num) from exc
    return out


def problems_from_validation(
    exc: ValidationError,
    *,
    file: str | Path | None = None,
    line: int | None = None,
    document: LinedDocument | None = None,
    at: Sequence[str | int] = (),
) -> list[Problem]:
    """One :class:`Problem` per pydantic error, with its field path and, if known, line.

    Parameters
    ----------
    exc : pydantic.ValidationError
        What validation found.
    file, line : optional
        Where the validated value came from.
    document : LinedDocument, optional
        The parsed document, to give each field its own line.
    at : sequence of str or int
        Where in ``document`` the validated value sits.

    Examples
    --------
    >>> from pydantic import BaseModel
    >>> class Lot(BaseModel):
    ...     volume_ml: float
    >>> try:
    ...     Lot.model_validate({"volume_ml": "much"})
    ... except ValidationError as e:
    ...     print(problems_from_validation(e, file="lot.yaml")[0])
    lot.yaml, field 'volume_ml': Input should be a valid number, unable to parse string as a number
    """
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        fld = ".".join(str(p) for p in loc) or None
        where = line
        if document is not None:
            where = document.line_of((*at, *loc))
        problems.append(Problem(err["msg"], Location(file or _doc_source(document), where, fld)))
    return problems


def _doc_source(document: LinedDocument | None) -> str | None:
    return document.source if document is not None else None


def validation_failed(
    exc: ValidationError,
    *,
    subject: str,
    file: str | Path | None = None,
    document: LinedDocument | None = None,
    at: Sequence[str | int] = (),
) -> ValidationFailed:
    """A :class:`ValidationFailed` with every problem of ``exc`` (see above).

    Examples
    --------
    >>> from pydantic import BaseModel
    >>> class Lot(BaseModel):
    ...     lot: str
    >>> try:
    ...     Lot.model_validate({})
    ... except ValidationError as e:
    ...     print(validation_failed(e, subject="batch record"))
    batch record: 1 problem: field 'lot': Field required
    """
    return ValidationFailed(
        problems_from_validation(exc, file=file, document=document, at=at), subject=subject
    )
