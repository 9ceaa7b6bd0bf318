"""Stock in the sync, with the in-memory fakes: every guarantee the legs have, the shares have.

Each test here fails if its guarantee is broken: a failed read must change nothing, a garbled
row must delete nothing, a resync must write nothing, and events must follow the commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest

from legsync.application import (
    SyncService,
    position_removed,
    position_synced,
    stock_position_removed,
    stock_position_synced,
)
from legsync.domain import StockPosition, StockPositionRemoved, StockPositionSynced
from legsync.ports import BrokerUnavailable
from legsync.testing import InMemoryBroker, InMemoryDatabase, InMemoryQuotes, ManualClock, position
from legsync.testing.fakes import InMemoryUnitOfWork

ACCOUNT = "VA000001"
BOOK = (
    position("AAPL", "100", "18342.50"),
    position("AAPL270115C00200000", "-1", "-500"),  # a covered call
    position("TSLA", "-10", "-2500"),
)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def broker(clock: ManualClock) -> InMemoryBroker:
    return InMemoryBroker({ACCOUNT: BOOK}, clock=clock)


@pytest.fixture
def db() -> InMemoryDatabase:
    return InMemoryDatabase()


@pytest.fixture
def service(broker: InMemoryBroker, db: InMemoryDatabase, clock: ManualClock) -> SyncService:
    return SyncService(broker, db, clock)


@pytest.fixture
def heard() -> Iterator[list[object]]:
    events: list[object] = []

    def hear(_sender: object, event: object) -> None:
        events.append(event)

    signals = (position_synced, position_removed, stock_position_synced, stock_position_removed)
    for signal in signals:
        signal.connect(hear)
    yield events
    for signal in signals:
        signal.disconnect(hear)


def stock_of(db: InMemoryDatabase) -> dict[str, tuple[Decimal, Decimal | None]]:
    with db() as uow:
        return {p.symbol: (p.quantity, p.cost_basis_per_share) for p in uow.positions.stock()}


def test_the_first_sync_mirrors_the_shares_beside_the_legs_and_announces_them(
    service: SyncService, db: InMemoryDatabase, heard: list[object]
) -> None:
    result = service.sync(ACCOUNT)
    assert result.success
    assert result.pruned
    assert stock_of(db) == {
        "AAPL": (Decimal(100), Decimal("183.425")),
        "TSLA": (Decimal(-10), Decimal(250)),
    }
    assert len(db.positions.all_legs(ACCOUNT)) == 1, "portfolio_positions: option legs only"
    assert (result.counts.opened, result.counts.stock_opened, result.counts.skipped) == (1, 2, 0)
    stock_heard = [e for e in heard if isinstance(e, StockPositionSynced)]
    assert [(e.position.symbol, e.opened) for e in stock_heard] == [("AAPL", True), ("TSLA", True)]
    assert tuple(stock_heard) == result.stock_events
    run = db.sync_runs.last_run(ACCOUNT)
    assert run is not None
    assert run.counts.stock_opened == 2


def test_a_failed_read_changes_no_share_and_emits_nothing(
    service: SyncService, broker: InMemoryBroker, db: InMemoryDatabase, heard: list[object]
) -> None:
    service.sync(ACCOUNT)
    before, written, deleted = stock_of(db), db.positions.rows_written, db.positions.rows_deleted
    heard.clear()
    broker.set_positions(ACCOUNT, [])  # what a wiping bug would turn a failure into
    broker.fail_next(ACCOUNT, "502 Bad Gateway")
    result = service.sync(ACCOUNT)
    assert not result.success
    assert stock_of(db) == before
    assert (db.positions.rows_written, db.positions.rows_deleted) == (written, deleted)
    assert heard == []
    assert result.stock_events == ()


def test_a_garbled_stock_row_deletes_neither_shares_nor_legs(
    service: SyncService, broker: InMemoryBroker, db: InMemoryDatabase, heard: list[object]
) -> None:
    service.sync(ACCOUNT)
    heard.clear()
    broker.set_positions(ACCOUNT, [position("AAPL", "0", "0")])  # TSLA and the call "gone"
    result = service.sync(ACCOUNT)
    assert result.success
    assert not result.pruned
    assert [e.symbol for e in result.errors] == ["AAPL"]
    assert set(stock_of(db)) == {"AAPL", "TSLA"}
    assert len(db.positions.all_legs(ACCOUNT)) == 1
    assert not [e for e in heard if isinstance(e, StockPositionRemoved)]
    assert result.counts.stock_removed == result.counts.removed == 0


def test_a_garbled_option_row_deletes_no_share(
    service: SyncService, broker: InMemoryBroker, db: InMemoryDatabase
) -> None:
    service.sync(ACCOUNT)
    broker.set_positions(ACCOUNT, [position("AAPL270115C0020000", "-1", "-500")])
    result = service.sync(ACCOUNT)
    assert not result.pruned
    assert set(stock_of(db)) == {"AAPL", "TSLA"}


def test_a_resync_of_the_same_shares_writes_nothing_and_says_nothing(
    service: SyncService, clock: ManualClock, db: InMemoryDatabase, heard: list[object]
) -> None:
    service.sync(ACCOUNT)
    with db() as uow:
        first = uow.positions.stock(ACCOUNT)
    written, deleted = db.positions.rows_written, db.positions.rows_deleted
    heard.clear()
    clock.advance(timedelta(minutes=1))
    result = service.sync(ACCOUNT)
    assert (db.positions.rows_written, db.positions.rows_deleted) == (written, deleted)
    assert heard == []
    assert result.stock_events == ()
    assert result.counts.stock_unchanged == 2
    with db() as uow:
        assert uow.positions.stock(ACCOUNT) == first, "unchanged shares keep their updated_at"


def test_shares_the_broker_dropped_are_removed_and_announced(
    service: SyncService, broker: InMemoryBroker, db: InMemoryDatabase, heard: list[object]
) -> None:
    service.sync(ACCOUNT)
    heard.clear()
    broker.set_positions(ACCOUNT, BOOK[:2])
    result = service.sync(ACCOUNT)
    assert result.pruned
    assert set(stock_of(db)) == {"AAPL"}
    assert [(type(e), e.position.symbol) for e in result.stock_events] == [
        (StockPositionRemoved, "TSLA")
    ]
    assert heard == list(result.stock_events)


def test_stock_events_are_published_only_after_the_commit(
    service: SyncService, db: InMemoryDatabase
) -> None:
    seen_in_store: list[list[StockPosition]] = []

    def look(_sender: object, event: StockPositionSynced) -> None:
        with db() as uow:  # a fresh unit of work sees only what was committed
            seen_in_store.append(uow.positions.stock(ACCOUNT))

    stock_position_synced.connect(look)
    try:
        service.sync(ACCOUNT)
    finally:
        stock_position_synced.disconnect(look)
    assert len(seen_in_store) == 2
    assert all(len(seen) == 2 for seen in seen_in_store)


def test_a_commit_that_fails_leaves_shares_and_legs_as_they_were_and_publishes_nothing(
    broker: InMemoryBroker, clock: ManualClock, heard: list[object]
) -> None:
    class CommitFails(InMemoryUnitOfWork):
        def commit(self) -> None:
            raise OSError("disk full")

    class Database(InMemoryDatabase):
        def __call__(self) -> InMemoryUnitOfWork:
            return CommitFails(self)

    db = Database()
    result = SyncService(broker, db, clock).sync(ACCOUNT)
    assert not result.success
    assert "disk full" in (result.reason or "")
    assert db.positions.stock() == []
    assert db.positions.all_legs() == []
    assert heard == []


def test_a_dry_run_plans_the_shares_and_writes_nothing(
    service: SyncService, db: InMemoryDatabase, heard: list[object]
) -> None:
    result = service.sync(ACCOUNT, dry_run=True)
    assert [e.position.symbol for e in result.stock_events] == ["AAPL", "TSLA"]
    assert result.counts.stock_opened == 2
    assert db.positions.stock() == []
    assert heard == []


def test_a_dropped_share_position_survives_a_failed_read_then_goes_on_a_clean_one(
    service: SyncService, broker: InMemoryBroker, db: InMemoryDatabase
) -> None:
    service.sync(ACCOUNT)
    broker.script(ACCOUNT, BrokerUnavailable("timed out", account_id=ACCOUNT), BOOK[:1])
    assert not service.sync(ACCOUNT).success
    assert set(stock_of(db)) == {"AAPL", "TSLA"}
    assert service.sync(ACCOUNT).pruned
    assert set(stock_of(db)) == {"AAPL"}


def test_marks_price_the_shares_and_a_failed_quote_read_keeps_their_price(
    broker: InMemoryBroker, db: InMemoryDatabase, clock: ManualClock
) -> None:
    quotes = InMemoryQuotes({"AAPL": "191.07"})
    service = SyncService(broker, db, clock, quotes=quotes)
    result = service.sync(ACCOUNT, marks=True)
    assert quotes.requests == [("AAPL270115C00200000", "AAPL", "TSLA")]
    with db() as uow:
        prices = {p.symbol: p.last_price for p in uow.positions.stock(ACCOUNT)}
    assert prices == {"AAPL": Decimal("191.07"), "TSLA": None}
    assert any("TSLA" in warning for warning in result.warnings)

    quotes.failure = BrokerUnavailable("429 rate limited")
    written = db.positions.rows_written
    again = service.sync(ACCOUNT, marks=True)
    assert again.success
    assert again.stock_events == ()
    assert db.positions.rows_written == written
    with db() as uow:
        assert {p.symbol: p.last_price for p in uow.positions.stock(ACCOUNT)} == prices
