"""Parsing curator files with line numbers: claims (CSV or YAML) and references
(BibTeX, RIS, or the ``references`` section of a YAML file).

Why: a curator must be told exactly where each problem is, so every parsed row keeps the
line it came from. Parsing never touches the database.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bibtexparser
import rispy

from exoderm.errors import Location as Loc
from exoderm.errors import Problem, UserInputError, read_yaml

CLAIM_SUFFIXES = {".csv", ".yaml", ".yml"}
REFERENCE_SUFFIXES = {".bib", ".bibtex", ".ris"}


@dataclass(slots=True)
class Row:
    """One record from a file and where it starts."""

    data: dict[str, Any]
    file: str
    line: int
    section: str


@dataclass(slots=True)
class ParsedFiles:
    nodes: list[Row] = field(default_factory=list)
    references: list[Row] = field(default_factory=list)
    claims: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserInputError("file not found", file=path) from None
    except UnicodeDecodeError as exc:
        raise UserInputError(f"not UTF-8 text ({exc.reason})", file=path) from None


def parse_yaml(path: Path, text: str, out: ParsedFiles) -> None:
    try:
        doc = read_yaml(text, path)
    except UserInputError as exc:
        out.problems.append(exc.problem)
        return
    data = doc.data
    if not isinstance(data, dict):
        out.problems.append(
            Problem("expected a mapping with 'claims', 'references' and/or 'nodes'", Loc(path, 1))
        )
        return
    for section in ("nodes", "references", "claims"):
        rows = data.get(section) or []
        if not isinstance(rows, list):
            out.problems.append(Problem(f"'{section}' must be a list", Loc(path, doc.line_of([]))))
            continue
        target: list[Row] = getattr(out, section)
        for k, item in enumerate(rows):
            if not isinstance(item, dict):
                out.problems.append(
                    Problem(
                        f"each item of '{section}' must be a mapping", Loc(path, doc.line_of([]))
                    )
                )
                continue
            line = doc.line_of([section, k]) or 0
            target.append(Row({str(key): v for key, v in item.items()}, str(path), line, section))
    unknown = set(data) - {"nodes", "references", "claims"}
    if unknown:
        out.problems.append(
            Problem(
                f"unknown section(s): {', '.join(sorted(map(str, unknown)))}",
                Loc(path, 1),
                "nodes, references, claims",
            )
        )


_LIST_COLUMNS = {"references", "synonyms", "contradicts"}


def parse_csv(path: Path, text: str, out: ParsedFiles) -> None:
    reader = csv.DictReader(io.StringIO(text))
    try:
        _csv_claims(path, reader, out)
    except csv.Error as exc:  # an unbalanced quote, or a cell over the field size limit
        out.problems.append(
            Problem(f"not valid CSV ({exc})", Loc(path, reader.line_num or 1), "a CSV table")
        )


def _csv_claims(path: Path, reader: csv.DictReader[str], out: ParsedFiles) -> None:
    if not reader.fieldnames:
        out.problems.append(Problem("empty CSV file (no header row)", Loc(path, 1)))
        return
    previous = reader.line_num
    for raw in reader:
        start, previous = previous + 1, reader.line_num
        if None in raw:
            out.problems.append(Problem("more cells than header columns", Loc(path, start)))
            continue
        row: dict[str, Any] = {}
        for key, value in raw.items():
            value = (value or "").strip()
            if value == "":
                continue
            row[key.strip()] = (
                [v.strip() for v in value.split(";") if v.strip()]
                if key in _LIST_COLUMNS
                else value
            )
        if row:
            out.claims.append(Row(row, str(path), start, "claims"))


def _entry_lines(text: str, pattern: str) -> list[int]:
    return [text.count("\n", 0, m.start()) + 1 for m in re.finditer(pattern, text, re.M)]


def parse_bibtex(path: Path, text: str, out: ParsedFiles) -> None:
    parser = bibtexparser.bparser.BibTexParser(common_strings=True)
    parser.ignore_nonstandard_types = False
    try:
        database = bibtexparser.loads(text, parser=parser)
    except Exception as exc:  # bibtexparser raises assorted errors on broken input
        out.problems.append(Problem(f"unreadable BibTeX: {exc}", Loc(path, None)))
        return
    lines = {
        m.group(1).strip(): text.count("\n", 0, m.start()) + 1
        for m in re.finditer(r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,", text, re.M)
    }
    for entry in database.entries:
        authors = [a.strip() for a in re.split(r"\s+and\s+", entry.get("author", "")) if a.strip()]
        data = {
            "id": entry.get("ID", ""),
            "authors": authors,
            "year": entry.get("year"),
            "title": re.sub(r"[{}]", "", entry.get("title", "")),
            "journal": entry.get("journal", ""),
            "volume": entry.get("volume", ""),
            "pages": entry.get("pages", "").replace("--", "-"),
            "doi": entry.get("doi"),
            "url": entry.get("url"),
            "study_type": entry.get("keywords", ""),
        }
        out.references.append(Row(data, str(path), lines.get(data["id"], 0), "references"))


def parse_ris(path: Path, text: str, out: ParsedFiles) -> None:
    try:
        entries = rispy.loads(text)
    except Exception as exc:  # rispy raises on malformed tags
        out.problems.append(Problem(f"unreadable RIS: {exc}", Loc(path, None)))
        return
    starts = _entry_lines(text, r"^TY  -")
    for k, entry in enumerate(entries):
        authors = list(entry.get("authors") or entry.get("first_authors") or [])
        year = entry.get("year") or entry.get("publication_year") or ""
        first = (authors[0].split(",")[0] if authors else "ref").lower()
        pages = "-".join(p for p in (entry.get("start_page"), entry.get("end_page")) if p)
        data = {
            "id": entry.get("id") or f"{re.sub(r'[^a-z]', '', first)}{str(year)[:4]}",
            "authors": authors,
            "year": str(year)[:4] or None,
            "title": entry.get("title") or entry.get("primary_title") or "",
            "journal": entry.get("journal_name") or entry.get("secondary_title") or "",
            "volume": entry.get("volume", ""),
            "pages": pages,
            "doi": entry.get("doi"),
            "url": (entry.get("urls") or [None])[0],
            "study_type": entry.get("type_of_work", ""),
        }
        line = starts[k] if k < len(starts) else 0
        out.references.append(Row(data, str(path), line, "references"))


def parse_files(paths: list[Path]) -> ParsedFiles:
    """Parse every file; unreadable files and unknown suffixes become problems."""
    out = ParsedFiles()
    for path in paths:
        suffix = path.suffix.lower()
        if suffix not in CLAIM_SUFFIXES | REFERENCE_SUFFIXES:
            out.problems.append(
                Problem(
                    f"unknown file type '{suffix}'", Loc(path), ".csv, .yaml, .yml, .bib or .ris"
                )
            )
            continue
        text = _read_text(path)
        out.texts[str(path)] = text
        if suffix == ".csv":
            parse_csv(path, text, out)
        elif suffix in {".yaml", ".yml"}:
            parse_yaml(path, text, out)
        elif suffix in {".bib", ".bibtex"}:
            parse_bibtex(path, text, out)
        else:
            parse_ris(path, text, out)
    return out
