"""Alembic environment: Desk passes its own connection (see desk.core.db.upgrade)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from desk.core.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # plain `alembic` command line, for developers
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///desk-dev.sqlite3")
        with engine.begin() as conn:
            context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
        return
    # desk.core.db.upgrade passes a callback to report each applied revision (the window's
    # progress bar while an older store is upgraded).
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      on_version_apply=config.attributes.get("on_version_apply"))
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
