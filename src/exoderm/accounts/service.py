"""The accounts service: organisations, users, API tokens, browser sessions, the audit log,
and whose background job is whose.

Every access rule of accounts lives here, once. Functions take the caller's
:class:`~sqlalchemy.orm.Session` (or, for a login, the :class:`~exoderm.storage.Database`,
because a failed attempt must be committed although the login fails) and the acting
:class:`~exoderm.accounts.actor.Actor`, and return the read models of
:mod:`exoderm.accounts.results`.

The rules:

- creating organisations and users, changing a user's role or activation, listing users
  and reading the audit log are for admins only (:class:`~exoderm.errors.PermissionDenied`
  for everyone else, whichever organisation the record belongs to);
- a non-admin never learns that a user or token of another organisation exists: it is
  :class:`~exoderm.errors.NotFoundError`, as for an id that was never issued;
- within their organisation, non-admins may see users, but act only on themselves
  (their password, their tokens);
- a token never grants more than the role of its owner, nor more than the credential that
  creates it;
- a background job is seen by the user who started it, and by admins.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from exoderm.accounts import admin_approval, audit, audit_seal, second_factor, security_keys
from exoderm.accounts import security_notices as notice_lib
from exoderm.accounts import sessions as session_lib
from exoderm.accounts import tokens as token_lib
from exoderm.accounts import users as user_lib
from exoderm.accounts.actor import Actor
from exoderm.accounts.login import LoginFailed, login, login_with_security_key
from exoderm.accounts.records import (
    ApiToken,
    AuditEvent,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from exoderm.accounts.results import (
    AuditEventRead,
    AuditSealRead,
    CreatedUserRead,
    IssuedTokenRead,
    MeRead,
    OpenedSession,
    OrganisationRead,
    SecondFactorEnrolment,
    SecurityKeyCeremony,
    SecurityKeyRead,
    SecurityNoticeRead,
    SecurityNoticesRead,
    SessionRead,
    TokenRead,
    UserRead,
)
from exoderm.accounts.scopes import parse_scopes
from exoderm.accounts.throttle import LoginPolicy
from exoderm.clients.keys import cipher
from exoderm.errors import NotFoundError, PermissionDenied, UserInputError
from exoderm.storage.engine import Database
from exoderm.storage.paging import FIRST_PAGE, Page, PageQuery, page_of_list, page_of_select

__all__ = [
    "JobBoard",
    "admins_awaiting_approval",
    "approve_admin",
    "change_own_password",
    "create_organisation",
    "create_token",
    "create_user",
    "current_user",
    "end_browser_session",
    "get_job",
    "get_organisation",
    "get_user",
    "issue_token_by_password",
    "list_audit",
    "list_jobs",
    "list_organisations",
    "list_tokens",
    "list_users",
    "open_browser_session",
    "reauthenticate",
    "record_denied_access",
    "revoke_token",
    "security_notices",
    "set_active",
    "set_password",
    "set_role",
    "verify_audit_log",
]


# --- the fences --------------------------------------------------------------------------


def _is_admin(actor: Actor) -> bool:
    return actor.role is Role.admin


def _visible_user(session: Session, actor: Actor, ref: int | str) -> User:
    """A user the actor may see: any for admins, their organisation's for others."""
    user = user_lib.get_user(session, ref)
    if not _is_admin(actor) and (
        actor.organisation_id is None or not actor.may_see_organisation(user.organisation_id)
    ):
        raise NotFoundError(f"no user {ref!r}")
    return user


def _own_or_admin(session: Session, actor: Actor, ref: int | str | None, action: str) -> User:
    """The user an actor acts on as owner: themselves, or (for admins) anyone."""
    if ref is None:
        if actor.user_id is None:
            raise UserInputError(
                f"{actor.username} is not a stored user", field="user", expected="a username"
            )
        return user_lib.get_user(session, actor.user_id)
    user = _visible_user(session, actor, ref)
    if not _is_admin(actor) and user.id != actor.user_id:
        raise PermissionDenied(f"{actor.username} may not {action} of another user")
    return user


def _me(session: Session, actor: Actor) -> User:
    return _own_or_admin(session, actor, None, "act")


# --- organisations -----------------------------------------------------------------------


def create_organisation(
    session: Session, actor: Actor, *, name: str, kind: OrganisationKind | str
) -> OrganisationRead:
    """Create a clinic, lab or company (admins only); names are unique.

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who acts; must be an admin.
    name : str
        1–200 characters, unique.
    kind : OrganisationKind or str
        ``clinic``, ``lab`` or ``company``.

    Returns
    -------
    OrganisationRead
        The new organisation; its creation is in the audit log.

    Raises
    ------
    PermissionDenied
        For a non-admin.
    ConflictError
        If the name is taken.

    References
    ----------
    .. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0,
       V8 Authorization (administrative functions restricted to administrators).
       https://owasp.org/www-project-application-security-verification-standard/
    .. [2] ISO/IEC 27001:2022, Annex A 8.15 Logging.

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> root = Actor(username="root", role=Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     create_organisation(s, root, name="Clinic A", kind="clinic").name
    'Clinic A'
    """
    actor.require(Role.admin, action="create organisations")
    org = user_lib.create_organisation(session, name, kind, by=actor)
    return OrganisationRead.model_validate(org)


def list_organisations(
    session: Session, actor: Actor, *, page: PageQuery = FIRST_PAGE
) -> Page[OrganisationRead]:
    """Organisations by name: every one for admins, one's own for everyone else.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks.
    page : PageQuery
        Which page.

    Returns
    -------
    Page[OrganisationRead]
        The visible organisations.

    References
    ----------
    .. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0,
       V8.2 General Authorization Design (data-level access, tenant isolation).

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> root = Actor(username="root", role=Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     a = create_organisation(s, root, name="A", kind="lab")
    ...     b = create_organisation(s, root, name="B", kind="lab")
    ...     viewer = Actor(username="v", role=Role.viewer, organisation_id=b.id)
    ...     [o.name for o in list_organisations(s, viewer).items]
    ['B']
    """
    stmt = select(Organisation).order_by(Organisation.name)
    if not _is_admin(actor):
        stmt = stmt.where(Organisation.id == actor.organisation_id)
    rows, total = page_of_select(session, stmt, page)
    items = [OrganisationRead.model_validate(o) for o in rows]
    return Page[OrganisationRead](items=items, total=total, limit=page.limit, offset=page.offset)


def get_organisation(session: Session, actor: Actor, *, ref: int | str) -> OrganisationRead:
    """One organisation by id or name; another organisation is "not found" for non-admins.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks.
    ref : int or str
        The id or the name.

    Returns
    -------
    OrganisationRead
        The organisation.

    Raises
    ------
    NotFoundError
        If there is none, or it is not the actor's and the actor is no admin.

    References
    ----------
    .. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0,
       V8.2 General Authorization Design.

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> root = Actor(username="root", role=Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     org = create_organisation(s, root, name="Lab", kind="lab")
    ...     get_organisation(s, root, ref="Lab").id == org.id
    True
    """
    org = user_lib.get_organisation(session, ref)
    if not actor.may_see_organisation(org.id):
        raise NotFoundError(f"no organisation {ref!r}")
    return OrganisationRead.model_validate(org)


# --- users -------------------------------------------------------------------------------


