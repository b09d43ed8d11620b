"""The HTTP side of pagination: ``?limit=&offset=`` parsed into a :class:`PageQuery`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from exoderm.storage.paging import MAX_LIMIT, PageQuery


async def page_query(
    limit: int = Query(50, ge=1, le=MAX_LIMIT, description="Items per page."),
    offset: int = Query(0, ge=0, le=1_000_000, description="Items to skip."),
) -> PageQuery:
    """FastAPI dependency: the requested page."""
    return PageQuery(limit, offset)


#: A record id in a path: positive and within a 32-bit INTEGER (both engines' column).
RecordId = Annotated[int, Path(ge=1, le=2_147_483_647, description="Record id.")]
