"""Errors shown to people as a page (the API shows the same errors as problem+json)."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response


def html_error(request: Request, status: int, title: str, detail: str) -> Response:
    """An error page; a missing login becomes a redirect to the login page."""
    if status == 401:
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    from exoderm.web.templating import is_htmx, render

    if is_htmx(request):
        from html import escape

        return HTMLResponse(
            f'<div class="error" role="alert"><strong>{escape(title)}:</strong> '
            f"{escape(detail)}</div>",
            status_code=status,
        )
    return render(
        request,
        "error.html",
        {"status": status, "title": title, "detail": detail},
        status_code=status,
    )
