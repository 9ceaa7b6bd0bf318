"""Syncs into SQLite (a file, WAL) and PostgreSQL, next to the raw driver doing the least work.

Three scenarios per size, each a ``SyncService.sync`` of one account through ``SqlStore``:

* first sync into an empty store (the account's rows are deleted, untimed, before each run);
  floor: the raw driver (``sqlite3`` / ``psycopg``) inserting the same rows, all columns, into
  the same schema with one ``executemany`` in one transaction;
* a no-change resync (the snapshot the store already mirrors); floor: the raw driver selecting
  all of the account's rows in one transaction. One extra run checks that it writes nothing;
* a resync where 10% of the legs changed and 10% are gone (the store is put back untimed before
  each run); floor: the first sync's, the raw insert of all the rows.

The sizes of one scenario take turns with each other as well as with their floors
(``harness.interleaved_counts``), so the linear-growth targets compare runs made side by side.
The store and its engine live across repetitions, as in a long-running process (the watch
loop): statements are compiled once, connections are pooled. The floors get the same: one open
connection, rows converted to column values beforehand.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url

from benchmarks.data import ACCOUNT, COLUMNS, broker_rows, changed_rows, floor_rows, fresh_rows
from benchmarks.harness import (
    Check,
    Figure,
    Section,
    floor_interval_note,
    interleaved_counts,
    interval_note,
)
from legsync.adapters.clock import SystemClock
from legsync.adapters.sql import SqlStore, upgrade
from legsync.application import SyncResult, SyncService
from legsync.domain import BrokerPosition
from legsync.testing import InMemoryBroker

__all__ = ["SqliteFloor", "clear_store", "run_postgres", "run_sqlite"]

_SELECT = (
    "SELECT account_id, root, expiration, option_type, strike, side, quantity, "
    "cost_basis_per_contract, last_price, updated_at FROM portfolio_positions "
    "WHERE account_id = {mark}"
)
_INSERT = f"INSERT INTO portfolio_positions ({', '.join(COLUMNS)}) VALUES ({{marks}})"


class Floor(Protocol):
    """The raw driver on its own database with legsync's schema."""

    name: str

    def insert(self, rows: list[tuple[Any, ...]]) -> None: ...

    def select(self) -> int: ...

    def clear(self) -> None: ...

    def close(self) -> None: ...


class SqliteFloor:
    name = "sqlite3"

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None)
        for pragma in ("busy_timeout = 30000", "foreign_keys = ON", "journal_mode = WAL"):
            self.connection.execute(f"PRAGMA {pragma}")
        self._insert = _INSERT.format(marks=", ".join("?" * len(COLUMNS)))
        self._select = _SELECT.format(mark="?")

    def insert(self, rows: list[tuple[Any, ...]]) -> None:
        self.connection.execute("BEGIN IMMEDIATE")
        self.connection.executemany(self._insert, rows)
        self.connection.execute("COMMIT")

    def select(self) -> int:
        self.connection.execute("BEGIN")
        found = self.connection.execute(self._select, (ACCOUNT,)).fetchall()
        self.connection.execute("COMMIT")
        return len(found)

    def clear(self) -> None:
        self.connection.execute("DELETE FROM portfolio_positions")

    def close(self) -> None:
        self.connection.close()


class PostgresFloor:
    name = "psycopg"

    def __init__(self, url: str) -> None:
        import psycopg

        parsed = make_url(url)
        host = parsed.query.get("host")
        self.connection = psycopg.connect(
            dbname=parsed.database,
            user=parsed.username,
            host=host if isinstance(host, str) else parsed.host,
            port=parsed.port,
            password=parsed.password,
        )
        self._insert = _INSERT.format(marks=", ".join(["%s"] * len(COLUMNS)))
        self._select = _SELECT.format(mark="%s")

    def insert(self, rows: list[tuple[Any, ...]]) -> None:
        with self.connection.cursor() as cursor:
            cursor.executemany(self._insert, rows)
        self.connection.commit()

    def select(self) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(self._select, (ACCOUNT,))
            found = cursor.fetchall()
        self.connection.commit()
        return len(found)

    def clear(self) -> None:
        self.connection.execute("TRUNCATE portfolio_positions")
        self.connection.commit()

    def analyze(self) -> None:
        self.connection.execute("ANALYZE portfolio_positions")
        self.connection.commit()

    def close(self) -> None:
        self.connection.close()


