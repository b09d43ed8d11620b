"""Accounts over HTTP: tokens, the current user, users, organisations, the audit log, jobs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from exoderm.accounts import tokens as token_lib
from exoderm.accounts import users as user_lib
from exoderm.accounts.login import login
from exoderm.accounts.records import (
    ApiToken,
    AuditEvent,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from exoderm.api.problems import problem_responses
from exoderm.serving.auth import Principal, client_address, need, principal
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.jobs import Job, JobStatus
from exoderm.serving.paging import RecordId, page_query
from exoderm.storage.paging import Page, PageQuery, page_of_list, page_of_select
from exoderm.storage.timestamps import UtcDatetime

router = APIRouter(tags=["accounts"], responses=problem_responses(401, 403, 404, 422))
public = APIRouter(tags=["accounts"], responses=problem_responses(401, 422, 429))


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: Role
    organisation_id: int | None
    is_active: bool

    @classmethod
    def of(cls, u: User) -> UserOut:
        return cls(
            id=u.id,
            username=u.username,
            display_name=u.display_name,
            role=u.role,
            organisation_id=u.organisation_id,
            is_active=u.is_active,
        )


class MeOut(UserOut):
    scopes: list[str]
    authenticated_by: str


class NewUser(BaseModel):
    username: str = Field(min_length=2, max_length=100)
    role: Role
    organisation: str | None = Field(None, description="Organisation name or id.")
    display_name: str = Field("", max_length=200)
    password: str | None = Field(
        None, min_length=10, max_length=1024, description="Omit to have one generated."
    )


class CreatedUser(BaseModel):
    user: UserOut
    password: str = Field(description="Shown once; give it to the user over a safe channel.")


class OrganisationOut(BaseModel):
    id: int
    name: str
    kind: OrganisationKind

    @classmethod
    def of(cls, o: Organisation) -> OrganisationOut:
        return cls(id=o.id, name=o.name, kind=o.kind)


class NewOrganisation(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: OrganisationKind


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1024)
    name: str = Field("api", min_length=1, max_length=100)
    scopes: list[str] | None = Field(None, description="Default: every scope of the role.")
    expires_in_days: int | None = Field(None, ge=1, le=3650)


class NewToken(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[str] | None = None
    expires_in_days: int | None = Field(None, ge=1, le=3650)


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: UtcDatetime
    expires_at: UtcDatetime | None
    revoked_at: UtcDatetime | None

    @classmethod
    def of(cls, t: ApiToken) -> TokenOut:
        return cls(
            id=t.id,
            name=t.name,
            prefix=t.prefix,
            scopes=list(t.scopes),
            created_at=t.created_at,
            expires_at=t.expires_at,
            revoked_at=t.revoked_at,
        )


class IssuedTokenOut(BaseModel):
    token: str = Field(description="The bearer token; shown once, stored only as a hash.")
    info: TokenOut


class AuditEventOut(BaseModel):
    id: int
    at: UtcDatetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    organisation_id: int | None
    detail: dict[str, Any] | None
    note: str | None


class JobOut(BaseModel):
    id: str
    kind: str
    status: JobStatus
    progress: float
    message: str
    error: str | None
    created_at: UtcDatetime
    finished_at: UtcDatetime | None
    result: Any = None

    @classmethod
    def of(cls, j: Job) -> JobOut:
        return cls(
            id=j.id,
            kind=j.kind,
            status=j.status,
            progress=j.progress,
            message=j.message,
            error=j.error,
            created_at=j.created_at,
            finished_at=j.finished_at,
            result=j.result if j.status is JobStatus.succeeded else None,
        )


class Health(BaseModel):
    status: str
    version: str
    database: str


@public.get("/health", response_model=Health, summary="Liveness and database backend")
def health(svc: AppContext = Depends(app_context)) -> Health:
    from exoderm import __version__

    return Health(status="ok", version=__version__, database=svc.db.backend)


@public.post(
    "/auth/token",
    response_model=IssuedTokenOut,
    status_code=201,
    summary="Exchange a username and password for an API token",
)
def token_by_password(
    body: TokenRequest, request: Request, svc: AppContext = Depends(app_context)
) -> IssuedTokenOut:
    user_id = login(svc.db, body.username, body.password, client_address(request))
    with svc.db.transaction() as s:
        user = user_lib.get_user(s, user_id)
        issued = token_lib.issue_token(
            s, user, name=body.name, scopes=body.scopes, expires_in_days=body.expires_in_days
        )
        return IssuedTokenOut(token=issued.token, info=TokenOut.of(issued.record))


@router.get("/me", response_model=MeOut, summary="The authenticated user and its scopes")
def me(who: Principal = Depends(principal), svc: AppContext = Depends(app_context)) -> MeOut:
    with svc.db.reader() as s:
        u = user_lib.get_user(s, who.user_id)
        return MeOut(
            **UserOut.of(u).model_dump(), scopes=sorted(who.scopes), authenticated_by=who.via
        )


@router.get("/tokens", response_model=list[TokenOut], summary="My API tokens")
def my_tokens(
    who: Principal = Depends(principal), svc: AppContext = Depends(app_context)
) -> list[TokenOut]:
    with svc.db.reader() as s:
        return [TokenOut.of(t) for t in token_lib.list_tokens(s, user_lib.get_user(s, who.user_id))]


@router.post(
    "/tokens",
    response_model=IssuedTokenOut,
    status_code=201,
    summary="Create an API token for myself",
)
def create_token(
    body: NewToken, who: Principal = Depends(principal), svc: AppContext = Depends(app_context)
) -> IssuedTokenOut:
    requested = body.scopes or sorted(who.scopes)
    with svc.db.transaction() as s:
        user = user_lib.get_user(s, who.user_id)
        # A token may not grant more than the credential that creates it.
        beyond = set(token_lib.parse_scopes(requested, user.role)) - who.scopes
        if beyond:
            who.require(sorted(beyond)[0])
        issued = token_lib.issue_token(
            s,
            user,
            name=body.name,
            scopes=requested,
            expires_in_days=body.expires_in_days,
            by=who.actor,
        )
        return IssuedTokenOut(token=issued.token, info=TokenOut.of(issued.record))


@router.delete(
    "/tokens/{token_id}", status_code=204, response_class=Response, summary="Revoke an API token"
)
def revoke(
    token_id: RecordId, who: Principal = Depends(principal), svc: AppContext = Depends(app_context)
) -> Response:
    with svc.db.transaction() as s:
        token_lib.revoke_token(s, token_id, by=who.actor)
    svc.token_cache.clear()
    return Response(status_code=204)


@router.get("/users", response_model=Page[UserOut], summary="Users (admin)")
def users(
    who: Annotated[Principal, Depends(need("accounts:write"))],
    page: Annotated[PageQuery, Depends(page_query)],
    role: Role | None = None,
    organisation_id: int | None = Query(None, ge=1, le=2_147_483_647),
    svc: AppContext = Depends(app_context),
) -> Page[UserOut]:
    stmt = select(User).order_by(User.username)
    if role is not None:
        stmt = stmt.where(User.role == role)
    if organisation_id is not None:
        stmt = stmt.where(User.organisation_id == organisation_id)
    with svc.db.reader() as s:
        rows, total = page_of_select(s, stmt, page)
        return Page[UserOut](
            items=[UserOut.of(u) for u in rows], total=total, limit=page.limit, offset=page.offset
        )


@router.post(
    "/users",
    response_model=CreatedUser,
    status_code=201,
    summary="Create a user (admin)",
    responses=problem_responses(409),
)
def create_user(
    body: NewUser,
    who: Principal = Depends(need("accounts:write")),
    svc: AppContext = Depends(app_context),
) -> CreatedUser:
    with svc.db.transaction() as s:
        user, password = user_lib.create_user(
            s,
            body.username,
            body.role,
            password=body.password,
            organisation=body.organisation,
            display_name=body.display_name,
            by=who.actor,
        )
        return CreatedUser(user=UserOut.of(user), password=password)


@router.get(
    "/organisations",
    response_model=Page[OrganisationOut],
    summary="Organisations (admins see all, others their own)",
)
def organisations(
    who: Annotated[Principal, Depends(principal)],
    page: Annotated[PageQuery, Depends(page_query)],
    svc: AppContext = Depends(app_context),
) -> Page[OrganisationOut]:
    stmt = select(Organisation).order_by(Organisation.name)
    if not who.is_admin:
        stmt = stmt.where(Organisation.id == who.organisation_id)
    with svc.db.reader() as s:
        rows, total = page_of_select(s, stmt, page)
        return Page[OrganisationOut](
            items=[OrganisationOut.of(o) for o in rows],
            total=total,
            limit=page.limit,
            offset=page.offset,
        )


@router.post(
    "/organisations",
    response_model=OrganisationOut,
    status_code=201,
    summary="Create an organisation (admin)",
    responses=problem_responses(409),
)
def create_organisation(
    body: NewOrganisation,
    who: Principal = Depends(need("accounts:write")),
    svc: AppContext = Depends(app_context),
) -> OrganisationOut:
    with svc.db.transaction() as s:
        return OrganisationOut.of(
            user_lib.create_organisation(s, body.name, body.kind, by=who.actor)
        )


@router.get("/audit", response_model=Page[AuditEventOut], summary="The audit log (admin)")
def audit_log(
    who: Annotated[Principal, Depends(need("accounts:write"))],
    page: Annotated[PageQuery, Depends(page_query)],
    subject_type: str | None = Query(None, max_length=50),
    subject_id: str | None = Query(None, max_length=100),
    actor: str | None = Query(None, max_length=100),
    action: str | None = Query(None, max_length=50),
    svc: AppContext = Depends(app_context),
) -> Page[AuditEventOut]:
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc())
    for column, value in (
        (AuditEvent.subject_type, subject_type),
        (AuditEvent.subject_id, subject_id),
        (AuditEvent.actor, actor),
        (AuditEvent.action, action),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    with svc.db.reader() as s:
        rows, total = page_of_select(s, stmt, page)
        items = [AuditEventOut.model_validate(r, from_attributes=True) for r in rows]
        return Page[AuditEventOut](items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/jobs", response_model=Page[JobOut], summary="My background jobs")
def jobs(
    who: Annotated[Principal, Depends(principal)],
    page: Annotated[PageQuery, Depends(page_query)],
    svc: AppContext = Depends(app_context),
) -> Page[JobOut]:
    found = svc.jobs.list_for(user_id=who.user_id, is_admin=who.is_admin)
    found.sort(key=lambda j: j.created_at, reverse=True)
    items, total = page_of_list(found, page)
    return Page[JobOut](
        items=[JobOut.of(j) for j in items], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/jobs/{job_id}", response_model=JobOut, summary="Status, progress and result of a job")
def job(
    job_id: str, who: Principal = Depends(principal), svc: AppContext = Depends(app_context)
) -> JobOut:
    return JobOut.of(svc.jobs.get(job_id, user_id=who.user_id, is_admin=who.is_admin))
