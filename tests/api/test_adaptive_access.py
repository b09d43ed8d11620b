"""Adaptive access (ASVS 5.0 V8.2.4): a role held to networks or hours is refused outside
them, over the API and on pages, with the reason and an audit entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from exoderm.accounts.records import AuditEvent
from tests.api.conftest import World
from tests.web.logins import login


def _hold(world: World, **settings: object) -> None:
    ctx = world.app.state.context
    ctx.settings = ctx.settings.model_copy(update=settings)


def _window(start_hours: float, end_hours: float) -> str:
    now = datetime.now(UTC)
    a, b = now + timedelta(hours=start_hours), now + timedelta(hours=end_hours)
    return f"{a:%H:%M}-{b:%H:%M}"


def test_a_role_held_to_a_network_is_refused_elsewhere(world: World) -> None:
    _hold(world, role_networks={"clinician": ["10.0.0.0/8"]})
    refused = world.client("doc_a").get("/api/v1/clients")
    assert refused.status_code == 403
    assert "clinician accounts may be used only from 10.0.0.0/8" in refused.json()["detail"]
    assert world.client("admin").get("/api/v1/users").status_code == 200  # not held
    with world.db.reader() as s:
        denied = s.scalars(select(AuditEvent).where(AuditEvent.action == "access.denied")).all()
    assert any(e.actor == "doc_a" and e.subject_id == "GET /api/v1/clients" for e in denied)


def test_a_role_held_to_hours_works_inside_them_only(world: World) -> None:
    _hold(world, role_hours={"qc_analyst": _window(1, 2)})  # opens in an hour
    assert world.client("qc").get("/api/v1/qc/batches").status_code == 403
    page = login(world.client(), "qc")
    assert page.get("/qc").status_code == 403
    _hold(world, role_hours={"qc_analyst": _window(-1, 1)})  # open now
    assert world.client("qc").get("/api/v1/qc/batches").status_code == 200


def test_a_window_across_midnight_and_a_time_zone(world: World) -> None:
    now = datetime.now(UTC)
    start, end = now - timedelta(hours=2), now - timedelta(hours=1)
    # the complement of the last hour, written as a window that runs past midnight
    _hold(world, role_hours={"viewer": f"{end:%H:%M}-{start:%H:%M}"}, timezone="UTC")
    assert world.client("viewer").get("/api/v1/evidence/search?q=collagen").status_code == 200
    _hold(world, role_hours={"viewer": f"{start:%H:%M}-{end:%H:%M}"})
    assert world.client("viewer").get("/api/v1/evidence/search?q=collagen").status_code == 403