@dataclass
class Target:
    """legsync's side: the store, a scriptable broker and the service."""

    store: SqlStore
    broker: InMemoryBroker
    service: SyncService
    postgres: bool

    @classmethod
    def open(cls, url: str) -> Target:
        store = SqlStore(url)
        broker = InMemoryBroker()
        service = SyncService(broker, store, SystemClock())
        return cls(store, broker, service, store.dialect_name == "postgresql")

    def sync(self, rows: list[BrokerPosition]) -> SyncResult:
        self.broker.set_positions(ACCOUNT, rows)
        result = self.service.sync(ACCOUNT)
        if not result.success:
            raise RuntimeError(f"the benchmark's sync failed: {result.reason}")
        return result

    def timed_sync(self, rows: list[BrokerPosition]) -> tuple[float, SyncResult]:
        self.broker.set_positions(ACCOUNT, fresh_rows(rows))  # as a broker's read returns them
        start = time.perf_counter()
        result = self.service.sync(ACCOUNT)
        elapsed = time.perf_counter() - start
        if not result.success:
            raise RuntimeError(f"the benchmark's sync failed: {result.reason}")
        return elapsed, result

    def clear(self) -> None:
        clear_store(self.store)

    def analyze(self) -> None:
        if self.postgres:
            with self.store.engine.begin() as connection:
                connection.execute(text("ANALYZE portfolio_positions"))

    def state(self) -> list[tuple[Any, ...]]:
        """Every row as stored (on PostgreSQL with ``xmin``, which any write changes)."""
        columns = "id, updated_at, quantity, cost_basis_per_contract, last_price"
        if self.postgres:
            columns += ", xmin::text"
        with self.store.engine.connect() as connection:
            found = connection.execute(
                text(f"SELECT {columns} FROM portfolio_positions ORDER BY id")
            )
            return [tuple(row) for row in found]

    def close(self) -> None:
        self.store.close()


def clear_store(store: SqlStore) -> None:
    """Empty ``portfolio_positions`` (untimed, before a first sync)."""
    with store.engine.begin() as connection:
        if store.dialect_name == "postgresql":
            connection.execute(text("TRUNCATE portfolio_positions"))
        else:
            connection.execute(text("DELETE FROM portfolio_positions"))


class WriteCounter:
    """Counts what the store writes to ``portfolio_positions`` while it is installed: the
    statements and their row counts, and on SQLite the connection's ``total_changes``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements = 0
        self.rows = 0
        self.changes_before: int | None = None
        self.changes_after: int | None = None
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, connection: Any, cursor: Any, *args: Any) -> None:
        if self.changes_before is None:
            self.changes_before = _total_changes(connection)

    def _after(self, connection: Any, cursor: Any, statement: str, *args: Any) -> None:
        words = statement.lstrip().upper()
        if "PORTFOLIO_POSITIONS" in words and not words.startswith("SELECT"):
            self.statements += 1
            self.rows += max(cursor.rowcount, 0)
        self.changes_after = _total_changes(connection)

    def remove(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    @property
    def sqlite_changes(self) -> int | None:
        if self.changes_before is None or self.changes_after is None:
            return None
        return self.changes_after - self.changes_before


def _total_changes(connection: Any) -> int | None:
    driver = connection.connection.driver_connection
    return driver.total_changes if isinstance(driver, sqlite3.Connection) else None


def run_sqlite(sizes: list[int], repeats: Callable[[int], int]) -> Section:
    """Every scenario on SQLite files in a temporary directory, all sizes side by side."""
    section = Section()
    with tempfile.TemporaryDirectory(prefix="legsync-bench-") as scratch, ExitStack() as stack:
        template = Path(scratch) / "template.db"
        upgrade(f"sqlite:///{template}")
        cases = []
        for size in sizes:
            target_path, floor_path = (
                Path(scratch) / f"target{size}.db",
                Path(scratch) / f"floor{size}.db",
            )
            shutil.copy(template, target_path)
            shutil.copy(template, floor_path)
            target = Target.open(f"sqlite:///{target_path}")
            stack.callback(target.close)
            floor = SqliteFloor(floor_path)
            stack.callback(floor.close)
            cases.append(_Case(size, target, floor, repeats(size)))
        _scenarios(section, "SQLite", cases)
    return section


@contextmanager
def _postgres() -> Iterator[Any]:
    from tests.support.postgres import postgres_server

    with postgres_server() as server:
        yield server


def run_postgres(sizes: list[int], repeats: Callable[[int], int]) -> Section:
    """Every scenario on a throwaway PostgreSQL server (``tests/support/postgres.py``), all
    sizes side by side."""
    section = Section()
    with _postgres() as server, ExitStack() as stack:
        section.facts["postgresql"] = _server_version(server.url)
        cases = []
        for size in sizes:
            target_url, floor_url = (
                server.create_migrated_database(),
                server.create_migrated_database(),
            )
            stack.callback(server.drop_database, floor_url)
            stack.callback(server.drop_database, target_url)
            target = Target.open(target_url)
            stack.callback(target.close)
            floor = PostgresFloor(floor_url)
            stack.callback(floor.close)
            cases.append(_Case(size, target, floor, repeats(size)))
        _scenarios(section, "PostgreSQL", cases)
    return section


def _server_version(url: str) -> str:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return str(connection.execute(text("SHOW server_version")).scalar_one())
    finally:
        engine.dispose()


@dataclass
class _Case:
    """One size's target store and floor database, open for the whole section."""

    size: int
    target: Target
    floor: Floor
    repeats: int


