"""Token lineage (a child never outlives nor outranks its parent, revocation cascades) and
the end of every credential after a password change (ASVS 5.0 V7.4.3, V8.2.1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from exoderm.accounts import service
from exoderm.accounts.actor import Actor
from exoderm.accounts.records import ApiToken, BrowserSession, Role
from exoderm.accounts.tokens import digest
from tests.api.conftest import PASSWORD, World
from tests.web.logins import csrf_of, login


def _as(world: World, token: str) -> TestClient:
    client = world.client()
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def _parse(moment: str) -> datetime:
    parsed = datetime.fromisoformat(moment)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def test_child_token_never_outlives_its_parent(world: World) -> None:
    parent = world.client("sci").post("/api/v1/tokens", json={"name": "day", "expires_in_days": 1})
    assert parent.status_code == 201, parent.text
    parent_expiry = _parse(parent.json()["info"]["expires_at"])
    via_parent = _as(world, parent.json()["token"])
    for body in ({"name": "forever"}, {"name": "year", "expires_in_days": 365}):
        child = via_parent.post("/api/v1/tokens", json=body)
        assert child.status_code == 201, child.text
        expiry = child.json()["info"]["expires_at"]
        assert expiry is not None, "a child of an expiring token must expire"
        assert _parse(expiry) <= parent_expiry
    shorter = via_parent.post("/api/v1/tokens", json={"name": "hour", "expires_in_days": 1})
    assert _parse(shorter.json()["info"]["expires_at"]) <= parent_expiry


def test_expired_parent_kills_its_children(world: World) -> None:
    parent = world.client("sci").post("/api/v1/tokens", json={"name": "p", "expires_in_days": 2})
    child = _as(world, parent.json()["token"]).post("/api/v1/tokens", json={"name": "c"})
    child_token = child.json()["token"]
    assert _as(world, child_token).get("/api/v1/me").status_code == 200
    with world.db.transaction() as s:  # the parent runs out; the child's own date is later
        s.execute(
            update(ApiToken)
            .where(ApiToken.id == parent.json()["info"]["id"])
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        s.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == digest(child_token))
            .values(expires_at=datetime.now(UTC) + timedelta(days=30))
        )
    world.app.state.context.token_cache.clear()
    assert _as(world, child_token).get("/api/v1/me").status_code == 401


def test_child_token_never_outranks_its_parent(world: World) -> None:
    narrow = world.client("sci").post(
        "/api/v1/tokens", json={"name": "narrow", "scopes": ["evidence:read"]}
    )
    via_narrow = _as(world, narrow.json()["token"])
    default_child = via_narrow.post("/api/v1/tokens", json={"name": "default"})
    assert default_child.status_code == 201
    assert default_child.json()["info"]["scopes"] == ["evidence:read"]
    wider = via_narrow.post("/api/v1/tokens", json={"name": "wider", "scopes": ["*"]})
    assert wider.status_code == 403


def test_revoking_a_parent_revokes_every_descendant(world: World) -> None:
    sci = world.client("sci")
    parent = sci.post("/api/v1/tokens", json={"name": "parent"}).json()
    child = _as(world, parent["token"]).post("/api/v1/tokens", json={"name": "child"}).json()
    grandchild = _as(world, child["token"]).post("/api/v1/tokens", json={"name": "gc"}).json()
    unrelated = sci.post("/api/v1/tokens", json={"name": "other"}).json()
    for t in (child, grandchild):
        assert _as(world, t["token"]).get("/api/v1/me").status_code == 200
    assert sci.delete(f"/api/v1/tokens/{parent['info']['id']}").status_code == 204
    for t in (parent, child, grandchild):
        assert _as(world, t["token"]).get("/api/v1/me").status_code == 401, t["info"]["name"]
    assert _as(world, unrelated["token"]).get("/api/v1/me").status_code == 200
    listed = {t["id"]: t for t in sci.get("/api/v1/tokens").json()}
    assert listed[grandchild["info"]["id"]]["revoked_at"] is not None
    assert listed[grandchild["info"]["id"]]["parent_id"] == child["info"]["id"]
    assert listed[child["info"]["id"]]["parent_id"] == parent["info"]["id"]
    with world.db.reader() as s:  # the parent was made with sci's own token
        sci_token = s.scalar(
            select(ApiToken.id).where(ApiToken.token_hash == digest(world.tokens["sci"]))
        )
    assert listed[parent["info"]["id"]]["parent_id"] == sci_token
    assert listed[sci_token]["revoked_at"] is None
    assert listed[unrelated["info"]["id"]]["revoked_at"] is None


def test_child_stays_dead_even_if_its_own_row_missed_the_cascade(world: World) -> None:
    parent = world.client("sci").post("/api/v1/tokens", json={"name": "p"}).json()
    child = _as(world, parent["token"]).post("/api/v1/tokens", json={"name": "c"}).json()
    world.client("sci").delete(f"/api/v1/tokens/{parent['info']['id']}")
    with world.db.transaction() as s:
        s.execute(
            update(ApiToken).where(ApiToken.id == child["info"]["id"]).values(revoked_at=None)
        )
    world.app.state.context.token_cache.clear()
    assert _as(world, child["token"]).get("/api/v1/me").status_code == 401


def _live_credentials(world: World, user_id: int) -> tuple[int, int]:
    with world.db.reader() as s:
        tokens = s.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        ).all()
        sessions = s.scalars(
            select(BrowserSession).where(
                BrowserSession.user_id == user_id, BrowserSession.revoked_at.is_(None)
            )
        ).all()
    return len(tokens), len(sessions)


def test_password_change_ends_every_token_and_other_session(world: World) -> None:
    browser = login(world.client(), "viewer")
    other = login(world.client(), "viewer")
    api = world.client("viewer")
    assert api.get("/api/v1/me").status_code == 200
    csrf = csrf_of(browser.get("/account").text)
    r = browser.post(
        "/account/password",
        data={
            "csrf_token": csrf,
            "current_password": PASSWORD,
            "new_password": "quiet-lantern-orchard-7",
            "confirm_password": "quiet-lantern-orchard-7",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert api.get("/api/v1/me").status_code == 401
    assert other.get("/api/v1/me").status_code == 401
    assert browser.get("/api/v1/me").status_code == 200  # the browser that changed it
    assert _live_credentials(world, world.user_ids["viewer"]) == (0, 1)


def test_password_change_may_keep_tokens_explicitly(world: World) -> None:
    browser = login(world.client(), "qc")
    csrf = csrf_of(browser.get("/account").text)
    r = browser.post(
        "/account/password",
        data={
            "csrf_token": csrf,
            "current_password": PASSWORD,
            "new_password": "quiet-lantern-orchard-7",
            "confirm_password": "quiet-lantern-orchard-7",
            "keep_tokens": "true",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert world.client("qc").get("/api/v1/me").status_code == 200


def test_admin_password_reset_ends_everything_unless_kept(world: World) -> None:
    root = Actor("root", Role.admin)
    login(world.client(), "doc_a")
    assert _live_credentials(world, world.user_ids["doc_a"]) == (1, 1)
    with world.db.transaction() as s:
        service.set_password(
            s, root, user="doc_a", password="quiet-lantern-orchard-7", keep_tokens=True
        )
    assert _live_credentials(world, world.user_ids["doc_a"]) == (1, 0)
    with world.db.transaction() as s:
        service.set_password(s, root, user="doc_a", password="amber-violin-estuary-3")
    assert _live_credentials(world, world.user_ids["doc_a"]) == (0, 0)
    world.app.state.context.token_cache.clear()
    assert world.client("doc_a").get("/api/v1/me").status_code == 401
