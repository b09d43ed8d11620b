"""The Jinja2 environment: packaged templates, autoescaping, and the page context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from exoderm import __version__

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
templates.env.globals["version"] = __version__


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page with the common context: user, CSRF token, navigation."""
    who = getattr(request.state, "principal", None)
    scopes = who.scopes if who is not None else frozenset()
    nav = [
        (label, path)
        for label, path, scope in getattr(request.app.state, "nav", [])
        if scope in scopes
    ]
    base = {
        "user": who,
        "csrf_token": who.csrf_token if who is not None else None,
        "nav": nav,
        "path": request.url.path,
    }
    base.update(context or {})
    return templates.TemplateResponse(request, template, base, status_code=status_code)


def is_htmx(request: Request) -> bool:
    """True for a request made by HTMX (it wants a fragment, not a whole page)."""
    return request.headers.get("HX-Request") == "true"
