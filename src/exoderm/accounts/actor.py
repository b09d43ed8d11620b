"""Who is acting: passed into every library call that touches protected data.

The CLI acts as a local operator (role ``admin`` unless ``EXODERM_ACTOR``/``--as`` says
otherwise); the API builds an :class:`Actor` from the logged-in user. Library functions
check roles and organisations against it and write it into the audit log.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from exoderm.accounts.records import Role
from exoderm.errors import PermissionDenied

#: Roles that may see clients' personal data (name, contact, date of birth).
PERSONAL_DATA_ROLES = frozenset({Role.admin, Role.clinician})
#: Roles that may use disease instruments (EASI, SCORAD, vIGA-AD).
CLINICIAN_ROLES = frozenset({Role.admin, Role.clinician})


@dataclass(frozen=True)
class Actor:
    """A user acting on exoderm: name, role, and organisation (None = all, for admins)."""

    username: str
    role: Role
    organisation_id: int | None = None
    user_id: int | None = None

    def require(self, *roles: Role, action: str = "do this") -> None:
        """Raise :class:`PermissionDenied` unless this actor has one of ``roles``."""
        if self.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise PermissionDenied(
                f"{self.username} ({self.role.value}) may not {action}; needs one of: {allowed}"
            )

    def may_see_organisation(self, organisation_id: int | None) -> bool:
        """Admins see every organisation; everyone else only their own."""
        return self.role is Role.admin or organisation_id == self.organisation_id

    @property
    def sees_personal_data(self) -> bool:
        return self.role in PERSONAL_DATA_ROLES


def local_operator() -> Actor:
    """The actor for CLI use on one's own machine: the OS user, as admin."""
    try:
        name = getpass.getuser()
    except Exception:  # no user database entry (containers)
        name = "local"
    return Actor(username=f"local:{name}", role=Role.admin)
