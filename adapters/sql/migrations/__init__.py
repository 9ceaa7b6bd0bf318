"""legsync's schema migrations (Alembic), runnable from Python without an alembic.ini.

The schema is created and changed only here: ``upgrade(url)`` brings any legsync database,
new, legacy or older, to the current schema in one transaction. The CLI's ``legsync db``
commands call these functions.

Revisions:

- ``0001``: the legacy schema, the engine's ``trades`` table before positions were separated.
- ``0002``: ``portfolio_positions``, ``sync_runs``, and ``trades.origin`` / ``trades.managed``.
- ``0003``: ``trades.close_reason`` and ``trades.envelope``.
- ``0004``: ``portfolio_stock``, and stock counts in ``sync_runs``.
- ``0005``: ``marked_at`` on ``portfolio_positions`` and ``portfolio_stock``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Connection

from ..engine import make_engine
from ..revision import SchemaError

__all__ = [
    "LEGACY_REVISION",
    "SchemaError",
    "current_revision",
    "downgrade",
    "head_revision",
    "upgrade",
]

LEGACY_REVISION = "0001"
"""The revision that describes a database the engine created before legsync existed."""

_HERE = Path(__file__).resolve().parent
_LEGACY_TRADE_COLUMNS = {"id", "account_id", "symbol", "legs", "quantity", "status"}
_MIGRATION_LOCK = 0x6C6567_73796E63  # "legsync": PostgreSQL advisory lock key for migrations


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_HERE).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def upgrade(url: str | URL, revision: str = "head") -> None:
    """Upgrade the database at ``url`` to ``revision`` (the newest by default).

    A database the legacy engine created (a ``trades`` table and no Alembic version) is first
    stamped at :data:`LEGACY_REVISION`, so its trades are migrated, not recreated. The whole
    upgrade is one transaction: it either completes or changes nothing.
    """
    engine = make_engine(url, pooled=False)
    try:
        with engine.begin() as connection:
            _serialise(connection)
            config = _config(connection)
            if _is_unversioned_legacy(connection):
                command.stamp(config, LEGACY_REVISION)
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def downgrade(url: str | URL, revision: str) -> None:
    """Downgrade the database at ``url`` to ``revision`` (``"base"`` drops everything).

    Downgrading below ``0002`` drops the positions, the sync log and the trades' ``origin``
    and ``managed`` columns, with their data; the trades themselves stay.
    """
    engine = make_engine(url, pooled=False)
    try:
        with engine.begin() as connection:
            _serialise(connection)
            command.downgrade(_config(connection), revision)
    finally:
        engine.dispose()


def current_revision(url: str | URL) -> str | None:
    """The database's revision, or None for a database Alembic has never touched."""
    engine = make_engine(url, pooled=False)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str:
    """The newest revision this version of legsync knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def _serialise(connection: Connection) -> None:
    """Two processes migrating one PostgreSQL database at once take turns; the second finds
    the work done. (On SQLite the transaction's write lock already does this.)"""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})


def _is_unversioned_legacy(connection: Connection) -> bool:
    inspector = inspect(connection)
    tables = set(inspector.get_table_names())
    if "alembic_version" in tables or "trades" not in tables:
        return False
    columns = {column["name"] for column in inspector.get_columns("trades")}
    recognised = columns >= _LEGACY_TRADE_COLUMNS and not columns & {"origin", "managed"}
    if not recognised or tables & {"portfolio_positions", "sync_runs"}:
        raise SchemaError(
            "the database has a trades table but no migration history, and it is not the "
            f"legacy engine's (columns: {', '.join(sorted(columns))}); refusing to migrate it"
        )
    return True
