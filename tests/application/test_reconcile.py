"""The ``check`` use case over the in-memory store, fed by real syncs from the in-memory broker.

What the engine relies on: phantoms and partial trades are reported with their reasons, expired
legs are reported in New York time, nothing is judged against a stale mirror, and nothing is
ever closed, deleted or switched off.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from legsync.application import SyncService
from legsync.application.reconcile import ReconcileService
from legsync.domain import Side, Trade, TradeLeg, TradeStatus, parse_occ_symbol
from legsync.domain.reconciliation import MirrorState
from legsync.ports import TradeNotFound
from legsync.testing import InMemoryBroker, InMemoryDatabase, ManualClock, position

ACCOUNT = "VA000001"
SHORT_PUT, LONG_PUT = "SPY240119P00400000", "SPY240119P00395000"
SPREAD = (position(SHORT_PUT, "-2", "-310.00"), position(LONG_PUT, "2", "180.00"))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2024, 1, 2, 15, 0, tzinfo=UTC))


@pytest.fixture
def broker(clock: ManualClock) -> InMemoryBroker:
    return InMemoryBroker({ACCOUNT: SPREAD}, clock=clock)


@pytest.fixture
def db() -> InMemoryDatabase:
    return InMemoryDatabase()


@pytest.fixture
def sync(broker: InMemoryBroker, db: InMemoryDatabase, clock: ManualClock) -> SyncService:
    return SyncService(broker, db, clock)


@pytest.fixture
def reconcile(db: InMemoryDatabase, clock: ManualClock) -> ReconcileService:
    return ReconcileService(db, clock)


def engine_trade(db: InMemoryDatabase, quantity: int = 2, **changes: object) -> Trade:
    """Store the engine's 400/395 bull put spread and return it with its id."""
    fields: dict[str, object] = {
        "id": None,
        "account_id": ACCOUNT,
        "symbol": "SPY",
        "legs": (
            TradeLeg(parse_occ_symbol(SHORT_PUT), Side.SHORT),
            TradeLeg(parse_occ_symbol(LONG_PUT), Side.LONG),
        ),
        "quantity": quantity,
        **changes,
    }
    with db() as uow:
        stored = uow.trades.add(Trade(**fields))  # type: ignore[arg-type]
        uow.commit()
    return stored


def test_a_trade_the_broker_fully_holds_is_clean(
    sync: SyncService, reconcile: ReconcileService, db: InMemoryDatabase
) -> None:
    engine_trade(db)
    sync.sync(ACCOUNT)
    report = reconcile.check()
    (account,) = report.accounts
    assert (account.account_id, account.mirror, account.trades_judged) == (
        ACCOUNT,
        MirrorState.FRESH,
        1,
    )
    assert report.clean


def test_a_trade_whose_legs_the_broker_no_longer_holds_is_a_phantom(
    sync: SyncService, reconcile: ReconcileService, db: InMemoryDatabase, broker: InMemoryBroker
) -> None:
    trade = engine_trade(db)
    broker.set_positions(ACCOUNT, [])  # closed by hand at the broker
    sync.sync(ACCOUNT)
    (account,) = reconcile.check().accounts
    assert [p.trade.id for p in account.phantoms] == [trade.id]
    assert account.phantoms[0].reasons == (
        f"short {SHORT_PUT}: none held, 2 expected",
        f"long {LONG_PUT}: none held, 2 expected",
    )
    assert account.partials == ()
    assert not account.clean


def test_a_trade_with_a_leg_short_is_partial_and_says_why(
    sync: SyncService, reconcile: ReconcileService, db: InMemoryDatabase, broker: InMemoryBroker
) -> None:
    engine_trade(db)
    broker.set_positions(
        ACCOUNT, [position(SHORT_PUT, "-2", "-310"), position(LONG_PUT, "1", "90")]
    )
    sync.sync(ACCOUNT)
    (account,) = reconcile.check().accounts
    (partial,) = account.partials
    assert partial.reasons == (f"long {LONG_PUT}: 1 held, 2 expected",)
    assert account.phantoms == ()


