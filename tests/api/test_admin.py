"""Users, organisations, pagination, filtering, the audit log, and problem details."""

from __future__ import annotations

from tests.api.conftest import World


def test_only_admin_lists_users(world: World) -> None:
    assert world.client("sci").get("/api/v1/users").status_code == 403
    r = world.client("admin").get("/api/v1/users")
    assert r.status_code == 200
    page = r.json()
    assert page["total"] == 6 and page["limit"] == 50 and page["offset"] == 0
    assert sorted(u["username"] for u in page["items"]) == sorted(
        ["admin", "sci", "qc", "doc_a", "doc_b", "viewer"]
    )


def test_pagination_and_filters(world: World) -> None:
    admin = world.client("admin")
    first = admin.get("/api/v1/users", params={"limit": 2}).json()
    second = admin.get("/api/v1/users", params={"limit": 2, "offset": 2}).json()
    assert len(first["items"]) == 2 and len(second["items"]) == 2 and first["total"] == 6
    assert {u["id"] for u in first["items"]}.isdisjoint({u["id"] for u in second["items"]})
    clinicians = admin.get("/api/v1/users", params={"role": "clinician"}).json()
    assert {u["username"] for u in clinicians["items"]} == {"doc_a", "doc_b"}
    lab = admin.get("/api/v1/users", params={"organisation_id": world.org_ids["Lab"]}).json()
    assert {u["username"] for u in lab["items"]} == {"sci", "qc", "viewer"}


def test_bad_query_is_a_422_problem_naming_the_field(world: World) -> None:
    r = world.client("admin").get("/api/v1/users", params={"limit": 0})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["field"] == "limit"


def test_create_user_with_generated_password_and_audit(world: World) -> None:
    admin = world.client("admin")
    r = admin.post(
        "/api/v1/users",
        json={"username": "nurse", "role": "clinician", "organisation": "Clinic B"},
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert len(created["password"]) >= 10
    assert created["user"]["organisation_id"] == world.org_ids["Clinic B"]
    login = world.client().post(
        "/api/v1/auth/token", json={"username": "nurse", "password": created["password"]}
    )
    assert login.status_code == 201
    audit = admin.get("/api/v1/audit", params={"subject_type": "user"}).json()
    assert any(
        e["action"] == "create" and e["subject_id"] == str(created["user"]["id"])
        for e in audit["items"]
    )


def test_duplicate_user_is_a_conflict_and_non_admin_needs_org(world: World) -> None:
    admin = world.client("admin")
    dup = admin.post(
        "/api/v1/users", json={"username": "sci", "role": "viewer", "organisation": "Lab"}
    )
    assert dup.status_code == 409 and dup.json()["title"] == "Conflict"
    orgless = admin.post("/api/v1/users", json={"username": "lost", "role": "viewer"})
    assert orgless.status_code == 422
    assert orgless.json()["errors"][0]["field"] == "organisation"


def test_organisations_fenced_to_own(world: World) -> None:
    mine = world.client("doc_b").get("/api/v1/organisations").json()
    assert [o["name"] for o in mine["items"]] == ["Clinic B"]
    everything = world.client("admin").get("/api/v1/organisations").json()
    assert everything["total"] == 3
    r = world.client("admin").post(
        "/api/v1/organisations", json={"name": "Clinic C", "kind": "clinic"}
    )
    assert r.status_code == 201 and r.json()["kind"] == "clinic"
    assert (
        world.client("doc_b")
        .post("/api/v1/organisations", json={"name": "Mine", "kind": "clinic"})
        .status_code
        == 403
    )


def test_unknown_route_is_problem_json(world: World) -> None:
    r = world.client("admin").get("/api/v1/does-not-exist")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


def test_no_version_is_shown_to_anyone_not_signed_in(world: World) -> None:
    from exoderm import __version__

    health = world.client().get("/api/v1/health")
    assert health.json() == {"status": "ok", "database": "sqlite"}
    login = world.client().get("/login")
    assert login.status_code == 200 and __version__ not in login.text


def test_security_headers(world: World) -> None:
    r = world.client().get("/api/v1/health")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"


def test_audit_detail_is_typed_and_returned(world: World) -> None:
    world.client("sci").post("/api/v1/tokens", json={"name": "ci", "scopes": ["qc:read"]})
    page = world.client("admin").get("/api/v1/audit", params={"subject_type": "api_token"})
    issued = [e for e in page.json()["items"] if e["action"] == "issue"]
    assert issued and issued[0]["detail"] == {"scopes": ["qc:read"]}
    schema = world.app.openapi()["components"]["schemas"]["AuditEventRead"]
    detail = schema["properties"]["detail"]["anyOf"][0]
    assert detail["type"] == "object" and detail["additionalProperties"] is not True


def test_the_public_api_document_names_the_api_version_not_the_software(world: World) -> None:
    from exoderm import __version__

    info = world.client().get("/openapi.json").json()["info"]
    assert info["version"] == "1" and __version__ not in str(info)
