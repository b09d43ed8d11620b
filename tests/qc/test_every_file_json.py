"""Issue 14, acceptance 1, for the Zetasizer, ViewSizer and ZetaView files.

``exoderm --format json qc import FILE --batch LOT`` must print every per-record /
per-video value the file reports, equal to the printed text parsed as a float. The
expected values come from an independent reading of each file written here with nothing
but ``str.split`` over the decoded text — never exoderm's importers. (NanoSight is
covered by ``test_full_sections.py::test_cli_json_prints_every_per_video_value``.)

Data: the real exports in ``../shared/data`` (Zetasizer: cheminfo/parse-zetasizer @ 62bf612,
MIT; ViewSizer: hingels/SizeViewer @ 39871f3, MIT; see that folder's README for source,
date and licence). No redistributable ZetaView export exists, so the ZetaView check uses
the synthetic fixtures of ``tests/qc/fixtures/make_zetaview.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.qc.conftest import FIXTURES
from tests.qc.test_full_sections import _lot, run
from tests.shared import SHARED_DATA, needs

ZS = SHARED_DATA / "zetasizer"
VS = SHARED_DATA / "viewsizer" / "1-1e5 150nm Nanosphere 2"
ARRAY = re.compile(r"^(.+?)\[(\d+)\](.*)$")
#: The per-record distributions a Zetasizer export reports (the correlation function and
#: phase traces are raw signals, not results).
DISTRIBUTIONS = (
    "Sizes (d.nm)",
    "Intensities (Percent)",
    "Numbers (Percent)",
    "Volumes (Percent)",
    "Zeta Potentials (mV)",
    "Intensities",
)
TYPED = {
    "Z-Ave (d.nm)": "z_average_nm",
    "Z-Average (d.nm)": "z_average_nm",
    "PdI": "pdi",
    "Number Mean (d.nm)": "mean_nm",
    "Zeta Potential (mV)": "zeta_potential_mv",
}


def _value(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def _import_json(path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[Any]:
    base = ["--db", f"sqlite:///{tmp_path / 'a.db'}", "--format", "json"]
    _lot(tmp_path, capsys, base, "LOT")
    code, out, err = run([*base, "qc", "import", str(path), "--batch", "LOT"], capsys)
    assert code == 0, err
    printed = json.loads(out)
    assert isinstance(printed, list) and printed
    return printed


def zetasizer_reading(path: Path) -> list[dict[str, Any]]:
    """Per record: {label: value} for every non-empty scalar, every distribution array."""
    lines = path.read_bytes().decode("latin-1").splitlines()
    header: list[str] = []
    records: dict[tuple[str, str], dict[str, Any]] = {}
    for line in lines:
        if not line.strip():
            continue
        cells = line.split("\t")
        if "Sample Name" in cells:
            header = cells
            continue
        named = dict(zip(header, cells, strict=False))
        key = (named["Sample Name"].strip(), named.get("Measurement Date and Time", "").strip())
        rec = records.setdefault(key, {})
        arrays: dict[str, list[str]] = {}
        if len(cells) == len(header):
            for label, text in zip(header, cells, strict=True):
                m = ARRAY.match(label)
                if m:
                    arrays.setdefault(m[1] + m[3], []).append(text.strip())
        else:  # a longer zeta record: its last two arrays (axis, intensities) share the tail
            start = header.index("Zeta Potentials[1] (mV)")
            tail = [c.strip() for c in cells[start:]]
            half = len(tail) // 2
            arrays = {"Zeta Potentials (mV)": tail[:half], "Intensities": tail[half:]}
        for label, text in zip(header, cells, strict=False):
            if not ARRAY.match(label) and text.strip() and label not in rec:
                rec[label] = _value(text.strip())
        for name, values in arrays.items():
            if name in DISTRIBUTIONS and any(values) and name not in rec:
                rec[name] = [float(v) for v in values]
    return list(records.values())


@pytest.mark.parametrize(
    "name",
    [
        "chc_particleSize.txt",
        "chc_zetaPotential.txt",
        "mxd_particleSize.txt",
        "mxd_zetaPotential.txt",
        "mxd_zetaPotential_full.txt",
    ],
)
@needs(ZS)
def test_zetasizer_json_prints_every_record_value(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = ZS / name
    printed = _import_json(path, tmp_path, capsys)
    got = {
        (r["reported"]["Sample Name"], r["reported"].get("Measurement Date and Time", "")): r
        for m in printed
        for r in m["replicates"]
    }
    expected = zetasizer_reading(path)
    assert len(got) == len(expected) >= 1
    checked = 0
    for rec in expected:
        rep = got[(rec["Sample Name"], rec.get("Measurement Date and Time", ""))]
        for label, value in rec.items():
            assert rep["reported"][label] == value, (name, rec["Sample Name"], label)
            checked += 1
            if label in TYPED and isinstance(value, float):
                assert rep[TYPED[label]] == value, (name, label)
    assert checked >= 10 * len(expected)


@needs(ZS)
def test_zetasizer_reading_sees_the_documented_values() -> None:
    """The independent reading itself finds what the README of the data transcribes."""
    first = zetasizer_reading(ZS / "chc_particleSize.txt")[0]
    assert first["Z-Ave (d.nm)"] == 108.0 and first["PdI"] == 0.112
    assert len(first["Sizes (d.nm)"]) == 70
    zeta = zetasizer_reading(ZS / "chc_zetaPotential.txt")
    assert [len(r["Zeta Potentials (mV)"]) for r in zeta] == [91, 92, 92, 92]


@needs(VS)
def test_viewsizer_json_prints_every_video_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (printed,) = _import_json(VS, tmp_path, capsys)
    (videos,) = list(VS.glob("Results_*/Videos_*.dat"))
    rows = [
        line.split()
        for line in videos.read_bytes().decode("latin-1").splitlines()
        if line.strip() and not line.startswith("/")
    ]
    assert len(rows) == len(printed["replicates"]) == 15
    sizes_checked = 0
    for row, rep in zip(rows, printed["replicates"], strict=True):
        assert rep["name"] == f"video {row[0]}"
        assert rep["particles_counted"] == float(row[1])
        assert rep["mean_nm"] == float(row[2]) and rep["sd_nm"] == float(row[3])
        assert rep["particle_sizes_nm"] == [float(c) for c in row[4:]]
        sizes_checked += len(row) - 4
    assert sizes_checked == 1602


ZETAVIEW_HEADER = {
    "pH": "ph",
    "Conductivity": "conductivity_us_per_cm",
    "Gain": "camera_gain",
    "Maximum Brightness": "max_brightness",
    "Micrometer per Pixel": "micrometre_per_pixel",
    "Median Number (D50)": "d50_nm",
    "Median Concentration (D50)": "d50_concentration_nm",
    "Median Volume (D50)": "d50_volume_nm",
}


@pytest.mark.parametrize("name", ["zetaview_decimal_point.txt", "zetaview_decimal_comma.txt"])
def test_zetaview_json_prints_the_header_values(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = FIXTURES / name
    (printed,) = _import_json(path, tmp_path, capsys)
    header: dict[str, float] = {}
    for line in path.read_bytes().decode("latin-1").splitlines():
        if line.startswith("Size Distribution"):
            break
        cells = line.split("\t")
        for i, cell in enumerate(cells[:-1]):
            if cell.endswith(":") and cell[:-1] in ZETAVIEW_HEADER:
                header[cell[:-1]] = float(cells[i + 1].replace(",", "."))
    assert set(header) == set(ZETAVIEW_HEADER)
    for label, field in ZETAVIEW_HEADER.items():
        assert printed[field] == header[label], (name, label)


def _zetaview_reading(path: Path) -> dict[str, Any]:
    """Header ``Key: value`` numbers and both size tables, by plain splitting."""
    lines = path.read_bytes().decode("latin-1").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Size / nm"))
    numbers: dict[str, float] = {}
    for line in lines[:start]:
        cells = [c.strip() for c in line.split("\t")]
        for i, cell in enumerate(cells[:-1]):
            words = cells[i + 1].split()
            if cell.endswith(":") and words:
                try:
                    numbers[cell.rstrip(":")] = float(words[0].replace(",", "."))
                except ValueError:
                    continue
    tables: list[list[list[float]]] = [[], []]
    table = 0
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        row = [float(c.replace(",", ".")) for c in line.split("\t")[:5]]
        if row[0] < 0:
            table = 1
            continue
        tables[table].append(row)
    return {"numbers": numbers, "linear": tables[0], "log": tables[1]}


#: Header numbers of a ZetaView export → where the JSON prints them.
ZETAVIEW_PLACES = {
    **ZETAVIEW_HEADER,
    "Number of Traces": "particles_counted",
    "Average Number of Particles": "particles_per_frame",
    "Dilution": "dilution",
}


@pytest.mark.parametrize("name", ["zetaview_decimal_point.txt", "zetaview_decimal_comma.txt"])
def test_zetaview_json_prints_every_header_number_and_table_cell(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = FIXTURES / name
    (printed,) = _import_json(path, tmp_path, capsys)
    expected = _zetaview_reading(path)
    numbers = expected["numbers"]
    for label, value in numbers.items():
        if label in ZETAVIEW_PLACES:
            assert printed[ZETAVIEW_PLACES[label]] == value, (name, label)
        elif label in ("Experiment", "Section"):  # identifiers kept as printed text
            assert float(printed["settings"][label].split()[0].replace(",", ".")) == value
        else:
            assert printed["settings"][label] == value, (name, label)
    assert len(expected["log"]) == len(printed["log_bins"]) == 200
    for row, b in zip(expected["log"], printed["log_bins"], strict=True):
        got = [
            b["centre_nm"],
            b["count"],
            b["concentration_per_ml"],
            b["volume_nm3"],
            b["area_nm2"],
        ]
        assert got == row, (name, row)
    linear = expected["linear"]
    assert len(linear) == 1200
    bins = printed["bins"]
    first = next(i for i, r in enumerate(linear) if r[1] > 0)
    assert all(r[1:] == [0.0] * 4 for r in linear[:first])  # only empty classes are trimmed
    assert all(r[1:] == [0.0] * 4 for r in linear[first + len(bins) :])
    for row, b in zip(linear[first:], bins, strict=False):
        assert b["centre_nm"] == pytest.approx(row[0], rel=6e-4)  # printed to 4 digits
        assert [b["count"], b["concentration_per_ml"], b["volume_nm3"], b["area_nm2"]] == row[1:]
