"""The sync use case with the in-memory fakes: the guarantees a trading engine relies on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from legsync.application import SyncService, position_removed, position_synced
from legsync.domain import (
    Origin,
    PositionEvent,
    PositionRemoved,
    PositionSynced,
    Side,
    Trade,
    TradeLeg,
    parse_occ_symbol,
)
from legsync.ports import BrokerUnavailable
from legsync.testing import (
    InMemoryBroker,
    InMemoryDatabase,
    InMemoryQuotes,
    ManualClock,
    position,
)

ACCOUNT = "VA000001"
CREDIT_SPREAD = (
    position("SPY270319P00400000", "-2", "-310.00"),
    position("SPY270319P00395000", "2", "180.00"),
)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def broker(clock: ManualClock) -> InMemoryBroker:
    return InMemoryBroker({ACCOUNT: CREDIT_SPREAD}, clock=clock)


@pytest.fixture
def db() -> InMemoryDatabase:
    return InMemoryDatabase()


@pytest.fixture
def service(broker: InMemoryBroker, db: InMemoryDatabase, clock: ManualClock) -> SyncService:
    return SyncService(broker, db, clock)


@pytest.fixture
def heard() -> Iterator[list[PositionEvent]]:
    events: list[PositionEvent] = []

    def hear(sender: object, event: PositionEvent) -> None:
        events.append(event)

    position_synced.connect(hear, weak=False)
    position_removed.connect(hear, weak=False)
    yield events
    position_synced.disconnect(hear)
    position_removed.disconnect(hear)


def test_the_first_sync_opens_every_leg_and_announces_it(
    service: SyncService, db: InMemoryDatabase, heard: list[PositionEvent]
) -> None:
    result = service.sync(ACCOUNT)
    assert (result.success, result.counts.synced, result.counts.opened, result.pruned) == (
        True,
        2,
        2,
        True,
    )
    legs = db.positions.all_legs(ACCOUNT)
    assert [(leg.occ_symbol, leg.side, leg.quantity) for leg in legs] == [
        ("SPY270319P00395000", Side.LONG, 2),
        ("SPY270319P00400000", Side.SHORT, 2),
    ]
    assert [leg.cost_basis_per_contract for leg in legs] == [Decimal(90), Decimal(155)]
    assert all(isinstance(e, PositionSynced) and e.opened for e in heard)
    assert len(heard) == 2


def test_the_same_snapshot_again_writes_nothing_and_says_nothing(
    service: SyncService,
    db: InMemoryDatabase,
    clock: ManualClock,
    heard: list[PositionEvent],
) -> None:
    service.sync(ACCOUNT)
    written, first_stamps = (
        db.positions.rows_written,
        [leg.updated_at for leg in db.positions.all_legs()],
    )
    heard.clear()
    clock.advance(timedelta(minutes=5))
    again = service.sync(ACCOUNT)
    assert (
        again.counts.opened,
        again.counts.changed,
        again.counts.unchanged,
        again.counts.removed,
    ) == (0, 0, 2, 0)
    assert db.positions.rows_written == written
    assert [leg.updated_at for leg in db.positions.all_legs()] == first_stamps
    assert heard == []


def test_a_failed_read_changes_nothing_and_emits_nothing(
    service: SyncService, broker: InMemoryBroker, db: InMemoryDatabase, heard: list[PositionEvent]
) -> None:
    service.sync(ACCOUNT)
    before = db.positions.all_legs()
    heard.clear()
    broker.fail_next(ACCOUNT, "503 Service Unavailable")
    result = service.sync(ACCOUNT)
    assert not result.success
    assert result.reason is not None
    assert "503" in result.reason
    assert db.positions.all_legs() == before
    assert heard == []


def test_every_attempt_is_recorded_so_the_last_good_sync_is_known(
    service: SyncService, broker: InMemoryBroker, db: InMemoryDatabase, clock: ManualClock
) -> None:
    service.sync(ACCOUNT)
    good_at = clock.now()
    clock.advance()
    broker.fail_next(ACCOUNT, "timed out")
    service.sync(ACCOUNT)
    last, last_good = db.sync_runs.last_run(ACCOUNT), db.sync_runs.last_successful_run(ACCOUNT)
    assert last is not None
    assert last_good is not None
    assert (last.success, last.error) == (
        False,
        "broker read failed for account VA000001: timed out",
    )
    assert (last_good.started_at, last_good.counts.opened, last_good.counts.synced) == (
        good_at,
        2,
        2,
    )


def test_a_leg_the_broker_dropped_is_removed_and_announced(
    service: SyncService, broker: InMemoryBroker, db: InMemoryDatabase, heard: list[PositionEvent]
) -> None:
    service.sync(ACCOUNT)
    heard.clear()
    broker.set_positions(ACCOUNT, CREDIT_SPREAD[:1])
    result = service.sync(ACCOUNT)
    assert (result.counts.removed, result.pruned) == (1, True)
    assert [leg.occ_symbol for leg in db.positions.all_legs()] == ["SPY270319P00400000"]
    assert [type(e) for e in heard] == [PositionRemoved]


def test_a_garbled_row_keeps_every_stored_leg_and_says_why(
    service: SyncService, broker: InMemoryBroker, db: InMemoryDatabase
) -> None:
    service.sync(ACCOUNT)
    broker.set_positions(
        ACCOUNT, [position("SPY270319P0039500", "2", "180"), position("AAPL", "10", "1700")]
    )
    result = service.sync(ACCOUNT)
    assert result.success
    assert not result.pruned
    assert (result.counts.skipped, result.counts.stock_opened) == (0, 1)
    assert [e.symbol for e in result.errors] == ["SPY270319P0039500"]
    assert result.prune_skipped_reason
    assert len(db.positions.all_legs()) == 2


def test_a_dry_run_plans_against_the_store_and_writes_nothing(
    service: SyncService, db: InMemoryDatabase, heard: list[PositionEvent]
) -> None:
    result = service.sync(ACCOUNT, dry_run=True)
    assert (result.dry_run, result.counts.opened) == (True, 2)
    assert [type(e) for e in result.events] == [PositionSynced, PositionSynced], "the plan"
    assert db.positions.all_legs() == []
    assert db.sync_runs.last_run(ACCOUNT) is None
    assert heard == []


def test_a_store_failure_is_a_failed_sync_that_publishes_nothing(
    broker: InMemoryBroker, clock: ManualClock, heard: list[PositionEvent]
) -> None:
    class BrokenDatabase(InMemoryDatabase):
        def __call__(self):  # type: ignore[no-untyped-def]
            raise OSError("disk I/O error")

    result = SyncService(broker, BrokenDatabase(), clock).sync(ACCOUNT)
    assert not result.success
    assert result.reason == "store failed: OSError: disk I/O error"
    assert heard == []


def test_a_clock_that_breaks_its_promise_fails_the_sync_without_raising(
    broker: InMemoryBroker, db: InMemoryDatabase, heard: list[PositionEvent]
) -> None:
    class NaiveClock:
        """Answers local naive times: the Clock port promises aware UTC."""

        def now(self) -> datetime:
            return datetime(2027, 3, 1, 9, 30)  # noqa: DTZ001 - naive on purpose

    result = SyncService(broker, db, NaiveClock()).sync(ACCOUNT)
    assert not result.success
    assert result.reason is not None
    assert "aware" in result.reason
    assert heard == []
    with db() as uow:
        assert uow.positions.all_legs() == []
        assert uow.sync_runs.last_run(ACCOUNT) is None


def test_a_receiver_that_raises_neither_undoes_the_sync_nor_silences_the_others(
    service: SyncService, db: InMemoryDatabase, heard: list[PositionEvent]
) -> None:
    def explode(sender: object, event: PositionEvent) -> None:
        raise RuntimeError("receiver bug")

    position_synced.connect(explode, weak=False)
    try:
        result = service.sync(ACCOUNT)
    finally:
        position_synced.disconnect(explode)
    assert result.success
    assert len(db.positions.all_legs()) == 2
    assert len(heard) == 2
    assert any("receiver bug" in warning for warning in result.warnings)


def test_an_answer_for_another_account_is_a_failed_read(
    db: InMemoryDatabase, clock: ManualClock
) -> None:
    class Confused(InMemoryBroker):
        def fetch_positions(self, account_id: str):  # type: ignore[no-untyped-def]
            return super().fetch_positions("6YA000002")

    broker = Confused({"6YA000002": CREDIT_SPREAD}, clock=clock)
    result = SyncService(broker, db, clock).sync(ACCOUNT)
    assert not result.success
    assert db.positions.all_legs() == []


def test_marks_set_the_last_price_and_a_failed_quote_read_only_warns(
    broker: InMemoryBroker, db: InMemoryDatabase, clock: ManualClock
) -> None:
    quotes = InMemoryQuotes({"SPY270319P00400000": "1.42"})
    service = SyncService(broker, db, clock, quotes=quotes)
    result = service.sync(ACCOUNT, marks=True)
    prices = {leg.occ_symbol: leg.last_price for leg in db.positions.all_legs()}
    assert prices == {"SPY270319P00400000": Decimal("1.42"), "SPY270319P00395000": None}
    assert any("no quote for SPY270319P00395000" in w for w in result.warnings)

    quotes.failure = BrokerUnavailable("429 rate limited")
    again = service.sync(ACCOUNT, marks=True)
    assert again.success
    assert any("429" in w for w in again.warnings)
    assert {leg.occ_symbol: leg.last_price for leg in db.positions.all_legs()} == prices


def test_a_mark_that_is_no_usable_price_only_warns_and_the_leg_keeps_its_price(
    broker: InMemoryBroker, db: InMemoryDatabase, clock: ManualClock
) -> None:
    for odd in ("NaN", "1E+200000", "-0.05"):
        quotes = InMemoryQuotes({"SPY270319P00400000": odd, "SPY270319P00395000": "0"})
        result = SyncService(broker, db, clock, quotes=quotes).sync(ACCOUNT, marks=True)
        assert result.success
        prices = {leg.occ_symbol: leg.last_price for leg in db.positions.all_legs()}
        assert prices == {"SPY270319P00400000": None, "SPY270319P00395000": Decimal(0)}, odd
        assert any(
            "1 mark(s) not a usable price (SPY270319P00400000)" in w for w in result.warnings
        )


def test_one_failing_account_leaves_the_others_synced(
    broker: InMemoryBroker, service: SyncService, db: InMemoryDatabase
) -> None:
    broker.set_positions("6YA000002", CREDIT_SPREAD[:1])
    broker.fail_next(ACCOUNT, "connection reset")
    results = service.sync_accounts([ACCOUNT, "6YA000002"])
    assert [r.success for r in results] == [False, True]
    assert db.positions.accounts() == ["6YA000002"]


def test_the_sync_never_touches_a_trade(service: SyncService, db: InMemoryDatabase) -> None:
    with db() as uow:
        trade = uow.trades.add(
            Trade(
                id=None,
                account_id=ACCOUNT,
                symbol="SPY",
                legs=(TradeLeg(parse_occ_symbol("SPY270101P00300000"), Side.SHORT),),
                quantity=1,
                origin=Origin.ENGINE,
                managed=False,
            )
        )
        uow.commit()
    service.sync(ACCOUNT)
    with db() as uow:
        assert uow.trades.list_trades(include_closed=True) == [trade]


def test_a_store_that_cannot_record_a_run_or_lock_an_account_is_refused_at_construction(
    broker: InMemoryBroker,
) -> None:
    class PositionsOnly:
        """A unit of work with positions but no sync log and no account lock."""

        positions = None

        def __enter__(self) -> PositionsOnly:
            return self

        def commit(self) -> None: ...

    def positions_only() -> PositionsOnly:
        return PositionsOnly()

    with pytest.raises(TypeError, match="lacks sync_runs, lock_account"):
        SyncService(broker, positions_only, ManualClock())  # type: ignore[arg-type]


def test_a_broker_or_clock_that_cannot_do_its_part_is_refused_at_construction(
    db: InMemoryDatabase,
) -> None:
    with pytest.raises(TypeError, match="as the broker: it lacks fetch_positions"):
        SyncService(object(), db, ManualClock())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="as the clock: it lacks now"):
        SyncService(InMemoryBroker(), db, object())  # type: ignore[arg-type]
