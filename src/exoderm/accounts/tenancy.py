"""The organisation of a transaction, for PostgreSQL row-level security.

The services fence every read and write of organisation data by their actor (the first
fence). On PostgreSQL the client and QC tables also carry row-level security policies
(``USING`` and ``WITH CHECK``, forced for the tables' owner) keyed on one transaction-local
setting, ``exoderm.organisation``: an organisation id, or ``*`` for every organisation
(admins and whole-installation jobs). A transaction that never set it sees and writes no
such row, so a query that forgets the actor fails closed instead of leaking (the second
fence; OWASP ASVS 5.0 V8.2.2 and V8.4.1, PostgreSQL 15 manual §5.8 "Row Security
Policies"). SQLite has no row security; there the services are the only fence.

The setting is made with ``set_config(…, true)``, the function form of ``SET LOCAL``: it
ends with the transaction, so a pooled connection never carries one request's
organisation into the next.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Role
from exoderm.storage.row_security import EVERY_ORGANISATION, set_organisation

#: The value for an actor who belongs to no organisation: no organisation's rows.
NO_ORGANISATION: Final = ""


def organisation_setting(actor: Actor) -> str:
    """The value of ``exoderm.organisation`` for ``actor``.

    Parameters
    ----------
    actor : Actor
        The user acting in the transaction.

    Returns
    -------
    str
        ``*`` for an admin (who sees every organisation), the organisation's id for anyone
        else, or the empty string for a non-admin without an organisation.

    References
    ----------
    .. [1] PostgreSQL Global Development Group (2022). PostgreSQL 15 Documentation,
       §5.8 Row Security Policies; §9.27.1 Configuration Settings Functions (set_config).
    .. [2] OWASP (2025). Application Security Verification Standard 5.0.0, V8.2.2.

    Examples
    --------
    >>> organisation_setting(Actor("ana", Role.clinician, 7))
    '7'
    >>> organisation_setting(Actor("root", Role.admin))
    '*'
    """
    if actor.role is Role.admin:
        return EVERY_ORGANISATION
    if actor.organisation_id is None:
        return NO_ORGANISATION
    return str(actor.organisation_id)


def bind_organisation(session: Session, actor: Actor) -> None:
    """Open the rows of ``actor``'s organisation to this transaction (PostgreSQL only).

    Parameters
    ----------
    session : Session
        The caller's session; the setting lasts until its transaction ends.
    actor : Actor
        The user acting in the transaction.

    References
    ----------
    .. [1] PostgreSQL Global Development Group (2022). PostgreSQL 15 Documentation,
       §5.8 Row Security Policies.

    Examples
    --------
    On SQLite nothing is set (it has no row security):

    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().transaction() as s:
    ...     bind_organisation(s, Actor("ana", Role.clinician, 7))
    """
    _set(session, organisation_setting(actor))


def bind_every_organisation(session: Session, *, reason: str) -> None:
    """Open every organisation's rows to this transaction, for work that spans them.

    Parameters
    ----------
    session : Session
        The caller's session; the setting lasts until its transaction ends.
    reason : str
        Why this transaction may see every organisation (kept in the code, for review):
        a questionnaire link found by its token, an export of the whole installation.

    References
    ----------
    .. [1] PostgreSQL Global Development Group (2022). PostgreSQL 15 Documentation,
       §5.8 Row Security Policies.

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().transaction() as s:
    ...     bind_every_organisation(s, reason="a whole-installation export")
    """
    if not reason.strip():
        raise ValueError("say why the transaction may see every organisation")
    _set(session, EVERY_ORGANISATION)


def _set(session: Session, value: str) -> None:
    set_organisation(session.connection(), value)