def _scenarios(section: Section, database: str, cases: list[_Case]) -> None:
    """Each scenario for every size, all sizes' runs interleaved with their floors'.

    Interleaving the sizes too (not one size's block after another's) makes the growth from
    10,000 to 100,000 legs a comparison of runs made side by side: a burst of load on a shared
    machine then slows both sizes, instead of one size's whole block.
    """
    floor_name = cases[0].floor.name
    data = {
        case.size: (
            broker_rows(case.size),
            floor_rows(broker_rows(case.size), sqlite=not case.target.postgres),
            changed_rows(broker_rows(case.size)),
        )
        for case in cases
    }

    def measure(
        legsync: Callable[[_Case], float], floor: Callable[[_Case], float]
    ) -> dict[int, dict[str, list[float]]]:
        runners: dict[str, tuple[Callable[[], float], int]] = {}
        for case in cases:
            runners[f"legsync {case.size}"] = (partial(legsync, case), case.repeats)
            runners[f"floor {case.size}"] = (partial(floor, case), case.repeats)
        samples = interleaved_counts(runners)
        return {
            case.size: {
                "legsync": samples[f"legsync {case.size}"],
                "floor": samples[f"floor {case.size}"],
            }
            for case in cases
        }

    # 1. First sync into an empty store.
    def first(case: _Case) -> float:
        case.target.clear()
        elapsed, result = case.target.timed_sync(data[case.size][0])
        assert result.counts.opened == case.size, result
        return elapsed

    def insert_floor(case: _Case) -> float:
        case.floor.clear()
        start = time.perf_counter()
        case.floor.insert(data[case.size][1])
        return time.perf_counter() - start

    for size, samples in measure(first, insert_floor).items():
        section.figures.append(
            _figure(database, "first sync", size, samples, f"{floor_name} executemany INSERT")
        )

    # 2. No-change resync: both sides hold the account already.
    for case in cases:
        rows, values, _ = data[case.size]
        case.target.clear()
        case.target.sync(rows)
        case.floor.clear()
        case.floor.insert(values)
        case.target.analyze()
        if isinstance(case.floor, PostgresFloor):
            case.floor.analyze()

    def unchanged(case: _Case) -> float:
        elapsed, result = case.target.timed_sync(data[case.size][0])
        assert result.counts.unchanged == case.size
        assert not (result.counts.opened)
        assert not (result.counts.changed)
        assert not (result.counts.removed)
        return elapsed

    def select_floor(case: _Case) -> float:
        start = time.perf_counter()
        found = case.floor.select()
        elapsed = time.perf_counter() - start
        assert found == case.size
        return elapsed

    for size, samples in measure(unchanged, select_floor).items():
        case = next(case for case in cases if case.size == size)
        figure = _figure(
            database, "no-change resync", size, samples, f"{floor_name} SELECT all rows"
        )
        figure.note, section.facts[f"{database} no-change {size} writes nothing"] = _writes_nothing(
            case.target, data[size][0]
        )
        section.figures.append(figure)

    # 3. 10% changed, 10% gone; the store is put back before each run.
    def resync_changed(case: _Case) -> float:
        rows, _, (changed, n_changed, n_gone) = data[case.size]
        case.target.sync(rows)
        elapsed, result = case.target.timed_sync(changed)
        assert (result.counts.changed, result.counts.removed) == (n_changed, n_gone), result
        return elapsed

    for size, samples in measure(resync_changed, insert_floor).items():
        section.figures.append(
            _figure(
                database,
                "resync, 10% changed, 10% gone",
                size,
                samples,
                f"{floor_name} executemany INSERT",
            )
        )


