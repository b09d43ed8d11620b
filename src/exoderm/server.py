"""The server: one FastAPI app on which the REST API and the web pages are mounted as peers.

``create_app`` takes settings or an open database, makes sure the schema is current,
and wires: the API routers under ``/api/v1`` (:data:`exoderm.api.ROUTERS`), the web
pages (:func:`exoderm.web.install_pages`), the packaged static assets (no CDN), the
OpenAPI document at ``/openapi.json`` with docs at ``/docs`` (Swagger UI served from the
package), RFC 9457 problem responses for the API and error pages for people, and
security headers on every response. Neither face imports the other; both are imported
here, and a module that fails to import stops the server at start-up.

``exoderm serve`` calls :func:`prepare_service` once in the parent process (so that the
first admin's password is printed exactly once), then uvicorn builds the app in each
worker with :func:`app_from_environment`.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from exoderm.accounts import audit_shipping
from exoderm.accounts.users import ensure_first_admin
from exoderm.api import API_PREFIX, ROUTERS, problems
from exoderm.clients.keys import cipher
from exoderm.errors import ExodermError, UserInputError, ValidationFailed
from exoderm.evidence import load_knowledge_base
from exoderm.serving import csp_reports
from exoderm.serving.auth import HOST_SESSION_COOKIE, SESSION_COOKIE, authenticate_request
from exoderm.serving.context import AppContext, load_secret_key
from exoderm.serving.idempotency import IdempotencyKeys
from exoderm.serving.jobs import JobRunner
from exoderm.serving.static_files import AllowlistedStaticFiles
from exoderm.settings import Settings, get_settings, reset_settings_cache
from exoderm.storage.engine import Database, open_database
from exoderm.storage.migrate import ensure_schema
from exoderm.web import install_pages
from exoderm.web.errors import html_error

log = logging.getLogger("exoderm.server")
STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"
DB_URL_ENV = "EXODERM_DATABASE_URL"

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    f"form-action 'self'; report-uri {csp_reports.REPORT_PATH}; "
    f"report-to {csp_reports.REPORT_GROUP}"
)
#: The Reporting API endpoint the policy's ``report-to`` names (W3C Reporting API).
_REPORTING_ENDPOINTS = f'{csp_reports.REPORT_GROUP}="{csp_reports.REPORT_PATH}"'
# Swagger UI starts itself with an inline script (FastAPI's page); only /docs allows it.
_DOCS_CSP = _CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


def _wants_html(request: Request) -> bool:
    """Pages get HTML errors; the API (and anything under it) gets problem+json."""
    path = request.url.path
    return not (path.startswith(API_PREFIX) or path in ("/openapi.json", "/docs"))


#: The security log of refused input (fields and error kinds only: no values, which may
#: hold personal data or an attacker's payload).
input_log = logging.getLogger("exoderm.security.input")
_PRINTABLE = re.compile(r"[^\x20-\x7e]")


def _log_rejected_input(request: Request, exc: RequestValidationError) -> None:
    """One warning line per refused request: method, path, each field and error type."""
    fields = []
    for error in exc.errors()[:10]:
        where = ".".join(str(part) for part in error.get("loc", ()))
        fields.append(f"{where}:{error.get('type', '?')}")
    _log_refused(request, ", ".join(fields))


def _log_refused(request: Request, what: str) -> None:
    client = request.client.host if request.client else "-"
    line = f"input rejected {request.method} {request.url.path} from {client}: {what}"
    input_log.warning(_PRINTABLE.sub("?", line)[:500])


def _install_error_handlers(app: FastAPI) -> None:
    async def on_exoderm(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ExodermError)
        if isinstance(exc, UserInputError | ValidationFailed):
            _log_refused(request, type(exc).__name__)
        if _wants_html(request):
            return html_error(request, exc.http_status, exc.title, str(exc))
        return problems.problem_for_error(request, exc)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        _log_rejected_input(request, exc)
        if _wants_html(request):
            detail = "; ".join(str(e.get("msg")) for e in exc.errors()[:5])
            return html_error(request, 422, "Invalid input", detail)
        return problems.problem_for_validation(request, exc)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if _wants_html(request):
            return html_error(request, exc.status_code, "Error", str(exc.detail))
        return problems.problem_for_http(request, exc)

    async def on_crash(request: Request, exc: Exception) -> Response:
        return problems.problem_for_crash(request, exc)

    app.add_exception_handler(ExodermError, on_exoderm)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_crash)


class SecurityHeaders:
    """Pure ASGI middleware adding security headers (cheaper than ``@app.middleware``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                # no cross-origin window may keep a handle on ours, and no other site may
                # embed our responses (client photos, certificates) (ASVS 5.0 V3.4.8, V3.5.8)
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
                headers.setdefault(
                    "Content-Security-Policy", _DOCS_CSP if path == "/docs" else _CSP
                )
                headers.setdefault("Reporting-Endpoints", _REPORTING_ENDPOINTS)
                if https:
                    headers.setdefault(
                        "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
                    )
                if not path.startswith("/static/"):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _include_routers(app: FastAPI) -> None:
    """Mount every API router under :data:`exoderm.api.API_PREFIX`."""
    for r in ROUTERS:
        app.include_router(r, prefix=API_PREFIX)


def _document_idempotency(app: FastAPI) -> None:
    """Declare the ``Idempotency-Key`` header, and the answers it can bring, on every API
    ``POST`` in the OpenAPI document (see :mod:`exoderm.serving.idempotency`)."""
    build = app.openapi
    extra = problems.problem_responses(400, 409, 413, 422)
    header = {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "Send the same key again to get the first answer instead of a "
        "second record (kept 24 h; 1–255 visible ASCII characters).",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    }

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        for path, item in schema.get("paths", {}).items():
            operation = item.get("post")
            if operation is None or not path.startswith(API_PREFIX):
                continue
            operation.setdefault("parameters", []).append(header)
            responses = operation.setdefault("responses", {})
            for code, spec in extra.items():
                responses.setdefault(str(code), {k: v for k, v in spec.items() if k != "model"})
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _install_docs(app: FastAPI) -> None:
    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="exoderm API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
        )


