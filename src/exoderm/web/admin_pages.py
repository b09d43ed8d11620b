"""Administration pages: users, organisations and the audit log (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import Response

from exoderm.accounts import service
from exoderm.accounts.records import OrganisationKind, Role
from exoderm.clients import service as clients
from exoderm.serving.auth import Principal
from exoderm.serving.context import AppContext, app_context
from exoderm.storage.paging import FIRST_PAGE, PageQuery
from exoderm.web.page_auth import page_scope
from exoderm.web.templating import render

router = APIRouter(prefix="/admin", include_in_schema=False)
Admin = Annotated[Principal, Depends(page_scope("accounts:write"))]
PAGE_SIZE = 100


def _page(request: Request, who: Principal, svc: AppContext, **extra: object) -> Response:
    with svc.db.reader() as s:
        users = service.list_users(s, who.actor, page=FIRST_PAGE).items
        orgs = service.list_organisations(s, who.actor, page=FIRST_PAGE).items
        awaiting = {u.id for u in service.admins_awaiting_approval(s, who.actor)}
        contributing = {
            c.organisation_id for c in clients.rwe_contributions(s, who.actor) if c.contributes
        }
    return render(
        request,
        "admin/index.html",
        {
            "users": users,
            "awaiting": awaiting,
            "orgs": {o.id: o for o in orgs},
            "roles": [r.value for r in Role],
            "kinds": [k.value for k in OrganisationKind],
            "created": None,
            "contributing": contributing,
            "built": None,
            "sessions_ended": None,
            "approved": None,
            **extra,
        },
    )


@router.get("")
def index(request: Request, who: Admin, svc: AppContext = Depends(app_context)) -> Response:
    return _page(request, who, svc)


@router.post("/users")
def create_user(
    request: Request,
    who: Admin,
    username: Annotated[str, Form(min_length=2, max_length=100)],
    role: Annotated[Role, Form()],
    organisation: Annotated[str, Form(max_length=200)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
    svc: AppContext = Depends(app_context),
) -> Response:
    with svc.db.transaction() as s:
        made = service.create_user(
            s,
            who.actor,
            username=username,
            role=role,
            organisation=organisation or None,
            display_name=display_name,
            second_person=svc.settings.admin_changes_need_approval,
        )
    created = (made.user.username, made.password, made.awaiting_approval)
    return _page(request, who, svc, created=created)


@router.post("/users/{user_id}/approval")
def approve_admin(
    request: Request, user_id: int, who: Admin, svc: AppContext = Depends(app_context)
) -> Response:
    """A second admin approves a new admin account (four-eyes rule, ASVS 5.0 V2.3.5)."""
    with svc.db.transaction() as s:
        approved = service.approve_admin(s, who.actor, user=user_id)
    return _page(request, who, svc, approved=approved.username)


@router.post("/users/{user_id}/sessions/end")
def end_user_sessions(
    request: Request, user_id: int, who: Admin, svc: AppContext = Depends(app_context)
) -> Response:
    """End every browser session of one user (ASVS 5.0 V7.4.5)."""
    with svc.db.transaction() as s:
        ended = service.end_user_sessions(s, who.actor, user=user_id)
    return _page(request, who, svc, sessions_ended=ended)


@router.post("/sessions/end")
def end_every_session(
    request: Request, who: Admin, svc: AppContext = Depends(app_context)
) -> Response:
    """End every user's browser sessions, the admin's own included (ASVS 5.0 V7.4.5)."""
    with svc.db.transaction() as s:
        ended = service.end_user_sessions(s, who.actor)
    return _page(request, who, svc, sessions_ended=ended)


@router.post("/organisations")
def create_organisation(
    request: Request,
    who: Admin,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    kind: Annotated[OrganisationKind, Form()],
    svc: AppContext = Depends(app_context),
) -> Response:
    with svc.db.transaction() as s:
        service.create_organisation(s, who.actor, name=name, kind=kind)
    return _page(request, who, svc)


@router.post("/organisations/{organisation_id}/real-world-evidence")
def contribution(
    request: Request,
    who: Admin,
    organisation_id: int,
    contributes: Annotated[bool, Form()] = False,
    svc: AppContext = Depends(app_context),
) -> Response:
    with svc.db.transaction() as s:
        clients.set_rwe_contribution(
            s, who.actor, organisation_id=organisation_id, contributes=contributes
        )
    return _page(request, who, svc)


@router.post("/real-world-evidence")
def build_real_world_evidence(
    request: Request,
    who: Admin,
    min_cell: Annotated[int, Form(ge=2, le=1000)] = 10,
    svc: AppContext = Depends(app_context),
) -> Response:
    with svc.db.transaction() as s:
        claims = clients.build_real_world_evidence(s, who.actor, min_cell=min_cell)
    return _page(request, who, svc, built=claims)


@router.get("/audit")
def audit(
    request: Request,
    who: Admin,
    subject_id: str = Query("", max_length=100),
    actor: str = Query("", max_length=100),
    offset: int = Query(0, ge=0, le=1_000_000),
    svc: AppContext = Depends(app_context),
) -> Response:
    with svc.db.reader() as s:
        found = service.list_audit(
            s,
            who.actor,
            subject_id=subject_id or None,
            by=actor or None,
            page=PageQuery(PAGE_SIZE, offset),
        )
    return render(
        request,
        "admin/audit.html",
        {
            "events": found.items,
            "total": found.total,
            "offset": offset,
            "size": PAGE_SIZE,
            "subject_id": subject_id,
            "actor": actor,
        },
    )
