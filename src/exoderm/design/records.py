"""Tables of the design capability: ingredients imported into the catalogue.

The packaged catalogue is data in the package; a user's own ingredients are stored
here, one row per key, as the validated JSON of :class:`~exoderm.design.ingredient.
Ingredient` (validated again on every read, so a row written by an older version that
no longer validates is reported, not silently used).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from exoderm.storage.base import Base, utcnow


class ImportedIngredient(Base):
    """One user-imported catalogue ingredient; its key overrides a packaged one."""

    __tablename__ = "design_ingredient"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_file: Mapped[str] = mapped_column(String(500), default="")
    imported_by: Mapped[str] = mapped_column(String(100), default="")
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
