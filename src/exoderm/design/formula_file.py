"""An existing formula as a formulator keeps it: a CSV or XLSX sheet of ingredients.

Columns: ``ingredient`` (an INCI name of the CosIng inventory, or a trade name of a
given :class:`~exoderm.design.raw_materials.RawMaterialList`), ``percent`` (w/w),
optional ``phase`` (a letter A, B, C … or ``water``, ``oil``, ``cool-down``) and
optional ``ph`` (the formula's measured or target pH, on any one row)::

    ingredient,percent,phase,ph
    Aqua,84.5,A,5.5
    Glycerin,5,A,
    Example Preservative PE-90,1,C,

A trade name takes precedence over an INCI name of the same spelling. The percentages
must total 100 ± 0.05 %. File size, row limits and the error style are those of
:func:`exoderm.design.raw_materials.read_table`: every problem of the file is reported
at once, with file, line and field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from exoderm.design.formulary import Phase
from exoderm.design.inventory import inventory_entry
from exoderm.design.raw_materials import (
    RawMaterial,
    RawMaterialList,
    inci_problem,
    missing_columns,
    parse_number,
    read_table,
)
from exoderm.errors import Location, Problem, UserInputError, ValidationFailed

#: How far the percentages of a formula may total from 100 % (percentage points).
TOTAL_TOLERANCE = 0.05
_PHASE_LETTER = re.compile(r"^[A-Z]$")
_PHASE_WORDS = {p.value.replace("-", ""): p.value for p in Phase if p is not Phase.any}


class FormulaRow(BaseModel):
    """One row of a formula: an INCI name or a raw material, its percentage and phase."""

    model_config = ConfigDict(frozen=True)

    line: int
    ingredient: str = Field(description="the inventory's INCI spelling, or the trade name")
    percent: float = Field(gt=0, le=100)
    phase: str | None = None
    raw_material: bool = False


class FormulaFile(BaseModel):
    """A formula read from a file, with the raw materials its rows refer to."""

    model_config = ConfigDict(frozen=True)

    rows: tuple[FormulaRow, ...]
    ph: float | None = Field(default=None, ge=0, le=14)
    source: str
    materials: tuple[RawMaterial, ...] = ()

    @property
    def total_percent(self) -> float:
        return sum(r.percent for r in self.rows)

    def inci_percentages(self) -> dict[str, float]:
        """Percent (w/w) of every INCI name, raw materials expanded, largest first.

        A raw material at ``p`` % contributes each component's share × ``p`` / 100; an
        INCI name from several rows is summed.

        Examples
        --------
        >>> from exoderm.design.raw_materials import RawMaterial, RawMaterialComponent
        >>> pe = RawMaterial(trade_name="PE-90", supplier="Example Supplier", cost_per_kg=18,
        ...     components=(RawMaterialComponent(inci="PHENOXYETHANOL", percent=90),
        ...                 RawMaterialComponent(inci="ETHYLHEXYLGLYCERIN", percent=10)))
        >>> f = FormulaFile(source="f.csv", materials=(pe,), rows=(
        ...     FormulaRow(line=2, ingredient="AQUA", percent=99),
        ...     FormulaRow(line=3, ingredient="PE-90", percent=1, raw_material=True)))
        >>> f.inci_percentages()
        {'AQUA': 99.0, 'PHENOXYETHANOL': 0.9, 'ETHYLHEXYLGLYCERIN': 0.1}
        """
        by_name = {m.trade_name: m for m in self.materials}
        out: dict[str, float] = {}
        for row in self.rows:
            if row.raw_material:
                for c in by_name[row.ingredient].components:
                    out[c.inci] = out.get(c.inci, 0.0) + c.percent * row.percent / 100
            else:
                out[row.ingredient] = out.get(row.ingredient, 0.0) + row.percent
        ordered = sorted(out.items(), key=lambda kv: -kv[1])
        return {name: round(value, 10) for name, value in ordered}


def _phase(cell: str, where: Location, problems: list[Problem]) -> str | None:
    text = cell.strip()
    if not text:
        return None
    if _PHASE_LETTER.match(text.upper()):
        return text.upper()
    word = re.sub(r"[\s_\-]+", "", text.lower())
    if word in _PHASE_WORDS:
        return _PHASE_WORDS[word]
    problems.append(
        Problem(
            f"unknown phase {text!r}",
            where,
            expected="a letter A–Z or one of water, oil, cool-down",
        )
    )
    return None


def _ph(
    rows: Sequence[tuple[int, Mapping[str, str]]], source: str | Path, problems: list[Problem]
) -> float | None:
    found: tuple[int, float] | None = None
    for line, row in rows:
        cell = row.get("ph", "").strip()
        if not cell:
            continue
        value = parse_number(cell)
        if value is None or not 0 <= value <= 14:
            problems.append(
                Problem(
                    f"pH {cell!r} is not a number from 0 to 14",
                    Location(source, line, "ph"),
                    expected="a pH from 0 to 14",
                )
            )
        elif found is not None and value != found[1]:
            problems.append(
                Problem(
                    f"a second pH {value:g} (line {found[0]} gives {found[1]:g})",
                    Location(source, line, "ph"),
                    expected="at most one pH per formula",
                )
            )
        elif found is None:
            found = (line, value)
    return found[1] if found else None


def _row(
    line: int,
    row: Mapping[str, str],
    raw_materials: RawMaterialList | None,
    source: str | Path,
    problems: list[Problem],
) -> tuple[FormulaRow | None, RawMaterial | None]:
    name, cell = " ".join(row.get("ingredient", "").split()), row.get("percent", "").strip()
    n_before = len(problems)
    percent = parse_number(cell)
    if percent is None or not 0 < percent <= 100:
        problems.append(
            Problem(
                f"percent {cell!r} is not a number in (0, 100]",
                Location(source, line, "percent"),
                expected="a number > 0 and ≤ 100",
            )
        )
    phase = _phase(row.get("phase", ""), Location(source, line, "phase"), problems)
    material = raw_materials.find(name) if raw_materials is not None and name else None
    if material is None:
        bad = inci_problem(name, Location(source, line, "ingredient"))
        if bad is not None:
            listed = " or a trade name of the raw-material list" if raw_materials else ""
            problems.append(Problem(bad.message, bad.location, expected=f"an INCI name{listed}"))
    if len(problems) > n_before or percent is None:
        return None, None
    ingredient = material.trade_name if material else inventory_entry(name).inci_name
    return (
        FormulaRow(
            line=line,
            ingredient=ingredient,
            percent=percent,
            phase=phase,
            raw_material=material is not None,
        ),
        material,
    )


def formula_from_records(
    records: Sequence[tuple[int, Mapping[str, str]]],
    *,
    raw_materials: RawMaterialList | None = None,
    source: str | Path = "input",
) -> FormulaFile:
    """A formula from parsed rows (a file, or JSON rows of the API).

    Parameters
    ----------
    records : sequence of (int, mapping)
        Line number and cells by column (``ingredient``, ``percent``; optional
        ``phase``, ``ph``).
    raw_materials : RawMaterialList, optional
        The trade names an ingredient may name.
    source : str or Path
        Where the rows come from, for the problems.

    Returns
    -------
    FormulaFile
        The rows, the pH if given, and the raw materials used.

    Raises
    ------
    ValidationFailed
        Every problem found, each with source, line and field.

    References
    ----------
    .. [1] Regulation (EC) No 1223/2009 of 30 November 2009 on cosmetic products,
       Article 19(1)(g) and Annex I part A §1 (quantitative composition of the product).

    Examples
    --------
    >>> f = formula_from_records([(2, {"ingredient": "Aqua", "percent": "99", "ph": "5.5"}),
    ...                           (3, {"ingredient": "Glycerin", "percent": "1"})])
    >>> f.ph, f.inci_percentages()
    (5.5, {'AQUA': 99.0, 'GLYCERIN': 1.0})
    """
    subject = f"formula {source}"
    rows = [
        (line, {k.strip().lower(): (v or "").strip() for k, v in r.items()}) for line, r in records
    ]
    if not rows:
        raise ValidationFailed(
            [Problem("no rows", Location(source), expected="one row per ingredient")],
            subject=subject,
        )
    problems = missing_columns(rows, ("ingredient", "percent"), source)
    if problems:
        raise ValidationFailed(problems, subject=subject)
    ph = _ph(rows, source, problems)
    parsed: list[FormulaRow] = []
    used: dict[str, RawMaterial] = {}
    for line, row in rows:
        item, material = _row(line, row, raw_materials, source, problems)
        if item is not None:
            parsed.append(item)
        if material is not None:
            used[material.trade_name] = material
    if not problems:
        total = sum(r.percent for r in parsed)
        if abs(total - 100) > TOTAL_TOLERANCE:
            problems.append(
                Problem(
                    f"the percentages total {total:.4g} %",
                    Location(source, None, "percent"),
                    expected=f"100 ± {TOTAL_TOLERANCE:g} %",
                )
            )
    if problems:
        raise ValidationFailed(problems, subject=subject)
    return FormulaFile(
        rows=tuple(parsed), ph=ph, source=str(source), materials=tuple(used.values())
    )


def read_formula(path: str | Path, raw_materials: RawMaterialList | None = None) -> FormulaFile:
    """Read a formula from a CSV or XLSX file (columns in the module docstring).

    Parameters
    ----------
    path : str or Path
        The ``.csv`` or ``.xlsx`` file.
    raw_materials : RawMaterialList, optional
        Trade names the ``ingredient`` column may use.

    Returns
    -------
    FormulaFile
        The formula; :meth:`FormulaFile.inci_percentages` expands raw materials.

    Raises
    ------
    ValidationFailed
        Every problem of the file, each with file, line and field.

    References
    ----------
    .. [1] Regulation (EC) No 1223/2009 of 30 November 2009 on cosmetic products,
       Annex I part A §1.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "serum.csv"
    >>> _ = p.write_text("ingredient,percent\\nAqua,98\\nGlycerin,3\\n", encoding="utf-8")
    >>> read_formula(p)
    Traceback (most recent call last):
    ...
    exoderm.errors.ValidationFailed: formula ...: 1 problem: ...the percentages total 101 %...
    """
    try:
        records = read_table(path)
    except UserInputError as exc:
        raise ValidationFailed([exc.problem], subject=f"formula {path}") from exc
    return formula_from_records(records, raw_materials=raw_materials, source=path)
