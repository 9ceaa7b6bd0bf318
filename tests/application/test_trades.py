"""Trade use cases over the in-memory store: list, add by hand, the managed switch, import.

They change trades only; the mirrored positions are the sync's, and stay as they were.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from legsync.application import SyncService
from legsync.application.reconcile import ReconcileService
from legsync.application.trades import InvalidTrade, TradeService
from legsync.domain import Origin, Side, Trade, TradeLeg, TradeStatus, parse_occ_symbol
from legsync.domain.reconciliation import MirrorState
from legsync.domain.structures import StructureKind
from legsync.ports import TradeNotFound
from legsync.testing import (
    InMemoryBroker,
    InMemoryDatabase,
    InMemoryQuotes,
    ManualClock,
    position,
)

ACCOUNT = "VA000001"
NOW = datetime(2024, 1, 2, 15, 0, tzinfo=UTC)
CONDOR = (
    position("SPY240119P00390000", "1", "60"),
    position("SPY240119P00395000", "-1", "-110"),
    position("SPY240119C00455000", "-1", "-120"),
    position("SPY240119C00460000", "1", "70"),
)
SPX_SPREAD = (
    position("SPXW240119P04500000", "-3", "-2700"),
    position("SPXW240119P04490000", "3", "2100"),
)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def db() -> InMemoryDatabase:
    return InMemoryDatabase()


@pytest.fixture
def broker(clock: ManualClock) -> InMemoryBroker:
    return InMemoryBroker({ACCOUNT: (*CONDOR, *SPX_SPREAD)}, clock=clock)


@pytest.fixture
def sync(broker: InMemoryBroker, db: InMemoryDatabase, clock: ManualClock) -> SyncService:
    return SyncService(broker, db, clock)


@pytest.fixture
def trades(db: InMemoryDatabase, clock: ManualClock) -> TradeService:
    return TradeService(db, clock)


def leg(symbol: str, side: Side, ratio: int = 1) -> TradeLeg:
    return TradeLeg(parse_occ_symbol(symbol), side, ratio)


SPX_LEGS = (leg("SPXW240119P04500000", Side.SHORT), leg("SPXW240119P04490000", Side.LONG))


def store(db: InMemoryDatabase, trade: Trade) -> Trade:
    with db() as uow:
        stored = uow.trades.add(trade)
        uow.commit()
    return stored


def engine_trade(db: InMemoryDatabase, symbol: str = "SPX", **changes: object) -> Trade:
    fields: dict[str, object] = {
        "id": None,
        "account_id": ACCOUNT,
        "symbol": symbol,
        "legs": SPX_LEGS,
        "quantity": 3,
        **changes,
    }
    return store(db, Trade(**fields))  # type: ignore[arg-type]


# --- list and add ------------------------------------------------------------------------------


def test_listing_shows_open_trades_unless_closed_ones_are_asked_for(
    trades: TradeService, db: InMemoryDatabase
) -> None:
    open_one = engine_trade(db)
    closed = engine_trade(db, status=TradeStatus.CLOSED)
    other = engine_trade(db, account_id="VA000002", managed=False)
    assert trades.list_trades() == [open_one, other]
    assert trades.list_trades(include_closed=True) == [open_one, closed, other]
    assert trades.list_trades(account_id="VA000002") == [other]


def test_a_manual_trade_is_recorded_unmanaged_unless_asked(
    trades: TradeService, db: InMemoryDatabase
) -> None:
    trade = trades.add_manual(ACCOUNT, SPX_LEGS, 3, entry_price=Decimal("2.00"))
    assert trade.id is not None
    assert (trade.origin, trade.managed, trade.symbol, trade.quantity) == (
        Origin.MANUAL,
        False,
        "SPX",
        3,
    )
    assert (trade.status, trade.opened_at, trade.entry_price) == (
        TradeStatus.OPEN,
        NOW,
        Decimal("2.00"),
    )
    assert db.trades.get(trade.id) == trade
    assert db.trades.open_managed() == []
    managed = trades.add_manual(ACCOUNT, SPX_LEGS, 1, managed=True)
    assert db.trades.open_managed() == [managed]


@pytest.mark.parametrize(
    ("account", "legs", "quantity", "problem"),
    [
        ("", SPX_LEGS, 1, "account id"),
        (ACCOUNT, (), 1, "at least one leg"),
        (ACCOUNT, SPX_LEGS, 0, "quantity"),
        (
            ACCOUNT,
            (leg("SPXW240119P04500000", Side.SHORT), leg("SPY240119P00400000", Side.LONG)),
            1,
            "one underlying, got SPX, SPY",
        ),
        (
            ACCOUNT,
            (leg("SPY240119P00400000", Side.SHORT), leg("SPY240119P00400000", Side.SHORT)),
            1,
            "named twice",
        ),
        (ACCOUNT, SPX_LEGS, 2**31, "more than any leg holds"),
    ],
)
def test_a_manual_trade_that_cannot_be_is_refused_with_the_reason(
    trades: TradeService,
    db: InMemoryDatabase,
    account: str,
    legs: tuple[TradeLeg, ...],
    quantity: int,
    problem: str,
) -> None:
    with pytest.raises(InvalidTrade, match=problem):
        trades.add_manual(account, legs, quantity)
    assert db.trades.list_trades(include_closed=True) == []


def test_a_negative_entry_price_is_refused(trades: TradeService, db: InMemoryDatabase) -> None:
    with pytest.raises(InvalidTrade, match="never negative"):
        trades.add_manual(ACCOUNT, SPX_LEGS, 1, entry_price=Decimal("-1.25"))
    assert db.trades.list_trades(include_closed=True) == []


# --- the managed switch ------------------------------------------------------------------------


def test_the_switch_by_id_decides_what_the_engine_sees(
    trades: TradeService, db: InMemoryDatabase
) -> None:
    trade = engine_trade(db)
    assert trade.id is not None
    assert not trades.unmanage(trade.id).is_managed
    assert db.trades.open_managed() == []
    assert trades.manage(trade.id).managed is True
    assert [t.id for t in db.trades.open_managed()] == [trade.id]
    with pytest.raises(TradeNotFound):
        trades.unmanage(999)


def test_the_switch_by_symbol_flips_every_open_trade_on_that_underlying(
    trades: TradeService, db: InMemoryDatabase
) -> None:
    legacy = engine_trade(db, managed=None)
    already_off = engine_trade(db, managed=False)
    closed = engine_trade(db, status=TradeStatus.CLOSED)
    spy = engine_trade(db, symbol="SPY", legs=(leg("SPY240119P00400000", Side.SHORT),), quantity=1)
    switch = trades.unmanage_symbol("spxw")
    assert (switch.symbol, switch.managed) == ("SPX", False)
    assert [t.id for t in switch.trades] == [legacy.id, already_off.id]
    assert switch.changed == (legacy.id,)
    assert all(t.managed is False for t in switch.trades)
    assert closed.id is not None
    assert db.trades.get(closed.id).managed is True  # closed trades are left alone
    assert [t.id for t in db.trades.open_managed()] == [spy.id]

    back_on = trades.manage_symbol("SPX", account_id=ACCOUNT)
    assert back_on.changed == (legacy.id, already_off.id)
    assert trades.unmanage_symbol("QQQ").trades == ()


def test_switching_never_touches_positions(
    trades: TradeService, sync: SyncService, db: InMemoryDatabase
) -> None:
    sync.sync(ACCOUNT)
    trade = engine_trade(db)
    legs, written = db.positions.all_legs(), db.positions.rows_written
    assert trade.id is not None
    trades.unmanage(trade.id)
    trades.manage_symbol("SPX")
    trades.add_manual(ACCOUNT, SPX_LEGS, 1)
    trades.import_trades()
    assert (db.positions.all_legs(), db.positions.rows_written) == (legs, written)


# --- import ------------------------------------------------------------------------------------


def test_import_stores_each_unclaimed_structure_as_an_unmanaged_trade(
    trades: TradeService, sync: SyncService, db: InMemoryDatabase
) -> None:
    sync.sync(ACCOUNT)
    report = trades.import_trades()
    assert [(i.kind, i.trade.symbol, i.trade.quantity) for i in report.imported] == [
        (StructureKind.BULL_PUT_SPREAD, "SPX", 3),
        (StructureKind.IRON_CONDOR, "SPY", 1),
    ]
    for imported in report.imported:
        assert imported.trade.id is not None
        assert (imported.trade.origin, imported.trade.managed) == (Origin.IMPORTED, False)
        assert imported.trade.opened_at == NOW
        assert db.trades.get(imported.trade.id) == imported.trade
    assert report.imported[0].trade.legs == (
        leg("SPXW240119P04490000", Side.LONG),
        leg("SPXW240119P04500000", Side.SHORT),
    )
    assert db.trades.open_managed() == []  # the engine ignores them until a person says so


def test_importing_twice_imports_nothing_new(
    trades: TradeService, sync: SyncService, db: InMemoryDatabase
) -> None:
    sync.sync(ACCOUNT)
    first = trades.import_trades()
    again = trades.import_trades()
    assert len(first.imported) == 2
    assert again.imported == ()
    assert len(db.trades.list_trades()) == 2


def test_contracts_an_open_trade_expects_are_not_imported_only_the_surplus(
    trades: TradeService, sync: SyncService, db: InMemoryDatabase
) -> None:
    engine_trade(db, quantity=2)  # the broker holds 3 of this spread
    engine_trade(  # an unmanaged trade claims its contracts too
        db,
        symbol="SPY",
        legs=tuple(leg(p.symbol, Side.LONG if p.quantity > 0 else Side.SHORT) for p in CONDOR),
        quantity=1,
        managed=False,
    )
    sync.sync(ACCOUNT)
    (imported,) = trades.import_trades().imported
    assert (imported.kind, imported.trade.quantity) == (StructureKind.BULL_PUT_SPREAD, 1)


def test_nothing_is_imported_from_a_stale_mirror(
    trades: TradeService, sync: SyncService, db: InMemoryDatabase, broker: InMemoryBroker
) -> None:
    sync.sync(ACCOUNT)
    broker.fail_next(ACCOUNT)
    sync.sync(ACCOUNT)
    report = trades.import_trades()
    (account,) = report.accounts
    assert account.mirror is MirrorState.LAST_SYNC_FAILED
    assert report.skipped == (account,)
    assert report.imported == ()
    assert db.trades.list_trades() == []
    assert trades.import_trades("VA000404").accounts[0].mirror is MirrorState.NEVER_SYNCED


def test_a_dry_run_shows_what_would_be_imported_and_stores_nothing(
    trades: TradeService, sync: SyncService, db: InMemoryDatabase
) -> None:
    sync.sync(ACCOUNT)
    report = trades.import_trades(ACCOUNT, dry_run=True)
    assert report.dry_run
    assert [i.trade.id for i in report.imported] == [None, None]
    assert db.trades.list_trades() == []


def test_an_imported_trade_is_exited_only_once_a_person_manages_it(
    trades: TradeService, sync: SyncService, db: InMemoryDatabase, clock: ManualClock
) -> None:
    sync.sync(ACCOUNT)
    spx = trades.import_trades().imported[0].trade
    assert spx.id is not None
    reconcile = ReconcileService(db, clock)
    assert reconcile.exit_quantity(spx.id) == 0
    trades.manage(spx.id)
    assert reconcile.exit_quantity(spx.id) == 3
    assert reconcile.check().clean


# --- the view: a trade with its P&L ------------------------------------------------------------

SPX_MARKS = {"SPXW240119P04500000": "6.00", "SPXW240119P04490000": "4.50"}
"""Sold at 9.00 and bought at 7.00 (the SPX spread's cost basis), now 6.00 and 4.50."""


def marked_sync(broker: InMemoryBroker, db: InMemoryDatabase, clock: ManualClock) -> None:
    SyncService(broker, db, clock, quotes=InMemoryQuotes(SPX_MARKS)).sync(ACCOUNT, marks=True)


def test_a_trades_view_has_the_pnl_of_its_share_of_the_mirrored_legs(
    trades: TradeService, broker: InMemoryBroker, db: InMemoryDatabase, clock: ManualClock
) -> None:
    marked_sync(broker, db, clock)
    trade = engine_trade(db, quantity=2)
    assert trade.id is not None
    view = trades.view(trade.id)
    assert view.trade == trade
    assert view.mirror is MirrorState.FRESH
    assert view.pnl is not None
    # 2 of the 3 held: short 4500P (900 - 600) x 2 = +600, long 4490P (450 - 700) x 2 = -500
    assert view.pnl.amount == Decimal(100)
    assert view.pnl.oldest_mark_at == NOW


def test_a_trades_pnl_without_marks_is_incomplete_never_zero(
    trades: TradeService, sync: SyncService, db: InMemoryDatabase
) -> None:
    sync.sync(ACCOUNT)
    trade = engine_trade(db)
    assert trade.id is not None
    pnl = trades.view(trade.id).pnl
    assert pnl is not None
    assert pnl.amount is None
    assert pnl.missing == ("SPXW240119P04500000: no mark", "SPXW240119P04490000: no mark")


def test_a_trades_pnl_from_a_stale_mirror_is_incomplete_and_says_why(
    trades: TradeService, broker: InMemoryBroker, db: InMemoryDatabase, clock: ManualClock
) -> None:
    marked_sync(broker, db, clock)
    trade = engine_trade(db)
    assert trade.id is not None
    clock.advance(timedelta(hours=1))
    view = trades.view(trade.id)
    assert view.mirror is MirrorState.TOO_OLD
    assert view.pnl is not None
    assert view.pnl.amount is None
    assert view.pnl.known == Decimal(150)
    assert view.pnl.missing == (
        "the mirror is not fresh: the last good sync is older than the allowed age",
    )


def test_a_trade_whose_legs_are_gone_has_an_incomplete_pnl_naming_them(
    trades: TradeService, broker: InMemoryBroker, db: InMemoryDatabase, clock: ManualClock
) -> None:
    marked_sync(broker, db, clock)
    trade = engine_trade(db, quantity=4)
    assert trade.id is not None
    pnl = trades.view(trade.id).pnl
    assert pnl is not None
    assert pnl.amount is None
    assert pnl.missing == (
        "SPXW240119P04500000: the trade expects 4 short, the mirror holds 3",
        "SPXW240119P04490000: the trade expects 4 long, the mirror holds 3",
    )


def test_a_closed_trade_has_no_unrealised_pnl(
    trades: TradeService, broker: InMemoryBroker, db: InMemoryDatabase, clock: ManualClock
) -> None:
    marked_sync(broker, db, clock)
    closed = engine_trade(db, status=TradeStatus.CLOSED)
    assert closed.id is not None
    assert trades.view(closed.id).pnl is None
