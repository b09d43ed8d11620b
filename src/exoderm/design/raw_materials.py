"""A formulator's raw-material list: what is bought, its INCI composition and its price.

A raw material is rarely one INCI name: a preservative blend, a hyaluronate solution or
a retinol-in-oil blend is several INCI names at fixed percentages, and a formula that
uses it carries each of them on its label (Regulation (EC) No 1223/2009, Article
19(1)(g)). The list is read from a CSV (UTF-8, with or without byte-order mark) or an
XLSX workbook (first sheet, header in row 1) in long format, one row per component::

    trade_name,supplier,inci,percent,cost_per_kg,currency,minimum_order_kg,functions
    Preserve PE,Example Supplier A,Phenoxyethanol,90,18.50,EUR,5,preservative
    Preserve PE,,Ethylhexylglycerin,10,,,,

Rows of one trade name are grouped (trade names are compared ignoring case); supplier,
cost, currency, minimum order, functions and notes may be given on one row of the group
only, but two rows must not disagree. Every INCI name must be in the CosIng inventory.
All problems of a file are reported together, each with its file, line (CSV line or
sheet row) and field.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from openpyxl import load_workbook
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from exoderm.design.formulary import Function
from exoderm.design.inventory import fold_inci, inventory_entry, is_inventory_name
from exoderm.design.xlsx_archive import check_xlsx_archive
from exoderm.errors import (
    Location,
    NotFoundError,
    Problem,
    UserInputError,
    ValidationFailed,
    problems_from_validation,
    read_csv_records,
)

#: Largest file read (bytes).
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Most data rows read from one file.
MAX_ROWS = 100_000
#: How far the components of a raw material may sum from 100 % (percentage points).
COMPOSITION_TOLERANCE = 0.5
REQUIRED_COLUMNS = ("trade_name", "supplier", "inci", "percent", "cost_per_kg")
OPTIONAL_COLUMNS = ("currency", "minimum_order_kg", "functions", "notes")
#: One row of a table: its line (CSV) or row number (sheet), and its cells by column.
Record = tuple[int, dict[str, str]]


class RawMaterialComponent(BaseModel):
    """One INCI name of a raw material and its share of it, in per cent (w/w)."""

    model_config = ConfigDict(frozen=True)

    inci: str = Field(min_length=1)
    percent: float = Field(gt=0, le=100)

    @field_validator("inci")
    @classmethod
    def _in_inventory(cls, value: str) -> str:
        if not is_inventory_name(value):
            raise ValueError(f"{value!r} is not an INCI name of the CosIng inventory")
        return value


class RawMaterial(BaseModel):
    """A raw material as bought: trade name, supplier, INCI composition and price."""

    model_config = ConfigDict(frozen=True)

    trade_name: str = Field(min_length=1)
    supplier: str = Field(min_length=1)
    components: tuple[RawMaterialComponent, ...] = Field(min_length=1)
    cost_per_kg: float = Field(ge=0, allow_inf_nan=False)
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    minimum_order_kg: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    functions: tuple[Function, ...] = ()
    notes: str = ""

    @model_validator(mode="after")
    def _composition(self) -> RawMaterial:
        total = sum(c.percent for c in self.components)
        if abs(total - 100) > COMPOSITION_TOLERANCE:
            raise ValueError(
                f"components of {self.trade_name!r} sum to {total:g} %, not 100 ± "
                f"{COMPOSITION_TOLERANCE:g} %"
            )
        keys = [fold_inci(c.inci) for c in self.components]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{self.trade_name!r} lists an INCI name twice")
        return self

    @property
    def incis(self) -> tuple[str, ...]:
        """The INCI names of the components, in the order given."""
        return tuple(c.inci for c in self.components)


class RawMaterialList(BaseModel):
    """A formulator's raw materials; trade names are unique, ignoring case."""

    model_config = ConfigDict(frozen=True)

    materials: tuple[RawMaterial, ...] = ()
    source: str = ""

    @model_validator(mode="after")
    def _unique(self) -> RawMaterialList:
        seen: set[str] = set()
        for m in self.materials:
            key = _trade_key(m.trade_name)
            if key in seen:
                raise ValueError(f"trade name {m.trade_name!r} is listed twice")
            seen.add(key)
        return self

    def find(self, trade_name: str) -> RawMaterial | None:
        """The raw material of ``trade_name`` (case and spacing ignored), or None."""
        key = _trade_key(trade_name)
        return next((m for m in self.materials if _trade_key(m.trade_name) == key), None)

    @property
    def trade_names(self) -> tuple[str, ...]:
        return tuple(m.trade_name for m in self.materials)


def _trade_key(name: str) -> str:
    return " ".join(name.lower().split())


