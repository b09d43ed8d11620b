"""``Idempotency-Key`` on creating requests: a retry gets the first answer, not a twin."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from exoderm.accounts.records import StoredResponse
from exoderm.clients.records import ClientRecord
from exoderm.qc.records import QcBatch
from tests.api.conftest import World
from tests.api.test_qc import record

BODY: dict[str, Any] = {
    "personal": {"name": "Ada Lovelace", "email": "ada@example.org"},
    "profile": {"fitzpatrick": {"phototype": 3}},
}


def _clients(world: World) -> int:
    with world.db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(ClientRecord)) or 0)


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def test_a_retried_client_creation_creates_one_client(world: World) -> None:
    doc = world.client("doc_a")
    before = _clients(world)
    key = _key()
    first = doc.post("/api/v1/clients", json=BODY, headers=key)
    again = doc.post("/api/v1/clients", json=BODY, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert _clients(world) == before + 1
    # without a key, the same body is a second client, as before
    assert doc.post("/api/v1/clients", json=BODY).status_code == 201
    assert _clients(world) == before + 2


def test_the_stored_answer_is_encrypted(world: World) -> None:
    world.client("doc_a").post("/api/v1/clients", json=BODY, headers=_key())
    with world.db.reader() as s:
        bodies = list(s.scalars(select(StoredResponse.body)))
    assert bodies and all(b and "Ada" not in b and "example.org" not in b for b in bodies)


def test_the_same_key_for_another_request_is_refused(world: World) -> None:
    doc = world.client("doc_a")
    key = _key()
    assert doc.post("/api/v1/clients", json=BODY, headers=key).status_code == 201
    other = {**BODY, "profile": {"fitzpatrick": {"phototype": 4}}}
    r = doc.post("/api/v1/clients", json=other, headers=key)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert "different request" in r.json()["detail"]


def test_a_key_still_in_progress_is_a_conflict(world: World) -> None:
    """A parallel retry while the first request runs: 409, and nothing is created."""
    from exoderm.accounts import idempotency
    from exoderm.clients.keys import cipher
    from exoderm.serving.idempotency import _credential, _fingerprint

    doc = world.client("doc_a")
    key = _key()
    scope = _credential(doc.headers, ("exoderm_session",))
    assert scope is not None
    with world.db.transaction() as s:
        idempotency.claim(
            s, scope=scope, key=key["Idempotency-Key"], fingerprint="running", cipher=cipher()
        )
        s.get(StoredResponse, (scope, key["Idempotency-Key"])).fingerprint = _fingerprint(
            {"method": "POST", "path": "/api/v1/clients", "query_string": b""},
            doc.build_request("POST", "/api/v1/clients", json=BODY).read(),
        )
    before = _clients(world)
    r = doc.post("/api/v1/clients", json=BODY, headers=key)
    assert r.status_code == 409 and "still being processed" in r.json()["detail"]
    assert _clients(world) == before


def test_keys_belong_to_their_credential(world: World) -> None:
    """Another user's identical key is another request; a malformed key is a 400."""
    key = _key()
    a = world.client("doc_a").post("/api/v1/clients", json=BODY, headers=key)
    b = world.client("doc_b").post("/api/v1/clients", json=BODY, headers=key)
    assert a.status_code == b.status_code == 201
    assert a.json()["pseudonym"] != b.json()["pseudonym"]
    assert "idempotent-replayed" not in b.headers
    bad = world.client("doc_a").post(
        "/api/v1/clients", json=BODY, headers={"Idempotency-Key": "has space"}
    )
    assert bad.status_code == 400


def test_a_failed_request_stores_nothing_and_may_be_retried(world: World) -> None:
    doc = world.client("doc_a")
    key = _key()
    bad = doc.post("/api/v1/clients", json={"personal": {}}, headers=key)
    retried = doc.post("/api/v1/clients", json={"personal": {}}, headers=key)
    assert bad.status_code == retried.status_code == 422
    assert "idempotent-replayed" not in retried.headers
    # the key was released: the corrected request may use it
    before = _clients(world)
    assert doc.post("/api/v1/clients", json=BODY, headers=key).status_code == 201
    assert _clients(world) == before + 1


def test_a_revoked_token_gets_no_replay(world: World) -> None:
    """A stored answer (with personal data) is never handed to a dead credential."""
    from exoderm.accounts import tokens

    doc = world.client("doc_a")
    key = _key()
    assert doc.post("/api/v1/clients", json=BODY, headers=key).status_code == 201
    with world.db.transaction() as s:
        assert tokens.revoke_all_tokens(s, world.user_ids["doc_a"]) >= 1
    world.app.state.context.token_cache.clear()
    r = doc.post("/api/v1/clients", json=BODY, headers=key)
    assert r.status_code == 401 and "Ada" not in r.text


def test_erasing_a_client_forgets_every_stored_answer(world: World) -> None:
    doc = world.client("doc_a")
    key = _key()
    made = doc.post("/api/v1/clients", json=BODY, headers=key).json()
    assert doc.delete(f"/api/v1/clients/{made['pseudonym']}").status_code == 200
    with world.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(StoredResponse)) == 0


def test_a_qc_batch_retry_is_not_a_conflict(world: World) -> None:
    """Without the key a retried batch creation would answer 409 (the lot exists)."""
    qc = world.client("qc")
    key = _key()
    body = record(f"IDEM-{uuid.uuid4().hex[:6]}")
    first = qc.post("/api/v1/qc/batches", json=body, headers=key)
    again = qc.post("/api/v1/qc/batches", json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert qc.post("/api/v1/qc/batches", json=body).status_code == 409
    with world.db.reader() as s:
        n = s.scalar(select(func.count()).select_from(QcBatch).where(QcBatch.lot == body["lot"]))
    assert n == 1
