"""Alembic's environment for legsync's schema.

Normally run through :func:`legsync.adapters.sql.migrations.upgrade`, which passes an open
connection in ``config.attributes["connection"]`` (one transaction for the whole run). Run
with the ``alembic`` command and an ini file of your own, it connects to ``sqlalchemy.url``.
``render_as_batch`` makes ALTERs work on SQLite, which rebuilds a table to alter it.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from legsync.adapters.sql.engine import make_engine
from legsync.adapters.sql.tables import METADATA


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=METADATA,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    if context.is_offline_mode():
        raise RuntimeError("legsync's migrations run online only (no --sql)")
    config = context.config
    given = config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set sqlalchemy.url, or run legsync.adapters.sql.migrations.upgrade")
    engine = make_engine(url, pooled=False)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


_main()
