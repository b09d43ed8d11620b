"""Issue 14: every section of the instrument's file, its warnings, unknown dilution, order.

The expected per-video values come from an independent reading of each file written here
(plain ``csv`` over the decoded text, located by section, weighting and row label), never
from exoderm's importer; the CLI's JSON output is compared with it cell by cell.
"""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import yaml

from exoderm.accounts.actor import Actor
from exoderm.cli.main import main
from exoderm.qc import create_batch, parse_batch_record, record_measurement
from exoderm.qc import service as qc
from exoderm.qc.importers import import_file
from exoderm.qc.measurement import ParticleMeasurement
from exoderm.qc.results import DecisionRead
from exoderm.storage import Database
from tests.qc.conftest import FIXTURES, passing_record, signer_for
from tests.shared import SHARED_DATA, needs

FULL = FIXTURES / "nanosight_full_sections.csv"
NS = SHARED_DATA / "nanosight"
LABELS = ("Mean", "Mode", "SD", "D10", "D50", "D90")


def independent_reading(path: Path) -> dict[str, object]:
    """Per-video values by (section, weighting, label), read with nothing but ``csv``."""
    text = path.read_bytes().decode("latin-1")
    rows = list(csv.reader(text.splitlines()))
    names = next(r for r in rows if r and r[0] == "Filename:")[1:]
    n = len([c for c in names if c.strip()])
    section, weighting, in_graph = "", "", False
    blocks: dict[tuple[str, str], dict[str, list[float]]] = {}
    concentration: list[float] = []
    for r in rows:
        if not r or not r[0].strip():
            in_graph = False
            continue
        first = r[0].strip()
        if first.startswith("[") and first.endswith("]"):
            section, weighting, in_graph = first[1:-1], "", False
        elif first == "Weighting":
            weighting, in_graph = r[1].strip(), False
        elif first in ("Graph Data", "Percentile"):
            in_graph = True
        elif section == "Results" and first == "Concentration (Particles / ml)":
            concentration = [float(c) for c in r[1 : n + 1]]
        elif weighting and not in_graph and first in (*LABELS, "Valid Tracks"):
            blocks.setdefault((section, weighting), {})[first] = [float(c) for c in r[1 : n + 1]]
    return {"n": n, "blocks": blocks, "concentration": concentration}


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _lot(tmp_path: Path, capsys: pytest.CaptureFixture[str], base: list[str], lot: str) -> None:
    path = tmp_path / f"{lot}.yaml"
    path.write_text(yaml.safe_dump(passing_record(lot=lot), allow_unicode=True))
    assert run([*base, "qc", "batch", "create", str(path)], capsys)[0] == 0


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(FULL, id="synthetic-full"),
        pytest.param(NS / "beads.csv", marks=needs(NS), id="beads"),
        pytest.param(NS / "beads2.csv", marks=needs(NS), id="beads2"),
    ],
)
def test_cli_json_prints_every_per_video_value(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--db", f"sqlite:///{tmp_path / 'a.db'}", "--format", "json"]
    _lot(tmp_path, capsys, base, "LOT")
    code, out, err = run([*base, "qc", "import", str(path), "--batch", "LOT"], capsys)
    assert code == 0, err
    (printed,) = json.loads(out)
    expected = independent_reading(path)
    videos = printed["replicates"]
    assert len(videos) == expected["n"]
    blocks = expected["blocks"]
    assert isinstance(blocks, dict) and blocks
    checked = 0
    for v, video in enumerate(videos):
        assert video["concentration_per_ml"] == expected["concentration"][v]  # type: ignore[index]
        for (section, weighting), rows in blocks.items():
            kind = "weightings" if section == "Size Data" else "diffusion"
            (got,) = [w for w in video[kind] if w["weighting"] == weighting]
            for label, values in rows.items():
                key = "valid_tracks" if label == "Valid Tracks" else label.lower()
                assert got[key] == values[v], (path.name, section, weighting, label, v)
                checked += 1
    n_blocks = 6 if path == FULL else 1
    assert len(blocks) == n_blocks and checked == expected["n"] * n_blocks * 7


def test_full_file_reads_every_section() -> None:
    (m,) = import_file(FULL)
    assert m.operator == "A. Analyst" and m.settings["Camera Level"] == "Manual settings used"
    assert [w.weighting for w in m.weightings] == ["Number", "Surface Area", "Volume"]
    assert all(w.unit == "1e4 nm²/s" for w in m.diffusion) and len(m.diffusion) == 3
    assert m.particles_per_frame == 12.8 and m.particles_per_frame_se == 0.4
    assert m.centres_per_frame_se == 0.3 and m.concentration_upgrade is True
    assert [r.x_drift_pix_per_frame for r in m.replicates] == [-1.2, -1.4, -1.3]
    assert m.replicates[1].concentration_warnings["Validity of concentration measurement"] == (
        "Unreliable"
    )
    assert {w.value for w in m.warnings} == {"Unreliable", "Too Low"}


@pytest.fixture
def warned(sqlite_db: Database, analyst: Actor) -> Database:
    with sqlite_db.transaction() as s:
        create_batch(s, parse_batch_record(passing_record(lot="WARN")), analyst)
        record_measurement(s, "WARN", import_file(FULL)[0], analyst)
    return sqlite_db


def test_instrument_warnings_make_nta_criteria_need_review(
    warned: Database, analyst: Actor
) -> None:
    with warned.reader() as s:
        decision = qc.check_batch(s, analyst, "WARN")
        draft = qc.draft_certificate(s, analyst, "WARN")
    rows = {c.id: c for c in decision.criteria}
    for cid in ("size_mode", "size_fraction_50_400"):
        assert rows[cid].verdict == "review"
        assert "Unreliable" in rows[cid].measured and "Too Low" in rows[cid].measured
        assert rows[cid].measurements and "nanosight_full_sections.csv" in rows[cid].measurements[0]
    assert rows["endotoxin"].verdict == "pass"
    assert decision.decision == "needs review"
    text = "".join(p.get_textpage().get_text_range() for p in pdfium.PdfDocument(draft.pdf))
    assert "Unreliable" in text and "Too Low" in text
    assert "Unreliable" in draft.html and "Too Low" in draft.html


def test_cli_check_shows_the_instrument_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--db", f"sqlite:///{tmp_path / 'w.db'}", "--format", "json"]
    _lot(tmp_path, capsys, base, "WARN")
    assert run([*base, "qc", "import", str(FULL), "--batch", "WARN"], capsys)[0] == 0
    code, out, err = run([*base, "qc", "check", "WARN"], capsys)
    assert code == 0
    rows = {r["id"]: r for r in json.loads(out)}
    assert (
        rows["size_mode"]["verdict"] == "review" and "Unreliable" in rows["size_mode"]["measured"]
    )
    assert "NEEDS REVIEW" in err


@needs(NS)
def test_dilution_not_recorded_is_unknown_everywhere(
    sqlite_db: Database, analyst: Actor, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (m,) = import_file(NS / "beads.csv")
    assert m.concentration_per_ml == 1.47e9 and m.stock_concentration_per_ml is None
    with sqlite_db.transaction() as s:
        create_batch(s, parse_batch_record(passing_record(lot="NODIL")), analyst)
        record_measurement(s, "NODIL", m, analyst)
    with sqlite_db.reader() as s:
        decision = qc.check_batch(s, analyst, "NODIL")
        draft = qc.draft_certificate(s, analyst, "NODIL")
        stored = qc.get_batch(s, analyst, "NODIL").measurements
    assert stored[0].measurement.stock_concentration_per_ml is None
    assert not stored[0].measurement.dilution_recorded
    rows = {c.id: c for c in decision.criteria}
    assert rows["purity_ratio"].verdict == "review"
    assert rows["purity_ratio"].measured == "unknown (dilution not recorded)"
    text = "".join(p.get_textpage().get_text_range() for p in pdfium.PdfDocument(draft.pdf))
    assert "unknown (dilution not recorded)" in " ".join(text.split())  # a table cell wraps
    assert "particles/mL (stock)" not in text and "particles/mL (stock)" not in draft.html
    base = ["--db", f"sqlite:///{tmp_path / 'd.db'}", "--format", "json"]
    _lot(tmp_path, capsys, base, "NODIL")
    _, out, _ = run([*base, "qc", "import", str(NS / "beads.csv"), "--batch", "NODIL"], capsys)
    assert json.loads(out)[0]["stock_per_ml"] is None


def _decide(
    db: Database, analyst: Actor, lot: str, measurements: list[ParticleMeasurement]
) -> DecisionRead:
    with db.transaction() as s:
        create_batch(s, parse_batch_record(passing_record(lot=lot)), analyst)
        for m in measurements:
            record_measurement(s, lot, m, analyst)
    with db.reader() as s:
        return qc.check_batch(s, analyst, lot)


@needs(NS)
def test_import_order_does_not_change_the_decision(sqlite_db: Database, analyst: Actor) -> None:
    (nta,) = import_file(NS / "beads2.csv")
    (zv,) = import_file(FIXTURES / "zetaview_decimal_point.txt")
    one = _decide(sqlite_db, analyst, "ORDER-1", [nta, zv])
    two = _decide(sqlite_db, analyst, "ORDER-2", [zv, nta])
    assert one.decision == two.decision
    rows_one = [(c.id, c.measured, c.verdict, c.measurements) for c in one.criteria]
    rows_two = [(c.id, c.measured, c.verdict, c.measurements) for c in two.criteria]
    assert rows_one == rows_two
    ortho = {c.id: c for c in one.criteria}["orthogonal_agreement"]
    assert len(ortho.measurements) == 2 and ortho.verdict in ("pass", "review")


@needs(NS)
def test_modes_beyond_tolerance_need_review_naming_both(
    sqlite_db: Database, analyst: Actor
) -> None:
    (nta,) = import_file(NS / "beads2.csv")
    assert nta.mode_nm == 98.4
    other = nta.model_copy(
        update={"mode_nm": 130.0, "instrument": "second NTA", "source_file": "other.csv"}
    )
    decision = _decide(sqlite_db, analyst, "DIS", [nta, other])
    ortho = {c.id: c for c in decision.criteria}["orthogonal_agreement"]
    assert ortho.verdict == "review" and decision.decision == "needs review"
    assert "98.4" in ortho.measured and "130" in ortho.measured
    close = nta.model_copy(
        update={"mode_nm": 110.0, "instrument": "second NTA", "source_file": "close.csv"}
    )
    agreed = _decide(sqlite_db, analyst, "AGREE", [nta, close])
    assert {c.id: c for c in agreed.criteria}["orthogonal_agreement"].verdict == "pass"


@pytest.mark.parametrize("name", ["zetaview_decimal_comma.txt", "zetaview_decimal_point.txt"])
def test_cli_json_prints_every_zetaview_header_value(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = FIXTURES / name
    header: dict[str, str] = {}
    for line in path.read_bytes().decode("latin-1").split("\r\n"):
        if line.startswith("Size / nm"):
            break
        cells = line.split("\t")
        for key, value in itertools.pairwise(cells):
            if key.endswith(":"):
                header.setdefault(key.rstrip(":").lower(), value)

    def num(key: str) -> float:
        return float(header[key].split()[0].replace(",", "."))

    base = ["--db", f"sqlite:///{tmp_path / 'z.db'}", "--format", "json"]
    _lot(tmp_path, capsys, base, "ZV")
    code, out, err = run([*base, "qc", "import", str(path), "--batch", "ZV"], capsys)
    assert code == 0, err
    (m,) = json.loads(out)
    assert m["sample"] == header["sample"] and m["operator"] == header["operator"]
    assert m["measured_at"] == f"{header['date']}T{header['time']}"
    for field, key in (
        ("ph", "ph"),
        ("conductivity_us_per_cm", "conductivity"),
        ("camera_gain", "gain"),
        ("max_brightness", "maximum brightness"),
        ("micrometre_per_pixel", "micrometer per pixel"),
        ("d50_nm", "median number (d50)"),
        ("d50_concentration_nm", "median concentration (d50)"),
        ("d50_volume_nm", "median volume (d50)"),
        ("dilution", "dilution"),
    ):
        assert m[field] == num(key), field
    assert m["log_classes"] == 200
    code, out, _ = run([*base, "qc", "batch", "show", "ZV"], capsys)
    assert json.loads(out)["measurements"][0]["ph"] == num("ph")


@needs(NS)
def test_tolerance_is_configurable_in_the_spec(
    sqlite_db: Database, analyst: Actor, tmp_path: Path
) -> None:
    from exoderm.qc.specs import load_spec_file

    sheet = tmp_path / "loose.toml"
    sheet.write_text(
        'id = "loose"\nversion = "1"\ntitle = "loose"\nextends = "exoderm-default-ev@1.0"\n'
        "[overrides.orthogonal_agreement]\ntolerance = 0.5\n",
        "utf-8",
    )
    spec = load_spec_file(sheet)
    (nta,) = import_file(NS / "beads2.csv")
    other = nta.model_copy(update={"mode_nm": 130.0, "instrument": "B", "source_file": "b.csv"})
    with sqlite_db.transaction() as s:
        create_batch(s, parse_batch_record(passing_record(lot="TOL")), analyst)
        for m in (nta, other):
            record_measurement(s, "TOL", m, analyst)
    with sqlite_db.reader() as s:
        strict = qc.check_batch(s, analyst, "TOL")
        loose = qc.check_batch(s, analyst, "TOL", spec_sheet=spec)
    assert {c.id: c for c in strict.criteria}["orthogonal_agreement"].verdict == "review"
    row = {c.id: c for c in loose.criteria}["orthogonal_agreement"]
    assert row.verdict == "pass" and "± 50%" in row.limit


@needs(NS)
def test_resigning_after_a_new_measurement_is_a_new_version_listing_both(
    sqlite_db: Database, analyst: Actor
) -> None:
    with sqlite_db.transaction() as s:
        create_batch(s, parse_batch_record(passing_record(lot="RESIGN")), analyst)
        record_measurement(s, "RESIGN", import_file(NS / "beads2.csv")[0], analyst)
    with sqlite_db.transaction() as s:
        first = qc.sign_certificate(s, signer_for(analyst), "RESIGN", meaning="reviewed")
    with sqlite_db.transaction() as s:
        record_measurement(s, "RESIGN", import_file(FULL)[0], analyst)
    with sqlite_db.transaction() as s:
        second = qc.sign_certificate(
            s, signer_for(analyst), "RESIGN", meaning="reviewed", reason="second measurement"
        )
    assert (first.version, second.version) == (1, 2)
    assert first.content_sha256 != second.content_sha256
    with sqlite_db.reader() as s:
        doc = qc.get_certificate(s, analyst, "RESIGN", 2)
    text = "".join(p.get_textpage().get_text_range() for p in pdfium.PdfDocument(doc.pdf))
    assert "beads2.csv" in text and "nanosight_full_sections.csv" in text
