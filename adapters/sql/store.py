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
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from legsync.ports import AccountBusy

from .engine import DEFAULT_DATABASE_URL, DEFAULT_LOCK_TIMEOUT, account_lock_key, make_engine
from .positions import SqlPositionRepository, upsert_statement
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
        self._upsert = upsert_statement(self.dialect_name)

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

    The transaction begins with the first statement and ends at :meth:`commit`,
    :meth:`rollback` or the end of the ``with`` block, which rolls back whatever was not
    committed, exceptions included. After a commit or rollback the unit of work goes on with a
    new transaction.
    """

    def __init__(self, store: SqlStore) -> None:
        self._store = store
        self._session: Session | None = None
        self._positions: SqlPositionRepository | None = None
        self._sync_runs: SqlSyncRunRepository | None = None
        self._trades: SqlTradeRepository | None = None

    @property
    def positions(self) -> SqlPositionRepository:
        self._open()
        assert self._positions is not None
        return self._positions

    @property
    def sync_runs(self) -> SqlSyncRunRepository:
        self._open()
        assert self._sync_runs is not None
        return self._sync_runs

    @property
    def trades(self) -> SqlTradeRepository:
        self._open()
        assert self._trades is not None
        return self._trades

    def _open(self) -> Session:
        if self._session is None:
            raise RuntimeError("use the unit of work in a with block")
        return self._session

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is open already")
        store = self._store
        session = Session(store.engine, expire_on_commit=False)
        self._session = session
        self._positions = SqlPositionRepository(session, store.dialect_name, store._upsert)
        self._sync_runs = SqlSyncRunRepository(session)
        self._trades = SqlTradeRepository(session, store.dialect_name)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        self._positions = self._sync_runs = self._trades = None
        if session is not None:
            session.close()  # rolls back anything not committed

    def commit(self) -> None:
        self._open().commit()

    def rollback(self) -> None:
        self._open().rollback()

    def lock_account(self, account_id: str) -> None:
        """Serialise syncs of ``account_id`` until this transaction ends.

        PostgreSQL: a transaction-scoped advisory lock on the account, so syncs of other
        accounts go on in parallel. SQLite: the database's write lock (``BEGIN IMMEDIATE``),
        which every transaction of this store takes anyway; it serialises all writers, which
        is what a single SQLite file can do. Raises :class:`AccountBusy` after the store's
        ``lock_timeout``; the transaction is then rolled back.
        """
        session = self._open()
        if self._store.dialect_name == "postgresql":
            self._lock_postgres(session, account_id)
        else:
            self._lock_sqlite(session, account_id)

    def _lock_postgres(self, session: Session, account_id: str) -> None:
        key = account_lock_key(account_id)
        wait = self._store.lock_timeout
        if wait == 0:
            got = session.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key})
            if not got.scalar_one():
                session.rollback()
                raise AccountBusy(account_id, "its PostgreSQL advisory lock is held")
            return
        session.execute(
            text("SELECT set_config('lock_timeout', :wait, true)"),
            {"wait": f"{max(int(wait * 1000), 1)}ms"},
        )
        try:
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
                raise
            session.rollback()
            raise AccountBusy(
                account_id, f"waited {wait:g}s for its PostgreSQL advisory lock"
            ) from None
        session.execute(text("SET LOCAL lock_timeout = DEFAULT"))

    def _lock_sqlite(self, session: Session, account_id: str) -> None:
        try:
            session.connection()  # begins the transaction: BEGIN IMMEDIATE
        except OperationalError as error:
            if "locked" not in str(error.orig) and "busy" not in str(error.orig):
                raise
            session.rollback()
            raise AccountBusy(
                account_id,
                f"waited {self._store.lock_timeout:g}s for the write lock of SQLite database "
                f"{self._store.engine.url.database}",
            ) from None
