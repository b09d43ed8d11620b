"""Errors as RFC 9457 problem details (``application/problem+json``).

Every :class:`~exoderm.errors.ExodermError` maps to its own ``http_status`` and
``title``; its one-line message is the ``detail``; a validation error lists each problem
with its location (file, line, field) and what was expected in ``errors``. Request-body
and query validation by FastAPI is reported the same way, so a client sees one shape of
error for everything. Unexpected exceptions become a 500 with no internals disclosed.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from exoderm.errors import ExodermError, Problem, UserInputError, ValidationFailed

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("exoderm.api")


class ProblemItem(BaseModel):
    """One finding: what is wrong and where."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    expected: str | None = None


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, with ``errors`` for input validation."""

    type: str = Field(default="about:blank", description="A URI identifying the problem type.")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[ProblemItem] | None = None


def _item(problem: Problem) -> ProblemItem:
    loc = problem.location
    return ProblemItem(
        message=problem.message,
        file=str(loc.file) if loc.file is not None else None,
        line=loc.line,
        field=loc.field,
        expected=problem.expected,
    )


def problem_response(
    request: Request,
    status: int,
    title: str,
    detail: str | None,
    *,
    errors: list[ProblemItem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ProblemDetails(
        title=title, status=status, detail=detail, instance=request.url.path, errors=errors
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def problem_for_error(request: Request, exc: ExodermError) -> JSONResponse:
    errors: list[ProblemItem] | None = None
    if isinstance(exc, ValidationFailed):
        errors = [_item(p) for p in exc.problems]
    elif isinstance(exc, UserInputError):
        errors = [_item(exc.problem)]
    headers = None
    retry = getattr(exc, "retry_after_s", None)
    if retry is not None:
        headers = {"Retry-After": str(retry)}
    if exc.http_status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": 'Bearer realm="exoderm"'}
    return problem_response(
        request, exc.http_status, exc.title, str(exc), errors=errors, headers=headers
    )


def _field_of(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or ".".join(str(p) for p in loc)


def problem_for_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        errors.append(
            ProblemItem(
                message=str(err.get("msg", "invalid value")),
                field=_field_of(loc),
                expected=str(err.get("ctx", {}).get("expected", "")) or None,
            )
        )
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors[:20])
    return problem_response(request, 422, "Invalid input", detail, errors=errors)


def problem_for_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    titles = {
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not found",
        405: "Method not allowed",
        413: "Payload too large",
    }
    title = titles.get(exc.status_code, "HTTP error")
    detail = exc.detail if isinstance(exc.detail, str) else None
    return problem_response(
        request, exc.status_code, title, detail, headers=dict(exc.headers) if exc.headers else None
    )


def problem_for_crash(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        request, 500, "Internal server error", "an unexpected error occurred; it has been logged"
    )


#: OpenAPI ``responses`` for the errors any authenticated operation can return.
def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        400: "Bad request",
        401: "Not authenticated",
        403: "Forbidden",
        404: "Not found",
        409: "Conflict",
        413: "Payload too large",
        422: "Invalid input",
        429: "Too many requests",
        503: "Storage unavailable",
    }
    return {
        code: {
            "description": descriptions.get(code, "Error"),
            "model": ProblemDetails,
            "content": {
                PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}
            },
        }
        for code in codes
    }