def create_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    role: Role | str,
    organisation: int | str | None = None,
    display_name: str = "",
    password: str | None = None,
    second_person: bool = False,
) -> CreatedUserRead:
    """Create a user (admins only); every role but admin needs an organisation.

    Under the four-eyes rule (``second_person``, the setting
    ``admin_changes_need_approval``) a new *admin* is created inactive and signs in only
    after another admin approves it (:func:`approve_admin`).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who acts; must be an admin.
    username : str
        2–100 characters: letters, digits, ``.``, ``_``, ``@``, ``-``; unique.
    role : Role or str
        The new user's role.
    organisation : int or str, optional
        Name or id of the organisation (required unless ``role`` is admin).
    display_name : str
        The name shown in the web application (default: the username).
    password : str, optional
        At least 10 characters; omitted, a random 20-character one is generated.
    second_person : bool
        Hold a new admin until a second admin approves it.

    Returns
    -------
    CreatedUserRead
        The user, the password to hand over once, and whether it awaits approval.

    References
    ----------
    .. [1] Grassi, P. A. et al. (2017, rev. 4 2024). NIST SP 800-63B Digital Identity
       Guidelines: Authentication and Lifecycle Management, §5.1.1 Memorized Secrets.
       doi:10.6028/NIST.SP.800-63b
    .. [2] Biryukov, A., Dinu, D., Khovratovich, D. et al. (2021). Argon2 Memory-Hard
       Function for Password Hashing and Proof-of-Work Applications. RFC 9106.
       doi:10.17487/RFC9106
    .. [3] OWASP Foundation (2025). Application Security Verification Standard 5.0,
       V6 Authentication.

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> root = Actor(username="root", role=Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     lab = create_organisation(s, root, name="Lab", kind="lab")
    ...     made = create_user(s, root, username="ana", role="scientist", organisation="Lab")
    ...     made.user.role.value, len(made.password)
    ('scientist', 20)
    """
    actor.require(Role.admin, action="create users")
    user, secret = user_lib.create_user(
        session,
        username,
        role,
        password=password,
        organisation=organisation,
        display_name=display_name,
        by=actor,
    )
    held = second_person and user.role is Role.admin
    if held:
        admin_approval.request_approval(session, actor, user)
    return CreatedUserRead(
        user=UserRead.model_validate(user), password=secret, awaiting_approval=held
    )


def approve_admin(session: Session, actor: Actor, *, user: int | str) -> UserRead:
    """Approve a new admin account another admin created under the four-eyes rule.

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who approves; an admin other than the one who created the account.
    user : int or str
        Id or username of the account waiting for approval.

    Returns
    -------
    UserRead
        The user, now active.

    Raises
    ------
    UserInputError
        Nothing waits for approval, or the actor created the account.

    References
    ----------
    .. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0.0,
       V2.3.5 (multi-user approval of high-value flows).
    .. [2] NIST SP 800-53 Rev. 5 (2020), AC-5 (separation of duties).
       doi:10.6028/NIST.SP.800-53r5

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> ada, grace = Actor("ada", Role.admin), Actor("grace", Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     made = create_user(s, ada, username="alan", role="admin", second_person=True)
    ...     approved = approve_admin(s, grace, user="alan")
    >>> made.awaiting_approval, made.user.is_active, approved.is_active
    (True, False, True)
    """
    actor.require(Role.admin, action="approve admin accounts")
    row = user_lib.get_user(session, user)
    admin_approval.approve(session, actor, row)
    return UserRead.model_validate(row)


def list_users(
    session: Session,
    actor: Actor,
    *,
    role: Role | None = None,
    organisation: int | str | None = None,
    page: PageQuery = FIRST_PAGE,
) -> Page[UserRead]:
    """Users by username, optionally of one role or organisation (admins only).

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks; must be an admin.
    role : Role, optional
        Only users with this role.
    organisation : int or str, optional
        Only users of this organisation (id or name).
    page : PageQuery
        Which page.

    Returns
    -------
    Page[UserRead]
        The users.

    References
    ----------
    .. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0,
       V8 Authorization.

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> root = Actor(username="root", role=Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     _ = create_user(s, root, username="boss", role="admin", password="long-enough-1")
    ...     list_users(s, root).total
    1
    """
    actor.require(Role.admin, action="list users")
    stmt = select(User).order_by(User.username)
    if role is not None:
        stmt = stmt.where(User.role == role)
    if organisation is not None:
        org_id = user_lib.get_organisation(session, organisation).id
        stmt = stmt.where(User.organisation_id == org_id)
    rows, total = page_of_select(session, stmt, page)
    items = [UserRead.model_validate(u) for u in rows]
    return Page[UserRead](items=items, total=total, limit=page.limit, offset=page.offset)


def get_user(session: Session, actor: Actor, *, ref: int | str) -> UserRead:
    """One user by id or username; another organisation's user is "not found".

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks: admins see everyone, others the users of their organisation.
    ref : int or str
        The id or the username.

    Returns
    -------
    UserRead
        The user.

    Raises
    ------
    NotFoundError
        If there is none, or it belongs to another organisation and the actor is no admin.

    References
    ----------
    .. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0,
       V8.2 General Authorization Design.

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> root = Actor(username="root", role=Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     made = create_user(s, root, username="boss", role="admin", password="long-enough-1")
    ...     get_user(s, root, ref="boss").id == made.user.id
    True
    """
    return UserRead.model_validate(_visible_user(session, actor, ref))


def current_user(session: Session, actor: Actor, *, scopes: Iterable[str], via: str) -> MeRead:
    """The acting user, with the scopes of the credential it authenticated with.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        The authenticated actor (a stored user).
    scopes : iterable of str
        The effective scopes of its credential.
    via : str
        ``token`` or ``session``.

    Returns
    -------
    MeRead
        The user, its sorted scopes and how it authenticated.

    References
    ----------
    .. [1] Jones, M. & Hardt, D. (2012). The OAuth 2.0 Authorization Framework: Bearer
       Token Usage. RFC 6750. doi:10.17487/RFC6750

    Examples
    --------
    >>> from exoderm.accounts.users import actor_for
    >>> from exoderm.storage.scratch import scratch_database
    >>> root = Actor(username="root", role=Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     made = create_user(s, root, username="boss", role="admin", password="long-enough-1")
    ...     me = actor_for(user_lib.get_user(s, made.user.id))
    ...     current_user(s, me, scopes={"qc:read"}, via="token").scopes
    ['qc:read']
    """
    user = _me(session, actor)
    return MeRead(
        **UserRead.model_validate(user).model_dump(), scopes=sorted(scopes), authenticated_by=via
    )


def set_role(session: Session, actor: Actor, *, user: int | str, role: Role | str) -> UserRead:
    """Change a user's role (admins only); a non-admin role needs an organisation.

    The user's tokens lose, at once, whatever the new role may not do (effective scopes
    are the token's intersected with the role's, see
    :func:`exoderm.accounts.tokens.resolve_token`).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who acts; must be an admin.
    user : int or str
        Id or username.
    role : Role or str
        The new role.

    Returns
    -------
    UserRead
        The user with its new role.

    References
    ----------
    .. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0,
       V8 Authorization.

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> root = Actor(username="root", role=Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     _ = create_organisation(s, root, name="Lab", kind="lab")
    ...     _ = create_user(s, root, username="ana", role="viewer", organisation="Lab",
    ...                     password="long-enough-1")
    ...     set_role(s, root, user="ana", role="qc_analyst").role.value
    'qc_analyst'
    """
    actor.require(Role.admin, action="change roles")
    row = user_lib.get_user(session, user)
    new_role = user_lib.parse_role(role)
    if new_role is not Role.admin and row.organisation_id is None:
        raise UserInputError(
            f"a {new_role.value} must belong to an organisation",
            field="role",
            expected="admin, or first give the user an organisation",
        )
    if new_role is not row.role:
        old = row.role
        row.role = new_role
        audit.record(
            session,
            actor=actor.username,
            action="set_role",
            subject_type="user",
            subject_id=row.id,
            organisation_id=row.organisation_id,
            detail={"from": old.value, "to": new_role.value},
        )
    return UserRead.model_validate(row)


def verify_audit_log(session: Session, actor: Actor) -> AuditSealRead:
    """Check the audit log's hash chain: a changed, removed or inserted event shows.

    Parameters
    ----------
    session : Session
        A read transaction.
    actor : Actor
        An admin.

    Returns
    -------
    AuditSealRead
        Whether the chain is intact, the counts, and the first break with its event.

    References
    ----------
    .. [1] OWASP Foundation (2025). ASVS 5.0.0, V16.4.2 (logs cannot be modified).
    .. [2] Schneier, B. & Kelsey, J. (1999). Secure audit logs to support computer
       forensics. ACM TISSEC 2(2), 159-176. doi:10.1145/317087.317089

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> db, root = scratch_database(), Actor("root", Role.admin)
    >>> with db.transaction() as s:
    ...     _ = create_organisation(s, root, name="Lab", kind="lab")
    >>> with db.reader() as s:
    ...     verify_audit_log(s, root).intact
    True
    """
    actor.require(Role.admin, action="verify the audit log")
    found = audit_seal.verify(session)
    return AuditSealRead(
        intact=found.intact,
        sealed=found.sealed,
        unsealed=found.unsealed,
        problem=found.problem,
        event_id=found.event_id,
    )


