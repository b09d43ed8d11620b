"""Authentication: API tokens, password exchange, throttling, revocation and scopes."""

from __future__ import annotations

from sqlalchemy import select

from exoderm.accounts.records import ApiToken
from exoderm.accounts.tokens import digest
from tests.api.conftest import PASSWORD, World


def test_no_credential_is_a_401_problem(world: World) -> None:
    r = world.client().get("/api/v1/me")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == 401 and body["title"] == "Unauthorized"
    assert body["instance"] == "/api/v1/me"
    assert "Bearer" in r.headers["www-authenticate"]


def test_token_identifies_user_with_role_scopes(world: World) -> None:
    me = world.client("doc_a").get("/api/v1/me").json()
    assert me["username"] == "doc_a" and me["role"] == "clinician"
    assert me["organisation_id"] == world.org_ids["Clinic A"]
    assert "clients:write" in me["scopes"] and "qc:write" not in me["scopes"]
    assert me["authenticated_by"] == "token"


def test_garbage_token_is_rejected(world: World) -> None:
    client = world.client()
    for bad in ("nonsense", "exo_deadbeef_" + "x" * 43, world.tokens["admin"] + "x"):
        r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {bad}"})
        assert r.status_code == 401, bad


def test_password_exchange_issues_a_hashed_token(world: World) -> None:
    r = world.client().post(
        "/api/v1/auth/token",
        json={"username": "sci", "password": PASSWORD, "name": "ci", "scopes": ["evidence:read"]},
    )
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    assert r.json()["info"]["scopes"] == ["evidence:read"]
    with world.db.reader() as s:
        stored = list(s.scalars(select(ApiToken.token_hash)))
    assert digest(token) in stored and token not in stored
    me = world.client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["scopes"] == ["evidence:read"]


def test_wrong_password_then_throttled(world: World) -> None:
    client = world.client()
    body = {"username": "viewer", "password": "wrong-password!"}
    codes = [client.post("/api/v1/auth/token", json=body).status_code for _ in range(5)]
    assert codes == [401] * 5
    r = client.post("/api/v1/auth/token", json={"username": "viewer", "password": PASSWORD})
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0
    assert r.json()["title"] == "Too many login attempts"


def test_success_clears_username_failures_but_not_address(world: World) -> None:
    from exoderm.accounts.records import LoginThrottle

    client = world.client()
    for _ in range(3):
        client.post("/api/v1/auth/token", json={"username": "qc", "password": "nope-nope-1"})
    ok = client.post("/api/v1/auth/token", json={"username": "qc", "password": PASSWORD})
    assert ok.status_code == 201
    with world.db.reader() as s:
        counts = {row.key: row.attempts for row in s.scalars(select(LoginThrottle))}
    assert counts.get("user:qc", 0) == 0
    assert sum(n for k, n in counts.items() if k.startswith("addr:")) == 3


def test_revoked_token_stops_working(world: World) -> None:
    client = world.client("sci")
    created = client.post("/api/v1/tokens", json={"name": "temp"}).json()
    temp = world.client()
    temp.headers["Authorization"] = f"Bearer {created['token']}"
    assert temp.get("/api/v1/me").status_code == 200
    assert client.delete(f"/api/v1/tokens/{created['info']['id']}").status_code == 204
    assert temp.get("/api/v1/me").status_code == 401
    listed = client.get("/api/v1/tokens").json()
    assert any(t["id"] == created["info"]["id"] and t["revoked_at"] for t in listed)


def test_cannot_revoke_someone_elses_token(world: World) -> None:
    mine = world.client("sci").post("/api/v1/tokens", json={"name": "mine"}).json()
    r = world.client("viewer").delete(f"/api/v1/tokens/{mine['info']['id']}")
    assert r.status_code == 404


def test_token_cannot_exceed_role_or_parent_token(world: World) -> None:
    viewer = world.client("viewer")
    r = viewer.post("/api/v1/tokens", json={"name": "x", "scopes": ["qc:write"]})
    assert r.status_code == 422 and "exceeds" in r.json()["detail"]
    narrow = world.client("sci").post(
        "/api/v1/tokens", json={"name": "narrow", "scopes": ["evidence:read"]}
    )
    child = world.client()
    child.headers["Authorization"] = f"Bearer {narrow.json()['token']}"
    r = child.post("/api/v1/tokens", json={"name": "wider", "scopes": ["design:write"]})
    assert r.status_code == 403


def test_deactivated_user_token_rejected(world: World) -> None:
    admin = world.client("admin")
    assert world.client("viewer").get("/api/v1/me").status_code == 200
    from exoderm.accounts import service
    from exoderm.accounts.actor import Actor
    from exoderm.accounts.records import Role

    with world.db.transaction() as s:
        service.set_active(s, Actor("root", Role.admin), user="viewer", active=False)
    # a change made outside this process's API reaches it when the token cache expires
    world.app.state.context.token_cache.clear()
    assert world.client("viewer").get("/api/v1/me").status_code == 401
    assert admin.get("/api/v1/me").status_code == 200


def test_admin_deactivates_and_audits(world: World) -> None:
    from exoderm.accounts import service
    from exoderm.accounts.actor import Actor
    from exoderm.accounts.records import Role

    root = Actor("root", Role.admin)
    with world.db.transaction() as s:
        assert not service.set_active(s, root, user="qc", active=False).is_active
        events = service.list_audit(s, root, subject_type="user", action="deactivate")
    assert [e.actor for e in events.items] == ["root"]
    world.app.state.context.token_cache.clear()
    assert world.client("qc").get("/api/v1/me").status_code == 401
