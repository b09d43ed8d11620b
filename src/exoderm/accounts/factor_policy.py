"""Which roles must log in with a second factor, and which with a security key.

OWASP ASVS 5.0 V6.3.3 asks that multi-factor authentication be *used* to access the
application, and at Level 3 that one factor be a hardware-based, phishing-resistant one
(a FIDO2/WebAuthn security key, :mod:`exoderm.accounts.security_keys`). Both are settings
(``second_factor_required_roles``, ``security_key_required_roles``): a user of such a role
who has no such factor yet may log in with the password, but the session can do nothing
except set the factor up on the account page, and the user's API tokens are refused until
then.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from exoderm.accounts import second_factor, security_keys
from exoderm.accounts.records import Role, User

if TYPE_CHECKING:
    from exoderm.settings import Settings

SECURITY_KEY = "a security key"
SECOND_FACTOR = "a second factor (an authenticator app or a security key)"


@dataclass(frozen=True)
class FactorPolicy:
    """The roles that need any second factor, and those that need a security key."""

    second_factor_roles: frozenset[Role] = frozenset()
    security_key_roles: frozenset[Role] = frozenset()

    @classmethod
    def from_settings(cls, settings: Settings) -> FactorPolicy:
        """The policy configured in :class:`~exoderm.settings.Settings`."""
        return cls(
            frozenset(Role(r) for r in settings.second_factor_required_roles),
            frozenset(Role(r) for r in settings.security_key_required_roles),
        )

    def missing(self, session: Session, user: User) -> str | None:
        """What factor ``user`` still lacks under this policy, or ``None``.

        Parameters
        ----------
        session : Session
            A read transaction.
        user : User
            The logged-in user.

        Returns
        -------
        str or None
            ``"a security key"``, the second-factor phrase, or ``None`` when the user has
            what the role needs.

        References
        ----------
        .. [1] OWASP (2025). ASVS 5.0.0, V6.3.3: multi-factor authentication to access
           the application; at Level 3 a hardware-based, phishing-resistant factor.

        Examples
        --------
        >>> from exoderm.storage.scratch import scratch_database
        >>> policy = FactorPolicy(security_key_roles=frozenset({Role.clinician}))
        >>> with scratch_database().transaction() as s:
        ...     u = User(username="ana", role=Role.clinician); s.add(u); s.flush()
        ...     policy.missing(s, u)
        'a security key'
        """
        if not (self.second_factor_roles or self.security_key_roles):
            return None
        has_key = security_keys.has_key(session, user.id)
        if user.role in self.security_key_roles and not has_key:
            return SECURITY_KEY
        if user.role in self.second_factor_roles and not (
            has_key or second_factor.has_factor(session, user.id)
        ):
            return SECOND_FACTOR
        return None
