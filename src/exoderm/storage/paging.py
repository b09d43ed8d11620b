"""Pages of a list: a request (limit, offset) and a uniform envelope with the total.

Offset pagination suits exoderm's lists (hundreds to thousands of rows, stable ordering
by id or name); every list a service returns is a :class:`Page` of
``{"items", "total", "limit", "offset"}`` so a caller can page without guessing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

#: The most items one page may hold.
MAX_LIMIT = 200


class Page(BaseModel, Generic[T]):
    """One page of a list and the length of the whole list."""

    items: list[T]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class PageQuery:
    """Which page: at most ``limit`` items after skipping ``offset``."""

    limit: int = 50
    offset: int = 0


#: Every item up to :data:`MAX_LIMIT` (for the CLI and tests).
FIRST_PAGE = PageQuery(MAX_LIMIT, 0)


def page_of_list(items: Sequence[T], page: PageQuery) -> tuple[list[T], int]:
    """One page of an in-memory list, and the list's length."""
    return list(items[page.offset : page.offset + page.limit]), len(items)


def page_of_select(session: Session, stmt: Select[Any], page: PageQuery) -> tuple[list[Any], int]:
    """One page of a SELECT's scalar results, and the total count of the unpaged SELECT."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = list(session.scalars(stmt.limit(page.limit).offset(page.offset)))
    return rows, int(total or 0)
