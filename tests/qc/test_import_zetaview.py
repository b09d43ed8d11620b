"""ZetaView: both decimal conventions import to the same numbers.

The fixtures are written by ``fixtures/make_zetaview.py`` from the format description in
``shared/reference/nta.md`` §5.2 (no redistributable real file exists).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from exoderm.errors import UserInputError
from exoderm.qc.importers import import_file
from tests.qc.conftest import FIXTURES

COMMA = FIXTURES / "zetaview_decimal_comma.txt"
POINT = FIXTURES / "zetaview_decimal_point.txt"


def test_comma_and_point_give_the_same_numbers() -> None:
    (c,) = import_file(COMMA)
    (p,) = import_file(POINT)
    assert c.reported["decimal_separator"] == "comma"
    assert p.reported["decimal_separator"] == "point"
    skip = {"source_file", "source_sha256", "reported", "settings"}
    assert c.model_dump(exclude=skip) == p.model_dump(exclude=skip)
    assert {k: v for k, v in c.settings.items() if k != "Camera"} == {
        k: v for k, v in p.settings.items() if k != "Camera"
    }


def test_values_as_printed_and_bins_rebuilt_from_row_index() -> None:
    (m,) = import_file(COMMA)
    assert m.settings["Temperature"] == 23.27 and m.settings["Viscosity"] == 0.935602
    assert m.settings["Operator"] == "QC analyst µ-lab"  # latin-1 µ
    assert m.dilution == 500 and not m.dilution_applied
    assert m.d50_nm == 111.8  # printed Median Number (D50)
    assert m.particles_counted == sum(b.count or 0 for b in m.bins)
    centres = [b.centre_nm for b in m.bins]
    assert all(b - a == 5 for a, b in itertools.pairwise(centres))
    assert all((c - 2.5) % 5 == 0 for c in centres)
    assert "S/N 17-310" in m.instrument


def test_centres_above_1000_nm_are_rebuilt(tmp_path: Path) -> None:
    """Printed '1,002E+3', '1,008E+3' collapse; the rebuilt centres are 1002.5, 1007.5."""
    lines = COMMA.read_text("latin-1").splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("1,002E+3"))
    lines[row] = lines[row].replace("\t0,000E+0\t0,000E+0", "\t1,000E+0\t3,855E+4", 1)
    lines[row + 1] = lines[row + 1].replace("\t0,000E+0\t0,000E+0", "\t1,000E+0\t3,855E+4", 1)
    path = tmp_path / "big.txt"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("latin-1"))
    (m,) = import_file(path)
    assert [b.centre_nm for b in m.bins][-2:] == [1002.5, 1007.5]


def test_truncated_linear_table_is_rejected(tmp_path: Path) -> None:
    lines = POINT.read_bytes().splitlines(keepends=True)
    path = tmp_path / "cut.txt"
    path.write_bytes(b"".join(lines[:300]))
    with pytest.raises(UserInputError) as info:
        import_file(path)
    assert info.value.problem.location.line == 300
    assert info.value.problem.location.field == "Size / nm"