# --------------------------------------------------------------------------- tables
def _column(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_records(path: Path) -> list[Record]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserInputError(
            f"the file is not UTF-8 text (byte {exc.start})", file=path, expected="UTF-8 CSV"
        ) from exc
    if not text.strip():
        raise UserInputError("the file is empty", file=path, expected="a header row")
    records = read_csv_records(text, path)
    return [(line, {_column(k): v.strip() for k, v in row.items()}) for line, row in records]


def _xlsx_records(path: Path) -> list[Record]:
    check_xlsx_archive(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UserInputError(
            f"not a readable XLSX workbook ({exc})", file=path, expected="an .xlsx file"
        ) from exc
    try:
        if not book.worksheets:
            raise UserInputError("the workbook has no sheet", file=path, expected="a sheet")
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None or not any(_cell_text(c) for c in header):
            raise UserInputError("the first sheet is empty", file=path, expected="a header row")
        names = [_column(_cell_text(c)) for c in header]
        out: list[Record] = []
        for number, row in enumerate(rows, start=2):
            cells = {n: _cell_text(v) for n, v in zip(names, row, strict=False) if n}
            if any(cells.values()):
                out.append((number, cells))
            if len(out) > MAX_ROWS:
                break
        return out
    finally:
        book.close()


def read_table(path: str | Path) -> list[Record]:
    """The data rows of a CSV or XLSX table, each with its line or sheet row number.

    Column names are folded to lower case with ``_`` for spaces and hyphens, so
    "Trade name" is ``trade_name``. Rows whose cells are all empty are skipped.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` (UTF-8, byte-order mark allowed) or ``.xlsx`` file (first sheet,
        header in row 1).

    Returns
    -------
    list of (int, dict)
        Line (CSV) or row (sheet) number, and the cells by column name.

    Raises
    ------
    UserInputError
        Missing, empty, too large (over :data:`MAX_FILE_BYTES` or :data:`MAX_ROWS`
        rows), not UTF-8, not CSV or XLSX.

    References
    ----------
    .. [1] Shafranovich, Y. RFC 4180: Common Format and MIME Type for Comma-Separated
       Values (CSV) Files. IETF (2005). doi:10.17487/RFC4180
    .. [2] ISO/IEC 29500-1:2016 Office Open XML File Formats, Part 1 (SpreadsheetML).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("Trade name,INCI\\nPreserve PE,Phenoxyethanol\\n", encoding="utf-8-sig")
    >>> read_table(p)
    [(2, {'trade_name': 'Preserve PE', 'inci': 'Phenoxyethanol'})]
    """
    path = Path(path)
    if not path.is_file():
        raise UserInputError("no such file", file=path, expected="an existing .csv or .xlsx file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise UserInputError(
            f"the file has {size} bytes", file=path, expected=f"at most {MAX_FILE_BYTES} bytes"
        )
    suffix = path.suffix.lower()
    if suffix == ".csv":
        records = _csv_records(path)
    elif suffix in (".xlsx", ".xlsm"):
        records = _xlsx_records(path)
    else:
        raise UserInputError(
            f"unsupported file type {suffix or '(none)'!r}", file=path, expected=".csv or .xlsx"
        )
    if len(records) > MAX_ROWS:
        raise UserInputError(
            f"the file has more than {MAX_ROWS} rows",
            file=path,
            line=records[MAX_ROWS][0],
            expected=f"at most {MAX_ROWS} data rows",
        )
    if not records:
        raise UserInputError("the file has no data rows", file=path, expected="one row or more")
    return records


def missing_columns(
    records: Sequence[Record], required: Iterable[str], source: str | Path
) -> list[Problem]:
    """A problem naming the missing columns and those present, or nothing.

    Examples
    --------
    >>> [str(p) for p in missing_columns([(2, {"inci": "Aqua"})], ["inci", "percent"], "f.csv")]
    ["f.csv, line 1, field 'percent': missing column(s) percent; the file has inci (expected ...)"]
    """
    present = list(records[0][1]) if records else []
    missing = [c for c in required if c not in present]
    if not missing:
        return []
    return [
        Problem(
            f"missing column(s) {', '.join(missing)}; the file has {', '.join(present) or 'none'}",
            Location(source, 1, missing[0]),
            expected=f"columns {', '.join(required)}",
        )
    ]


def parse_number(text: str) -> float | None:
    """A finite number as a formulator types it (``1.5``, ``1,5``, ``1.5 %``), else None.

    Examples
    --------
    >>> parse_number("1,5 %"), parse_number("1.5"), parse_number("much"), parse_number("nan")
    (1.5, 1.5, None, None)
    """
    cleaned = text.strip().removesuffix("%").strip()
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def inci_problem(name: str, where: Location) -> Problem | None:
    """A problem if ``name`` is not a CosIng INCI name, with the closest names.

    Examples
    --------
    >>> print(inci_problem("Phenoxyethanl", Location("f.csv", 3, "inci")))
    f.csv, line 3, field 'inci': 'Phenoxyethanl' is not in the CosIng inventory ...
    did you mean PHENOXYETHANOL? ...
    """
    try:
        inventory_entry(name)
    except (NotFoundError, UserInputError) as exc:
        return Problem(str(exc), where, expected="an INCI name of the CosIng inventory")
    return None


# --------------------------------------------------------------------------- reading
_SHARED = ("supplier", "cost_per_kg", "currency", "minimum_order_kg", "functions", "notes")


def _shared_values(
    rows: list[Record], source: str | Path, problems: list[Problem]
) -> dict[str, tuple[int, str]]:
    """Per material column: the one value given (and its line); disagreements are problems."""
    values: dict[str, tuple[int, str]] = {}
    for line, row in rows:
        for column in _SHARED:
            cell = row.get(column, "").strip()
            if not cell:
                continue
            if column in values and values[column][1] != cell:
                first = values[column]
                problems.append(
                    Problem(
                        f"{column} {cell!r} disagrees with {first[1]!r} on line {first[0]}",
                        Location(source, line, column),
                        expected="one value per trade name",
                    )
                )
            values.setdefault(column, (line, cell))
    return values


def _number_field(
    values: dict[str, tuple[int, str]],
    column: str,
    source: str | Path,
    problems: list[Problem],
) -> float | None:
    if column not in values:
        return None
    line, cell = values[column]
    value = parse_number(cell)
    if value is None or value < 0:
        problems.append(
            Problem(
                f"{cell!r} is not a number ≥ 0",
                Location(source, line, column),
                expected="a number ≥ 0",
            )
        )
        return None
    return value


def _functions(
    values: dict[str, tuple[int, str]], source: str | Path, problems: list[Problem]
) -> list[Function]:
    if "functions" not in values:
        return []
    line, cell = values["functions"]
    out: list[Function] = []
    for part in (p.strip().lower() for p in cell.split(";")):
        if not part:
            continue
        try:
            out.append(Function(part.replace("_", "-").replace(" ", "-")))
        except ValueError:
            problems.append(
                Problem(
                    f"unknown function {part!r}",
                    Location(source, line, "functions"),
                    expected="one of " + ", ".join(f.value for f in Function),
                )
            )
    return out


def _components(
    rows: list[Record], source: str | Path, problems: list[Problem], names: dict[str, str]
) -> list[RawMaterialComponent]:
    out: list[RawMaterialComponent] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        inci, cell = row.get("inci", "").strip(), row.get("percent", "").strip()
        percent = parse_number(cell)
        if percent is None or not 0 < percent <= 100:
            problems.append(
                Problem(
                    f"percent {cell!r} is not a number in (0, 100]",
                    Location(source, line, "percent"),
                    expected="a number > 0 and ≤ 100",
                )
            )
        key = fold_inci(inci)
        if key not in names:
            bad = inci_problem(inci, Location(source, line, "inci"))
            if bad is not None:
                problems.append(bad)
                continue
            names[key] = inventory_entry(inci).inci_name
        if key in seen:
            problems.append(
                Problem(
                    f"{inci!r} is listed twice in this raw material (first on line {seen[key]})",
                    Location(source, line, "inci"),
                    expected="each INCI name once per trade name",
                )
            )
            continue
        seen[key] = line
        if percent is not None and 0 < percent <= 100:
            out.append(RawMaterialComponent(inci=names[key], percent=percent))
    return out


def _material(
    trade_name: str, rows: list[Record], source: str | Path, names: dict[str, str]
) -> tuple[RawMaterial | None, list[Problem]]:
    problems: list[Problem] = []
    first = rows[0][0]
    values = _shared_values(rows, source, problems)
    components = _components(rows, source, problems, names)
    cost = _number_field(values, "cost_per_kg", source, problems)
    minimum = _number_field(values, "minimum_order_kg", source, problems)
    functions = _functions(values, source, problems)
    for column in ("supplier", "cost_per_kg"):
        if column not in values:
            problems.append(
                Problem(
                    f"no {column} for {trade_name!r}",
                    Location(source, first, column),
                    expected=f"a {column} on one row of the trade name",
                )
            )
    if problems:
        return None, problems
    total = sum(c.percent for c in components)
    if abs(total - 100) > COMPOSITION_TOLERANCE:
        return None, [
            Problem(
                f"the components of {trade_name!r} sum to {total:g} %",
                Location(source, first, "percent"),
                expected=f"100 ± {COMPOSITION_TOLERANCE:g} %",
            )
        ]
    try:
        material = RawMaterial(
            trade_name=trade_name,
            supplier=values["supplier"][1],
            components=tuple(components),
            cost_per_kg=cost if cost is not None else 0.0,
            currency=values.get("currency", (first, "EUR"))[1].upper(),
            minimum_order_kg=minimum,
            functions=tuple(functions),
            notes=values.get("notes", (first, ""))[1],
        )
    except ValidationError as exc:
        return None, problems_from_validation(exc, file=source, line=first)
    return material, []


def raw_materials_from_records(
    records: Sequence[tuple[int, Mapping[str, str]]], *, source: str | Path = "input"
) -> RawMaterialList:
    """A raw-material list from parsed long-format rows (a file, or JSON rows of the API).

    Parameters
    ----------
    records : sequence of (int, mapping)
        Line number and cells by column (``trade_name``, ``supplier``, ``inci``,
        ``percent``, ``cost_per_kg``; optional ``currency``, ``minimum_order_kg``,
        ``functions`` separated by ``;``, ``notes``).
    source : str or Path
        Where the rows come from, for the problems.

    Returns
    -------
    RawMaterialList
        One material per trade name, in the order of first appearance.

    Raises
    ------
    ValidationFailed
        Every problem found, each with source, line and field.

    References
    ----------
    .. [1] Regulation (EC) No 1223/2009 of 30 November 2009 on cosmetic products,
       Article 19(1)(g) (ingredients labelled by their common names, INCI).
    .. [2] European Commission. CosIng – Cosmetic ingredient database, Ingredients and
       Fragrance Inventory (December 2021).

    Examples
    --------
    >>> rows = [
    ...     (2, {"trade_name": "Preserve PE", "supplier": "Example Supplier A",
    ...          "inci": "Phenoxyethanol", "percent": "90", "cost_per_kg": "18.5"}),
    ...     (3, {"trade_name": "preserve pe", "inci": "Ethylhexylglycerin", "percent": "10"}),
    ... ]
    >>> raw = raw_materials_from_records(rows)
    >>> raw.materials[0].incis, raw.materials[0].cost_per_kg
    (('PHENOXYETHANOL', 'ETHYLHEXYLGLYCERIN'), 18.5)
    """
    rows = [(line, {_column(k): (v or "").strip() for k, v in r.items()}) for line, r in records]
    if not rows:
        raise ValidationFailed(
            [Problem("no rows", Location(source), expected="one row per component")],
            subject=f"raw-material list {source}",
        )
    problems = missing_columns(rows, REQUIRED_COLUMNS, source)
    if problems:
        raise ValidationFailed(problems, subject=f"raw-material list {source}")
    groups: dict[str, tuple[str, list[Record]]] = {}
    for line, row in rows:
        name = " ".join(row.get("trade_name", "").split())
        if not name:
            problems.append(
                Problem(
                    "empty trade name",
                    Location(source, line, "trade_name"),
                    expected="the raw material's trade name",
                )
            )
            continue
        groups.setdefault(_trade_key(name), (name, []))[1].append((line, row))
    names: dict[str, str] = {}
    materials: list[RawMaterial] = []
    for name, group in groups.values():
        material, found = _material(name, group, source, names)
        problems += found
        if material is not None:
            materials.append(material)
    if problems:
        raise ValidationFailed(problems, subject=f"raw-material list {source}")
    return RawMaterialList(materials=tuple(materials), source=str(source))


def read_raw_materials(path: str | Path) -> RawMaterialList:
    """Read a raw-material list from a CSV or XLSX file (long format, see the module).

    Parameters
    ----------
    path : str or Path
        The ``.csv`` or ``.xlsx`` file.

    Returns
    -------
    RawMaterialList
        The raw materials, one per trade name.

    Raises
    ------
    ValidationFailed
        Every problem of the file, each with file, line and field.

    References
    ----------
    .. [1] Regulation (EC) No 1223/2009 of 30 November 2009 on cosmetic products,
       Article 19(1)(g).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "raw.csv"
    >>> _ = p.write_text(
    ...     "trade_name,supplier,inci,percent,cost_per_kg\\n"
    ...     "Hyalu Solution 1,Example Supplier B,Aqua,99,40\\n"
    ...     "Hyalu Solution 1,,Sodium Hyaluronate,1,\\n", encoding="utf-8")
    >>> read_raw_materials(p).find("HYALU SOLUTION 1").incis
    ('AQUA', 'SODIUM HYALURONATE')
    """
    try:
        records = read_table(path)
    except UserInputError as exc:
        raise ValidationFailed([exc.problem], subject=f"raw-material list {path}") from exc
    return raw_materials_from_records(records, source=path)
