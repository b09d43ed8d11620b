"""Importing an EV cargo table (Parquet) at database scale: check every row, then write all.

Why: the harmonised snapshot of Vesiclepedia, ExoCarta and EV-TRACK holds ~300,000 rows;
a user must be able to load it in seconds, load it again without duplicating anything,
and learn exactly which rows are malformed. So the file is hashed (SHA-256; a file
already imported is a no-op), every row is checked and normalised in memory first
(problems are reported by 1-based row number and column, and any problem writes
nothing), and the clean rows are written with SQLAlchemy Core ``executemany`` in chunks
inside the caller's one transaction.

Normalisation: text is whitespace-collapsed; gene symbols and protein names are
compared upper-case (the repositories mix ``Timp1``/``TIMP1`` and trailing blanks);
explicit missing markers ("Unknown", "Not Reported", "NAY", "Legacy (No Score)") become
empty values; the ``pmid`` column holds a PMID or, for some EV-TRACK entries, a DOI, and
the study is recorded as ``pmid:<n>`` or ``doi:<doi>``.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import String, insert, select
from sqlalchemy.orm import Session

from exoderm.errors import Location, Problem, UserInputError, ValidationFailed
from exoderm.evidence.cargo import CargoImport, CargoImportRead, CargoRow

#: Columns every cargo file must have (the harmonised snapshot's schema).
REQUIRED_COLUMNS: tuple[str, ...] = (
    "working_id",
    "molecule_type",
    "species",
    "sample_name",
    "method",
    "vesicle",
    "disease",
    "year",
    "pmid",
    "characterization",
    "ev_metric",
    "source",
)
#: Columns read when present (the repositories' own exports carry them).
OPTIONAL_COLUMNS: tuple[str, ...] = ("experiment_id", "isolation_method")

#: The repositories, by the lower-case spelling found in files.
REPOSITORIES: dict[str, str] = {
    "vesiclepedia": "Vesiclepedia",
    "exocarta": "ExoCarta",
    "ev-track": "EV-TRACK",
    "evtrack": "EV-TRACK",
    "ev track": "EV-TRACK",
}
#: Explicit "no value" markers of the repositories (compared lower-case).
MISSING: frozenset[str] = frozenset(
    {
        "",
        "unknown",
        "not reported",
        "nay",
        "na",
        "n/a",
        "none",
        "legacy (no score)",
        "metadata only",
        "[metadata only]",
        "available soon",
    }
)
CHUNK = 20_000

#: Longest text each stored column takes (PostgreSQL enforces VARCHAR lengths).
_LIMITS: dict[str, int] = {
    c.name: c.type.length
    for c in CargoRow.__table__.columns
    if isinstance(c.type, String) and c.type.length is not None
}


def clean(text: str) -> str:
    """Whitespace collapsed (no-break spaces too), outer quotes removed.

    Examples
    --------
    >>> clean('  Mesenchymal   stem cells ')
    'Mesenchymal stem cells'
    """
    return " ".join(text.replace("\xa0", " ").split()).strip("\"'").strip()


#: A microRNA as miRBase names it: an optional species prefix (``hsa-``, ``mmu-``), then
#: ``miR``/``mir``/``let``/``lin`` and the rest (Griffiths-Jones, S. et al. 2006, miRBase:
#: microRNA sequences, targets and gene nomenclature. Nucleic Acids Res 34, D140-D144,
#: doi:10.1093/nar/gkj112).
_MIRNA = re.compile(r"^(?:[a-z]{3,4}-)?((?:mir|let|lin)-\S+)$", re.IGNORECASE)
#: The arms of a mature microRNA (miRBase: ``-5p`` and ``-3p``).
MIRNA_ARMS: tuple[str, ...] = ("-5P", "-3P")


def molecule_key(text: str) -> str | None:
    """The normalised symbol of a cargo entry (None for a missing marker).

    Gene symbols and protein names are compared upper-case; a microRNA loses its
    species prefix (the row's species column keeps it), so ``hsa-miR-21-5p`` and
    ``mmu-miR-21-5p`` are the same molecule, ``MIR-21-5P``.

    Examples
    --------
    >>> molecule_key(" Timp1 "), molecule_key("Unknown"), molecule_key("hsa-miR-21-5p")
    ('TIMP1', None, 'MIR-21-5P')
    """
    value = clean(text)
    if value.lower() in MISSING:
        return None
    mirna = _MIRNA.match(value)
    return (mirna.group(1) if mirna else value).upper()


def molecule_keys(text: str) -> list[str]:
    """The stored keys a query for a molecule matches: a microRNA named without its arm
    (``miR-21``) matches both arms too.

    Examples
    --------
    >>> molecule_keys("miR-21"), molecule_keys("TIMP1")
    (['MIR-21', 'MIR-21-5P', 'MIR-21-3P'], ['TIMP1'])
    """
    key = molecule_key(text)
    if key is None:
        return []
    if _MIRNA.match(key) and not key.endswith(MIRNA_ARMS):
        return [key, *(key + arm for arm in MIRNA_ARMS)]
    return [key]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_columns(path: Path) -> tuple[int, dict[str, list[Any]]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except FileNotFoundError:
        raise UserInputError("file not found", file=path) from None
    except (pa.ArrowException, OSError) as exc:
        raise UserInputError(f"not a Parquet file ({exc})", file=path) from None
    names = set(parquet.schema_arrow.names)
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise UserInputError(
            f"missing column(s): {', '.join(missing)}",
            file=path,
            expected="the columns " + ", ".join(REQUIRED_COLUMNS),
        )
    wanted = [*REQUIRED_COLUMNS, *(c for c in OPTIONAL_COLUMNS if c in names)]
    table = parquet.read(columns=wanted)
    return table.num_rows, {c: _shared_values(table.column(c)) for c in wanted}


def _shared_values(column: Any) -> list[Any]:
    """A column as a list in which equal values are one object (dictionary-encoded).

    The cargo columns repeat a few thousand distinct values over 300,000 rows; sharing
    them keeps the import's memory to one reference per cell.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if (
        pa.types.is_integer(column.type)
        or pa.types.is_floating(column.type)
        or pa.types.is_large_string(column.type)
    ):
        column = column.cast(pa.string())  # a year or PMID stored as a number is text here
    if not pa.types.is_string(column.type):
        return list(column.to_pylist())  # each value is then reported as "not text"
    encoded = pc.dictionary_encode(column.combine_chunks())
    uniques = encoded.dictionary.to_pylist()
    return [None if k is None else uniques[k] for k in encoded.indices.to_pylist()]


