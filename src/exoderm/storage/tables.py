"""Where every capability's tables are registered.

Each capability keeps its SQLAlchemy models in its own module; listing the module here
puts its tables on :data:`Base.metadata`, which Alembic, the export/import round trip
and the model-versus-migration test all read.
"""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from exoderm.storage.base import Base

#: Modules that define tables, in no particular order (foreign keys decide the order).
MODEL_MODULES: tuple[str, ...] = (
    "exoderm.accounts.records",
    "exoderm.qc.records",
    "exoderm.clients.records",
    "exoderm.design.records",
    "exoderm.evidence.records",
    "exoderm.evidence.cargo",
)


def load_all_models() -> MetaData:
    """Import every model module and return the complete metadata."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
    return Base.metadata
