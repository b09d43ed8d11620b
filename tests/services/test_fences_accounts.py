"""Fences of the accounts service: org B's people never reach org A's users or tokens.

Where a record belongs to an organisation and the operation is open to its members, an
outsider gets :class:`NotFoundError` (the record does not exist for them). Where the
operation is for admins only (list users, read the audit log, change a role, activate or
deactivate, create users or organisations), everyone else gets :class:`PermissionDenied`
whichever organisation the record is in: refusing before any lookup reveals nothing
about another organisation, and a 403 for an admin function is what an admin-less user
already knows.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from exoderm.accounts import service
from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Role
from exoderm.errors import NotFoundError, PermissionDenied
from tests.services.conftest import Tenants

NON_ADMIN = [r for r in Role if r is not Role.admin]

Call = Callable[[Session, Actor, int, int], object]

#: (name, call(session, actor, a_user_id, a_token_id)) → NotFoundError for an outsider.
HIDDEN: list[tuple[str, Call]] = [
    ("get_user by id", lambda s, who, uid, tid: service.get_user(s, who, ref=uid)),
    ("get_user by name", lambda s, who, uid, tid: service.get_user(s, who, ref="viewer_a")),
    (
        "set_password",
        lambda s, who, uid, tid: service.set_password(
            s, who, user=uid, password="another-long-password"
        ),
    ),
    ("list_tokens", lambda s, who, uid, tid: service.list_tokens(s, who, user=uid)),
    (
        "create_token",
        lambda s, who, uid, tid: service.create_token(s, who, user=uid, name="sneaky"),
    ),
    ("revoke_token", lambda s, who, uid, tid: service.revoke_token(s, who, token_id=tid)),
    ("get_organisation", lambda s, who, uid, tid: service.get_organisation(s, who, ref="Org A")),
]

#: Admin-only operations: PermissionDenied for every non-admin, whatever the record.
ADMIN_ONLY: list[tuple[str, Call]] = [
    ("list_users", lambda s, who, uid, tid: service.list_users(s, who, organisation="Org A")),
    ("list_audit", lambda s, who, uid, tid: service.list_audit(s, who, subject_id=str(uid))),
    ("set_role", lambda s, who, uid, tid: service.set_role(s, who, user=uid, role="viewer")),
    ("set_active", lambda s, who, uid, tid: service.set_active(s, who, user=uid, active=False)),
    (
        "create_user",
        lambda s, who, uid, tid: service.create_user(
            s, who, username="intruder", role="viewer", organisation="Org A"
        ),
    ),
    (
        "create_organisation",
        lambda s, who, uid, tid: service.create_organisation(s, who, name="Org C", kind="lab"),
    ),
]


def _a_records(tenants: Tenants) -> tuple[int, int]:
    """A user of org A (its viewer) and a token of theirs."""
    owner = tenants.a[Role.viewer]
    assert owner.user_id is not None
    with tenants.db.transaction() as s:
        issued = service.create_token(s, owner, name="a-token")
    return owner.user_id, issued.info.id


@pytest.mark.parametrize(("name", "call"), HIDDEN, ids=[n for n, _ in HIDDEN])
def test_other_organisation_is_not_found(tenants: Tenants, name: str, call: Call) -> None:
    uid, tid = _a_records(tenants)
    for role in NON_ADMIN:  # every role of org B (a loop: the fixture hashes 9 passwords)
        with tenants.db.transaction() as s, pytest.raises(NotFoundError):
            call(s, tenants.b[role], uid, tid)
    with tenants.db.reader() as s:  # and the record is untouched, still there for its owner
        assert service.get_user(s, tenants.a[Role.viewer], ref=uid).is_active
        tokens = service.list_tokens(s, tenants.a[Role.viewer])
        assert [t.revoked_at for t in tokens] == [None]


@pytest.mark.parametrize(("name", "call"), ADMIN_ONLY, ids=[n for n, _ in ADMIN_ONLY])
def test_admin_only_operations_are_denied(tenants: Tenants, name: str, call: Call) -> None:
    uid, tid = _a_records(tenants)
    for role in NON_ADMIN:
        for side in (tenants.b, tenants.a):
            with tenants.db.transaction() as s, pytest.raises(PermissionDenied):
                call(s, side[role], uid, tid)


def test_admin_passes_every_fence(tenants: Tenants) -> None:
    uid, tid = _a_records(tenants)
    with tenants.db.transaction() as s:
        for _, call in HIDDEN + ADMIN_ONLY:
            call(s, tenants.admin, uid, tid)


def test_colleague_sees_but_cannot_act_on_a_user(tenants: Tenants) -> None:
    uid, tid = _a_records(tenants)
    colleague = tenants.a[Role.scientist]
    with tenants.db.transaction() as s:
        assert service.get_user(s, colleague, ref=uid).username == "viewer_a"
        with pytest.raises(PermissionDenied):
            service.list_tokens(s, colleague, user=uid)
        with pytest.raises(NotFoundError):  # someone else's token: not found, as before
            service.revoke_token(s, colleague, token_id=tid)


def test_organisations_list_is_fenced(tenants: Tenants) -> None:
    with tenants.db.reader() as s:
        for role in NON_ADMIN:
            names = [o.name for o in service.list_organisations(s, tenants.b[role]).items]
            assert names == ["Org B"]
        assert service.list_organisations(s, tenants.admin).total == 2


def test_jobs_are_their_owners(tenants: Tenants) -> None:
    from exoderm.serving.jobs import JobRunner

    runner = JobRunner(max_workers=1)
    try:
        owner = tenants.a[Role.scientist]
        job = runner.submit(
            "x", lambda report: 1, owner_id=owner.user_id, organisation_id=owner.organisation_id
        )
        assert service.get_job(runner, owner, job_id=job.id) is job
        assert service.get_job(runner, tenants.admin, job_id=job.id) is job
        for role in NON_ADMIN:
            with pytest.raises(NotFoundError):
                service.get_job(runner, tenants.b[role], job_id=job.id)
            assert service.list_jobs(runner, tenants.b[role]).total == 0
        assert service.list_jobs(runner, owner).total == 1
    finally:
        runner.shutdown()
