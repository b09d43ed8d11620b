"""The service on PostgreSQL: accounts, throttling, clients with tenancy, QC, audit."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from exoderm.server import create_app
from exoderm.settings import Settings
from exoderm.storage import open_database, upgrade
from tests.api.conftest import PASSWORD, populate
from tests.api.test_clients import dlqi
from tests.api.test_qc import record

pytestmark = pytest.mark.postgres


def test_service_on_postgres(postgres_url: str, tmp_path: Path) -> None:
    db = open_database(postgres_url)
    upgrade(db)
    tokens, _, _ = populate(db)
    app = create_app(Settings(data_dir=tmp_path / "data"), db)
    try:

        def client(who: str) -> TestClient:
            c = TestClient(app, raise_server_exceptions=False)
            c.headers["Authorization"] = f"Bearer {tokens[who]}"
            return c

        anonymous = TestClient(app, raise_server_exceptions=False)
        for _ in range(5):
            anonymous.post("/api/v1/auth/token", json={"username": "sci", "password": "nope!"})
        assert (
            anonymous.post(
                "/api/v1/auth/token", json={"username": "sci", "password": PASSWORD}
            ).status_code
            == 429
        )
        created = client("doc_a").post(
            "/api/v1/clients",
            json={
                "personal": {"name": "Lise Meitner"},
                "profile": {"fitzpatrick": {"phototype": 2}, "concerns": [{"name": "wrinkles"}]},
            },
        )
        assert created.status_code == 201, created.text
        p = created.json()["pseudonym"]
        assert (
            client("doc_a")
            .post(
                f"/api/v1/clients/{p}/assessments", json={"instrument": "dlqi", "inputs": dlqi(4)}
            )
            .status_code
            == 201
        )
        assert client("doc_b").get(f"/api/v1/clients/{p}").status_code == 404
        audit = client("admin").get("/api/v1/audit", params={"subject_id": p}).json()
        assert {e["action"] for e in audit["items"]} >= {"client.create", "client.assess"}
        assert client("qc").post("/api/v1/qc/batches", json=record("PG-1")).status_code == 201
        assert (
            client("viewer").get("/api/v1/evidence/search", params={"q": "collagen"}).status_code
            == 200
        )
    finally:
        app.state.context.jobs.shutdown()
        db.dispose()
