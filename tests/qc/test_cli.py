"""The ``exoderm qc`` commands end to end, through ``exoderm.cli.main.main``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from exoderm.cli.main import main
from exoderm.qc import measurements_for
from exoderm.storage import open_database
from tests.qc.conftest import passing_record
from tests.shared import SHARED_DATA


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def lot_file(tmp_path: Path) -> Path:
    path = tmp_path / "lot.yaml"
    path.write_text(yaml.safe_dump(passing_record(), allow_unicode=True))
    return path


def test_full_flow(
    db_url: str,
    lot_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = ["--db", db_url, "--format", "json"]
    assert run([*base, "qc", "batch", "create", str(lot_file)], capsys)[0] == 0
    code, out, _ = run(
        [
            *base,
            "qc",
            "import",
            str(SHARED_DATA / "nanosight" / "beads2.csv"),
            "--batch",
            "LOT-001",
        ],
        capsys,
    )
    # beads2.csv records its dilution (beads.csv says "Not recorded": no stock, no release)
    assert code == 0 and json.loads(out)[0]["concentration_per_ml"] == 6.09e12
    code, out, err = run([*base, "qc", "check", "LOT-001"], capsys)
    rows = {r["id"]: r for r in json.loads(out)}
    assert code == 0 and rows["endotoxin"]["verdict"] == "pass"
    assert "decision: RELEASE" in err
    pdf = tmp_path / "coa.pdf"
    # signing needs an exoderm account (issue 20): a QC analyst, re-authenticated
    assert run([*base, "user", "org", "add", "QC Lab", "--kind", "lab"], capsys)[0] == 0
    monkeypatch.setenv("EXODERM_NEW_PASSWORD", "Kestrel-Orbit-4417")
    new_user = [*base, "user", "create", "qa.anna", "--role", "qc_analyst", "--org", "QC Lab"]
    assert run(new_user, capsys)[0] == 0
    monkeypatch.setenv("EXODERM_PASSWORD", "Kestrel-Orbit-4417")
    sign = [*base, "qc", "coa", "LOT-001", "--sign", "--user", "qa.anna", "--pdf", str(pdf)]
    code, out, _ = run(sign, capsys)
    assert code == 0 and json.loads(out)["version"] == 1
    assert pdf.read_bytes().startswith(b"%PDF")
    code, _, err = run(sign, capsys)
    assert code == 2 and "reason" in err and "Traceback" not in err
    code, out, _ = run([*base, "qc", "batch", "show", "LOT-001"], capsys)
    assert json.loads(out)["certificates"] == ["v1 release by qa.anna"]
    code, out, _ = run([*base, "qc", "coa", "LOT-001", "--version", "1"], capsys)
    assert code == 0 and json.loads(out)["meaning"] == "Approved for release by Quality Assurance"
    code, out, _ = run([*base, "qc", "trend", "--product", "Serum A"], capsys)
    assert code == 0 and {r["metric"] for r in json.loads(out)} == {
        "mode_nm",
        "concentration_per_ml",
        "particles_per_ug_protein",
    }
    code, out, _ = run([*base, "qc", "batch", "list"], capsys)
    assert [r["lot"] for r in json.loads(out)] == ["LOT-001"]


def test_truncated_import_is_one_line_and_writes_nothing(
    db_url: str, lot_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--db", db_url, "qc", "batch", "create", str(lot_file)], capsys)[0] == 0
    cut = tmp_path / "cut.csv"
    cut.write_bytes((SHARED_DATA / "nanosight" / "beads2.csv").read_bytes()[:20000])
    code, _, err = run(["--db", db_url, "qc", "import", str(cut), "--batch", "LOT-001"], capsys)
    assert code == 2
    assert str(cut) in err and "line" in err and "Traceback" not in err
    db = open_database(db_url)
    with db.reader() as s:
        assert measurements_for(s, "LOT-001") == []
    db.dispose()


def test_bad_batch_file_names_field(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = passing_record()
    record["source"]["kind"] = "rock"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(record))
    code, _, err = run(["--db", db_url, "qc", "batch", "create", str(path)], capsys)
    assert code == 2 and "source.kind" in err and str(path) in err


def test_spec_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--format", "json", "qc", "spec", "show"], capsys)
    rows = json.loads(out)
    assert code == 0 and any(r["id"] == "endotoxin" and r["limit"] == 0.5 for r in rows)


def test_spec_is_a_name_and_spec_file_is_the_operators_own(
    db_url: str, lot_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--db", db_url, "--format", "json"]
    assert run([*base, "qc", "batch", "create", str(lot_file)], capsys)[0] == 0
    sheet = tmp_path / "tight.toml"
    sheet.write_text(
        'id = "tight"\nversion = "1"\ntitle = "Tight"\nextends = "exoderm-default-ev@1.0"\n'
        '[overrides.endotoxin]\nlimit = 0.01\nsource = "in-house"\n'
    )
    code, out, err = run([*base, "qc", "check", "LOT-001", "--spec-file", str(sheet)], capsys)
    assert code == 0 and {r["id"]: r for r in json.loads(out)}["endotoxin"]["verdict"] == "fail"
    assert "tight@1" in err or "REJECT" in err
    code, _, err = run([*base, "qc", "check", "LOT-001", "--spec", str(sheet)], capsys)
    assert code == 2 and "exoderm-default-ev@1.0" in err and "Traceback" not in err
    code, out, _ = run([*base, "qc", "spec", "show", "--spec-file", str(sheet)], capsys)
    rows = {r["id"]: r for r in json.loads(out)}
    assert code == 0 and rows["endotoxin"]["limit"] == 0.01