def admins_awaiting_approval(session: Session, actor: Actor) -> list[UserRead]:
    """The new admin accounts waiting for a second admin's approval (admins only).

    Parameters
    ----------
    session : Session
        Open database session.
    actor : Actor
        An admin.

    Returns
    -------
    list of UserRead
        The inactive admins whose latest approval event is a request, by username.

    References
    ----------
    .. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0.0,
       V2.3.5 (multi-user approval of high-value flows).

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> ada = Actor("ada", Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     _ = create_user(s, ada, username="alan", role="admin", second_person=True)
    ...     [u.username for u in admins_awaiting_approval(s, ada)]
    ['alan']
    """
    actor.require(Role.admin, action="see admin accounts awaiting approval")
    held = session.scalars(
        select(User)
        .where(User.role == Role.admin, User.is_active.is_(False))
        .order_by(User.username)
    )
    return [
        UserRead.model_validate(u)
        for u in held
        if admin_approval.pending_request(session, u) is not None
    ]


def set_active(session: Session, actor: Actor, *, user: int | str, active: bool) -> UserRead:
    """Deactivate (or re-activate) a user (admins only); a deactivated user cannot log in
    nor use tokens, and its sessions stop working at once.

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who acts; must be an admin.
    user : int or str
        Id or username.
    active : bool
        False to deactivate.

    Returns
    -------
    UserRead
        The user.

    References
    ----------
    .. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0,
       V7.4 Session Termination (disabled accounts end their sessions).

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> root = Actor(username="root", role=Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     _ = create_user(s, root, username="boss", role="admin", password="long-enough-1")
    ...     set_active(s, root, user="boss", active=False).is_active
    False
    """
    actor.require(Role.admin, action="activate or deactivate users")
    row = user_lib.get_user(session, user)
    if active and admin_approval.pending_request(session, row) is not None:
        raise UserInputError(
            f"{row.username} is a new admin waiting for a second admin's approval",
            field="active",
            expected="approval by another admin ('exoderm user approve', the admin page)",
        )
    user_lib.set_active(session, row, active, by=actor)
    return UserRead.model_validate(row)


def set_password(
    session: Session,
    actor: Actor,
    *,
    password: str,
    user: int | str | None = None,
    keep_sessions: bool = False,
    keep_tokens: bool = False,
) -> UserRead:
    """Replace a password: one's own, or (admins) anyone's; policy-checked, argon2id-hashed.

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who acts.
    password : str
        The new password, 10–1024 characters.
    user : int or str, optional
        Whose (id or username); default the actor. Another organisation's user is "not
        found" for a non-admin; a colleague's password is :class:`PermissionDenied`.
    keep_sessions : bool
        Keep the user's browser sessions (default: every one ends).
    keep_tokens : bool
        Keep the user's API tokens (default: every one is revoked).

    Returns
    -------
    UserRead
        The user.

    References
    ----------
    .. [1] Grassi, P. A. et al. (2017, rev. 4 2024). NIST SP 800-63B, §5.1.1.2 Memorized
       Secret Verifiers. doi:10.6028/NIST.SP.800-63b
    .. [2] Biryukov, A., Dinu, D., Khovratovich, D. et al. (2021). Argon2. RFC 9106.
       doi:10.17487/RFC9106

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> root = Actor(username="root", role=Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     _ = create_user(s, root, username="boss", role="admin", password="long-enough-1")
    ...     set_password(s, root, user="boss", password="another-long-1").username
    'boss'
    """
    row = _own_or_admin(session, actor, user, "set the password")
    user_lib.set_password(session, row, password, by=actor)
    _end_credentials(
        session,
        actor,
        row,
        keep_cookie=None,
        keep_sessions=keep_sessions,
        keep_tokens=keep_tokens,
    )
    return UserRead.model_validate(row)


def _end_credentials(
    session: Session,
    actor: Actor,
    user: User,
    *,
    keep_cookie: str | None,
    keep_sessions: bool,
    keep_tokens: bool,
) -> tuple[int, int]:
    """After a password change: end the user's sessions (but ``keep_cookie``'s) and revoke
    its tokens, unless kept; audited. Returns (sessions ended, tokens revoked)."""
    sessions = 0 if keep_sessions else session_lib.end_other_sessions(session, user.id, keep_cookie)
    tokens = 0 if keep_tokens else token_lib.revoke_all_tokens(session, user.id)
    audit.record(
        session,
        actor=actor.username,
        action="end_credentials",
        subject_type="user",
        subject_id=user.id,
        organisation_id=user.organisation_id,
        detail={"sessions": sessions, "tokens": tokens},
    )
    return sessions, tokens


def change_own_password(
    db: Database,
    actor: Actor,
    *,
    current_password: str,
    new_password: str,
    keep_cookie: str | None = None,
    address: str | None = None,
    keep_tokens: bool = False,
    policy: LoginPolicy | None = None,
) -> int:
    """Change one's password after re-checking the current one (throttled like a login);
    every other browser session of the user ends, and every API token is revoked unless
    ``keep_tokens``.

    Parameters
    ----------
    db : Database
        The database (a wrong current password is committed as a failed attempt).
    actor : Actor
        The logged-in user.
    current_password : str
        Checked as a login would be.
    new_password : str
        The new password.
    keep_cookie : str, optional
        The session cookie of the browser making the change (it stays logged in).
    address : str, optional
        The client's address, for throttling.
    keep_tokens : bool
        Keep the user's API tokens (default: every one is revoked).
    policy : LoginPolicy, optional
        Login limits (default: from the settings).

    Returns
    -------
    int
        How many other sessions were ended.

    Raises
    ------
    UserInputError
        If the current password is wrong.

    References
    ----------
    .. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0,
       V6.2 Password Security (re-authentication to change a password) and V7.4 Session
       Termination (other sessions end after a password change).
    .. [2] Grassi, P. A. et al. (2017, rev. 4 2024). NIST SP 800-63B, §5.2.2 Rate
       Limiting. doi:10.6028/NIST.SP.800-63b

    Examples
    --------
    A user without a password (none set yet) cannot confirm one:

    >>> from exoderm.storage.scratch import scratch_database
    >>> db = scratch_database()
    >>> with db.transaction() as s:
    ...     s.add(User(username="boss", role=Role.admin, password_hash=None))
    >>> me = Actor("boss", Role.admin, user_id=1)
    >>> change_own_password(db, me, current_password="not-my-password",
    ...                     new_password="another-long-1")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    exoderm.errors.UserInputError: field 'current_password': the current password is wrong...
    """
    try:
        login(db, actor.username, current_password, address, policy=policy, second_factor=False)
    except LoginFailed:
        raise UserInputError(
            "the current password is wrong",
            field="current_password",
            expected="your current password",
        ) from None
    with db.transaction() as session:
        row = _me(session, actor)
        user_lib.set_password(session, row, new_password, by=actor, field="new_password")
        ended, _ = _end_credentials(
            session,
            actor,
            row,
            keep_cookie=keep_cookie,
            keep_sessions=False,
            keep_tokens=keep_tokens,
        )
        return ended


# --- browser sessions --------------------------------------------------------------------