def test_after_a_failed_sync_nothing_is_judged_and_the_mirror_is_called_stale(
    sync: SyncService, reconcile: ReconcileService, db: InMemoryDatabase, broker: InMemoryBroker
) -> None:
    engine_trade(db, quantity=5)  # would be partial against the mirror
    sync.sync(ACCOUNT)
    broker.fail_next(ACCOUNT, "503 Service Unavailable")
    sync.sync(ACCOUNT)
    report = reconcile.check()
    (account,) = report.accounts
    assert account.mirror is MirrorState.LAST_SYNC_FAILED
    assert (account.judged, account.phantoms, account.partials, account.expired) == (
        False,
        (),
        (),
        (),
    )
    assert report.stale == (account,)
    assert not report.clean


def test_after_a_sync_that_could_not_read_every_row_nothing_is_judged(
    sync: SyncService, reconcile: ReconcileService, db: InMemoryDatabase, broker: InMemoryBroker
) -> None:
    engine_trade(db)
    broker.set_positions(ACCOUNT, [position("SPY240119P0040000X", "-2")])
    sync.sync(ACCOUNT)
    (account,) = reconcile.check().accounts
    assert account.mirror is MirrorState.LAST_SYNC_INCOMPLETE
    assert account.phantoms == ()


def test_an_account_never_synced_is_stale_not_full_of_phantoms(
    reconcile: ReconcileService, db: InMemoryDatabase
) -> None:
    engine_trade(db)
    (account,) = reconcile.check().accounts
    assert (account.account_id, account.mirror) == (ACCOUNT, MirrorState.NEVER_SYNCED)
    assert account.phantoms == ()
    assert reconcile.check("VA000404").accounts[0].mirror is MirrorState.NEVER_SYNCED


def test_unmanaged_and_closed_trades_are_not_judged(
    sync: SyncService, reconcile: ReconcileService, db: InMemoryDatabase, broker: InMemoryBroker
) -> None:
    engine_trade(db, managed=False)
    engine_trade(db, status=TradeStatus.CLOSED)
    broker.set_positions(ACCOUNT, [])
    sync.sync(ACCOUNT)
    (account,) = reconcile.check().accounts
    assert (account.trades_judged, account.phantoms, account.partials) == (0, (), ())


def test_expired_legs_are_reported_from_the_new_york_close(
    sync: SyncService, reconcile: ReconcileService, clock: ManualClock
) -> None:
    clock.set(datetime(2024, 1, 19, 20, 59, tzinfo=UTC))  # 15:59 in New York
    sync.sync(ACCOUNT)
    assert reconcile.check().accounts[0].expired == ()
    clock.set(datetime(2024, 1, 19, 21, 0, tzinfo=UTC))  # 16:00 in New York
    expired = reconcile.check().accounts[0].expired
    assert [leg.occ_symbol for leg in expired] == [LONG_PUT, SHORT_PUT]


def test_check_changes_nothing(
    sync: SyncService,
    reconcile: ReconcileService,
    db: InMemoryDatabase,
    broker: InMemoryBroker,
    clock: ManualClock,
) -> None:
    engine_trade(db, quantity=9)
    clock.set(datetime(2024, 2, 1, tzinfo=UTC))
    sync.sync(ACCOUNT)
    legs, trades, commits = db.positions.all_legs(), db.trades.list_trades(), db.commits
    report = reconcile.check()
    assert report.accounts[0].partials
    assert report.accounts[0].expired
    assert (db.positions.all_legs(), db.trades.list_trades(), db.commits) == (
        legs,
        trades,
        commits,
    )


def test_every_known_account_is_checked_or_just_the_one_asked_for(
    sync: SyncService, reconcile: ReconcileService, db: InMemoryDatabase
) -> None:
    sync.sync(ACCOUNT)
    engine_trade(db, account_id="VA000002")
    assert [a.account_id for a in reconcile.check().accounts] == [ACCOUNT, "VA000002"]
    assert [a.account_id for a in reconcile.check("VA000002").accounts] == ["VA000002"]


