"""Formula files from CSV and XLSX: raw materials expanded, every bad row located."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from exoderm.design.annex_limits import limit_for, prohibited
from exoderm.design.formula_file import read_formula
from exoderm.design.raw_materials import raw_materials_from_records
from exoderm.errors import ValidationFailed

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "formula_check.csv"
RAW = raw_materials_from_records(
    [
        (
            2,
            {
                "trade_name": "Preserve PE-90",
                "supplier": "Example Supplier A",
                "inci": "Phenoxyethanol",
                "percent": "90",
                "cost_per_kg": "18.5",
            },
        ),
        (3, {"trade_name": "Preserve PE-90", "inci": "Ethylhexylglycerin", "percent": "10"}),
    ]
)
HEADER = ["ingredient", "percent", "phase", "ph"]
ROWS = [
    ["Aqua", "93.5", "A", "5.5"],
    ["Glycerin", "5", "water", ""],
    ["Preserve PE-90", "1", "cool-down", ""],
    ["Ethylhexylglycerin", "0.5", "C", ""],
]


def _csv(tmp_path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    path = tmp_path / "formula.csv"
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


def _xlsx(tmp_path: Path, rows: list[list[str]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for r in rows:
        sheet.append([r[0], float(r[1]), r[2] or None, float(r[3]) if r[3] else None])
    path = tmp_path / "formula.xlsx"
    book.save(path)
    return path


def _problems(path: Path) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(ValidationFailed) as err:
        read_formula(path, RAW)
    assert all(p.location.file == path for p in err.value.problems)
    return [(p.location.line, p.location.field, p.message) for p in err.value.problems]


def test_csv_and_xlsx_read_alike_and_blends_expand(tmp_path: Path) -> None:
    from_csv = read_formula(_csv(tmp_path, ROWS), RAW)
    from_xlsx = read_formula(_xlsx(tmp_path, ROWS), RAW)
    assert from_csv.rows == from_xlsx.rows and from_csv.ph == from_xlsx.ph == 5.5
    assert [r.raw_material for r in from_csv.rows] == [False, False, True, False]
    assert [r.phase for r in from_csv.rows] == ["A", "water", "cool-down", "C"]
    incis = from_csv.inci_percentages()
    assert incis["PHENOXYETHANOL"] == pytest.approx(0.9)
    # 0.1 % from the blend and 0.5 % on its own row are summed
    assert incis["ETHYLHEXYLGLYCERIN"] == pytest.approx(0.6)
    assert sum(incis.values()) == pytest.approx(100)


def test_a_trade_name_needs_the_list(tmp_path: Path) -> None:
    path = _csv(tmp_path, ROWS)
    with pytest.raises(ValidationFailed) as err:
        read_formula(path)
    [problem] = err.value.problems
    assert (problem.location.line, problem.location.field) == (4, "ingredient")


def test_unknown_ingredient_has_suggestions(tmp_path: Path) -> None:
    rows = [r[:] for r in ROWS]
    rows[1][0] = "Glycerine"
    [(line, field, message)] = _problems(_csv(tmp_path, rows))
    assert (line, field) == (3, "ingredient") and "GLYCERIN" in message


@pytest.mark.parametrize("bad", ["lots", "0", "-1", "101"])
def test_bad_percent(tmp_path: Path, bad: str) -> None:
    rows = [r[:] for r in ROWS]
    rows[3][1] = bad
    [(line, field, _)] = _problems(_csv(tmp_path, rows))
    assert (line, field) == (5, "percent")


def test_total_not_100_is_one_problem(tmp_path: Path) -> None:
    rows = [r[:] for r in ROWS]
    rows[0][1] = "93.6"
    [(line, field, message)] = _problems(_csv(tmp_path, rows))
    assert (line, field) == (None, "percent") and "100.1 %" in message


def test_two_ph_values(tmp_path: Path) -> None:
    rows = [r[:] for r in ROWS]
    rows[2][3] = "6"
    [(line, field, _)] = _problems(_csv(tmp_path, rows))
    assert (line, field) == (4, "ph")


def test_bad_phase_and_ph_together(tmp_path: Path) -> None:
    rows = [r[:] for r in ROWS]
    rows[1][2] = "middle"
    rows[0][3] = "15"
    found = {(line, field) for line, field, _ in _problems(_csv(tmp_path, rows))}
    assert found == {(3, "phase"), (2, "ph")}


def test_missing_column(tmp_path: Path) -> None:
    [(line, field, message)] = _problems(_csv(tmp_path, [["Aqua"]], header=["ingredient"]))
    assert (line, field) == (1, "percent") and "ingredient" in message


def test_the_example_formula_shows_each_finding() -> None:
    formula = read_formula(EXAMPLE)
    incis = formula.inci_percentages()
    assert formula.ph == 6.5
    assert sum(incis.values()) == pytest.approx(100)
    assert prohibited("Hydroquinone") is not None and "HYDROQUINONE" in incis
    limit = limit_for("PHENOXYETHANOL", "leave-on")
    assert limit is not None and limit.max_percent is not None
    assert incis["PHENOXYETHANOL"] > limit.max_percent
    assert "SODIUM BENZOATE" in incis
