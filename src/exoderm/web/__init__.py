"""The exoderm web application: server-rendered pages (Jinja2 + HTMX), packaged assets.

Each capability has its own page module; :func:`install_pages` mounts those whose
library is importable, so the navigation shows only what exists.
"""

from __future__ import annotations

import importlib
import logging

from fastapi import FastAPI

log = logging.getLogger("exoderm.web")

#: Page modules: (module, navigation label, path, scope to see it), in navigation order.
PAGE_MODULES: tuple[tuple[str, str, str, str], ...] = (
    ("exoderm.web.evidence_pages", "Evidence", "/evidence", "evidence:read"),
    ("exoderm.web.design_pages", "Design", "/design", "design:read"),
    ("exoderm.web.clients_pages", "Clients", "/clients", "clients:read"),
    ("exoderm.web.qc_pages", "QC", "/qc", "qc:read"),
    ("exoderm.web.nta_pages", "NTA", "/nta", "nta:read"),
    ("exoderm.web.simulate_pages", "Simulate", "/simulate", "simulate:read"),
)


def install_pages(app: FastAPI) -> None:
    """Mount the account pages and every capability's pages that can be imported."""
    from exoderm.web import account_pages, admin_pages, jobs_pages

    app.include_router(account_pages.router)
    app.include_router(jobs_pages.router)
    app.include_router(admin_pages.router)
    nav: list[tuple[str, str, str]] = []
    for module_name, label, path, scope in PAGE_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            log.info("pages %s not mounted: %s", module_name, exc)
            continue
        app.include_router(module.router)
        nav.append((label, path, scope))
    app.state.nav = nav