def open_browser_session(
    db: Database,
    *,
    username: str,
    password: str,
    address: str | None = None,
    policy: LoginPolicy | None = None,
    lifetime_hours: int | None = None,
    otp: str | None = None,
    rp: security_keys.RelyingParty | None = None,
    max_sessions: int = session_lib.MAX_SESSIONS_PER_USER,
) -> OpenedSession:
    """Log in from a browser: throttle, verify, and start a server-side session.

    Parameters
    ----------
    db : Database
        The database.
    username, password : str
        The credentials.
    address : str, optional
        The client's address, for throttling.
    policy : LoginPolicy, optional
        Login limits (default: from the settings).
    lifetime_hours : int, optional
        The session's absolute lifetime (default 12 h).
    otp : str, optional
        The one-time code, required when the user has a TOTP second factor.
    rp : RelyingParty, optional
        The configured WebAuthn relying party, so that a user with a security key gets its
        challenge (:class:`~exoderm.accounts.login.SecurityKeyRequired`).
    max_sessions : int, optional
        Sessions the user may hold at once; the least recently used beyond it end.

    Returns
    -------
    OpenedSession
        The user id and the cookie value (its digest is stored, with a CSRF token).

    Raises
    ------
    LoginFailed
        For a wrong username or password (not saying which).
    SecurityKeyRequired
        The password was right and the user logs in with a security key: finish with
        :func:`open_browser_session_with_security_key`.
    TooManyAttempts
        While the username or address is throttled.

    References
    ----------
    .. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0,
       V7 Session Management (server-side sessions, 128+ bits of entropy).
    .. [2] Grassi, P. A. et al. (2017, rev. 4 2024). NIST SP 800-63B, §5.2.2 Rate
       Limiting and §7.1 Session Bindings. doi:10.6028/NIST.SP.800-63b

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> db = scratch_database()
    >>> with db.transaction() as s:
    ...     _ = create_user(s, Actor("root", Role.admin), username="boss", role="admin",
    ...                     password="long-enough-1")
    >>> len(open_browser_session(db, username="boss", password="long-enough-1").cookie_value)
    43
    """
    user_id = login(db, username, password, address, policy=policy, otp=otp, rp=rp)
    return _opened(db, user_id, lifetime_hours, max_sessions, address)


def _opened(
    db: Database,
    user_id: int,
    lifetime_hours: int | None,
    max_sessions: int = session_lib.MAX_SESSIONS_PER_USER,
    address: str | None = None,
) -> OpenedSession:
    with db.transaction() as session:
        started = session_lib.start_session(
            session,
            user_lib.get_user(session, user_id),
            lifetime_hours=lifetime_hours,
            max_sessions=max_sessions,
            address=address,
        )
        return OpenedSession(user_id=user_id, cookie_value=started.cookie_value)


def end_browser_session(session: Session, *, cookie_value: str) -> None:
    """Log out: revoke the session behind a cookie (no error if there is none).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    cookie_value : str
        The session cookie presented.

    Returns
    -------
    None

    References
    ----------
    .. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0,
       V7.4 Session Termination (logout invalidates the session server-side).

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().transaction() as s:
    ...     end_browser_session(s, cookie_value="not-a-session")
    """
    session_lib.end_session(session, cookie_value)


# --- API tokens --------------------------------------------------------------------------


def _issued(issued: token_lib.IssuedToken) -> IssuedTokenRead:
    return IssuedTokenRead(token=issued.token, info=TokenRead.model_validate(issued.record))


def issue_token_by_password(
    db: Database,
    *,
    username: str,
    password: str,
    name: str = "api",
    scopes: list[str] | None = None,
    expires_in_days: int | None = None,
    address: str | None = None,
    policy: LoginPolicy | None = None,
    otp: str | None = None,
) -> IssuedTokenRead:
    """Exchange a username and password for an API token (throttled like any login).

    Parameters
    ----------
    db : Database
        The database.
    username, password : str
        The credentials.
    name : str
        What the token is for.
    scopes : list of str, optional
        Requested scopes (default every scope of the role).
    expires_in_days : int, optional
        1–3650 days; default never.
    address : str, optional
        The client's address, for throttling.
    policy : LoginPolicy, optional
        Login limits (default: from the settings).
    otp : str, optional
        The one-time code, required when the user has a second factor.

    Returns
    -------
    IssuedTokenRead
        The bearer token (shown once) and its listing.

    References
    ----------
    .. [1] Jones, M. & Hardt, D. (2012). RFC 6750 Bearer Token Usage.
       doi:10.17487/RFC6750
    .. [2] OWASP Foundation (2025). Application Security Verification Standard 5.0,
       V6.3 General Authentication Security (rate limiting) and V9 Self-contained Tokens.

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> db = scratch_database()
    >>> with db.transaction() as s:
    ...     _ = create_user(s, Actor("root", Role.admin), username="boss", role="admin",
    ...                     password="long-enough-1")
    >>> issue_token_by_password(db, username="boss", password="long-enough-1",
    ...                         scopes=["qc:read"]).info.scopes
    ['qc:read']
    """
    user_id = login(db, username, password, address, policy=policy, otp=otp)
    with db.transaction() as session:
        issued = token_lib.issue_token(
            session,
            user_lib.get_user(session, user_id),
            name=name,
            scopes=scopes,
            expires_in_days=expires_in_days,
        )
        return _issued(issued)


def create_token(
    session: Session,
    actor: Actor,
    *,
    name: str,
    scopes: list[str] | None = None,
    expires_in_days: int | None = None,
    user: int | str | None = None,
    held_scopes: frozenset[str] | None = None,
    parent_token_id: int | None = None,
) -> IssuedTokenRead:
    """Create an API token: for oneself, or (admins) for any user.

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who acts.
    name : str
        What the token is for (1–100 characters).
    scopes : list of str, optional
        ``*``, ``area:read``, ``area:write`` or ``area:*``; default: ``held_scopes`` if
        given, else every scope of the owner's role.
    expires_in_days : int, optional
        1–3650 days; default never.
    user : int or str, optional
        Whose token (default the actor's own).
    held_scopes : frozenset of str, optional
        The scopes of the credential making the request: a token never grants more
        (:class:`PermissionDenied` otherwise).
    parent_token_id : int, optional
        The token making the request, if it came with one: the new token becomes its
        child, never wider (scopes) nor longer-lived (expiry) than it, and revoked with it.

    Returns
    -------
    IssuedTokenRead
        The bearer token (shown once) and its listing.

    References
    ----------
    .. [1] Jones, M. & Hardt, D. (2012). RFC 6750 Bearer Token Usage.
       doi:10.17487/RFC6750
    .. [2] OWASP Foundation (2025). Application Security Verification Standard 5.0,
       V8.2 General Authorization Design (least privilege).

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> root = Actor(username="root", role=Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     _ = create_user(s, root, username="boss", role="admin", password="long-enough-1")
    ...     create_token(s, root, user="boss", name="ci", scopes=["qc:*"]).info.scopes
    ['qc:read', 'qc:write']
    """
    owner = _own_or_admin(session, actor, user, "create tokens")
    parent: ApiToken | None = None
    if parent_token_id is not None:
        parent = session.get(ApiToken, parent_token_id)
        if (
            parent is None
            or parent.user_id != actor.user_id
            or not token_lib.lineage_valid(session, parent)
        ):
            raise PermissionDenied("the token making this request is no longer valid")
    requested = scopes or (sorted(held_scopes) if held_scopes is not None else None)
    if held_scopes is not None:
        beyond = set(parse_scopes(requested or ["*"], owner.role)) - held_scopes
        if beyond:
            raise PermissionDenied(
                f"{actor.username} ({actor.role.value}) lacks the scope {sorted(beyond)[0]!r}"
                " for this"
            )
    issued = token_lib.issue_token(
        session,
        owner,
        name=name,
        scopes=requested,
        expires_in_days=expires_in_days,
        by=actor,
        parent=parent,
    )
    return _issued(issued)


def list_tokens(
    session: Session, actor: Actor, *, user: int | str | None = None
) -> list[TokenRead]:
    """API tokens, oldest first: one's own, or (admins) any user's. Never the secrets.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks.
    user : int or str, optional
        Whose tokens (default the actor's own).

    Returns
    -------
    list of TokenRead
        The tokens, revoked ones included.

    References
    ----------
    .. [1] Jones, M. & Hardt, D. (2012). RFC 6750 Bearer Token Usage.
       doi:10.17487/RFC6750

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> root = Actor(username="root", role=Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     _ = create_user(s, root, username="boss", role="admin", password="long-enough-1")
    ...     _ = create_token(s, root, user="boss", name="ci")
    ...     [t.name for t in list_tokens(s, root, user="boss")]
    ['ci']
    """
    owner = _own_or_admin(session, actor, user, "list the tokens")
    stmt = select(ApiToken).where(ApiToken.user_id == owner.id).order_by(ApiToken.id)
    return [TokenRead.model_validate(t) for t in session.scalars(stmt)]


