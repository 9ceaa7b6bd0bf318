"""Syncs into SQLite (a file, WAL) and PostgreSQL, each next to its raw driver doing the least.

Two scenarios per size, each a ``SyncService.sync`` of one account through ``SqlStore``:

* a first sync into an empty store; floor: the raw driver (``sqlite3`` / ``psycopg``) inserting
  the same rows, every column, with one ``executemany`` in one transaction;
* a no-change resync of the snapshot the store already mirrors; floor: the raw driver selecting
  the account's rows. One more resync checks that it writes nothing.

legsync and its floor take turns, repetition by repetition, so a burst of load on a shared
machine falls on both; every timed sync reads broker rows made afresh, as a real read does.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from benchmarks.data import ACCOUNT, COLUMNS, broker_rows, floor_rows, fresh_rows
from legsync.adapters.clock import SystemClock
from legsync.adapters.sql import SqlStore, prepare_schema
from legsync.application import SyncService
from legsync.testing import InMemoryBroker

__all__ = ["Figure", "sync_figures"]

_SELECT = (
    "SELECT account_id, root, expiration, option_type, strike, side, quantity, "
    "cost_basis_per_contract, last_price, updated_at FROM portfolio_positions "
    "WHERE account_id = {mark}"
)
_INSERT = f"INSERT INTO portfolio_positions ({', '.join(COLUMNS)}) VALUES ({{marks}})"


@dataclass
class Figure:
    """One scenario at one size: legsync's and its floor's seconds, and what was checked."""

    database: str
    scenario: str
    size: int
    legsync: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def ratio(self) -> float:
        return median(self.legsync) / median(self.floor)


class _Floor:
    """The raw driver on its own database with legsync's schema."""

    def __init__(self, connection: Any, mark: str, sqlite: bool) -> None:
        self.connection, self.sqlite = connection, sqlite
        self.insert_sql = _INSERT.format(marks=", ".join([mark] * len(COLUMNS)))
        self.select_sql = _SELECT.format(mark=mark)

    def insert(self, rows: list[tuple[Any, ...]]) -> float:
        self.connection.execute("DELETE FROM portfolio_positions")
        self.connection.commit()
        start = time.perf_counter()
        self.connection.cursor().executemany(self.insert_sql, rows)
        self.connection.commit()
        return time.perf_counter() - start

    def select(self) -> float:
        start = time.perf_counter()
        self.connection.execute(self.select_sql, (ACCOUNT,)).fetchall()
        self.connection.commit()
        return time.perf_counter() - start


def sync_figures(
    database: str, url: str, floor_url: str, sizes: list[int], repeats: int
) -> list[Figure]:
    """The figures of one database; ``url`` and ``floor_url`` are two empty databases."""
    store = SqlStore(url)
    prepare_schema(store)
    floor_store = SqlStore(floor_url)  # the same schema, made the same way
    prepare_schema(floor_store)
    floor_store.close()
    figures = []
    with _floor(floor_url) as floor:
        broker = InMemoryBroker()
        service = SyncService(broker, store, SystemClock())

        def sync(rows: list[Any]) -> float:
            broker.set_positions(ACCOUNT, fresh_rows(rows))
            start = time.perf_counter()
            result = service.sync(ACCOUNT)
            elapsed = time.perf_counter() - start
            if not result.success:
                raise RuntimeError(f"the benchmark's sync failed: {result.reason}")
            return elapsed

        for size in sizes:
            rows = broker_rows(size)
            values = floor_rows(rows, sqlite=floor.sqlite)
            first = Figure(database, "first sync", size)
            for _ in range(repeats):
                _clear(store)
                first.legsync.append(sync(rows))
                first.floor.append(floor.insert(values))
            resync = Figure(database, "no-change resync", size)
            for _ in range(repeats):
                resync.legsync.append(sync(rows))
                resync.floor.append(floor.select())
            before = _state(store)
            sync(rows)
            resync.note = (
                "wrote nothing"
                if _state(store) == before
                else "WROTE ROWS: a resync of the same snapshot must write nothing"
            )
            figures += [first, resync]
    store.close()
    return figures


@contextmanager
def _floor(url: str) -> Iterator[_Floor]:
    parsed = make_url(url)
    connection: Any
    if parsed.get_backend_name() == "sqlite":
        connection = sqlite3.connect(str(parsed.database))
        connection.execute("PRAGMA journal_mode = WAL")
        yield _Floor(connection, "?", sqlite=True)
    else:
        import psycopg

        host = parsed.query.get("host")
        pg = psycopg.connect(
            dbname=parsed.database,
            user=parsed.username,
            host=host if isinstance(host, str) else parsed.host,
            port=parsed.port,
            password=parsed.password,
        )
        yield _Floor(pg, "%s", sqlite=False)
        connection = pg
    connection.close()


def _clear(store: SqlStore) -> None:
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM portfolio_positions"))


def _state(store: SqlStore) -> list[tuple[Any, ...]]:
    """Every row as stored (on PostgreSQL with ``xmin``, which any write changes)."""
    columns = "id, updated_at, quantity, cost_basis_per_contract, last_price"
    if store.dialect_name == "postgresql":
        columns += ", xmin::text"
    with store.engine.connect() as connection:
        found = connection.execute(text(f"SELECT {columns} FROM portfolio_positions ORDER BY id"))
        return [tuple(row) for row in found]


def sqlite_urls() -> tuple[str, str]:
    directory = Path(tempfile.mkdtemp(prefix="legsync-bench-"))
    return f"sqlite:///{directory / 'legsync.db'}", f"sqlite:///{directory / 'floor.db'}"
