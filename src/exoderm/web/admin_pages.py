"""Administration pages: users, organisations and the audit log (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from sqlalchemy import select
from starlette.responses import Response

from exoderm.accounts import users as user_lib
from exoderm.accounts.records import AuditEvent, OrganisationKind, Role
from exoderm.serving.auth import Principal
from exoderm.serving.context import AppContext, app_context
from exoderm.storage.paging import PageQuery, page_of_select
from exoderm.web.page_auth import page_scope
from exoderm.web.templating import render

router = APIRouter(prefix="/admin", include_in_schema=False)
Admin = Annotated[Principal, Depends(page_scope("accounts:write"))]
PAGE_SIZE = 100


def _page(request: Request, svc: AppContext, **extra: object) -> Response:
    with svc.db.reader() as s:
        users = user_lib.list_users(s)
        orgs = user_lib.list_organisations(s)
    return render(
        request,
        "admin/index.html",
        {
            "users": users,
            "orgs": {o.id: o for o in orgs},
            "roles": [r.value for r in Role],
            "kinds": [k.value for k in OrganisationKind],
            "created": None,
            **extra,
        },
    )


@router.get("")
def index(request: Request, who: Admin, svc: AppContext = Depends(app_context)) -> Response:
    return _page(request, svc)


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
        user, password = user_lib.create_user(
            s,
            username,
            role,
            organisation=organisation or None,
            display_name=display_name,
            by=who.actor,
        )
        created = (user.username, password)
    return _page(request, svc, created=created)


@router.post("/organisations")
def create_organisation(
    request: Request,
    who: Admin,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    kind: Annotated[OrganisationKind, Form()],
    svc: AppContext = Depends(app_context),
) -> Response:
    with svc.db.transaction() as s:
        user_lib.create_organisation(s, name, kind, by=who.actor)
    return _page(request, svc)


@router.get("/audit")
def audit(
    request: Request,
    who: Admin,
    subject_id: str = Query("", max_length=100),
    actor: str = Query("", max_length=100),
    offset: int = Query(0, ge=0, le=1_000_000),
    svc: AppContext = Depends(app_context),
) -> Response:
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc())
    if subject_id:
        stmt = stmt.where(AuditEvent.subject_id == subject_id)
    if actor:
        stmt = stmt.where(AuditEvent.actor == actor)
    with svc.db.reader() as s:
        events, total = page_of_select(s, stmt, PageQuery(PAGE_SIZE, offset))
    return render(
        request,
        "admin/audit.html",
        {
            "events": events,
            "total": total,
            "offset": offset,
            "size": PAGE_SIZE,
            "subject_id": subject_id,
            "actor": actor,
        },
    )
