"""Stock on a real database (a SQLite file and a PostgreSQL server): the sync's guarantees hold
for ``portfolio_stock`` exactly as for ``portfolio_positions``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from legsync.adapters.sql import SqlStore, upgrade
from legsync.application import SyncService, stock_position_removed, stock_position_synced
from legsync.domain import StockPosition
from legsync.testing import InMemoryBroker, ManualClock, position

from .conftest import sqlite_url

ACCOUNT = "VA000001"
BOOK = [
    position("AAPL", "100.00000000", "18342.50"),
    position("AAPL270115C00200000", "-1", "-500"),
    position("TSLA", "-10", "-2500"),
    position("VTI", "0.3725", "100"),
]


@contextmanager
def writes(store: SqlStore) -> Iterator[list[str]]:
    """Every statement the store sends that writes a mirrored table."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        words = statement.split()
        if words[0].upper() in {"INSERT", "UPDATE", "DELETE"} and "portfolio_" in statement:
            sent.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


@pytest.fixture
def heard() -> Iterator[list[object]]:
    events: list[object] = []

    def hear(_sender: object, event: object) -> None:
        events.append(event)

    stock_position_synced.connect(hear)
    stock_position_removed.connect(hear)
    yield events
    stock_position_synced.disconnect(hear)
    stock_position_removed.disconnect(hear)


def stock(store: SqlStore) -> list[StockPosition]:
    with store() as uow:
        return uow.positions.stock(ACCOUNT)


def test_a_sync_mirrors_exact_shares_and_a_resync_writes_nothing(
    store: SqlStore, heard: list[object]
) -> None:
    clock = ManualClock()
    broker = InMemoryBroker({ACCOUNT: BOOK}, clock=clock)
    service = SyncService(broker, store, clock)
    assert service.sync(ACCOUNT).clean
    first = stock(store)
    assert [(p.symbol, p.quantity, p.cost_basis_per_share) for p in first] == [
        ("AAPL", Decimal(100), Decimal("183.425")),
        ("TSLA", Decimal(-10), Decimal(250)),
        ("VTI", Decimal("0.3725"), Decimal("268.4563758389261744966442953020134")),
    ]
    assert len(heard) == 3
    heard.clear()
    clock.advance(timedelta(minutes=1))
    with writes(store) as sent:
        result = service.sync(ACCOUNT)
    assert result.counts.stock_unchanged == 3
    assert sent == [], "an unchanged resync sends no write to the mirror"
    assert heard == []
    assert stock(store) == first


def test_a_crash_at_the_stock_write_leaves_legs_and_shares_as_they_were(
    store: SqlStore, heard: list[object]
) -> None:
    broker = InMemoryBroker({ACCOUNT: BOOK})
    service = SyncService(broker, store, ManualClock())
    service.sync(ACCOUNT)
    with store() as uow:
        legs_before = uow.positions.all_legs()
    shares_before = stock(store)
    heard.clear()

    def fail(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "portfolio_stock" in statement and statement.lstrip().upper().startswith("INSERT"):
            raise RuntimeError("injected crash at the stock upsert")

    broker.set_positions(
        ACCOUNT, [position("AAPL270115C00200000", "-2", "-1000"), position("AAPL", "200", "1")]
    )
    event.listen(store.engine, "before_cursor_execute", fail)
    try:
        result = service.sync(ACCOUNT)
    finally:
        event.remove(store.engine, "before_cursor_execute", fail)
    assert not result.success
    assert "injected" in (result.reason or "")
    with store() as uow:
        assert uow.positions.all_legs() == legs_before, "the leg upsert was rolled back too"
    assert stock(store) == shares_before
    assert heard == []


def test_a_failed_read_and_a_garbled_stock_row_delete_nothing(
    store: SqlStore, heard: list[object]
) -> None:
    broker = InMemoryBroker({ACCOUNT: BOOK})
    service = SyncService(broker, store, ManualClock())
    service.sync(ACCOUNT)
    before = stock(store)
    heard.clear()
    broker.fail_next(ACCOUNT, "Invalid Access Token")
    with writes(store) as sent:
        assert not service.sync(ACCOUNT).success
    assert sent == []
    broker.set_positions(ACCOUNT, [position("AAPL", "100", "NaN")])
    with writes(store) as sent:
        result = service.sync(ACCOUNT)
    assert result.success
    assert not result.pruned
    assert [e.symbol for e in result.errors] == ["AAPL"]
    assert not any(statement.lstrip().upper().startswith("DELETE") for statement in sent)
    assert stock(store) == before
    with store() as uow:
        assert len(uow.positions.all_legs(ACCOUNT)) == 1
    assert heard == []


def test_on_sqlite_shares_are_canonical_text(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    upgrade(url)
    with SqlStore(url) as store:
        SyncService(InMemoryBroker({ACCOUNT: BOOK}), store, ManualClock()).sync(ACCOUNT)
        with store.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT symbol, quantity, cost_basis_per_share FROM portfolio_stock ORDER BY 1"
                )
            ).all()
    assert [tuple(row) for row in rows][:2] == [("AAPL", "100", "183.425"), ("TSLA", "-10", "250")]