def revoke_token(session: Session, actor: Actor, *, token_id: int) -> TokenRead:
    """Revoke a token: its owner or an admin may; to anyone else it does not exist.

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who acts.
    token_id : int
        The token's id.

    Returns
    -------
    TokenRead
        The revoked token (revoking twice is harmless).

    Raises
    ------
    NotFoundError
        For an unknown id or someone else's token.

    References
    ----------
    .. [1] Jones, M. & Hardt, D. (2012). RFC 6750 Bearer Token Usage, §5.3 (revocable,
       short-lived tokens). doi:10.17487/RFC6750

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> root = Actor(username="root", role=Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     _ = create_user(s, root, username="boss", role="admin", password="long-enough-1")
    ...     made = create_token(s, root, user="boss", name="ci")
    ...     revoke_token(s, root, token_id=made.info.id).revoked_at is not None
    True
    """
    return TokenRead.model_validate(token_lib.revoke_token(session, token_id, by=actor))


# --- the audit log -----------------------------------------------------------------------


def list_audit(
    session: Session,
    actor: Actor,
    *,
    subject_type: str | None = None,
    subject_id: str | None = None,
    by: str | None = None,
    action: str | None = None,
    page: PageQuery = FIRST_PAGE,
) -> Page[AuditEventRead]:
    """The audit log, newest first, optionally filtered (admins only).

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks; must be an admin.
    subject_type : str, optional
        e.g. ``user``, ``client``, ``qc_batch``.
    subject_id : str, optional
        The record's id or pseudonym.
    by : str, optional
        Only events of this username.
    action : str, optional
        e.g. ``create``, ``client.read``.
    page : PageQuery
        Which page.

    Returns
    -------
    Page[AuditEventRead]
        The events.

    References
    ----------
    .. [1] ISO/IEC 27001:2022, Annex A 8.15 Logging.
    .. [2] OWASP Foundation (2025). Application Security Verification Standard 5.0,
       V16 Security Logging and Error Handling.

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> root = Actor(username="root", role=Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     _ = create_organisation(s, root, name="Lab", kind="lab")
    ...     [e.action for e in list_audit(s, root, subject_type="organisation").items]
    ['create']
    """
    actor.require(Role.admin, action="read the audit log")
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc())
    for column, value in (
        (AuditEvent.subject_type, subject_type),
        (AuditEvent.subject_id, subject_id),
        (AuditEvent.actor, by),
        (AuditEvent.action, action),
    ):
        if value:
            stmt = stmt.where(column == value)
    rows, total = page_of_select(session, stmt, page)
    items = [AuditEventRead.model_validate(e) for e in rows]
    return Page[AuditEventRead](items=items, total=total, limit=page.limit, offset=page.offset)


def record_denied_access(
    db: Database,
    actor: Actor,
    *,
    method: str,
    path: str,
    reason: str,
    via: str = "",
) -> None:
    """Write one refused access (a missing role or scope, a failed CSRF check) to the
    audit log, in its own transaction (the refused work itself was rolled back).

    Parameters
    ----------
    db : Database
        The database.
    actor : Actor
        Who was refused.
    method, path : str
        The request (no query string and no body: those may hold personal data).
    reason : str
        The kind of refusal, e.g. ``PermissionDenied`` or ``CsrfRejected``.
    via : str
        How the actor authenticated (``token`` or ``session``).

    Returns
    -------
    None

    References
    ----------
    .. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0,
       V16.3.2 (failed authorization attempts are logged).
    .. [2] ISO/IEC 27001:2022, Annex A 8.15 Logging.

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> db = scratch_database()
    >>> record_denied_access(db, Actor("ana", Role.viewer), method="POST",
    ...                      path="/api/v1/users", reason="PermissionDenied")
    >>> with db.reader() as s:
    ...     [(e.actor, e.action, e.subject_id) for e in s.scalars(select(AuditEvent))]
    [('ana', 'access.denied', 'POST /api/v1/users')]
    """
    with db.transaction() as session:
        audit.record(
            session,
            actor=actor.username[:100],
            action="access.denied",
            subject_type="request",
            subject_id=f"{method} {path}"[:100],
            organisation_id=actor.organisation_id,
            detail={"reason": reason[:50], "role": actor.role.value, "via": via[:10]},
        )


# --- background jobs ---------------------------------------------------------------------


class OwnedJob(Protocol):
    """What the ownership rule needs of a job: who submitted it, and when."""

    @property
    def owner_id(self) -> int | None: ...

    @property
    def created_at(self) -> datetime: ...


J = TypeVar("J", bound=OwnedJob)


class JobBoard(Protocol[J]):
    """Where jobs are kept (the server's job runner): plain lookups, no rule."""

    def find(self, job_id: str) -> J | None: ...

    def all(self) -> list[J]: ...


def _sees_job(actor: Actor, job: OwnedJob) -> bool:
    """A job belongs to the user who submitted it; an admin sees every job."""
    return _is_admin(actor) or job.owner_id == actor.user_id


def get_job(jobs: JobBoard[J], actor: Actor, *, job_id: str) -> J:
    """A background job its owner (or an admin) may see; anyone else gets "not found".

    Parameters
    ----------
    jobs : JobBoard
        The job runner.
    actor : Actor
        Who asks.
    job_id : str
        The job's id.

    Returns
    -------
    job
        The job, as the runner keeps it.

    References
    ----------
    .. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0,
       V8.2 General Authorization Design (object-level access).

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> from datetime import UTC, datetime
    >>> @dataclass
    ... class Job:
    ...     owner_id: int
    ...     created_at: datetime
    >>> class Board:
    ...     jobs = {"j1": Job(7, datetime.now(UTC))}
    ...     def find(self, job_id): return self.jobs.get(job_id)
    ...     def all(self): return list(self.jobs.values())
    >>> get_job(Board(), Actor("ana", Role.viewer, 1, user_id=7), job_id="j1").owner_id
    7
    >>> get_job(Board(), Actor("bo", Role.viewer, 2, user_id=8), job_id="j1")
    Traceback (most recent call last):
    ...
    exoderm.errors.NotFoundError: no job j1
    """
    job = jobs.find(job_id)
    if job is None or not _sees_job(actor, job):
        raise NotFoundError(f"no job {job_id}")
    return job


def list_jobs(jobs: JobBoard[J], actor: Actor, *, page: PageQuery = FIRST_PAGE) -> Page[J]:
    """The background jobs an actor may see (its own; every one for admins), newest first.

    Parameters
    ----------
    jobs : JobBoard
        The job runner.
    actor : Actor
        Who asks.
    page : PageQuery
        Which page.

    Returns
    -------
    Page
        The jobs, as the runner keeps them.

    References
    ----------
    .. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0,
       V8.2 General Authorization Design (object-level access).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> class Board:
    ...     def find(self, job_id): return None
    ...     def all(self): return [SimpleNamespace(created_at=1, owner_id=3)]
    >>> list_jobs(Board(), Actor("ana", Role.viewer, 1, user_id=7)).total
    0
    """
    found = [j for j in jobs.all() if _sees_job(actor, j)]
    found.sort(key=lambda j: j.created_at, reverse=True)
    items, total = page_of_list(found, page)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


def enrol_second_factor(
    session: Session, actor: Actor, *, user: int | str | None = None
) -> SecondFactorEnrolment:
    """Start a TOTP second factor for oneself (or, for admins, anyone); audited.

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who acts.
    user : int or str, optional
        Whose (id or username); default the actor.

    Returns
    -------
    SecondFactorEnrolment
        The secret and its URI; the factor counts once confirmed with a code.

    References
    ----------
    .. [1] M'Raihi, D. et al. (2011). TOTP: Time-Based One-Time Password Algorithm.
       RFC 6238.
    .. [2] OWASP Foundation (2025). ASVS 5.0.0, V6.3.3 and V6.5.

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> root = Actor(username="root", role=Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     _ = create_user(s, root, username="boss", role="admin", password="long-enough-1")
    ...     enrol_second_factor(s, root, user="boss").uri.startswith("otpauth://totp/")
    True
    """
    row = _own_or_admin(session, actor, user, "set up a second factor")
    enrolment = second_factor.enrol(session, row, cipher=cipher())
    _audit_factor(session, actor, row, "second_factor.enrol")
    return SecondFactorEnrolment(username=row.username, secret=enrolment.secret, uri=enrolment.uri)