def _writes_nothing(target: Target, rows: list[BrokerPosition]) -> tuple[str, bool]:
    """One more no-change resync, watched: what it wrote, and whether that was nothing."""
    size = len(rows)
    before = target.state()
    counter = WriteCounter(target.store.engine)
    try:
        target.sync(rows)
    finally:
        counter.remove()
    after = target.state()
    identical = before == after and len(before) == size
    wrote_nothing = identical and counter.rows == 0 and counter.statements == 0
    if counter.sqlite_changes is not None:
        # The one change a resync makes is its own sync_runs record.
        wrote_nothing = wrote_nothing and counter.sqlite_changes == 1
    proof = (
        f"rows written to portfolio_positions: {counter.rows} "
        f"(write statements: {counter.statements}); every row, updated_at"
        + (" and xmin" if target.postgres else "")
        + (" unchanged" if identical else " CHANGED")
    )
    if counter.sqlite_changes is not None:
        proof += f"; SQLite total_changes +{counter.sqlite_changes} (the sync_runs record)"
    return proof, wrote_nothing


def _figure(
    database: str, name: str, size: int, samples: dict[str, list[float]], floor_name: str
) -> Figure:
    return Figure(
        section=database,
        name=name,
        size=size,
        unit="ms",
        samples=[s * 1000 for s in samples["legsync"]],
        floor_name=floor_name,
        floor_samples=[s * 1000 for s in samples["floor"]],
    )


def checks(section: Section, database: str) -> list[Check]:
    """The targets of issue 8 that these figures decide."""
    by_key = {(f.name, f.size): f for f in section.figures if f.section == database}
    found: list[Check] = []
    first = by_key.get(("first sync", 10_000))
    found.append(
        Check(
            f"{database}: first sync of 10,000 legs vs raw executemany INSERT",
            None if first is None else first.ratio,
            3.0,
            detail="" if first is None else floor_interval_note(first),
            skipped="" if first else "10,000 not measured",
        )
    )
    resync = by_key.get(("no-change resync", 10_000))
    found.append(
        Check(
            f"{database}: no-change resync of 10,000 legs vs raw SELECT, and zero rows written",
            None if resync is None else resync.ratio,
            2.0,
            extra_ok=bool(section.facts.get(f"{database} no-change 10000 writes nothing")),
            detail="" if resync is None else f"{resync.note}; {floor_interval_note(resync)}",
            skipped="" if resync else "10,000 not measured",
        )
    )
    for name in ("first sync", "no-change resync", "resync, 10% changed, 10% gone"):
        small, large = by_key.get((name, 10_000)), by_key.get((name, 100_000))
        growth, detail = None, ""
        if small is not None and large is not None:
            growth = large.median / small.median
            detail = interval_note(large.samples, small.samples)
            if small.floor_median and large.floor_median:
                floor = large.floor_median / small.floor_median
                detail = f"its floor grows {floor:.1f}x; {detail}"
        found.append(
            Check(
                f"{database}: {name}, 100,000 legs vs 10,000 (linear)",
                growth,
                11.0,
                detail=detail,
                skipped="" if growth is not None else "10,000 and 100,000 not both measured",
            )
        )
    return found
