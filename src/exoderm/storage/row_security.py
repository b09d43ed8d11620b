"""The transaction-local setting PostgreSQL's row-level security policies read.

The client and QC tables carry policies (migrations ``clients_0003`` and ``qc_0003``)
that admit a row only when ``exoderm.organisation`` names its organisation, or is ``*``
for every organisation. :mod:`exoderm.accounts.tenancy` sets it from the acting user;
whole-installation work (an export, an import) sets ``*`` here. The value is set with
``set_config(…, true)``, the function form of ``SET LOCAL``, so it ends with the
transaction (PostgreSQL 15 manual §5.8 and §9.27.1). On SQLite nothing is set.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import Connection, text

#: The PostgreSQL setting the row-level security policies read.
SETTING: Final = "exoderm.organisation"
#: The setting's value that opens every organisation.
EVERY_ORGANISATION: Final = "*"

_SET = text("SELECT set_config(:name, :value, true)")


def set_organisation(connection: Connection, value: str) -> None:
    """Set :data:`SETTING` to ``value`` until ``connection``'s transaction ends.

    Parameters
    ----------
    connection : Connection
        A connection inside a transaction.
    value : str
        An organisation id, :data:`EVERY_ORGANISATION`, or ``""`` for none.

    References
    ----------
    .. [1] PostgreSQL Global Development Group (2022). PostgreSQL 15 Documentation,
       §5.8 Row Security Policies; §9.27.1 Configuration Settings Functions.

    Examples
    --------
    On SQLite, which has no row security, nothing is set:

    >>> from sqlalchemy import create_engine
    >>> with create_engine("sqlite://").begin() as conn:
    ...     set_organisation(conn, EVERY_ORGANISATION)
    """
    if connection.dialect.name == "postgresql":
        connection.execute(_SET, {"name": SETTING, "value": value})
