"""Engines configured the way legsync's guarantees need them.

SQLite: WAL (readers never block the writer, and a killed writer leaves the last commit
intact), foreign keys on, a busy timeout, and transactions that we begin ourselves with
``BEGIN IMMEDIATE``. The ``sqlite3`` driver would otherwise begin lazily, only before a
write, which makes a read-then-write transaction fail with "database is locked" instead of
waiting, and makes DDL autocommit (see SQLAlchemy's "Transactions with SQLite and the sqlite3
driver"). PostgreSQL: psycopg 3, READ COMMITTED (so that a sync that waited for an account's
lock reads what the previous holder committed).
"""

from __future__ import annotations

import hashlib
from typing import Any, Protocol

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.pool import NullPool

__all__ = [
    "DEFAULT_DATABASE_URL",
    "ConnectionSource",
    "account_lock_key",
    "make_engine",
    "normalize_url",
]

DEFAULT_DATABASE_URL = "sqlite:///legsync.db"
"""A SQLite file in the working directory."""

DEFAULT_LOCK_TIMEOUT = 30.0
"""Seconds a unit of work waits for an account's lock (or SQLite's write lock)."""


class ConnectionSource(Protocol):
    """What the repositories run their statements on: a unit of work's connection, in its
    transaction (:meth:`legsync.adapters.sql.SqlUnitOfWork.connection`)."""

    def connection(self) -> Connection: ...


def normalize_url(url: str | URL) -> URL:
    """The URL with a driver we ship: ``postgresql://`` means psycopg 3, not psycopg2."""
    parsed = make_url(url)
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "postgres":  # the scheme libpq and Heroku-style URLs use
        backend = "postgresql"
    if backend not in ("sqlite", "postgresql"):
        raise ValueError(
            f"unsupported database URL scheme {parsed.drivername!r}: "
            "use sqlite:///path.db or postgresql://user@host/db"
        )
    if backend == "postgresql":
        if driver not in ("", "psycopg"):
            raise ValueError(
                f"unsupported PostgreSQL driver {driver!r}: legsync uses psycopg 3 "
                "(postgresql:// or postgresql+psycopg://)"
            )
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(
    url: str | URL, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT, pooled: bool = True
) -> Engine:
    """An engine for ``url``; ``pooled=False`` for one-shot work such as migrations."""
    parsed = normalize_url(url)
    options: dict[str, Any] = {}
    if not pooled:
        options["poolclass"] = NullPool
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": max(lock_timeout, 0.0)}, **options)
        _configure_sqlite(engine, lock_timeout)
        return engine
    return create_engine(parsed, pool_pre_ping=True, **options)


def _configure_sqlite(engine: Engine, lock_timeout: float) -> None:
    busy_ms = max(int(lock_timeout * 1000), 0)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN away from the driver: we emit it ourselves, below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Every unit of work may write, so it takes SQLite's single write lock up front (waiting
        # up to the busy timeout): a transaction that read first and wrote later could not
        # wait for the lock and would fail with "database is locked" instead.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def account_lock_key(account_id: str) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory locks, the same in every process.

    Python's ``hash()`` is salted per process, so it would not do; BLAKE2b of a namespaced
    text is stable everywhere and makes a collision with another application's advisory locks
    on the same database improbable.
    """
    digest = hashlib.blake2b(f"legsync:account:{account_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