def _memo(fn: Callable[[str], Any]) -> Callable[[str], Any]:
    cache: dict[str, Any] = {}

    def call(value: str) -> Any:
        try:
            return cache[value]
        except KeyError:
            out = cache[value] = fn(value)
            return out

    return call


def _year(text: str) -> int | str | None:
    value = clean(text)
    if value.lower() in MISSING:
        return None
    if value.isdigit() and 1800 <= int(value) <= 2100:
        return int(value)
    return "a year between 1800 and 2100 or 'Unknown'"


def _metric(text: str) -> float | str | None:
    value = clean(text).rstrip("%")
    if value.lower() in MISSING:
        return None
    try:
        number = float(value)
    except ValueError:
        return "an EV-METRIC percentage (0-100) or 'Unknown'"
    return number if 0 <= number <= 100 else "an EV-METRIC percentage (0-100)"


def _study(text: str) -> tuple[str | None, str | None, str | None]:
    value = clean(text)
    if value.isdigit():
        return f"pmid:{value}", value, None
    if value.startswith("10.") and "/" in value:
        return f"doi:{value.lower()}", None, value
    return None, None, None


def _optional(text: str) -> str | None:
    value = clean(text)
    return None if value.lower() in MISSING else value


#: The order of the values of each parsed row (see :func:`parse_rows`).
ROW_FIELDS: tuple[str, ...] = (
    "row_number",
    "repository",
    "experiment_id",
    "molecule",
    "molecule_raw",
    "molecule_kind",
    "species",
    "sample_name",
    "method",
    "vesicle",
    "isolation_method",
    "disease",
    "year",
    "characterization",
    "ev_metric",
    "study",
    "pmid",
    "doi",
)


#: Where a problem of row ``number`` in ``column`` sits: a label for the message and the
#: location in the user's file.
Where = Callable[[int, str], tuple[str, Location]]


def parse_rows(path: Path) -> tuple[list[tuple[Any, ...]], list[Problem]]:
    """Every row of a cargo file, checked and normalised (no database involved).

    Returns
    -------
    (rows, problems)
        ``rows`` ready to insert, each a tuple in the order of :data:`ROW_FIELDS` (a
        tuple takes a third of a dict's memory); ``problems`` name each
        malformed row by its 1-based number and column.
    """
    n, cols = _read_columns(path)

    def where(number: int, column: str) -> tuple[str, Location]:
        return f"row {number}", Location(path, number, column)

    return parse_columns(n, cols, where)


