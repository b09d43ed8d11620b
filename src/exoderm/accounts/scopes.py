"""What a role may do, as scopes ``<area>:<read|write>``.

An API token carries a subset of its owner's scopes, so that an integration can be given
read-only access to QC, for example. A request is allowed when its scope is in both the
token's scopes and the role's scopes; a browser session has all of its role's scopes.
Library functions still check the :class:`~exoderm.accounts.actor.Actor` themselves
(organisation, personal data): scopes are an outer fence, not the only one.
"""

from __future__ import annotations

from collections.abc import Iterable

from exoderm.accounts.records import Role
from exoderm.errors import UserInputError

AREAS: tuple[str, ...] = (
    "evidence",
    "design",
    "clients",
    "qc",
    "nta",
    "simulate",
    "accounts",
)
ALL_SCOPES: frozenset[str] = frozenset(f"{a}:{m}" for a in AREAS for m in ("read", "write"))


def _rw(*areas: str) -> set[str]:
    return {f"{a}:{m}" for a in areas for m in ("read", "write")}


def _ro(*areas: str) -> set[str]:
    return {f"{a}:read" for a in areas}


#: Scopes of each role. Clinicians are the only non-admin role with client access
#: (personal data only reaches roles that need it); QC sign-off needs ``qc:write``.
ROLE_SCOPES: dict[Role, frozenset[str]] = {
    Role.admin: ALL_SCOPES,
    Role.scientist: frozenset(_rw("evidence", "design", "nta", "simulate") | _ro("qc")),
    Role.qc_analyst: frozenset(_rw("qc", "nta") | _ro("evidence", "design", "simulate")),
    Role.clinician: frozenset(_rw("clients") | _ro("evidence", "design", "simulate")),
    Role.viewer: frozenset(_ro("evidence", "design", "simulate", "qc", "nta")),
}


def scopes_for_role(role: Role) -> frozenset[str]:
    return ROLE_SCOPES[role]


def parse_scopes(values: Iterable[str], role: Role, *, field: str = "scopes") -> list[str]:
    """Validate requested token scopes: known, and within what ``role`` may do.

    ``*`` means every scope of the role; ``area:*`` both scopes of an area.
    """
    allowed = scopes_for_role(role)
    out: set[str] = set()
    for raw in values:
        value = raw.strip()
        if value == "*":
            out |= allowed
            continue
        if value.endswith(":*"):
            expanded = {f"{value[:-2]}:read", f"{value[:-2]}:write"} & ALL_SCOPES
        else:
            expanded = {value} & ALL_SCOPES
        if not expanded:
            raise UserInputError(
                f"unknown scope {value!r}",
                field=field,
                expected="'*', 'area:read', 'area:write' or 'area:*' with area one of "
                + ", ".join(AREAS),
            )
        beyond = expanded - allowed
        if beyond:
            raise UserInputError(
                f"scope {', '.join(sorted(beyond))} exceeds what a {role.value} may do",
                field=field,
                expected="a subset of " + ", ".join(sorted(allowed)),
            )
        out |= expanded
    if not out:
        raise UserInputError("no scopes given", field=field, expected="at least one scope")
    return sorted(out)
