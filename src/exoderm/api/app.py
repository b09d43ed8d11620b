"""The application factory: one FastAPI app serving the REST API and the web pages.

``create_app`` takes settings or an open database, makes sure the schema is current,
and wires: the API routers under ``/api/v1`` (one per capability), the web pages, the
packaged static assets (no CDN), the OpenAPI document at ``/openapi.json`` with docs at
``/docs`` (Swagger UI served from the package), RFC 9457 problem responses, and
security headers on every response.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from exoderm import __version__
from exoderm.api import problems
from exoderm.api.jobs import JobRunner
from exoderm.api.services import Services, load_secret_key
from exoderm.errors import ExodermError
from exoderm.settings import Settings, get_settings
from exoderm.storage.engine import Database, open_database
from exoderm.storage.migrate import ensure_schema

log = logging.getLogger("exoderm.api")
STATIC_DIR = Path(__file__).resolve().parent.parent / "web" / "static"
API_PREFIX = "/api/v1"

#: Capability routers, mounted when their module imports (a capability still being
#: built is simply absent from the API rather than breaking it).
ROUTER_MODULES: tuple[str, ...] = (
    "exoderm.api.routers.accounts",
    "exoderm.api.routers.evidence",
    "exoderm.api.routers.design",
    "exoderm.api.routers.clients",
    "exoderm.api.routers.qc",
    "exoderm.api.routers.nta",
    "exoderm.api.routers.simulate",
)

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
# Swagger UI starts itself with an inline script (FastAPI's page); only /docs allows it.
_DOCS_CSP = _CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


def _wants_html(request: Request) -> bool:
    """Pages get HTML errors; the API (and anything under it) gets problem+json."""
    path = request.url.path
    return not (path.startswith(API_PREFIX) or path in ("/openapi.json", "/docs"))


def _install_error_handlers(app: FastAPI) -> None:
    from exoderm.web.errors import html_error

    async def on_exoderm(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ExodermError)
        if _wants_html(request):
            return html_error(request, exc.http_status, exc.title, str(exc))
        return problems.problem_for_error(request, exc)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
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
                headers.setdefault(
                    "Content-Security-Policy", _DOCS_CSP if path == "/docs" else _CSP
                )
                if https:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
                if not path.startswith("/static/"):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _include_routers(app: FastAPI) -> list[str]:
    """Mount each capability's API router whose library is importable; return their names."""
    mounted = []
    for name in ROUTER_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            log.info("API router %s not mounted: %s", name, exc)
            continue
        for attr in ("public", "router"):
            r = getattr(module, attr, None)
            if r is not None:
                app.include_router(r, prefix=API_PREFIX)
        mounted.append(name.rsplit(".", 1)[-1])
    return mounted


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
    owns_db = db is None
    database = db if db is not None else open_database(settings.resolved_database_url)
    ensure_schema(database)
    svc = Services(
        db=database,
        settings=settings,
        secret_key=load_secret_key(settings),
        jobs=JobRunner(max_workers=job_workers),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        svc.jobs.shutdown()
        if owns_db:
            database.dispose()

    app = FastAPI(
        title="exoderm",
        version=__version__,
        summary="Evidence, formulation design, personalisation, QC, NTA and simulation "
        "for exosome skin care.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.services = svc
    _install_error_handlers(app)
    app.add_middleware(SecurityHeaders)
    app.state.capabilities = _include_routers(app)
    _install_docs(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    from exoderm.web import install_pages

    install_pages(app)
    return app
