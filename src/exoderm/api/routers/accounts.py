"""Accounts over HTTP: tokens, the current user, users, organisations, the audit log, jobs.

Every rule (who may list users, whose token, whose job) is in :mod:`exoderm.accounts.service`;
these handlers parse the request, call it, and return its read models.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from exoderm.accounts import service
from exoderm.accounts.records import OrganisationKind, Role
from exoderm.accounts.results import (
    AuditEventRead,
    CreatedUserRead,
    IssuedTokenRead,
    MeRead,
    OrganisationRead,
    SecurityNoticesRead,
    TokenRead,
    UserRead,
)
from exoderm.api.problems import problem_responses
from exoderm.serving.auth import Principal, client_address, login_policy, need, principal
from exoderm.serving.context import AppContext, app_context
from exoderm.serving.jobs import JobRead
from exoderm.serving.paging import RecordId, page_query
from exoderm.storage.paging import Page, PageQuery

router = APIRouter(tags=["accounts"], responses=problem_responses(401, 403, 404, 422))
public = APIRouter(tags=["accounts"], responses=problem_responses(401, 422, 429))


class NewUser(BaseModel):
    username: str = Field(min_length=2, max_length=100)
    role: Role
    organisation: str | None = Field(None, description="Organisation name or id.")
    display_name: str = Field("", max_length=200)
    password: str | None = Field(
        None, min_length=10, max_length=1024, description="Omit to have one generated."
    )


class NewOrganisation(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: OrganisationKind


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1024)
    name: str = Field("api", min_length=1, max_length=100)
    scopes: list[str] | None = Field(None, description="Default: every scope of the role.")
    expires_in_days: int | None = Field(None, ge=1, le=3650)
    otp: str | None = Field(
        None,
        max_length=20,
        description="The one-time code from the authenticator app, if the account has one.",
    )


class NewToken(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[str] | None = None
    expires_in_days: int | None = Field(None, ge=1, le=3650)


class Health(BaseModel):
    """Liveness for anyone; no version of exoderm or its components (ASVS 5.0 V13.4.6)."""

    status: str
    database: str


@public.get("/health", response_model=Health, summary="Liveness and database backend")
def health(svc: AppContext = Depends(app_context)) -> Health:
    return Health(status="ok", database=svc.db.backend)


@public.post(
    "/auth/token",
    response_model=IssuedTokenRead,
    status_code=201,
    summary="Exchange a username and password for an API token",
)
def token_by_password(
    body: TokenRequest, request: Request, svc: AppContext = Depends(app_context)
) -> IssuedTokenRead:
    return service.issue_token_by_password(
        svc.db,
        username=body.username,
        password=body.password,
        name=body.name,
        scopes=body.scopes,
        expires_in_days=body.expires_in_days,
        address=client_address(request),
        policy=login_policy(svc),
        otp=body.otp,
    )


@router.get("/me", response_model=MeRead, summary="The authenticated user and its scopes")
def me(who: Principal = Depends(principal), svc: AppContext = Depends(app_context)) -> MeRead:
    with svc.db.reader() as s:
        return service.current_user(s, who.actor, scopes=who.scopes, via=who.via)


@router.get(
    "/me/security-notices",
    response_model=SecurityNoticesRead,
    summary="Suspicious sign-ins and credential changes of my account",
)
def my_security_notices(
    days: Annotated[int, Query(ge=1, le=366, description="How far back to look.")] = 90,
    who: Principal = Depends(principal),
    svc: AppContext = Depends(app_context),
) -> SecurityNoticesRead:
    with svc.db.reader() as s:
        return service.security_notices(s, who.actor, days=days)


@router.get("/tokens", response_model=list[TokenRead], summary="My API tokens")
def my_tokens(
    who: Principal = Depends(principal), svc: AppContext = Depends(app_context)
) -> list[TokenRead]:
    with svc.db.reader() as s:
        return service.list_tokens(s, who.actor)


@router.post(
    "/tokens",
    response_model=IssuedTokenRead,
    status_code=201,
    summary="Create an API token for myself",
)
def create_token(
    body: NewToken, who: Principal = Depends(principal), svc: AppContext = Depends(app_context)
) -> IssuedTokenRead:
    with svc.db.transaction() as s:
        return service.create_token(
            s,
            who.actor,
            name=body.name,
            scopes=body.scopes,
            expires_in_days=body.expires_in_days,
            held_scopes=who.scopes,
            parent_token_id=who.token_id,
        )


@router.delete(
    "/tokens/{token_id}", status_code=204, response_class=Response, summary="Revoke an API token"
)
def revoke(
    token_id: RecordId, who: Principal = Depends(principal), svc: AppContext = Depends(app_context)
) -> Response:
    with svc.db.transaction() as s:
        service.revoke_token(s, who.actor, token_id=token_id)
    svc.token_cache.clear()
    return Response(status_code=204)


@router.get("/users", response_model=Page[UserRead], summary="Users (admin)")
def users(
    who: Annotated[Principal, Depends(need("accounts:write"))],
    page: Annotated[PageQuery, Depends(page_query)],
    role: Role | None = None,
    organisation_id: int | None = Query(None, ge=1, le=2_147_483_647),
    svc: AppContext = Depends(app_context),
) -> Page[UserRead]:
    with svc.db.reader() as s:
        return service.list_users(s, who.actor, role=role, organisation=organisation_id, page=page)


@router.post(
    "/users",
    response_model=CreatedUserRead,
    status_code=201,
    summary="Create a user (admin)",
    responses=problem_responses(409),
)
def create_user(
    body: NewUser,
    who: Principal = Depends(need("accounts:write")),
    svc: AppContext = Depends(app_context),
) -> CreatedUserRead:
    with svc.db.transaction() as s:
        return service.create_user(
            s,
            who.actor,
            username=body.username,
            role=body.role,
            password=body.password,
            organisation=body.organisation,
            display_name=body.display_name,
            second_person=svc.settings.admin_changes_need_approval,
        )


@router.post(
    "/users/{user_id}/approval",
    response_model=UserRead,
    summary="Approve a new admin account another admin created (four-eyes rule)",
    responses=problem_responses(404),
)
def approve_admin(
    user_id: int,
    who: Principal = Depends(need("accounts:write")),
    svc: AppContext = Depends(app_context),
) -> UserRead:
    with svc.db.transaction() as s:
        return service.approve_admin(s, who.actor, user=user_id)


@router.get(
    "/organisations",
    response_model=Page[OrganisationRead],
    summary="Organisations (admins see all, others their own)",
)
def organisations(
    who: Annotated[Principal, Depends(principal)],
    page: Annotated[PageQuery, Depends(page_query)],
    svc: AppContext = Depends(app_context),
) -> Page[OrganisationRead]:
    with svc.db.reader() as s:
        return service.list_organisations(s, who.actor, page=page)


@router.post(
    "/organisations",
    response_model=OrganisationRead,
    status_code=201,
    summary="Create an organisation (admin)",
    responses=problem_responses(409),
)
def create_organisation(
    body: NewOrganisation,
    who: Principal = Depends(need("accounts:write")),
    svc: AppContext = Depends(app_context),
) -> OrganisationRead:
    with svc.db.transaction() as s:
        return service.create_organisation(s, who.actor, name=body.name, kind=body.kind)


@router.get("/audit", response_model=Page[AuditEventRead], summary="The audit log (admin)")
def audit_log(
    who: Annotated[Principal, Depends(need("accounts:write"))],
    page: Annotated[PageQuery, Depends(page_query)],
    subject_type: str | None = Query(None, max_length=50),
    subject_id: str | None = Query(None, max_length=100),
    actor: str | None = Query(None, max_length=100),
    action: str | None = Query(None, max_length=50),
    svc: AppContext = Depends(app_context),
) -> Page[AuditEventRead]:
    with svc.db.reader() as s:
        return service.list_audit(
            s,
            who.actor,
            subject_type=subject_type,
            subject_id=subject_id,
            by=actor,
            action=action,
            page=page,
        )


@router.get("/jobs", response_model=Page[JobRead], summary="My background jobs")
def jobs(
    who: Annotated[Principal, Depends(principal)],
    page: Annotated[PageQuery, Depends(page_query)],
    svc: AppContext = Depends(app_context),
) -> Page[JobRead]:
    found = service.list_jobs(svc.jobs, who.actor, page=page)
    return Page[JobRead](
        items=[JobRead.of(j) for j in found.items],
        total=found.total,
        limit=found.limit,
        offset=found.offset,
    )


@router.get(
    "/jobs/{job_id}", response_model=JobRead, summary="Status, progress and result of a job"
)
def job(
    job_id: str, who: Principal = Depends(principal), svc: AppContext = Depends(app_context)
) -> JobRead:
    return JobRead.of(service.get_job(svc.jobs, who.actor, job_id=job_id))
