"""Organisations and users: create, find, change (logins are in :mod:`exoderm.accounts.login`).

A clinic or a lab is an :class:`Organisation`; every non-admin user belongs to one, so
that what they see can be fenced to their organisation. Admins may have none (they see
all organisations).
"""

from __future__ import annotations

import re
import secrets
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from exoderm.accounts import audit
from exoderm.accounts.actor import Actor
from exoderm.accounts.passwords import (
    check_password_policy,
    generate_password,
    hash_password,
)
from exoderm.accounts.records import Organisation, OrganisationKind, Role, User
from exoderm.errors import ConflictError, NotFoundError, UserInputError

_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,99}$")

#: The prefix of the admin that the first ``exoderm serve`` creates (a random suffix follows).
FIRST_ADMIN = "admin"


def actor_for(user: User) -> Actor:
    """The :class:`Actor` a library call gets for a logged-in user."""
    return Actor(
        username=user.username,
        role=user.role,
        organisation_id=user.organisation_id,
        user_id=user.id,
    )


def create_organisation(
    session: Session, name: str, kind: OrganisationKind | str, *, by: Actor | None = None
) -> Organisation:
    """A new clinic, lab or company; names are unique."""
    clean = name.strip()
    if not clean or len(clean) > 200:
        raise UserInputError(
            "organisation name is empty or too long", field="name", expected="1–200 characters"
        )
    try:
        kind = OrganisationKind(kind)
    except ValueError as exc:
        raise UserInputError(
            f"unknown organisation kind {kind!r}",
            field="kind",
            expected=", ".join(k.value for k in OrganisationKind),
        ) from exc
    if session.scalar(select(Organisation).where(Organisation.name == clean)):
        raise ConflictError(f"organisation {clean!r} already exists")
    org = Organisation(name=clean, kind=kind)
    session.add(org)
    session.flush()
    if by is not None:
        audit.record(
            session,
            actor=by.username,
            action="create",
            subject_type="organisation",
            subject_id=org.id,
            organisation_id=org.id,
        )
    return org


def get_organisation(session: Session, ref: int | str) -> Organisation:
    """An organisation by id or by name."""
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        org = session.get(Organisation, int(ref))
    else:
        org = session.scalar(select(Organisation).where(Organisation.name == ref))
    if org is None:
        raise NotFoundError(f"no organisation {ref!r}")
    return org


def list_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))


def _check_username(username: str) -> str:
    if not _USERNAME.match(username):
        raise UserInputError(
            f"invalid username {username!r}",
            field="username",
            expected="2–100 characters: letters, digits, '.', '_', '@', '-'",
        )
    return username


def parse_role(role: Role | str) -> Role:
    """A role from its name, or a :class:`UserInputError` listing the roles."""
    try:
        return Role(role)
    except ValueError as exc:
        raise UserInputError(
            f"unknown role {role!r}", field="role", expected=", ".join(r.value for r in Role)
        ) from exc


def create_user(
    session: Session,
    username: str,
    role: Role | str,
    *,
    password: str | None = None,
    organisation: int | str | None = None,
    display_name: str = "",
    by: Actor | None = None,
) -> tuple[User, str]:
    """Create a user; returns it and its password (generated when none is given).

    Every role but admin needs an organisation: a clinician without one could see no
    client, and one with the wrong one would see the wrong clients.
    """
    role = parse_role(role)
    _check_username(username)
    org = get_organisation(session, organisation) if organisation is not None else None
    if org is None and role is not Role.admin:
        raise UserInputError(
            f"a {role.value} must belong to an organisation",
            field="organisation",
            expected="the name or id of an existing organisation",
        )
    if session.scalar(select(User).where(func.lower(User.username) == username.lower())):
        raise ConflictError(f"user {username!r} already exists")
    if password is not None:
        check_password_policy(password, context=(username, display_name, org.name if org else ""))
    secret = password if password is not None else generate_password()
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        organisation_id=org.id if org else None,
        password_hash=hash_password(secret),
        is_active=True,
    )
    session.add(user)
    session.flush()
    if by is not None:
        audit.record(
            session,
            actor=by.username,
            action="create",
            subject_type="user",
            subject_id=user.id,
            organisation_id=user.organisation_id,
            detail={"username": username, "role": role.value},
        )
    return user, secret


def get_user(session: Session, ref: int | str) -> User:
    """A user by id or by username."""
    if isinstance(ref, int):
        user = session.get(User, ref)
    else:
        user = session.scalar(select(User).where(User.username == ref))
    if user is None:
        raise NotFoundError(f"no user {ref!r}")
    return user


def list_users(session: Session, organisation_id: int | None = None) -> list[User]:
    stmt = select(User).order_by(User.username)
    if organisation_id is not None:
        stmt = stmt.where(User.organisation_id == organisation_id)
    return list(session.scalars(stmt))


def set_password(
    session: Session,
    user: User,
    password: str,
    *,
    by: Actor | None = None,
    field: str = "password",
) -> None:
    """Replace a user's password (policy-checked with the user's context words, argon2id-
    hashed)."""
    org = session.get(Organisation, user.organisation_id) if user.organisation_id else None
    check_password_policy(
        password,
        field=field,
        context=(user.username, user.display_name, org.name if org else ""),
    )
    user.password_hash = hash_password(password)
    if by is not None:
        audit.record(
            session,
            actor=by.username,
            action="set_password",
            subject_type="user",
            subject_id=user.id,
            organisation_id=user.organisation_id,
        )


def set_active(session: Session, user: User, active: bool, *, by: Actor | None = None) -> None:
    """Deactivate (or re-activate) a user; a deactivated user cannot log in or use tokens."""
    user.is_active = active
    if by is not None:
        audit.record(
            session,
            actor=by.username,
            action="activate" if active else "deactivate",
            subject_type="user",
            subject_id=user.id,
            organisation_id=user.organisation_id,
        )


def ensure_first_admin(session: Session) -> tuple[User, str] | None:
    """On an empty user table, create the admin; returns it with its one-time password.

    Its name is ``admin-`` and six random hex digits, printed with the password: no
    installation has a well-known default account (OWASP ASVS 5.0 V6.3.2)."""
    if session.scalar(select(func.count()).select_from(User)):
        return None
    name = f"{FIRST_ADMIN}-{secrets.token_hex(3)}"
    return create_user(session, name, Role.admin, display_name="Administrator")


@cache
def _dummy_hash() -> str:
    """A hash to verify against for unknown users, so that a login takes as long whether
    or not the user exists. Computed on first use, not at import (argon2 is slow on
    purpose, and every CLI start imports this module)."""
    return hash_password("not-a-real-password-0")