def parse_columns(
    n: int, cols: dict[str, list[Any]], where: Where
) -> tuple[list[tuple[Any, ...]], list[Problem]]:
    """Rows given as columns of the snapshot's schema, checked and normalised.

    ``where`` places each problem in the user's file (a Parquet row, or a line of a
    repository's bulk file).
    """
    text = _memo(clean)
    lower = _memo(lambda v: clean(v).lower())
    mol = _memo(molecule_key)
    year = _memo(_year)
    metric = _memo(_metric)
    study = _memo(_study)
    optional = _memo(_optional)
    experiment = cols.get("experiment_id")
    isolation = cols.get("isolation_method")
    rows: list[tuple[Any, ...]] = []
    problems: list[Problem] = []
    for i in range(n):
        number = i + 1
        bad: list[Problem] = []

        values: dict[str, str] = {}
        for column in REQUIRED_COLUMNS:
            value = cols[column][i]
            if value is None:
                _add(
                    bad,
                    where,
                    number,
                    column,
                    "no value",
                    "a value or an explicit marker such as 'Unknown'",
                )
            elif not isinstance(value, str):
                _add(bad, where, number, column, f"{value!r} is not text", "text")
            else:
                values[column] = value
        if bad:
            problems.extend(bad)
            continue
        repository = REPOSITORIES.get(lower(values["source"]))
        if repository is None:
            _add(
                bad,
                where,
                number,
                "source",
                f"unknown repository '{values['source']}'",
                "Vesiclepedia, ExoCarta or EV-Track",
            )
        when = year(values["year"])
        if isinstance(when, str):
            _add(bad, where, number, "year", f"'{values['year']}' is not a year", when)
        score = metric(values["ev_metric"])
        if isinstance(score, str):
            _add(bad, where, number, "ev_metric", f"'{values['ev_metric']}' is not a score", score)
        kind = lower(values["molecule_type"])
        row: dict[str, Any] = {
            "row_number": number,
            "repository": repository,
            "experiment_id": optional(experiment[i] or "") if experiment is not None else None,
            "molecule": mol(values["working_id"]),
            "molecule_raw": values["working_id"],
            "molecule_kind": "unknown" if kind in MISSING else kind,
            "species": text(values["species"]),
            "sample_name": text(values["sample_name"]),
            "method": text(values["method"]),
            "vesicle": text(values["vesicle"]),
            "isolation_method": optional(isolation[i] or "") if isolation is not None else None,
            "disease": text(values["disease"]),
            "year": when,
            "characterization": text(values["characterization"]),
            "ev_metric": score,
        }
        row["study"], row["pmid"], row["doi"] = study(values["pmid"])
        for column, limit in _LIMITS.items():
            value = row.get(column)
            if isinstance(value, str) and len(value) > limit:
                _add(bad, where, number, column, f"{len(value)} characters", f"at most {limit}")
        if bad:
            problems.extend(bad)
            continue
        rows.append(tuple(row[f] for f in ROW_FIELDS))
    return rows, problems


def _add(
    bad: list[Problem],
    where: Where,
    number: int,
    column: str,
    message: str,
    expected: str | None = None,
) -> None:
    label, location = where(number, column)
    bad.append(Problem(f"{label}: {message}", location, expected))


def _chunks(rows: list[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def import_cargo_file(session: Session, path: Path, *, imported_by: str) -> CargoImportRead:
    """Load a cargo file into the caller's transaction; a file seen before is a no-op.

    ``path`` is a Parquet file of the snapshot's schema, or a folder of Vesiclepedia or
    ExoCarta bulk files (:mod:`exoderm.evidence.cargo_release`).

    Raises
    ------
    UserInputError
        Not a Parquet file or a release folder, or a required column is missing.
    ValidationFailed
        Any malformed row (each named by row number and column); nothing is written.
    """
    started = time.perf_counter()
    path = Path(path)
    if not path.exists():
        raise UserInputError("file not found", file=path)
    release = None
    if path.is_dir():
        from exoderm.evidence.cargo_release import read_release, release_sha256

        release, files = read_release(path)
        digest = release_sha256(files)
    else:
        digest = sha256_of(path)
    seen = session.scalars(select(CargoImport).where(CargoImport.sha256 == digest)).first()
    if seen is not None:
        return CargoImportRead(
            import_id=seen.id,
            filename=seen.filename,
            sha256=digest,
            rows=seen.row_count,
            already_imported=True,
            seconds=time.perf_counter() - started,
        )
    if release is None:
        rows, problems = parse_rows(path)
    else:
        origins = release.origins

        def where(number: int, column: str) -> tuple[str, Location]:
            file, line = origins[number - 1]
            return f"line {line}", Location(file, line, column)

        rows, problems = parse_columns(len(release), release.columns, where)
    if problems:
        raise ValidationFailed(problems, subject=str(path))
    record = CargoImport(
        filename=path.name, sha256=digest, row_count=len(rows), imported_by=imported_by
    )
    session.add(record)
    session.flush()
    statement = insert(CargoRow)
    for chunk in _chunks(rows, CHUNK):
        session.execute(
            statement,
            [{"import_id": record.id, **dict(zip(ROW_FIELDS, r, strict=True))} for r in chunk],
        )
    return CargoImportRead(
        import_id=record.id,
        filename=record.filename,
        sha256=digest,
        rows=len(rows),
        already_imported=False,
        seconds=time.perf_counter() - started,
    )


def write_cargo_parquet(path: Path, rows: list[dict[str, str | None]]) -> Path:
    """Write rows in the snapshot's schema (absent columns "Unknown"): for examples and tests.

    Examples
    --------
    >>> import tempfile
    >>> p = write_cargo_parquet(Path(tempfile.mkdtemp()) / "c.parquet",
    ...                         [{"working_id": "TIMP1", "source": "ExoCarta"}])
    >>> dict(zip(ROW_FIELDS, parse_rows(p)[0][0], strict=True))["molecule"]
    'TIMP1'
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = list(REQUIRED_COLUMNS) + [c for c in OPTIONAL_COLUMNS if any(c in r for r in rows)]
    columns = {c: [r.get(c, "Unknown") for r in rows] for c in names}
    pq.write_table(pa.table({c: pa.array(v, type=pa.string()) for c, v in columns.items()}), path)
    return path