def confirm_second_factor(
    session: Session, actor: Actor, *, code: str, user: int | str | None = None
) -> UserRead:
    """Confirm a TOTP enrolment with one code; from then on login needs a code; audited.

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who acts.
    code : str
        Six digits from the authenticator app.
    user : int or str, optional
        Whose (id or username); default the actor.

    Returns
    -------
    UserRead
        The user.

    References
    ----------
    .. [1] M'Raihi, D. et al. (2011). TOTP: Time-Based One-Time Password Algorithm.
       RFC 6238.

    Examples
    --------
    >>> import pyotp
    >>> from exoderm.storage.scratch import scratch_database
    >>> root = Actor(username="root", role=Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     _ = create_user(s, root, username="boss", role="admin", password="long-enough-1")
    ...     e = enrol_second_factor(s, root, user="boss")
    ...     confirm_second_factor(s, root, user="boss", code=pyotp.TOTP(e.secret).now()).username
    'boss'
    """
    row = _own_or_admin(session, actor, user, "confirm a second factor")
    second_factor.confirm(session, row, code, cipher=cipher())
    _audit_factor(session, actor, row, "second_factor.confirm")
    return UserRead.model_validate(row)


def remove_second_factor(session: Session, actor: Actor, *, user: int | str | None = None) -> bool:
    """Remove a user's second factor (one's own, or an admin for anyone); audited.

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who acts.
    user : int or str, optional
        Whose (id or username); default the actor.

    Returns
    -------
    bool
        Whether there was a factor.

    References
    ----------
    .. [1] OWASP Foundation (2025). ASVS 5.0.0, V6.4 Authentication Factor Lifecycle.

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> root = Actor(username="root", role=Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     _ = create_user(s, root, username="boss", role="admin", password="long-enough-1")
    ...     remove_second_factor(s, root, user="boss")
    False
    """
    row = _own_or_admin(session, actor, user, "remove a second factor")
    removed = second_factor.remove(session, row)
    if removed:
        _audit_factor(session, actor, row, "second_factor.remove")
    return removed


def has_second_factor(session: Session, actor: Actor, *, user: int | str | None = None) -> bool:
    """Whether a user (default the actor) has a confirmed second factor.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks.
    user : int or str, optional
        Whose (id or username); default the actor.

    Returns
    -------
    bool
        True when login needs a one-time code.

    References
    ----------
    .. [1] OWASP Foundation (2025). ASVS 5.0.0, V6.3.3.

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> root = Actor(username="root", role=Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     _ = create_user(s, root, username="boss", role="admin", password="long-enough-1")
    ...     has_second_factor(s, root, user="boss")
    False
    """
    row = _own_or_admin(session, actor, user, "see a second factor")
    return second_factor.has_factor(session, row.id)


def _recheck_password(
    db: Database,
    actor: Actor,
    current_password: str,
    address: str | None,
    policy: LoginPolicy | None,
) -> None:
    """Re-authentication inside a session (throttled like a login): a wrong password is
    an input error on ``current_password``."""
    try:
        login(db, actor.username, current_password, address, policy=policy, second_factor=False)
    except LoginFailed:
        raise UserInputError(
            "the current password is wrong", field="current_password", expected="your password"
        ) from None


def _audit_factor(session: Session, actor: Actor, row: User, action: str) -> None:
    audit.record(
        session,
        actor=actor.username,
        action=action,
        subject_type="user",
        subject_id=row.id,
        organisation_id=row.organisation_id,
    )


def remove_own_second_factor(
    db: Database,
    actor: Actor,
    *,
    current_password: str,
    address: str | None = None,
    policy: LoginPolicy | None = None,
) -> bool:
    """Remove one's own second factor after re-entering the password (throttled); audited.

    Parameters
    ----------
    db : Database
        The database (the password check commits its attempt on its own).
    actor : Actor
        The logged-in user.
    current_password : str
        Re-entered, checked like a login.
    address : str, optional
        The client's address, for throttling.
    policy : LoginPolicy, optional
        Login limits (default: from the settings).

    Returns
    -------
    bool
        Whether there was a factor.

    References
    ----------
    .. [1] OWASP Foundation (2025). ASVS 5.0.0, V6.4 and V7.5.1 (re-authentication before
       changing an authentication factor).

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> from exoderm.accounts.users import actor_for, get_user
    >>> db, root = scratch_database(), Actor(username="root", role=Role.admin)
    >>> with db.transaction() as s:
    ...     _ = create_user(s, root, username="boss", role="admin", password="long-enough-1")
    ...     boss = actor_for(get_user(s, "boss"))
    >>> remove_own_second_factor(db, boss, current_password="long-enough-1")
    False
    """
    _recheck_password(db, actor, current_password, address, policy)
    with db.transaction() as session:
        return remove_second_factor(session, actor)


# --- security keys (FIDO2/WebAuthn) -------------------------------------------------------


def _audit_key(session: Session, actor: Actor, row: User, action: str, key_id: int) -> None:
    audit.record(
        session,
        actor=actor.username,
        action=action,
        subject_type="user",
        subject_id=row.id,
        organisation_id=row.organisation_id,
        detail={"security_key": key_id},
    )


def open_browser_session_with_security_key(
    db: Database,
    *,
    ticket: str,
    credential_json: str,
    rp: security_keys.RelyingParty,
    address: str | None = None,
    lifetime_hours: int | None = None,
    max_sessions: int = session_lib.MAX_SESSIONS_PER_USER,
) -> OpenedSession:
    """Finish a browser login with the security key's signed answer and start the session.

    Parameters
    ----------
    db : Database
        The database.
    ticket : str
        The ceremony's ticket from the password step.
    credential_json : str
        The browser's ``PublicKeyCredential`` (``navigator.credentials.get``) as JSON.
    rp : RelyingParty
        The configured relying party.
    address : str, optional
        The client's address, for throttling and the audit log.
    lifetime_hours : int, optional
        The session's absolute lifetime (default 12 h).
    max_sessions : int, optional
        Sessions the user may hold at once.

    Returns
    -------
    OpenedSession
        As :func:`open_browser_session`.

    Raises
    ------
    LoginFailed
        Unknown or expired ticket, or an answer that does not verify (audited).

    References
    ----------
    .. [1] W3C (2021). Web Authentication Level 2, §7.2.
    .. [2] OWASP Foundation (2025). ASVS 5.0.0, V6.3.3 (Level 3).

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> rp = security_keys.RelyingParty("localhost", ("http://localhost:8000",))
    >>> try:
    ...     open_browser_session_with_security_key(
    ...         scratch_database(), ticket="old", credential_json="{}", rp=rp)
    ... except LoginFailed as exc:
    ...     print(exc)
    the security-key request expired or is unknown; start again
    """
    user_id = login_with_security_key(
        db, ticket=ticket, credential_json=credential_json, address=address, rp=rp
    )
    return _opened(db, user_id, lifetime_hours, max_sessions, address)


def begin_security_key_registration(
    session: Session, actor: Actor, *, rp: security_keys.RelyingParty
) -> SecurityKeyCeremony:
    """Start registering a security key for oneself (a key is registered by its holder).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        The logged-in user.
    rp : RelyingParty
        The configured relying party.

    Returns
    -------
    SecurityKeyCeremony
        The ticket and the creation options for ``navigator.credentials.create``.

    References
    ----------
    .. [1] W3C (2021). Web Authentication Level 2, §7.1.
    .. [2] OWASP Foundation (2025). ASVS 5.0.0, V6.3.3 and V6.4.4.

    Examples
    --------
    >>> import json
    >>> from exoderm.storage.scratch import scratch_database
    >>> from exoderm.accounts.users import actor_for, get_user
    >>> rp = security_keys.RelyingParty("exoderm.example.org", ("https://exoderm.example.org",))
    >>> root = Actor(username="root", role=Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     _ = create_user(s, root, username="ana", role="admin", password="long-enough-1")
    ...     started = begin_security_key_registration(s, actor_for(get_user(s, "ana")), rp=rp)
    >>> json.loads(started.options_json)["rp"]["id"]
    'exoderm.example.org'
    """
    row = _me(session, actor)
    ceremony = security_keys.begin_registration(session, row, rp)
    return SecurityKeyCeremony(ticket=ceremony.ticket, options_json=ceremony.options_json)