def create_app(
    settings: Settings | None = None,
    db: Database | None = None,
    *,
    job_workers: int = 2,
) -> FastAPI:
    """Build the exoderm service on ``db`` (default: the database named by ``settings``).

    The schema of a new database is created; an outdated one is refused with
    :class:`~exoderm.errors.StorageError` (run ``exoderm db upgrade``).
    """
    settings = settings or get_settings()
    audit_shipping.configure(settings)
    owns_db = db is None
    database = db if db is not None else open_database(settings.resolved_database_url)
    ensure_schema(database)
    svc = AppContext(
        db=database,
        settings=settings,
        secret_key=load_secret_key(settings),
        jobs=JobRunner(max_workers=job_workers, max_per_owner=settings.max_jobs_per_user),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        svc.jobs.shutdown()
        if owns_db:
            database.dispose()

    app = FastAPI(
        title="exoderm",
        # the document's version is the API's (``/api/v1``), not the software's: the
        # public OpenAPI document names no component version (ASVS 5.0 V13.4.6)
        version=API_PREFIX.rsplit("/v", 1)[-1],
        summary="Evidence, formulation design, personalisation, QC, NTA and simulation "
        "for exosome skin care.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.context = svc
    _install_error_handlers(app)

    def authenticated(scope: Scope) -> bool:
        return authenticate_request(Request(scope), svc) is not None

    app.add_middleware(
        IdempotencyKeys,
        prefix=API_PREFIX,
        database=lambda: svc.db,
        cipher=lambda: cipher(settings),
        session_cookies=(HOST_SESSION_COOKIE, SESSION_COOKIE),
        authenticated=authenticated,
    )
    app.add_middleware(SecurityHeaders)
    _include_routers(app)
    _document_idempotency(app)
    _install_docs(app)
    app.mount("/static", AllowlistedStaticFiles(directory=STATIC_DIR), name="static")
    app.add_route(
        csp_reports.REPORT_PATH,
        csp_reports.receive_report,
        methods=["POST"],
        include_in_schema=False,
    )
    install_pages(app)
    return app


@dataclass(frozen=True)
class ReadyService:
    """What ``exoderm serve`` prints before it starts: database, first admin, evidence."""

    settings: Settings
    database_label: str
    first_admin: tuple[str, str] | None
    knowledge_base: str


def prepare_service(db: Database) -> ReadyService:
    """Schema current, knowledge base readable, and an admin on a fresh database."""
    ensure_schema(db)
    with db.reader() as session:
        stats = load_knowledge_base(session).stats()
    with db.transaction() as session:
        created = ensure_first_admin(session)
    first = (created[0].username, created[1]) if created else None
    os.environ[DB_URL_ENV] = db.url
    reset_settings_cache()
    return ReadyService(
        settings=get_settings(),
        database_label=db.engine.url.render_as_string(hide_password=True),
        first_admin=first,
        knowledge_base=f"{stats['nodes']} nodes, {stats['claims']} claims",
    )


def app_from_environment() -> FastAPI:
    """uvicorn factory: the app on the database named by ``EXODERM_DATABASE_URL``."""
    return create_app(get_settings())
