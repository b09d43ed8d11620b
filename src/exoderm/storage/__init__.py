"""Storage: one database behind a small repository layer.

SQLAlchemy 2 models live with their capability (``exoderm.<capability>.records``) and
share :data:`Base`. Schema changes are Alembic migrations in ``storage/migrations``,
one branch per capability on top of ``core``. Every command's writes go through
:func:`transaction`, so a failure leaves the database as it was.
"""

from exoderm.storage.base import Base
from exoderm.storage.engine import Database, open_database
from exoderm.storage.migrate import current_revisions, head_revisions, status, upgrade
from exoderm.storage.transfer import export_jsonl, import_jsonl

__all__ = [
    "Base",
    "Database",
    "current_revisions",
    "export_jsonl",
    "head_revisions",
    "import_jsonl",
    "open_database",
    "status",
    "upgrade",
]
