"""The exoderm REST API (FastAPI routers under ``/api/v1``), one router per capability.

Routers translate HTTP to the capabilities' services and back; they hold no SQL and no
access rule. :mod:`exoderm.server` mounts them beside the web pages.
"""

from fastapi import APIRouter

from exoderm.api.routers import accounts, clients, design, evidence, nta, qc, simulate

API_PREFIX = "/api/v1"

#: Every API router, in the order the OpenAPI document lists them.
ROUTERS: tuple[APIRouter, ...] = (
    accounts.public,
    accounts.router,
    evidence.router,
    design.router,
    clients.router,
    clients.respond,
    qc.router,
    nta.router,
    simulate.router,
)

__all__ = ["API_PREFIX", "ROUTERS"]
