"""Alembic environment: migrates the app's database (or a connection handed in by the caller)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import lti_pathing.models  # noqa: F401  (registers every table on Base.metadata)
from lti_pathing.columns import Base

config = context.config


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite can only ALTER through copy-and-move
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    """Use the caller's connection (init-db, tests), else the app built from the environment."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    from lti_pathing import create_app
    from lti_pathing.db import database

    with database(create_app()).engine.begin() as fresh:
        _migrate(fresh)


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run them against a database")
run()
