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
    texts = ("Camera", "Section")  # printed text carrying the locale's decimal separator
    assert {k: v for k, v in c.settings.items() if k not in texts} == {
        k: v for k, v in p.settings.items() if k not in texts
    }
    assert str(c.settings["Section"]).replace(",", ".") == p.settings["Section"]


def test_values_as_printed_and_bins_rebuilt_from_row_index() -> None:
    (m,) = import_file(COMMA)
    assert m.settings["Temperature"] == 23.27 and m.settings["Viscosity"] == 0.935602
    assert m.settings["Operator"] == "QC analyst µ-lab"  # latin-1 µ
    assert m.dilution == 500 and not m.dilution_applied
    assert m.d50_nm == 107.373418  # printed Median Number (D50)
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


def _table(path: Path) -> tuple[dict[str, str], list[tuple[float, float]], int]:
    """An independent reading: header keys (lower-case), linear (size, Number), log rows."""
    lines = path.read_bytes().decode("latin-1").split("\r\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("Size / nm"))
    header: dict[str, str] = {}
    for line in lines[:start]:
        cells = line.split("\t")
        for key, value in itertools.pairwise(cells):
            if key.endswith(":"):
                header.setdefault(key.rstrip(":").lower(), value)
    rows, log_rows, after = [], 0, False
    for line in lines[start + 1 :]:
        if not line:
            break
        size, number = (float(c.replace(",", ".")) for c in line.split("\t")[:2])
        if size < 0:
            after = True
        elif after:
            log_rows += 1
        else:
            rows.append((size, number))
    return header, rows, log_rows


@pytest.mark.parametrize("path", [COMMA, POINT], ids=["comma", "point"])
def test_every_header_key_and_the_log_table(path: Path) -> None:
    (m,) = import_file(path)
    header, rows, log_rows = _table(path)

    def num(key: str) -> float:
        return float(header[key].split()[0].replace(",", "."))

    assert m.sample_name == header["sample"] == "EV pool lot ZV-7"
    assert m.measured_at is not None and m.measured_at.isoformat() == "2025-01-01T10:31:11"
    assert m.ph == num("ph") and m.conductivity_us_per_cm == num("conductivity")
    assert m.camera_gain == num("gain") and m.max_brightness == num("maximum brightness")
    assert m.micrometre_per_pixel == num("micrometer per pixel") == 0.714
    assert m.d50_concentration_nm == num("median concentration (d50)")
    assert m.d50_volume_nm == num("median volume (d50)")
    assert m.operator == "QC analyst µ-lab" and m.dilution_recorded
    assert len(rows) == 1200 and len(m.log_bins) == log_rows == 200


@pytest.mark.parametrize("path", [COMMA, POINT], ids=["comma", "point"])
def test_statistics_follow_the_instruments_class_rule(path: Path) -> None:
    """D50 from the Number column, class c = [c - 5, c], equals the printed D50 (0.01 nm)."""
    (m,) = import_file(path)
    header, rows, _ = _table(path)
    total = sum(n for _, n in rows)

    def quantile(q: float) -> float:
        cum = 0.0
        for c, n in rows:
            if n > 0 and cum + n >= q * total:
                return c - 5 + 5 * (q * total - cum) / n
            cum += n
        raise AssertionError("empty")

    printed = float(header["median number (d50)"].replace(",", "."))
    assert abs(quantile(0.5) - printed) < 0.01
    assert m.d10_nm == pytest.approx(quantile(0.1), abs=0.01)
    assert m.d90_nm == pytest.approx(quantile(0.9), abs=0.01)
    assert m.mean_nm == pytest.approx(sum(c * n for c, n in rows) / total, abs=1e-9)
