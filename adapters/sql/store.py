"""The SQL store: a ``UnitOfWorkFactory`` over SQLite or PostgreSQL.

``SqlStore(url)`` opens nothing until a unit of work runs a statement; calling the store
returns a :class:`SqlUnitOfWork`, one transaction, used as a context manager exactly like the
in-memory store's. The schema must exist already: it is created and upgraded only by the
migrations (:func:`legsync.adapters.sql.upgrade`).
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Engine, text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import OperationalError

from legsync.ports import AccountBusy

from .engine import DEFAULT_DATABASE_URL, DEFAULT_LOCK_TIMEOUT, account_lock_key, make_engine
from .positions import SqlPositionRepository
from .sync_runs import SqlSyncRunRepository
from .trades import SqlTradeRepository

__all__ = ["SqlStore", "SqlUnitOfWork"]

_LOCK_NOT_AVAILABLE = "55P03"
"""PostgreSQL's SQLSTATE for a lock wait that hit ``lock_timeout``."""


class SqlStore:
    """The production store, built from a database URL.

    ``lock_timeout`` is how long :meth:`SqlUnitOfWork.lock_account` waits for another sync of
    the same account (on SQLite: for the database's write lock) before raising
    :class:`~legsync.ports.AccountBusy`; 0 means do not wait. The store owns a connection
    pool: :meth:`close` it (or use it as a context manager) when done. One store may be shared
    by threads; each unit of work belongs to one thread.
    """

    def __init__(
        self,
        url: str | URL = DEFAULT_DATABASE_URL,
        *,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    ) -> None:
        if lock_timeout < 0:
            raise ValueError(f"lock_timeout must be >= 0 seconds, got {lock_timeout!r}")
        self.lock_timeout = lock_timeout
        self.engine: Engine = make_engine(url, lock_timeout=lock_timeout)
        self.dialect_name = self.engine.dialect.name
        self.schema_created = False
        """Whether :func:`~legsync.adapters.sql.prepare_schema` created this database's schema."""

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self)

    def close(self) -> None:
        """Close the pooled connections; units of work opened later reconnect."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqlStore({self.engine.url.render_as_string(hide_password=True)!r})"


class SqlUnitOfWork:
    """One transaction over the SQL store (see :class:`legsync.ports.UnitOfWork`).

    The unit of work holds one Core ``Connection``: it connects and begins the transaction
    with the first statement, and ends it at :meth:`commit`, :meth:`rollback` or the end of the
    ``with`` block, which rolls back whatever was not committed, exceptions included. After a
    commit or rollback the unit of work goes on with a new transaction on the same connection.
    No ORM ``Session``: every repository runs Core statements on :meth:`connection`.
    """

    def __init__(self, store: SqlStore) -> None:
        self._store = store
        self._entered = False
        self._connection: Connection | None = None
        self._positions: SqlPositionRepository | None = None
        self._sync_runs: SqlSyncRunRepository | None = None
        self._trades: SqlTradeRepository | None = None

    @property
    def positions(self) -> SqlPositionRepository:
        self._check_entered()
        assert self._positions is not None
        return self._positions

    @property
    def sync_runs(self) -> SqlSyncRunRepository:
        self._check_entered()
        assert self._sync_runs is not None
        return self._sync_runs

    @property
    def trades(self) -> SqlTradeRepository:
        self._check_entered()
        assert self._trades is not None
        return self._trades

    def connection(self) -> Connection:
        """The unit of work's connection, in a transaction: connects and begins (on SQLite
        ``BEGIN IMMEDIATE``, which waits for the write lock) when none is open yet."""
        self._check_entered()
        connection = self._connection
        if connection is None:
            connection = self._connection = self._store.engine.connect()
        if not connection.in_transaction():
            try:
                connection.begin()
            except BaseException:
                # A BEGIN that failed (SQLite's lock wait ran out) leaves the connection in no
                # known state: drop it, the next statement connects afresh.
                self._connection = None
                connection.close()
                raise
        return connection

    def _check_entered(self) -> None:
        if not self._entered:
            raise RuntimeError("use the unit of work in a with block")

    def __enter__(self) -> Self:
        if self._entered:
            raise RuntimeError("this unit of work is open already")
        store = self._store
        self._entered = True
        self._positions = SqlPositionRepository(self, store.dialect_name)
        self._sync_runs = SqlSyncRunRepository(self)
        self._trades = SqlTradeRepository(self, store.dialect_name)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection, self._connection = self._connection, None
        self._entered = False
        self._positions = self._sync_runs = self._trades = None
        if connection is not None:
            connection.close()  # rolls back anything not committed

    def commit(self) -> None:
        self._check_entered()
        if self._connection is not None:
            self._connection.commit()

    def rollback(self) -> None:
        self._check_entered()
        if self._connection is not None:
            self._connection.rollback()

    def lock_account(self, account_id: str) -> None:
        """Serialise syncs of ``account_id`` until this transaction ends.

        PostgreSQL: a transaction-scoped advisory lock on the account, so syncs of other
        accounts go on in parallel. SQLite: the database's write lock (``BEGIN IMMEDIATE``),
        which every transaction of this store takes anyway; it serialises all writers, which
        is what a single SQLite file can do. Raises :class:`AccountBusy` after the store's
        ``lock_timeout``; the transaction is then rolled back.
        """
        if self._store.dialect_name == "postgresql":
            self._lock_postgres(account_id)
        else:
            self._lock_sqlite(account_id)

    def _lock_postgres(self, account_id: str) -> None:
        connection = self.connection()
        key = account_lock_key(account_id)
        wait = self._store.lock_timeout
        if wait == 0:
            got = connection.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key})
            if not got.scalar_one():
                connection.rollback()
                raise AccountBusy(account_id, "its PostgreSQL advisory lock is held")
            return
        connection.execute(
            text("SELECT set_config('lock_timeout', :wait, true)"),
            {"wait": f"{max(int(wait * 1000), 1)}ms"},
        )
        try:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
                raise
            connection.rollback()
            raise AccountBusy(
                account_id, f"waited {wait:g}s for its PostgreSQL advisory lock"
            ) from None
        connection.execute(text("SET LOCAL lock_timeout = DEFAULT"))

    def _lock_sqlite(self, account_id: str) -> None:
        try:
            self.connection()  # begins the transaction: BEGIN IMMEDIATE
        except OperationalError as error:
            if "locked" not in str(error.orig) and "busy" not in str(error.orig):
                raise
            raise AccountBusy(
                account_id,
                f"waited {self._store.lock_timeout:g}s for the write lock of SQLite database "
                f"{self._store.engine.url.database}",
            ) from None