def finish_security_key_registration(
    session: Session,
    actor: Actor,
    *,
    rp: security_keys.RelyingParty,
    ticket: str,
    credential_json: str,
    name: str,
) -> SecurityKeyRead:
    """Verify the new key's attestation and store it; from then on login needs it; audited.

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        The logged-in user who began the registration.
    rp : RelyingParty
        The configured relying party.
    ticket : str
        From :func:`begin_security_key_registration`.
    credential_json : str
        The browser's ``PublicKeyCredential`` (``navigator.credentials.create``) as JSON.
    name : str
        The key's label.

    Returns
    -------
    SecurityKeyRead
        The stored key.

    Raises
    ------
    SecurityKeyFailed
        The ticket is unknown, expired or another user's, or the answer does not verify.

    References
    ----------
    .. [1] W3C (2021). Web Authentication Level 2, §7.1.

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> from exoderm.accounts.users import actor_for, get_user
    >>> rp = security_keys.RelyingParty("localhost", ("http://localhost:8000",))
    >>> root = Actor(username="root", role=Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     _ = create_user(s, root, username="ana", role="admin", password="long-enough-1")
    ...     try:
    ...         finish_security_key_registration(s, actor_for(get_user(s, "ana")), rp=rp,
    ...                                          ticket="t", credential_json="{}", name="k")
    ...     except security_keys.SecurityKeyFailed as exc:
    ...         print(exc)
    the security-key request expired or is unknown; start again
    """
    row = _me(session, actor)
    key = security_keys.finish_registration(
        session, row, rp, ticket=ticket, credential_json=credential_json, name=name
    )
    _audit_key(session, actor, row, "security_key.register", key.id)
    return SecurityKeyRead.model_validate(key)


def list_security_keys(
    session: Session, actor: Actor, *, user: int | str | None = None
) -> list[SecurityKeyRead]:
    """The security keys of oneself (or, for admins, of anyone).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who asks.
    user : int or str, optional
        Whose (id or username); default the actor.

    Returns
    -------
    list of SecurityKeyRead
        Oldest first; names and dates only.

    References
    ----------
    .. [1] OWASP Foundation (2025). ASVS 5.0.0, V6.4 (factor lifecycle).

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> root = Actor(username="root", role=Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     _ = create_user(s, root, username="ana", role="admin", password="long-enough-1")
    ...     list_security_keys(s, root, user="ana")
    []
    """
    row = _own_or_admin(session, actor, user, "see the security keys")
    return [SecurityKeyRead.model_validate(k) for k in security_keys.keys_of(session, row.id)]


def remove_security_keys(session: Session, actor: Actor, *, user: int | str) -> int:
    """Remove every security key of a user (admins, e.g. after a lost key); audited.

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        An admin.
    user : int or str
        Whose keys (id or username).

    Returns
    -------
    int
        How many keys were removed; the user then logs in with the password (and a TOTP
        code if they have one) and registers a key again.

    References
    ----------
    .. [1] OWASP Foundation (2025). ASVS 5.0.0, V6.4.5 (renewal of lost factors).

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> root = Actor(username="root", role=Role.admin)
    >>> with scratch_database().transaction() as s:
    ...     _ = create_user(s, root, username="ana", role="admin", password="long-enough-1")
    ...     remove_security_keys(s, root, user="ana")
    0
    """
    if not _is_admin(actor):
        raise PermissionDenied(f"{actor.username} may not remove security keys (admins only)")
    row = _visible_user(session, actor, user)
    removed = security_keys.remove_all(session, row.id)
    _audit_key(session, actor, row, "security_key.remove_all", removed)
    return removed


def remove_own_security_key(
    db: Database,
    actor: Actor,
    *,
    key_id: int,
    current_password: str,
    address: str | None = None,
    policy: LoginPolicy | None = None,
) -> None:
    """Remove one of one's own security keys after re-entering the password; audited.

    Parameters
    ----------
    db : Database
        The database (the password check commits its attempt on its own).
    actor : Actor
        The logged-in user.
    key_id : int
        The key (another user's key is "not found").
    current_password : str
        Re-entered, checked like a login.
    address : str, optional
        The client's address, for throttling.
    policy : LoginPolicy, optional
        Login limits (default: from the settings).

    Returns
    -------
    None

    References
    ----------
    .. [1] OWASP Foundation (2025). ASVS 5.0.0, V6.4 and V7.5.1 (re-authentication before
       changing an authentication factor).

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> from exoderm.accounts.users import actor_for, get_user
    >>> db, root = scratch_database(), Actor(username="root", role=Role.admin)
    >>> with db.transaction() as s:
    ...     _ = create_user(s, root, username="ana", role="admin", password="long-enough-1")
    ...     ana = actor_for(get_user(s, "ana"))
    >>> try:
    ...     remove_own_security_key(db, ana, key_id=1, current_password="long-enough-1")
    ... except NotFoundError as exc:
    ...     print(exc)
    no security key 1
    """
    _recheck_password(db, actor, current_password, address, policy)
    with db.transaction() as session:
        row = _me(session, actor)
        security_keys.remove_key(session, row.id, key_id)
        _audit_key(session, actor, row, "security_key.remove", key_id)


# --- browser sessions ---------------------------------------------------------------------


def _session_reads(
    session: Session, user_id: int, current_cookie: str | None, idle_minutes: int
) -> list[SessionRead]:
    idle = timedelta(minutes=idle_minutes)
    return [
        SessionRead(
            id=row.id,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            expires_at=row.expires_at,
            current=session_lib.is_current(row, current_cookie),
        )
        for row in session_lib.live_sessions(session, user_id, idle=idle)
    ]


def list_sessions(
    session: Session,
    actor: Actor,
    *,
    user: int | str | None = None,
    current_cookie: str | None = None,
    idle_minutes: int = 30,
) -> list[SessionRead]:
    """The live browser sessions of oneself (or, for admins, of anyone).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who asks.
    user : int or str, optional
        Whose (id or username); default the actor.
    current_cookie : str, optional
        The asking browser's cookie, to mark its own session.
    idle_minutes : int, optional
        The idle timeout in force (idle sessions no longer count).

    Returns
    -------
    list of SessionRead
        Oldest first.

    References
    ----------
    .. [1] OWASP Foundation (2025). ASVS 5.0.0, V7.5.2 (users view their active sessions).

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> db, root = scratch_database(), Actor(username="root", role=Role.admin)
    >>> with db.transaction() as s:
    ...     _ = create_user(s, root, username="boss", role="admin", password="long-enough-1")
    >>> opened = open_browser_session(db, username="boss", password="long-enough-1")
    >>> with db.reader() as s:
    ...     [r.current for r in list_sessions(s, root, user="boss",
    ...                                        current_cookie=opened.cookie_value)]
    [True]
    """
    row = _own_or_admin(session, actor, user, "see the sessions")
    return _session_reads(session, row.id, current_cookie, idle_minutes)


