"""The stock half of the plan, table-tested: shares open, change, stay and go like legs, and an
unusable row of either kind stops every deletion."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from legsync.application import plan_sync, read_stock_row
from legsync.domain import (
    BrokerPosition,
    BrokerSnapshot,
    Side,
    StockPosition,
    StockPositionRemoved,
    StockPositionSynced,
    StoredLegs,
)
from legsync.testing import leg, position

ACCOUNT = "VA000001"
EARLIER = datetime(2027, 3, 1, 14, 0, tzinfo=UTC)
NOW = EARLIER + timedelta(hours=1)
NOTHING = StoredLegs(ACCOUNT)


def snapshot(*rows: BrokerPosition) -> BrokerSnapshot:
    return BrokerSnapshot(ACCOUNT, rows, NOW)


def shares(
    symbol: str,
    quantity: str,
    cost: str | None = "150",
    last: str | None = None,
    marked_at: datetime | None = None,
) -> StockPosition:
    return StockPosition(
        ACCOUNT,
        symbol,
        Decimal(quantity),
        None if cost is None else Decimal(cost),
        None if last is None else Decimal(last),
        EARLIER,
        marked_at,
    )


def stored(*positions: StockPosition) -> dict[str, StockPosition]:
    return {p.symbol: p for p in positions}


@pytest.mark.parametrize(
    ("quantity", "cost", "signed", "per_share"),
    [
        ("100", "15000", Decimal("100"), Decimal("150")),
        ("-40", "-6000.40", Decimal("-40"), Decimal("150.01")),
        ("-40", "6000.40", Decimal("-40"), Decimal("150.01")),
        ("100.00000000", "18342.50", Decimal(100), Decimal("183.425")),
        ("0.5", "50", Decimal("0.5"), Decimal("100")),
        ("3", "100", Decimal(3), Decimal("33.33333333333333333333333333333333")),
        ("7", None, Decimal(7), None),
    ],
)
def test_a_stock_row_holds_signed_shares_and_the_magnitude_of_the_cost_of_each(
    quantity: str, cost: str | None, signed: Decimal, per_share: Decimal | None
) -> None:
    assert read_stock_row(position("AAPL", quantity, cost)) == (signed, per_share)
    (opened,) = plan_sync(snapshot(position("AAPL", quantity, cost)), NOTHING, NOW).stock_opened
    assert (opened.quantity, opened.cost_basis_per_share, opened.updated_at) == (
        signed,
        per_share,
        NOW,
    )
    assert opened.side is (Side.LONG if signed > 0 else Side.SHORT)


@pytest.mark.parametrize(
    ("row", "complaint"),
    [
        (position("AAPL", "0", "1"), "zero"),
        (BrokerPosition("AAPL", Decimal("NaN"), None), "finite"),
        (BrokerPosition("AAPL", Decimal("Infinity"), None), "finite"),
        (position("AAPL", "1E+200000", "1"), "finite"),
        (BrokerPosition("AAPL", Decimal("1"), Decimal("Infinity")), "cost basis"),
        (position("AAPL", "1", "1E+200000"), "beyond any amount"),
        (position("AAPL", "1E-16000", "1E+130000"), "beyond any amount"),
    ],
)
def test_unusable_stock_rows_are_errors_and_block_every_deletion(
    row: BrokerPosition, complaint: str
) -> None:
    old_leg = leg("SPY270319C00450000", 1, cost="100", updated_at=EARLIER)
    plan = plan_sync(
        snapshot(row),
        StoredLegs.from_legs(ACCOUNT, [old_leg]),
        NOW,
        stored_stock=stored(shares("AAPL", "10"), shares("MSFT", "5")),
    )
    (error,) = plan.errors
    assert error.symbol == "AAPL"
    assert complaint in error.reason
    assert not plan.pruned
    assert plan.removed == ()
    assert plan.stock_removed == ()
    assert plan.stock_writes == []
    assert plan.stock_events == ()


def test_a_garbled_option_row_blocks_the_deletion_of_stock_too() -> None:
    plan = plan_sync(
        snapshot(position("SPY270319C0045000", "1", "1")),
        NOTHING,
        NOW,
        stored_stock=stored(shares("AAPL", "10")),
    )
    assert plan.errors
    assert plan.stock_removed == ()


def test_two_rows_of_one_ticker_are_both_errors_and_neither_is_applied() -> None:
    plan = plan_sync(
        snapshot(position("AAPL", "10", "1500"), position("AAPL", "20", "3000")),
        NOTHING,
        NOW,
        stored_stock=stored(shares("AAPL", "5"), shares("MSFT", "5")),
    )
    assert [e.symbol for e in plan.errors] == ["AAPL", "AAPL"]
    assert "2 rows hold shares of AAPL" in plan.errors[0].reason
    assert plan.stock_writes == []
    assert plan.stock_removed == ()


def test_unchanged_shares_are_neither_written_nor_announced_and_keep_their_time() -> None:
    kept = shares("AAPL", "100", "150", last="151.2")
    plan = plan_sync(
        snapshot(position("AAPL", "100.00000000", "15000.00")),
        NOTHING,
        NOW,
        stored_stock=stored(kept),
    )
    assert plan.stock_unchanged == 1
    assert plan.stock_writes == []
    assert plan.stock_events == ()
    assert plan.counts.stock_synced == 1


def test_changed_shares_carry_their_previous_reading_and_the_new_time() -> None:
    old = shares("AAPL", "100", "150", last="151.2")
    plan = plan_sync(
        snapshot(position("AAPL", "-100", "15000")),
        NOTHING,
        NOW,
        stored_stock=stored(old),
    )
    ((previous, new),) = plan.stock_changed
    assert previous == old
    assert (new.quantity, new.last_price, new.updated_at) == (Decimal(-100), Decimal("151.2"), NOW)
    assert plan.stock_events == (StockPositionSynced(new, old, NOW),)


def test_shares_the_broker_no_longer_reports_are_removed_after_a_clean_read() -> None:
    gone = shares("MSFT", "5")
    plan = plan_sync(
        snapshot(position("AAPL", "10", "1500")),
        NOTHING,
        NOW,
        stored_stock=stored(gone),
    )
    assert plan.pruned
    assert plan.stock_removed == (gone,)
    assert [type(e) for e in plan.stock_events] == [StockPositionSynced, StockPositionRemoved]
    assert plan.counts.stock_opened == 1
    assert plan.counts.stock_removed == 1


def test_a_mark_for_a_ticker_prices_the_shares_and_shares_without_one_keep_theirs() -> None:
    plan = plan_sync(
        snapshot(position("AAPL", "10", "1500"), position("MSFT", "1", "400")),
        NOTHING,
        NOW,
        {"AAPL": Decimal("152.25"), "SPY270319C00450000": Decimal("3")},
        stored_stock=stored(shares("MSFT", "1", "400", last="410")),
    )
    (aapl,) = plan.stock_opened
    assert aapl.last_price == Decimal("152.25")
    assert plan.stock_unchanged == 1  # MSFT keeps its stored 410


MARKED_EARLIER = EARLIER - timedelta(minutes=30)


def test_a_fresh_mark_stamps_marked_at_now_on_the_shares_it_prices() -> None:
    plan = plan_sync(
        snapshot(
            position("AAPL", "10", "1500"), position("MSFT", "1", "400"), position("VTI", "2", "1")
        ),
        NOTHING,
        NOW,
        {"AAPL": Decimal("152.25"), "MSFT": Decimal("411")},
        stored_stock=stored(shares("MSFT", "1", "400", "410", MARKED_EARLIER)),
    )
    assert [(p.symbol, p.last_price, p.marked_at) for p in plan.stock_opened] == [
        ("AAPL", Decimal("152.25"), NOW),
        ("VTI", None, None),
    ]
    ((_, msft),) = plan.stock_changed
    assert (msft.last_price, msft.updated_at, msft.marked_at) == (Decimal(411), NOW, NOW)


def test_a_missing_mark_keeps_the_shares_stored_price_and_when_it_was_taken() -> None:
    old = shares("AAPL", "10", "150", "151.2", MARKED_EARLIER)
    kept = shares("MSFT", "1", "400", "410", MARKED_EARLIER)
    plan = plan_sync(
        snapshot(position("AAPL", "20", "3000"), position("MSFT", "1", "400")),
        NOTHING,
        NOW,
        {"TSLA": Decimal("250")},
        stored_stock=stored(old, kept),
    )
    ((_, new),) = plan.stock_changed
    assert (new.last_price, new.marked_at, new.updated_at) == (
        Decimal("151.2"),
        MARKED_EARLIER,
        NOW,
    )
    assert (plan.stock_unchanged, plan.stock_remarked) == (1, ())
    assert plan.stock_writes == [new]


def test_a_mark_at_the_stored_price_refreshes_the_shares_marked_at_with_no_event() -> None:
    held = shares("AAPL", "10", "150", "151.2", MARKED_EARLIER)
    plan = plan_sync(
        snapshot(position("AAPL", "10", "1500")),
        NOTHING,
        NOW,
        {"AAPL": Decimal("151.20")},
        stored_stock=stored(held),
    )
    assert plan.stock_remarked == (replace(held, marked_at=NOW),)
    assert plan.stock_remarked[0].updated_at == EARLIER
    assert plan.stock_writes == list(plan.stock_remarked)
    assert (plan.stock_changed, plan.stock_events) == ((), ())
    assert (plan.counts.stock_unchanged, plan.counts.stock_changed) == (1, 0)


def test_a_resync_of_shares_without_marks_writes_nothing() -> None:
    held = shares("AAPL", "10", "150", "151.2", MARKED_EARLIER)
    plan = plan_sync(
        snapshot(position("AAPL", "10", "1500")), NOTHING, NOW, stored_stock=stored(held)
    )
    assert (plan.stock_unchanged, plan.stock_writes, plan.stock_remarked) == (1, [], ())


def test_stock_and_legs_are_planned_apart() -> None:
    plan = plan_sync(
        snapshot(position("AAPL", "100", "15000"), position("AAPL270115C00200000", "-1", "-500")),
        NOTHING,
        NOW,
    )
    assert [leg.occ_symbol for leg in plan.opened] == ["AAPL270115C00200000"]
    assert [p.symbol for p in plan.stock_opened] == ["AAPL"]
    assert len(plan.events) == 1
    assert len(plan.stock_events) == 1