def test_a_maximum_age_makes_an_old_mirror_stale(
    sync: SyncService, db: InMemoryDatabase, clock: ManualClock
) -> None:
    sync.sync(ACCOUNT)
    patient = ReconcileService(db, clock, max_age=timedelta(minutes=10))
    assert patient.check().accounts[0].mirror is MirrorState.FRESH
    clock.advance(timedelta(minutes=11))
    assert patient.check().accounts[0].mirror is MirrorState.TOO_OLD


def test_the_report_is_plain_json_data(
    sync: SyncService, reconcile: ReconcileService, db: InMemoryDatabase, clock: ManualClock
) -> None:
    trade = engine_trade(db, quantity=3)
    clock.set(datetime(2024, 1, 20, tzinfo=UTC))
    sync.sync(ACCOUNT)
    data = json.loads(json.dumps(reconcile.check().to_dict()))
    (account,) = data["accounts"]
    assert data["clean"] is False
    assert (account["mirror"], account["judged"], account["reason"]) == ("fresh", True, None)
    assert account["partials"] == [
        {
            "trade_id": trade.id,
            "symbol": "SPY",
            "quantity": 3,
            "health": "partial",
            "reasons": [
                f"short {SHORT_PUT}: 2 held, 3 expected",
                f"long {LONG_PUT}: 2 held, 3 expected",
            ],
        }
    ]
    assert account["expired"][0] == {
        "occ_symbol": LONG_PUT,
        "side": "long",
        "quantity": 2,
        "expired_at": "2024-01-19T21:00:00+00:00",
    }


def test_the_engine_asks_how_many_spreads_it_may_close(
    sync: SyncService, reconcile: ReconcileService, db: InMemoryDatabase, broker: InMemoryBroker
) -> None:
    trade = engine_trade(db, quantity=3)
    assert trade.id is not None
    assert reconcile.exit_quantity(trade.id) == 0  # never synced
    sync.sync(ACCOUNT)
    assert reconcile.exit_quantity(trade.id) == 2  # holds 2 of the 3 spreads
    broker.fail_next(ACCOUNT)
    sync.sync(ACCOUNT)
    assert reconcile.exit_quantity(trade.id) == 0  # stale mirror
    with pytest.raises(TradeNotFound):
        reconcile.exit_quantity(999)


def test_two_managed_trades_claiming_more_than_is_held_may_exit_nothing(
    sync: SyncService, reconcile: ReconcileService, db: InMemoryDatabase
) -> None:
    first, second = engine_trade(db, quantity=2), engine_trade(db, quantity=2)
    sync.sync(ACCOUNT)
    assert first.id is not None
    assert second.id is not None
    assert [reconcile.exit_quantity(first.id), reconcile.exit_quantity(second.id)] == [0, 0]
    (account,) = reconcile.check().accounts
    assert not account.clean
    assert [[(t.id, n) for t, n in leg.claims] for leg in account.overclaimed] == [
        [(first.id, 2), (second.id, 2)],
        [(first.id, 2), (second.id, 2)],
    ]


def test_findings_name_each_problem_once_and_unclaimed_legs_only_inform(
    sync: SyncService, reconcile: ReconcileService, db: InMemoryDatabase, clock: ManualClock
) -> None:
    from legsync.domain import FindingKind

    sync.sync(ACCOUNT)
    phantom = engine_trade(db, legs=(TradeLeg(parse_occ_symbol("SPY270319P00400000"), Side.SHORT),))
    account = reconcile.check(ACCOUNT).accounts[0]
    kinds = [finding.kind for finding in account.findings()]
    assert FindingKind.PHANTOM in kinds
    assert [f.trade_ids for f in account.findings() if f.kind is FindingKind.PHANTOM] == [
        (phantom.id,)
    ]
    unclaimed = [f for f in account.findings() if f.kind is FindingKind.UNCLAIMED]
    assert unclaimed
    assert all(not f.kind.fails_check for f in unclaimed)
    assert all(f.occurred_at == clock.now() for f in account.findings())

    clock.advance(timedelta(days=3))
    (stale,) = reconcile.check(ACCOUNT).accounts[0].findings()
    assert stale.kind is FindingKind.STALE
    assert "stale: last good sync at " in stale.detail
    assert f"{3 * 24 * 60} minutes ago" in stale.detail
