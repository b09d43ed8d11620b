"""Getting a service ready to run: schema, knowledge base, first admin, app factory.

``exoderm serve`` calls :func:`prepare_service` once in the parent process (so that the
first admin's password is printed exactly once), then uvicorn builds the app in each
worker with :func:`app_from_environment`.
"""

from __future__ import annotations

import importlib
import logging
import os
from dataclasses import dataclass

from fastapi import FastAPI

from exoderm.accounts.users import ensure_first_admin
from exoderm.settings import Settings, get_settings, reset_settings_cache
from exoderm.storage.engine import Database
from exoderm.storage.migrate import ensure_schema

log = logging.getLogger("exoderm.api")
DB_URL_ENV = "EXODERM_DATABASE_URL"


@dataclass(frozen=True)
class ReadyService:
    settings: Settings
    database_label: str
    first_admin: tuple[str, str] | None
    knowledge_base: str


def seed_knowledge_base(db: Database) -> str:
    """Make the evidence knowledge base available; returns a one-line description.

    The knowledge base ships as data files in ``exoderm.evidence``; if that library
    offers a seeding function it is called, otherwise loading it proves it is readable.
    """
    try:
        evidence = importlib.import_module("exoderm.evidence")
    except ModuleNotFoundError:
        return "evidence library not installed"
    for name in ("seed", "seed_database", "ensure_seeded"):
        fn = getattr(evidence, name, None)
        if callable(fn):
            with db.transaction() as session:
                fn(session)
            return f"seeded by exoderm.evidence.{name}"
    for name in ("load_graph", "default_graph", "load_knowledge_base", "knowledge_base"):
        fn = getattr(evidence, name, None)
        if callable(fn):
            fn()
            return f"loaded by exoderm.evidence.{name}"
    return "evidence library present"


def prepare_service(db: Database) -> ReadyService:
    """Schema current, knowledge base available, and an admin on a fresh database."""
    ensure_schema(db)
    kb = seed_knowledge_base(db)
    with db.transaction() as session:
        created = ensure_first_admin(session)
    first = (created[0].username, created[1]) if created else None
    os.environ[DB_URL_ENV] = db.url
    reset_settings_cache()
    return ReadyService(
        settings=get_settings(),
        database_label=db.engine.url.render_as_string(hide_password=True),
        first_admin=first,
        knowledge_base=kb,
    )


def app_from_environment() -> FastAPI:
    """uvicorn factory: the app on the database named by ``EXODERM_DATABASE_URL``."""
    from exoderm.api.app import create_app

    return create_app(get_settings())
