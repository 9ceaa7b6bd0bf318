"""The schema is made only by the migrations, and migrating never loses a trade.

A legacy database is one the engine created before positions were separated: a ``trades``
table without ``origin`` or ``managed``, and no migration history. Upgrading it keeps every
row and every value and marks each trade ``origin='ENGINE'``, ``managed=1``.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from legsync.adapters.sql import (
    LEGACY_REVISION,
    SchemaError,
    SqlStore,
    current_revision,
    downgrade,
    head_revision,
    prepare_schema,
    upgrade,
)
from legsync.adapters.sql.tables import METADATA
from legsync.domain import Origin, TradeStatus

from .conftest import sqlite_url

LEGACY_DDL = {
    "sqlite": [
        """CREATE TABLE trades (
            id INTEGER NOT NULL,
            account_id TEXT NOT NULL,
            symbol TEXT NOT NULL,
            legs TEXT NOT NULL,
            quantity INTEGER NOT NULL,
            status TEXT DEFAULT 'open' NOT NULL,
            opened_at TEXT,
            closed_at TEXT,
            entry_price TEXT,
            broker_order_id TEXT,
            CONSTRAINT pk_trades PRIMARY KEY (id))""",
        "CREATE INDEX ix_trades_status_account ON trades (status, account_id)",
    ],
    "postgresql": [
        """CREATE TABLE trades (
            id SERIAL NOT NULL,
            account_id TEXT NOT NULL,
            symbol TEXT NOT NULL,
            legs TEXT NOT NULL,
            quantity INTEGER NOT NULL,
            status TEXT DEFAULT 'open' NOT NULL,
            opened_at TIMESTAMP WITH TIME ZONE,
            closed_at TIMESTAMP WITH TIME ZONE,
            entry_price NUMERIC,
            broker_order_id TEXT,
            CONSTRAINT pk_trades PRIMARY KEY (id))""",
        "CREATE INDEX ix_trades_status_account ON trades (status, account_id)",
    ],
}

LEGACY_COLUMNS = (
    "id, account_id, symbol, legs, quantity, status, opened_at, closed_at, entry_price, "
    "broker_order_id"
)
SPREAD = (
    '[{"occ_symbol":"SPY270319P00400000","side":"short","ratio":1},'
    '{"occ_symbol":"SPY270319P00395000","side":"long","ratio":1}]'
)
LEGACY_TRADES = [
    {
        "id": 1,
        "account_id": "VA000001",
        "symbol": "SPY",
        "legs": SPREAD,
        "quantity": 2,
        "status": "open",
        "opened_at": "2024-05-01T14:30:00.000000+00:00",
        "closed_at": None,
        "entry_price": "1.25",
        "broker_order_id": "887766",
    },
    {
        "id": 2,
        "account_id": "VA000001",
        "symbol": "SPX",
        "legs": '[{"occ_symbol":"SPXW270319C05000000","side":"long","ratio":1}]',
        "quantity": 1,
        "status": "closed",
        "opened_at": "2024-04-02T15:00:00.000000+00:00",
        "closed_at": "2024-04-09T19:59:59.999999+00:00",
        "entry_price": "33.33333333333333333333333333",
        "broker_order_id": None,
    },
    {
        "id": 7,
        "account_id": "6YA000002",
        "symbol": "AAPL",
        "legs": '[{"occ_symbol":"AAPL270115C00200000","side":"long","ratio":2}]',
        "quantity": 5,
        "status": "open",
        "opened_at": None,
        "closed_at": None,
        "entry_price": None,
        "broker_order_id": None,
    },
]


def _engine(url: str) -> Any:
    return create_engine(url, poolclass=NullPool)


def _execute(url: str, *statements: str, params: list[dict[str, Any]] | None = None) -> None:
    engine = _engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement), params or {})
    finally:
        engine.dispose()


def _rows(url: str, query: str) -> list[tuple[Any, ...]]:
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(query))]
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _columns(url: str, table: str) -> list[str]:
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            return [column["name"] for column in inspect(connection).get_columns(table)]
    finally:
        engine.dispose()


def _make_legacy_database(url: str, backend: str) -> list[tuple[Any, ...]]:
    """The engine's database before legsync: its DDL and its trades, no migration history.
    Returns the trades as the database holds them."""
    _execute(url, *LEGACY_DDL[backend])
    columns = LEGACY_COLUMNS.split(", ")
    insert = f"INSERT INTO trades ({LEGACY_COLUMNS}) VALUES ({', '.join(':' + c for c in columns)})"
    engine = _engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(insert), LEGACY_TRADES)
            if backend == "postgresql":
                connection.execute(text("SELECT setval('trades_id_seq', 7)"))
    finally:
        engine.dispose()
    return _rows(url, f"SELECT {LEGACY_COLUMNS} FROM trades ORDER BY id")


def test_a_legacy_engine_database_is_upgraded_keeping_every_trade_and_value(
    backend: str, empty_url: str
) -> None:
    before = _make_legacy_database(empty_url, backend)
    assert current_revision(empty_url) is None

    upgrade(empty_url)

    assert current_revision(empty_url) == head_revision()
    assert _rows(empty_url, f"SELECT {LEGACY_COLUMNS} FROM trades ORDER BY id") == before
    assert _rows(empty_url, "SELECT origin, managed FROM trades ORDER BY id") == [
        ("ENGINE", 1),
        ("ENGINE", 1),
        ("ENGINE", 1),
    ]
    assert {"portfolio_positions", "sync_runs", "trades"} <= _tables(empty_url)

    with SqlStore(empty_url) as store, store() as uow:
        trades = uow.trades.list_trades(include_closed=True)
        assert [t.id for t in trades] == [1, 2, 7]
        assert all(t.origin is Origin.ENGINE and t.managed is True for t in trades)
        assert [t.id for t in uow.trades.open_managed()] == [1, 7]
        closed = uow.trades.get(2)
        assert closed.status is TradeStatus.CLOSED
        assert str(closed.entry_price) == "33.33333333333333333333333333"
        assert closed.closed_at is not None
        assert closed.closed_at.isoformat() == "2024-04-09T19:59:59.999999+00:00"
        assert (closed.close_reason, closed.envelope) == (None, None), "older trades: unknown"
        assert uow.trades.get(1).legs[1].occ.format() == "SPY270319P00395000"
        # New trades continue after the legacy ids.
        added = uow.trades.add(replace(trades[0], id=None))
        assert added.id == 8
        uow.commit()


def test_upgrading_twice_changes_nothing_the_second_time(backend: str, empty_url: str) -> None:
    _make_legacy_database(empty_url, backend)
    upgrade(empty_url)
    after_first = _rows(empty_url, "SELECT * FROM trades ORDER BY id")
    upgrade(empty_url)
    assert _rows(empty_url, "SELECT * FROM trades ORDER BY id") == after_first
    assert current_revision(empty_url) == head_revision()


def test_downgrade_to_the_legacy_schema_keeps_the_trades_and_upgrades_again(
    backend: str, empty_url: str
) -> None:
    before = _make_legacy_database(empty_url, backend)
    upgrade(empty_url)
    _execute(empty_url, "UPDATE trades SET managed = 0, origin = 'IMPORTED' WHERE id = 7")

    downgrade(empty_url, LEGACY_REVISION)

    assert current_revision(empty_url) == LEGACY_REVISION
    assert _tables(empty_url) == {"trades"}
    assert _columns(empty_url, "trades") == LEGACY_COLUMNS.split(", ")
    assert _rows(empty_url, f"SELECT {LEGACY_COLUMNS} FROM trades ORDER BY id") == before

    upgrade(empty_url)
    assert _rows(empty_url, f"SELECT {LEGACY_COLUMNS} FROM trades ORDER BY id") == before
    # What the downgrade dropped comes back as the defaults, not as what it was.
    assert _rows(empty_url, "SELECT DISTINCT origin, managed FROM trades") == [("ENGINE", 1)]


def test_revision_by_revision_from_an_empty_database_and_back_to_base(
    backend: str, empty_url: str
) -> None:
    upgrade(empty_url, LEGACY_REVISION)
    assert _tables(empty_url) == {"trades"}
    assert "managed" not in _columns(empty_url, "trades")
    upgrade(empty_url, "0003")
    assert _tables(empty_url) == {"portfolio_positions", "sync_runs", "trades"}
    upgrade(empty_url)
    assert _tables(empty_url) == {"portfolio_positions", "portfolio_stock", "sync_runs", "trades"}
    downgrade(empty_url, "base")
    assert _tables(empty_url) == set()
    assert current_revision(empty_url) is None


def test_the_tables_describe_exactly_the_migrated_schema(migrated_url: str) -> None:
    engine = _engine(migrated_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, METADATA) == []
    finally:
        engine.dispose()


def test_the_positions_table_has_the_public_columns_and_unique_leg_key(migrated_url: str) -> None:
    assert _columns(migrated_url, "portfolio_positions") == [
        "id",
        "account_id",
        "symbol",
        "root",
        "occ_symbol",
        "expiration",
        "option_type",
        "strike",
        "side",
        "quantity",
        "cost_basis_per_contract",
        "last_price",
        "updated_at",
        "marked_at",
    ]
    engine = _engine(migrated_url)
    try:
        with engine.connect() as connection:
            indexes = inspect(connection).get_indexes("portfolio_positions")
    finally:
        engine.dispose()
    unique = [index for index in indexes if index["unique"]]
    assert [index["column_names"] for index in unique] == [
        ["account_id", "root", "expiration", "option_type", "strike", "side"]
    ]


def test_a_trades_table_legsync_does_not_recognise_is_refused(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    _execute(url, "CREATE TABLE trades (ticket TEXT PRIMARY KEY, lots REAL)")
    with pytest.raises(SchemaError, match="not the legacy engine's"):
        upgrade(url)
    assert _columns(url, "trades") == ["ticket", "lots"]
    assert current_revision(url) is None


def test_a_failed_upgrade_changes_nothing(tmp_path: Path) -> None:
    """The whole upgrade is one transaction: when a step fails (here 0002 finds a table it
    must create, after it created portfolio_positions), the steps before it are undone."""
    url = sqlite_url(tmp_path)
    upgrade(url, LEGACY_REVISION)
    _execute(url, "CREATE TABLE sync_runs (id INTEGER PRIMARY KEY)")
    with pytest.raises(Exception, match="already exists"):
        upgrade(url)
    assert current_revision(url) == LEGACY_REVISION
    assert "managed" not in _columns(url, "trades")
    assert _tables(url) == {"trades", "sync_runs"}


def test_0004_adds_the_stock_table_and_counts_and_keeps_every_sync_run(
    backend: str, empty_url: str
) -> None:
    upgrade(empty_url, "0003")
    _execute(
        empty_url,
        "INSERT INTO sync_runs (account_id, started_at, finished_at, success, synced, opened,"
        " changed, unchanged, removed, skipped, errors, pruned, error) VALUES ('VA1',"
        " '2027-03-01T14:30:00+00:00', '2027-03-01T14:30:01+00:00', :yes, 2, 2, 0, 0, 0, 1, 0,"
        " :yes, NULL)",
        params=[{"yes": True}],
    )
    upgrade(empty_url, "0004")
    assert _columns(empty_url, "portfolio_stock") == [
        "account_id",
        "symbol",
        "quantity",
        "cost_basis_per_share",
        "last_price",
        "updated_at",
    ]
    stock_counts = "stock_opened, stock_changed, stock_unchanged, stock_removed"
    assert _rows(empty_url, f"SELECT opened, skipped, {stock_counts} FROM sync_runs") == [
        (2, 1, 0, 0, 0, 0)
    ]
    downgrade(empty_url, "0003")
    assert "portfolio_stock" not in _tables(empty_url)
    assert "stock_opened" not in _columns(empty_url, "sync_runs")
    assert _rows(empty_url, "SELECT opened, skipped FROM sync_runs") == [(2, 1)]


def test_0005_adds_marked_at_keeping_every_leg_and_share_with_no_known_time(
    backend: str, empty_url: str
) -> None:
    upgrade(empty_url, "0004")
    _execute(
        empty_url,
        "INSERT INTO portfolio_positions (id, account_id, symbol, root, occ_symbol, expiration,"
        " option_type, strike, side, quantity, cost_basis_per_contract, last_price, updated_at)"
        " VALUES ('VA1|SPY|2027-03-19|put|400|short', 'VA1', 'SPY', 'SPY', 'SPY270319P00400000',"
        " '2027-03-19', 'put', '400', 'short', 2, '155', '1.42',"
        " '2027-03-01T14:30:00.000000+00:00')",
        "INSERT INTO portfolio_stock (account_id, symbol, quantity, cost_basis_per_share,"
        " last_price, updated_at) VALUES ('VA1', 'AAPL', '100', '183.425', '191.07',"
        " '2027-03-01T14:30:00.000000+00:00')",
    )
    with SqlStore(empty_url) as store, pytest.raises(SchemaError, match="needs 0005"):
        prepare_schema(store)  # a deployed database is upgraded on purpose only (ADR 0005)

    upgrade(empty_url)

    assert _columns(empty_url, "portfolio_positions")[-1] == "marked_at"
    assert _columns(empty_url, "portfolio_stock")[-1] == "marked_at"
    with SqlStore(empty_url) as store:
        assert not prepare_schema(store)
        with store() as uow:
            (leg,) = uow.positions.all_legs("VA1")
            (shares,) = uow.positions.stock("VA1")
            record = uow.positions.stored_legs("VA1").short[leg.occ]
    assert (leg.last_price, leg.marked_at) == (Decimal("1.42"), None), "priced, time unknown"
    assert (shares.last_price, shares.marked_at) == (Decimal("191.07"), None)
    assert record == (2, Decimal(155), Decimal("1.42"), leg.updated_at, None)

    downgrade(empty_url, "0004")
    assert "marked_at" not in _columns(empty_url, "portfolio_positions")
    assert "marked_at" not in _columns(empty_url, "portfolio_stock")
    assert _rows(empty_url, "SELECT occ_symbol, quantity FROM portfolio_positions") == [
        ("SPY270319P00400000", 2)
    ]
    assert _rows(empty_url, "SELECT symbol FROM portfolio_stock") == [("AAPL",)]
