"""The cargo layer through its faces: the command line and the REST API (typed responses)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from exoderm.cli.main import main
from exoderm.evidence.cargo_import import write_cargo_parquet
from exoderm.server import create_app
from exoderm.settings import Settings
from exoderm.storage import open_database, upgrade
from tests.api.conftest import populate
from tests.evidence.test_cargo import ROWS


def run(
    argv: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> tuple[int, str, str]:
    code = main(["--db", f"sqlite:///{tmp_path / 'cli.db'}", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_import_query_and_unmapped(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write_cargo_parquet(tmp_path / "cargo.parquet", ROWS)
    code, out, err = run(
        ["--format", "json", "evidence", "import-cargo", str(path)], capsys, tmp_path
    )
    assert code == 0, err
    first = json.loads(out)
    assert (first["rows"], first["already_imported"]) == (len(ROWS), False)
    code, out, err = run(
        ["--format", "json", "evidence", "import-cargo", str(path)], capsys, tmp_path
    )
    assert code == 0 and json.loads(out)["already_imported"] and "nothing changed" in err

    code, out, _ = run(
        ["--format", "json", "evidence", "cargo", "--source", "adipose-msc"], capsys, tmp_path
    )
    rows = json.loads(out)
    assert code == 0 and rows[0]["molecule"] == "TIMP1"
    assert (rows[0]["studies"], rows[0]["pmids"]) == (2, ["28170197", "29964051"])

    code, out, _ = run(
        ["--format", "json", "evidence", "cargo", "--molecule", "TIMP1"], capsys, tmp_path
    )
    carriers = [c["node_id"] for c in json.loads(out)]
    assert code == 0 and carriers == ["source:adipose-msc", "source:keratinocyte"]
    code, out, _ = run(["evidence", "cargo", "--molecule", "TIMP1"], capsys, tmp_path)
    assert code == 0 and "carrying TIMP1" in out

    code, out, _ = run(
        ["--format", "csv", "evidence", "cargo-sources", "--unmapped"], capsys, tmp_path
    )
    assert code == 0 and out.splitlines()[1].startswith("Moon dust extract,1,1,")


def test_cli_errors_are_clear(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = [dict(r) for r in ROWS]
    bad[2]["year"] = "soon"
    path = write_cargo_parquet(tmp_path / "bad.parquet", bad)
    code, _, err = run(["evidence", "import-cargo", str(path)], capsys, tmp_path)
    assert code == 2 and "row 3" in err and "field 'year'" in err and "Traceback" not in err
    code, _, err = run(["evidence", "cargo"], capsys, tmp_path)
    assert code == 2 and "exactly one of --source and --molecule" in err
    code, _, err = run(["evidence", "cargo", "--source", "unicorn"], capsys, tmp_path)
    assert code == 2 and "not an EV source" in err


def test_api_cargo_endpoints(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'api.db'}")
    upgrade(db)
    tokens, _, _ = populate(db)
    path = write_cargo_parquet(tmp_path / "cargo.parquet", ROWS)
    assert (
        main(["--db", f"sqlite:///{tmp_path / 'api.db'}", "evidence", "import-cargo", str(path)])
        == 0
    )
    app = create_app(Settings(data_dir=tmp_path / "data"), db)
    try:
        client = TestClient(app, raise_server_exceptions=False)
        client.headers["Authorization"] = f"Bearer {tokens['viewer']}"
        r = client.get("/api/v1/evidence/cargo/sources/adipose-msc")
        assert r.status_code == 200, r.text
        assert [(d["molecule"], d["studies"]) for d in r.json()] == [("TIMP1", 2), ("CD63", 1)]
        r = client.get(
            "/api/v1/evidence/cargo/sources/adipose-msc", params={"species": "Mus musculus"}
        )
        assert [(d["molecule"], d["studies"]) for d in r.json()] == [("TIMP1", 1)]
        r = client.get("/api/v1/evidence/cargo/molecules/timp1")
        assert [c["node_id"] for c in r.json()] == ["source:adipose-msc", "source:keratinocyte"]
        r = client.get("/api/v1/evidence/cargo/molecules/timp1", params={"all_samples": True})
        assert None in [c["node_id"] for c in r.json()]
        r = client.get("/api/v1/evidence/cargo/sources", params={"unmapped": True})
        assert [s["sample_name"] for s in r.json()] == ["Moon dust extract"]
        r = client.get("/api/v1/evidence/cargo/sources/unicorn")
        assert r.status_code == 422 and "not an EV source" in r.text
        anonymous = TestClient(app, raise_server_exceptions=False)
        assert anonymous.get("/api/v1/evidence/cargo/sources").status_code == 401
    finally:
        app.state.context.jobs.shutdown()
        db.dispose()
