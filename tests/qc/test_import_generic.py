from __future__ import annotations

from pathlib import Path

import pytest

from exoderm.errors import UserInputError
from exoderm.qc.importers import import_file

GOOD = """# exoderm particle csv
# method: TRPS
# instrument: Izon qNano
# dilution: 10
# mode_nm: 95
lower_nm,upper_nm,concentration_per_ml
50,100,3e8
100,150,5e8
150,200,2e8
"""


def test_generic_csv(tmp_path: Path) -> None:
    path = tmp_path / "trps.csv"
    path.write_text(GOOD)
    (m,) = import_file(path)
    assert m.method == "TRPS" and m.instrument == "Izon qNano"
    assert m.concentration_per_ml == pytest.approx(1e9)
    assert m.stock_concentration_per_ml == pytest.approx(1e10)
    assert m.mode_nm == 95  # given in the header wins over the computed value
    assert m.d50_nm == pytest.approx(120)  # 50 % is reached 2/5 into the 100–150 bin
    assert m.mean_nm == pytest.approx((75 * 3 + 125 * 5 + 175 * 2) / 10)


def test_generic_csv_bad_value(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(GOOD.replace("5e8", "five"))
    with pytest.raises(UserInputError) as info:
        import_file(path)
    assert info.value.problem.location.line == 8
    assert info.value.problem.location.field == "concentration_per_ml"


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("hello\nworld\n")
    with pytest.raises(UserInputError, match="unrecognised"):
        import_file(path)
