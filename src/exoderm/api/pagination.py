"""Pagination and filtering of lists: ``?limit=&offset=`` and a uniform page envelope.

Offset pagination suits these lists (hundreds to thousands of rows, stable ordering by
id or name); every list endpoint returns ``{"items", "total", "limit", "offset"}`` so a
client can page without guessing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Path, Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

MAX_LIMIT = 200


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class PageQuery:
    limit: int
    offset: int


async def page_query(
    limit: int = Query(50, ge=1, le=MAX_LIMIT, description="Items per page."),
    offset: int = Query(0, ge=0, le=1_000_000, description="Items to skip."),
) -> PageQuery:
    """FastAPI dependency: the requested page."""
    return PageQuery(limit, offset)


def page_of_list(items: Sequence[T], page: PageQuery) -> tuple[list[T], int]:
    """One page of an in-memory list, and the list's length."""
    return list(items[page.offset : page.offset + page.limit]), len(items)


def page_of_select(session: Session, stmt: Select[Any], page: PageQuery) -> tuple[list[Any], int]:
    """One page of a SELECT's scalar results, and the total count of the unpaged SELECT."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = list(session.scalars(stmt.limit(page.limit).offset(page.offset)))
    return rows, int(total or 0)


#: A record id in a path: positive and within a 32-bit INTEGER (both engines' column).
RecordId = Annotated[int, Path(ge=1, le=2_147_483_647, description="Record id.")]
