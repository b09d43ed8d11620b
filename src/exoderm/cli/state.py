"""Global CLI options, shared by every sub-command."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from exoderm.accounts import audit_shipping
from exoderm.settings import get_settings
from exoderm.storage.engine import Database, open_database
from exoderm.storage.migrate import ensure_schema


class OutputFormat(enum.StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@dataclass
class CliState:
    """What the global options said. One instance per process (see :data:`STATE`)."""

    db_url: str | None = None
    format: OutputFormat = OutputFormat.table
    quiet: bool = False
    debug: bool = False
    _db: Database | None = None

    def database(self, *, ensure: bool = True) -> Database:
        """The database named by ``--db`` (or settings); a new one gets its schema."""
        if self._db is None:
            audit_shipping.configure(get_settings())
            self._db = open_database(self.db_url)
            if ensure:
                ensure_schema(self._db)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None


STATE = CliState()
