"""The reconciliation rules through the library, on every store legsync ships: the in-memory
fake, a real SQLite file and the PostgreSQL server the tests start.

Each test is one rule the engine bets on; the store must not change the answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from legsync.adapters.sql import SqlStore, upgrade
from legsync.application import SyncService
from legsync.application.reconcile import ReconcileService
from legsync.application.trades import CloseRefused, TradeService
from legsync.domain import FindingKind, InvalidTrade, Side, TradeLeg, TradeStatus
from legsync.domain import parse_occ_symbol as occ
from legsync.ports import UnitOfWorkFactory
from legsync.testing import InMemoryBroker, InMemoryDatabase, ManualClock, position

ACCOUNT = "VA000001"
MSFT_PUT = "MSFT270618P00400000"
SHORT_PUT, LONG_PUT = "SPY270319P00540000", "SPY270319P00530000"
BOOK = (
    position(MSFT_PUT, "-1", "-412.00"),
    position(SHORT_PUT, "-2", "-592.00"),
    position(LONG_PUT, "2", "431.00"),
)
SPREAD = (TradeLeg(occ(SHORT_PUT), Side.SHORT), TradeLeg(occ(LONG_PUT), Side.LONG))


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
    if request.param == "memory":
        yield InMemoryDatabase()
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'legsync.db'}"
        upgrade(url)
    else:
        url = request.getfixturevalue("migrated_postgres_database")
    with SqlStore(url) as sql:
        yield sql


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2027, 1, 4, 15, 0, tzinfo=UTC))


@pytest.fixture
def broker(clock: ManualClock) -> InMemoryBroker:
    return InMemoryBroker({ACCOUNT: BOOK}, clock=clock)


@pytest.fixture
def sync(broker: InMemoryBroker, store: UnitOfWorkFactory, clock: ManualClock) -> SyncService:
    service = SyncService(broker, store, clock)
    assert service.sync(ACCOUNT).success
    return service


@pytest.fixture
def trades(store: UnitOfWorkFactory, clock: ManualClock) -> TradeService:
    return TradeService(store, clock)


@pytest.fixture
def reconcile(store: UnitOfWorkFactory, clock: ManualClock) -> ReconcileService:
    return ReconcileService(store, clock)


def test_past_the_maximum_age_no_exit_is_sized_and_the_check_says_stale(
    sync: SyncService, trades: TradeService, reconcile: ReconcileService, clock: ManualClock
) -> None:
    trade = trades.add_manual(ACCOUNT, SPREAD, 2, managed=True)
    assert trade.id is not None
    assert reconcile.exit_quantity(trade.id) == 2
    clock.advance(timedelta(minutes=16))
    assert reconcile.exit_quantity(trade.id) == 0
    (finding,) = reconcile.check(ACCOUNT).accounts[0].findings()
    assert finding.kind is FindingKind.STALE
    assert "16 minutes ago" in finding.detail
    assert (
        ReconcileService(reconcile.uow_factory, clock, max_age=timedelta(hours=1)).exit_quantity(
            trade.id
        )
        == 2
    )


def test_contracts_an_unmanaged_trade_claims_are_never_a_managed_trades_to_exit(
    sync: SyncService, trades: TradeService, reconcile: ReconcileService
) -> None:
    imported = trades.import_trades(ACCOUNT).imported
    assert {(t.trade.symbol, t.trade.managed) for t in imported} == {
        ("MSFT", False),
        ("SPY", False),
    }
    managed = trades.add_manual(ACCOUNT, (TradeLeg(occ(MSFT_PUT), Side.SHORT),), 1, managed=True)
    assert managed.id is not None
    assert reconcile.exit_quantity(managed.id) == 0
    account = reconcile.check(ACCOUNT).accounts[0]
    assert not account.clean
    (overclaimed,) = [f for f in account.findings() if f.kind is FindingKind.OVERCLAIMED]
    assert overclaimed.occ_symbol == MSFT_PUT
    assert managed.id in overclaimed.trade_ids


def test_a_closed_trade_keeps_its_row_and_a_held_one_is_closed_only_by_force(
    sync: SyncService, trades: TradeService, reconcile: ReconcileService, clock: ManualClock
) -> None:
    trade = trades.add_manual(ACCOUNT, SPREAD, 2, managed=True)
    assert trade.id is not None
    with pytest.raises(CloseRefused, match="still has broker legs"):
        trades.close(trade.id, "rolled")
    assert trades.get(trade.id).is_open
    closed = trades.close(trade.id, "rolled", force=True)
    assert (closed.status, closed.close_reason, closed.closed_at) == (
        TradeStatus.CLOSED,
        "rolled",
        clock.now(),
    )
    with pytest.raises(InvalidTrade, match="closed already"):
        trades.close(trade.id, "again", force=True)
    assert trades.get(trade.id) == closed
    assert reconcile.exit_quantity(trade.id) == 0


def test_phantoms_are_closed_only_when_the_mirror_is_fresh(
    sync: SyncService,
    broker: InMemoryBroker,
    trades: TradeService,
    reconcile: ReconcileService,
    clock: ManualClock,
) -> None:
    phantom = trades.add_manual(ACCOUNT, SPREAD, 2, managed=True)
    broker.set_positions(ACCOUNT, BOOK[:1])
    assert sync.sync(ACCOUNT).success
    assert [t.id for t in trades.phantoms(ACCOUNT)] == [phantom.id]
    clock.advance(timedelta(hours=1))
    with pytest.raises(CloseRefused, match="nothing judged"):
        trades.close_phantoms(ACCOUNT, "expired worthless")
    assert sync.sync(ACCOUNT).success
    (closed,) = trades.close_phantoms(ACCOUNT, "expired worthless")
    assert closed.id == phantom.id
    assert closed.close_reason == "expired worthless"
    assert trades.phantoms(ACCOUNT) == ()
    assert reconcile.check(ACCOUNT).accounts[0].clean
