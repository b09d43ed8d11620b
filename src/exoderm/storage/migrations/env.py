"""Alembic environment: runs on the engine handed over by :mod:`exoderm.storage.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, engine_from_config, pool

from exoderm.storage.tables import load_all_models

config = context.config
target_metadata = load_all_models()


def run_migrations_online() -> None:
    engine: Engine | None = config.attributes.get("engine")
    if engine is None:
        engine = engine_from_config(
            config.get_section(config.config_ini_section) or {},
            prefix="sqlalchemy.",
            poolclass=pool.NullPool,
        )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