def end_own_sessions(
    db: Database,
    actor: Actor,
    *,
    current_password: str,
    session_id: int | None = None,
    keep_cookie: str | None = None,
    address: str | None = None,
    policy: LoginPolicy | None = None,
) -> int:
    """End one of one's own sessions, or all but the current one, after re-entering the
    password (throttled like a login); audited.

    Parameters
    ----------
    db : Database
        The database (the password check commits its attempt on its own).
    actor : Actor
        The logged-in user.
    current_password : str
        Re-entered, checked like a login.
    session_id : int, optional
        The session to end; default every session but the current one.
    keep_cookie : str, optional
        The current browser's cookie (kept when ending all).
    address : str, optional
        The client's address, for throttling.
    policy : LoginPolicy, optional
        Login limits (default: from the settings).

    Returns
    -------
    int
        How many sessions ended.

    References
    ----------
    .. [1] OWASP Foundation (2025). ASVS 5.0.0, V7.5.2 (users terminate any or all of their
       sessions, having authenticated again).

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> from exoderm.accounts.users import actor_for, get_user
    >>> db, root = scratch_database(), Actor(username="root", role=Role.admin)
    >>> with db.transaction() as s:
    ...     _ = create_user(s, root, username="boss", role="admin", password="long-enough-1")
    ...     boss = actor_for(get_user(s, "boss"))
    >>> here = open_browser_session(db, username="boss", password="long-enough-1")
    >>> _ = open_browser_session(db, username="boss", password="long-enough-1")
    >>> end_own_sessions(db, boss, current_password="long-enough-1",
    ...                  keep_cookie=here.cookie_value)
    1
    """
    _recheck_password(db, actor, current_password, address, policy)
    with db.transaction() as session:
        row = _me(session, actor)
        if session_id is None:
            ended = session_lib.end_sessions_of(session, row.id, keep_cookie=keep_cookie)
        else:
            ended = session_lib.end_sessions_of(session, row.id, only=session_id)
            if not ended:
                raise NotFoundError(f"no session {session_id}")
        _audit_sessions(session, actor, row, ended)
        return ended


def _audit_sessions(session: Session, actor: Actor, row: User, ended: int) -> None:
    audit.record(
        session,
        actor=actor.username,
        action="sessions.end",
        subject_type="user",
        subject_id=row.id,
        organisation_id=row.organisation_id,
        detail={"ended": ended},
    )


def end_user_sessions(session: Session, actor: Actor, *, user: int | str | None = None) -> int:
    """End the sessions of one user, or of every user (admins only); audited.

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        An admin.
    user : int or str, optional
        Whose sessions (id or username); default every user's (the acting admin's own
        sessions included: the CLI acts without one).

    Returns
    -------
    int
        How many sessions ended; API tokens are not touched (revoke them separately).

    References
    ----------
    .. [1] OWASP Foundation (2025). ASVS 5.0.0, V7.4.5 (administrators terminate active
       sessions for an individual user or for all users).

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> db, root = scratch_database(), Actor(username="root", role=Role.admin)
    >>> with db.transaction() as s:
    ...     _ = create_user(s, root, username="boss", role="admin", password="long-enough-1")
    >>> _ = open_browser_session(db, username="boss", password="long-enough-1")
    >>> with db.transaction() as s:
    ...     end_user_sessions(s, root, user="boss")
    1
    """
    if not _is_admin(actor):
        raise PermissionDenied(f"{actor.username} may not end other users' sessions")
    users = (
        [_visible_user(session, actor, user)]
        if user is not None
        else list(session.scalars(select(User).order_by(User.id)))
    )
    total = 0
    for row in users:
        ended = session_lib.end_sessions_of(session, row.id)
        if ended:
            _audit_sessions(session, actor, row, ended)
        total += ended
    return total


def security_notices(session: Session, actor: Actor, *, days: int = 90) -> SecurityNoticesRead:
    """The suspicious sign-ins and credential changes of one's own account, newest first.

    Read from the audit log: failed sign-ins, sign-ins that had the password but not the
    second factor, sign-ins from an address none of the earlier ones came from, and every
    change to the password, sessions, second factor, security keys and API tokens, each
    with who made it. ``new`` marks those since the previous sign-in.

    Parameters
    ----------
    session : Session
        Open database session.
    actor : Actor
        The user whose account it is (a user of the database, not the CLI operator).
    days : int
        How far back to look (1-366).

    Returns
    -------
    SecurityNoticesRead
        The notices, the previous sign-in and how many notices are newer than it.

    Raises
    ------
    UserInputError
        For ``days`` outside 1-366.

    References
    ----------
    .. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0.0,
       V6.3.5 and V6.3.7.
    .. [2] Temoshok, D. et al. (2025). NIST SP 800-63B-4, §4.6.
       doi:10.6028/NIST.SP.800-63b-4

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> db = scratch_database()
    >>> with db.transaction() as s:
    ...     _ = create_user(s, Actor("root", Role.admin), username="ana", role="admin",
    ...                     password="long-enough-1")
    >>> try:
    ...     _ = open_browser_session(db, username="ana", password="guess-guess-1")
    ... except LoginFailed:
    ...     pass
    >>> opened = open_browser_session(db, username="ana", password="long-enough-1",
    ...                               address="192.0.2.7")
    >>> with db.reader() as s:
    ...     me = Actor("ana", Role.admin, user_id=opened.user_id)
    ...     [n.summary for n in security_notices(s, me).notices]
    ['a sign-in failed (wrong password)']
    """
    if not 1 <= days <= 366:
        raise UserInputError("days must be 1-366", field="days", expected="1-366")
    row = _me(session, actor)
    previous = notice_lib.previous_sign_in(session, row.id)
    notices = [
        SecurityNoticeRead(
            at=n.at,
            kind=n.kind.value,
            summary=n.summary,
            by=n.by,
            by_someone_else=n.by_someone_else,
            address=n.address,
            new=previous is None or n.at > previous,
        )
        for n in notice_lib.notices_for(session, row.id, row.username, days=days)
    ]
    return SecurityNoticesRead(
        days=days,
        previous_sign_in=previous,
        new_count=sum(n.new for n in notices),
        notices=notices,
    )


def reauthenticate(
    db: Database,
    actor: Actor,
    *,
    current_password: str,
    otp: str | None = None,
    address: str | None = None,
    policy: LoginPolicy | None = None,
) -> None:
    """Step-up before a highly sensitive operation: the password again, and the
    authenticator app's code when the user has one.

    Throttled and audited like a login (a wrong answer counts towards the account's
    limit), so a stolen session cannot try passwords at leisure.

    Parameters
    ----------
    db : Database
        The database.
    actor : Actor
        The signed-in user.
    current_password : str
        The user's password.
    otp : str, optional
        The one-time code; required when the user has a TOTP second factor.
    address : str, optional
        The client's address (throttling, audit).
    policy : LoginPolicy, optional
        Login limits (default: from the settings).

    Returns
    -------
    None
        Returns only when the user is who they say; the caller then goes ahead.

    Raises
    ------
    UserInputError
        For a wrong password (field ``current_password``) or a missing or wrong code
        (field ``otp``).
    TooManyAttempts
        While the account or the address is throttled.

    References
    ----------
    .. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0.0,
       V7.5.3 (further authentication before highly sensitive operations).
    .. [2] Temoshok, D. et al. (2025). NIST SP 800-63B-4, §2.2.3 (reauthentication).

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> db = scratch_database()
    >>> with db.transaction() as s:
    ...     ana = create_user(s, Actor("root", Role.admin), username="ana", role="admin",
    ...                       password="long-enough-1").user
    >>> me = Actor("ana", Role.admin, user_id=ana.id)
    >>> reauthenticate(db, me, current_password="long-enough-1")
    >>> try:
    ...     reauthenticate(db, me, current_password="guess-guess-1")
    ... except UserInputError as exc:
    ...     print(exc.problem.location.field)
    current_password
    """
    if actor.user_id is None:
        raise UserInputError(
            f"{actor.username} is not a stored user", field="user", expected="a username"
        )
    _recheck_password(db, actor, current_password, address, policy)
    with db.reader() as session:
        has_factor = second_factor.has_factor(session, actor.user_id)
    if not has_factor:
        return
    with db.transaction() as session:
        ok = bool(otp) and second_factor.check(session, actor.user_id, otp, cipher=cipher())
        if not ok:
            audit.record(
                session,
                actor=actor.username,
                action="login.failed",
                subject_type="user",
                subject_id=actor.user_id,
                organisation_id=actor.organisation_id,
                detail={"address": (address or "")[:100], "reason": "wrong_second_factor"},
                note="step-up before a sensitive operation",
            )
    if not ok:
        raise UserInputError(
            "the one-time code is missing or wrong",
            field="otp",
            expected="the current code from your authenticator app",
        )
