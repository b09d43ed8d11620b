"""Raw-material lists from CSV and XLSX: the same list either way, every bad input located."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from exoderm.design.formulary import Function
from exoderm.design.raw_materials import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    RawMaterialList,
    raw_materials_from_records,
    read_raw_materials,
)
from exoderm.design.xlsx_archive import MAX_PARTS, MAX_UNPACKED_BYTES
from exoderm.errors import UserInputError, ValidationFailed

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "raw_materials.csv"
HEADER = [
    "trade_name",
    "supplier",
    "inci",
    "percent",
    "cost_per_kg",
    "currency",
    "minimum_order_kg",
    "functions",
]
ROWS = [
    [
        "Preserve PE-90",
        "Example Supplier A",
        "Phenoxyethanol",
        "90",
        "18.5",
        "EUR",
        "5",
        "preservative;preservative-booster",
    ],
    ["Preserve PE-90", "", "Ethylhexylglycerin", "10", "", "", "", ""],
    ["Hyalu Solution 1", "Example Supplier B", "Aqua", "99", "40", "", "", "humectant"],
    ["hyalu solution 1", "Example Supplier B", "Sodium Hyaluronate", "1", "40", "", "", ""],
]


def _csv(
    tmp_path: Path, rows: list[list[str]], header: list[str] = HEADER, bom: bool = False
) -> Path:
    path = tmp_path / "raw.csv"
    text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    path.write_text(text, encoding="utf-8-sig" if bom else "utf-8")
    return path


def _xlsx(tmp_path: Path, rows: list[list[str]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for r in rows:  # numbers as numbers, as a spreadsheet stores them
        sheet.append([float(c) if c.replace(".", "").isdigit() else (c or None) for c in r])
    path = tmp_path / "raw.xlsx"
    book.save(path)
    return path


def _problems(path: Path) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(ValidationFailed) as err:
        read_raw_materials(path)
    for p in err.value.problems:
        assert p.location.file == path
    return [(p.location.line, p.location.field, p.message) for p in err.value.problems]


@pytest.mark.parametrize("bom", [False, True])
def test_csv_and_xlsx_give_the_same_list(tmp_path: Path, bom: bool) -> None:
    from_csv = read_raw_materials(_csv(tmp_path, ROWS, bom=bom))
    from_xlsx = read_raw_materials(_xlsx(tmp_path, ROWS))
    assert from_csv.materials == from_xlsx.materials
    pe = from_csv.find("PRESERVE pe-90")
    assert pe is not None
    assert pe.incis == ("PHENOXYETHANOL", "ETHYLHEXYLGLYCERIN")
    assert [c.percent for c in pe.components] == [90, 10]
    assert (pe.cost_per_kg, pe.currency, pe.minimum_order_kg) == (18.5, "EUR", 5)
    assert pe.functions == (Function.preservative, Function.preservative_booster)
    hyalu = from_csv.find("Hyalu Solution 1")
    assert hyalu is not None and hyalu.incis == ("AQUA", "SODIUM HYALURONATE")


def test_the_example_list_reads() -> None:
    raw = read_raw_materials(EXAMPLE)
    assert 20 <= len(raw.materials) <= 30
    retinol = raw.find("Example Retinol 10 in MCT")
    assert retinol is not None and "RETINOL" in retinol.incis
    assert all(m.supplier.startswith("Example Supplier") for m in raw.materials)


def test_an_unknown_inci_names_the_closest(tmp_path: Path) -> None:
    rows = [r[:] for r in ROWS]
    rows[1][2] = "Ethylhexylglycern"
    [(line, field, message)] = _problems(_csv(tmp_path, rows))
    assert (line, field) == (3, "inci")
    assert "ETHYLHEXYLGLYCERIN" in message


def test_bad_numbers_are_located(tmp_path: Path) -> None:
    rows = [r[:] for r in ROWS]
    rows[0][3] = "ninety"
    rows[2][4] = "-3"
    rows[2][6] = "lots"
    found = {(line, field) for line, field, _ in _problems(_csv(tmp_path, rows))}
    # line 5 repeats the cost as 40, which now disagrees with line 4
    assert found == {
        (2, "percent"),
        (4, "cost_per_kg"),
        (5, "cost_per_kg"),
        (4, "minimum_order_kg"),
    }


def test_missing_columns_are_named_with_those_present(tmp_path: Path) -> None:
    header = ["trade_name", "inci", "percent"]
    [(line, field, message)] = _problems(_csv(tmp_path, [["X", "Aqua", "100"]], header=header))
    assert (line, field) == (1, "supplier")
    assert "supplier, cost_per_kg" in message and "trade_name, inci, percent" in message


def test_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "raw.csv"
    path.write_text("", encoding="utf-8")
    [(_, _, message)] = _problems(path)
    assert "empty" in message


def test_components_must_sum_to_100(tmp_path: Path) -> None:
    rows = [r[:] for r in ROWS]
    rows[1][3] = "9"
    [(line, field, message)] = _problems(_csv(tmp_path, rows))
    assert (line, field) == (2, "percent")
    assert "99 %" in message


def test_a_component_listed_twice(tmp_path: Path) -> None:
    rows = [*ROWS, ["Preserve PE-90", "", "phenoxyethanol", "1", "", "", "", ""]]
    found = _problems(_csv(tmp_path, rows))
    assert (6, "inci") in {(line, field) for line, field, _ in found}


def test_shared_cells_must_not_disagree(tmp_path: Path) -> None:
    rows = [r[:] for r in ROWS]
    rows[3][4] = "41"
    [(line, field, message)] = _problems(_csv(tmp_path, rows))
    assert (line, field) == (5, "cost_per_kg") and "line 4" in message


def test_unknown_function(tmp_path: Path) -> None:
    rows = [r[:] for r in ROWS]
    rows[2][7] = "magic"
    [(line, field, _)] = _problems(_csv(tmp_path, rows))
    assert (line, field) == (4, "functions")


def test_every_problem_of_a_file_at_once(tmp_path: Path) -> None:
    rows = [r[:] for r in ROWS]
    rows[0][2] = "Unobtainium"
    rows[3][3] = "x"
    assert len(_problems(_csv(tmp_path, rows))) == 2


def test_xlsx_problems_give_the_sheet_row(tmp_path: Path) -> None:
    rows = [r[:] for r in ROWS]
    rows[2][2] = "Aquaa"
    [(line, field, _)] = _problems(_xlsx(tmp_path, rows))
    assert (line, field) == (4, "inci")


def test_too_many_rows(tmp_path: Path) -> None:
    row = "X,Example Supplier A,Aqua,100,1\n"
    path = tmp_path / "raw.csv"
    path.write_text("trade_name,supplier,inci,percent,cost_per_kg\n" + row * (MAX_ROWS + 1))
    [(line, _, message)] = _problems(path)
    assert line == MAX_ROWS + 2 and str(MAX_ROWS) in message


def test_too_large_a_file(tmp_path: Path) -> None:
    path = tmp_path / "raw.csv"
    with path.open("wb") as fh:
        fh.truncate(20 * 1024 * 1024 + 1)
    [(_, _, message)] = _problems(path)
    assert "bytes" in message


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "raw.xlsx"
    path.write_bytes(b"trade_name,inci\n")
    [(_, _, message)] = _problems(path)
    assert "XLSX" in message


def test_records_from_json_rows() -> None:
    records = [(i + 2, dict(zip(HEADER, r, strict=True))) for i, r in enumerate(ROWS)]
    raw = raw_materials_from_records(records, source="request body")
    assert raw.trade_names == ("Preserve PE-90", "Hyalu Solution 1")


def test_trade_names_are_unique_ignoring_case() -> None:
    pe = raw_materials_from_records(
        [(2, dict(zip(HEADER, ["A", "S", "Aqua", "100", "1", "", "", ""], strict=True)))]
    ).materials[0]
    with pytest.raises(ValueError, match="twice"):
        RawMaterialList(materials=(pe, pe.model_copy(update={"trade_name": "a"})))


def test_a_workbook_that_would_inflate_too_far_is_refused_before_parsing(
    tmp_path: Path,
) -> None:
    path = _xlsx(tmp_path, ROWS)
    # a part of 210 MB of zeros deflates to ~200 kB: the file passes the 20 MB size check
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/padding.bin", "w", force_zip64=True) as part,
    ):
        block = bytes(1 << 20)
        for _ in range(210):
            part.write(block)
    assert path.stat().st_size < MAX_FILE_BYTES
    with pytest.raises(UserInputError) as err:
        read_raw_materials(path)
    assert err.value.problem.location.file == path
    assert "the workbook inflates to" in str(err.value)
    assert f"at most {MAX_UNPACKED_BYTES} bytes once unzipped" in str(err.value)


def test_a_workbook_of_too_many_parts_is_refused(tmp_path: Path) -> None:
    path = _xlsx(tmp_path, ROWS)
    with zipfile.ZipFile(path, "a") as archive:
        for k in range(MAX_PARTS):
            archive.writestr(f"xl/media/p{k}.bin", b"")
    with pytest.raises(UserInputError, match=r"parts \(expected at most 2000 parts\)"):
        read_raw_materials(path)
