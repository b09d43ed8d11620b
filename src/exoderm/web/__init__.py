"""The exoderm web application: server-rendered pages (Jinja2 + HTMX), packaged assets.

Each capability has its own page module; :func:`install_pages` mounts them all beside
the account, job and admin pages. Pages translate forms to the capabilities' services
and render their results; they hold no SQL and no access rule.
"""

from __future__ import annotations

from fastapi import FastAPI

from exoderm.web import (
    account_pages,
    admin_pages,
    clients_pages,
    design_pages,
    evidence_pages,
    jobs_pages,
    nta_pages,
    qc_pages,
    respond_pages,
    simulate_pages,
)

#: The navigation: (label, path, scope needed to see it), in order.
NAVIGATION: tuple[tuple[str, str, str], ...] = (
    ("Evidence", "/evidence", "evidence:read"),
    ("Design", "/design", "design:read"),
    ("Clients", "/clients", "clients:read"),
    ("QC", "/qc", "qc:read"),
    ("NTA", "/nta", "nta:read"),
    ("Simulate", "/simulate", "simulate:read"),
)


def install_pages(app: FastAPI) -> None:
    """Mount every page router and publish the navigation on ``app.state.nav``."""
    for module in (
        account_pages,
        jobs_pages,
        admin_pages,
        evidence_pages,
        design_pages,
        clients_pages,
        qc_pages,
        nta_pages,
        simulate_pages,
        respond_pages,
    ):
        app.include_router(module.router)
    app.state.nav = list(NAVIGATION)
