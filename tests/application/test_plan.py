"""The sync's pure plan, table-tested: what opens, changes, stays, goes, and when nothing goes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from legsync.application import plan_sync
from legsync.domain import (
    BrokerPosition,
    BrokerSnapshot,
    OptionLeg,
    Side,
    StoredLegs,
    cost_basis_per_contract,
)
from legsync.testing import leg, position

ACCOUNT = "VA000001"
EARLIER = datetime(2027, 3, 1, 14, 0, tzinfo=UTC)
NOW = EARLIER + timedelta(hours=1)


def snapshot(*rows: BrokerPosition) -> BrokerSnapshot:
    return BrokerSnapshot(ACCOUNT, rows, NOW)


def stored_leg(
    symbol: str,
    side: Side,
    quantity: int,
    cost: str | None = "155",
    last: str | None = None,
    marked_at: datetime | None = None,
) -> OptionLeg:
    signed = quantity if side is Side.LONG else -quantity
    return leg(symbol, signed, cost=cost, last=last, updated_at=EARLIER, marked_at=marked_at)


def keyed(*legs: OptionLeg) -> StoredLegs:
    return StoredLegs.from_legs(ACCOUNT, legs)


NOTHING = StoredLegs(ACCOUNT)


# --- turning rows into legs ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "side", "contracts"),
    [("2", Side.LONG, 2), ("-3", Side.SHORT, 3), ("1.00000000", Side.LONG, 1)],
)
def test_the_side_comes_from_the_sign_and_the_quantity_is_its_size(
    quantity: str, side: Side, contracts: int
) -> None:
    plan = plan_sync(snapshot(position("SPY270319C00450000", quantity, "300")), NOTHING, NOW)
    (leg,) = plan.opened
    assert (leg.side, leg.quantity) == (side, contracts)
    assert leg.updated_at == NOW


@pytest.mark.parametrize(
    ("cost_basis", "contracts", "per_contract"),
    [
        ("310.00", 2, Decimal("155")),
        ("-310.00", 2, Decimal("155")),
        ("100", 3, Decimal("33.33333333333333333333333333333333")),
        ("0.03", 3, Decimal("0.01")),
        (None, 2, None),
    ],
)
def test_cost_basis_per_contract_is_the_absolute_total_over_the_contracts(
    cost_basis: str | None, contracts: int, per_contract: Decimal | None
) -> None:
    given = None if cost_basis is None else Decimal(cost_basis)
    assert cost_basis_per_contract(given, contracts) == per_contract


def test_stock_rows_are_stock_positions_not_legs_nor_errors() -> None:
    plan = plan_sync(
        snapshot(position("AAPL", "100", "17250"), position("BRK.B", "5", "2000")), NOTHING, NOW
    )
    assert plan.opened == ()
    assert [p.symbol for p in plan.stock_opened] == ["AAPL", "BRK.B"]
    assert plan.skipped == ()
    assert plan.errors == ()
    assert plan.pruned


@pytest.mark.parametrize(
    ("row", "complaint"),
    [
        (position("SPY270319C0045000", "1", "1"), "strike"),
        (position("spy270319c00450000", "1", "1"), "upper case"),
        (position("SPY271319C00450000", "1", "1"), "month"),
        (position("SPY270319C00450000", "1.5", "1"), "whole number"),
        (position("SPY270319C00450000", "0", "1"), "zero"),
        (position("SPY270319C00450000", "2147483648", "1"), "more contracts than a leg"),
        (position("SPY270319C00450000", "-1E+999999", "1"), "more contracts than a leg"),
        (position("SPY270319C00450000", "1", "1E+200000"), "beyond any amount"),
        (position("SPY270319C00450000", "1", "-1E-20000"), "beyond any amount"),
        (BrokerPosition("SPY270319C00450000", Decimal("NaN"), None), "finite"),
        (BrokerPosition("SPY270319C00450000", Decimal("1"), Decimal("Infinity")), "cost basis"),
        (position("SPY 270319C00450000", "1", "1"), "whitespace"),
    ],
)
def test_unusable_rows_are_errors_naming_the_symbol_and_the_reason(
    row: BrokerPosition, complaint: str
) -> None:
    plan = plan_sync(snapshot(row), NOTHING, NOW)
    (error,) = plan.errors
    assert error.symbol == row.symbol
    assert complaint in error.reason
    assert plan.opened == ()


class Quantity(Decimal):
    """A Decimal subclass: accepted like a Decimal, never answered from another row's value."""


def test_a_quantity_is_judged_by_its_own_type_whatever_equal_value_came_before() -> None:
    rows = [
        BrokerPosition("SPY270319C00450000", Decimal("3"), Decimal("300")),
        BrokerPosition("SPY270319C00455000", 3, Decimal("300")),  # type: ignore[arg-type]
        BrokerPosition("SPY270319C00460000", 3.0, Decimal("300")),  # type: ignore[arg-type]
        BrokerPosition("SPY270319C00465000", Decimal("sNaN"), Decimal("300")),
        BrokerPosition("SPY270319C00470000", Decimal("-3.00000000"), Decimal("300")),
        BrokerPosition("SPY270319C00475000", Quantity("3"), Decimal("300")),
        BrokerPosition("SPY270319C00480000", Decimal("3.0"), Decimal("300")),
    ]
    plan = plan_sync(snapshot(*rows), NOTHING, NOW)
    assert [(e.symbol, "finite" in e.reason) for e in plan.errors] == [
        ("SPY270319C00455000", True),
        ("SPY270319C00460000", True),
        ("SPY270319C00465000", True),
    ]
    assert [(leg.occ.strike, leg.side, leg.quantity) for leg in plan.opened] == [
        (Decimal(450), Side.LONG, 3),
        (Decimal(470), Side.SHORT, 3),
        (Decimal(475), Side.LONG, 3),
        (Decimal(480), Side.LONG, 3),
    ]


class WrittenAsThree(Decimal):
    """A Decimal subclass that writes itself as 3 whatever its value."""

    def __str__(self) -> str:
        return "3"


def test_a_quantity_is_judged_by_its_value_not_by_how_it_writes_itself() -> None:
    rows = [
        BrokerPosition("SPY270319C00450000", Decimal("3"), Decimal("300")),
        BrokerPosition("SPY270319C00455000", WrittenAsThree("1.5"), Decimal("300")),
        BrokerPosition("SPY270319C00460000", Decimal("0"), None),
        BrokerPosition("SPY270319C00465000", Decimal("0"), None),
        BrokerPosition("SPY270319C00470000", Decimal("2.5"), None),
        BrokerPosition("SPY270319C00475000", Decimal("2.5"), None),
    ]
    plan = plan_sync(snapshot(*rows), NOTHING, NOW)
    assert [(e.symbol, e.reason.split(" is ")[-1]) for e in plan.errors] == [
        ("SPY270319C00455000", "not a whole number of contracts"),
        ("SPY270319C00460000", "zero: an option position holds at least one contract"),
        ("SPY270319C00465000", "zero: an option position holds at least one contract"),
        ("SPY270319C00470000", "not a whole number of contracts"),
        ("SPY270319C00475000", "not a whole number of contracts"),
    ]
    assert [leg.occ.strike for leg in plan.opened] == [Decimal(450)]


def test_two_rows_for_one_leg_are_both_reported_and_neither_applied() -> None:
    held = stored_leg("SPY270319P00400000", Side.SHORT, 2)
    plan = plan_sync(
        snapshot(
            position("SPY270319P00400000", "-2", "-310"),
            position("SPY270319P00400000", "-5", "-700"),
        ),
        keyed(held),
        NOW,
    )
    assert [e.symbol for e in plan.errors] == ["SPY270319P00400000"] * 2
    assert "same leg" in plan.errors[0].reason
    assert (plan.opened, plan.changed, plan.removed) == ((), (), ())


def test_long_and_short_of_one_contract_are_two_legs_not_duplicates() -> None:
    plan = plan_sync(
        snapshot(
            position("SPY270319P00400000", "-2", "-310"),
            position("SPY270319P00400000", "1", "150"),
        ),
        NOTHING,
        NOW,
    )
    assert plan.errors == ()
    assert sorted(leg.side for leg in plan.opened) == [Side.LONG, Side.SHORT]


# --- diffing against the store ---------------------------------------------------------------


def test_a_leg_the_store_lacks_is_opened() -> None:
    plan = plan_sync(snapshot(position("SPY270319C00450000", "1", "300")), NOTHING, NOW)
    assert [leg.occ_symbol for leg in plan.opened] == ["SPY270319C00450000"]
    assert plan.counts.synced == 1


def test_the_same_data_is_unchanged_and_keeps_its_timestamp() -> None:
    held = stored_leg("SPY270319C00450000", Side.LONG, 2, cost="150")
    plan = plan_sync(snapshot(position("SPY270319C00450000", "2", "300")), keyed(held), NOW)
    assert (plan.opened, plan.changed, plan.unchanged, plan.writes) == ((), (), 1, [])


def test_a_new_quantity_is_a_change_stamped_now_with_the_previous_leg() -> None:
    held = stored_leg("SPY270319C00450000", Side.LONG, 2, cost="150", last="3.1")
    plan = plan_sync(snapshot(position("SPY270319C00450000", "3", "450")), keyed(held), NOW)
    ((previous, new),) = plan.changed
    assert previous == held
    assert (new.quantity, new.updated_at) == (3, NOW)
    assert new.last_price == Decimal("3.1"), "the last price is kept from the store"


def test_a_fresh_mark_is_a_change_and_a_missing_mark_keeps_the_stored_price() -> None:
    marked = stored_leg("SPY270319C00450000", Side.LONG, 2, cost="150", last="3.1")
    unmarked = stored_leg("SPY270319P00400000", Side.SHORT, 2, cost="150", last="1.2")
    plan = plan_sync(
        snapshot(
            position("SPY270319C00450000", "2", "300"),
            position("SPY270319P00400000", "-2", "-300"),
        ),
        keyed(marked, unmarked),
        NOW,
        marks={"SPY270319C00450000": Decimal("3.25")},
    )
    ((_, new),) = plan.changed
    assert new.last_price == Decimal("3.25")
    assert plan.unchanged == 1


# --- when each mark was taken ----------------------------------------------------------------

MARKED_EARLIER = EARLIER - timedelta(minutes=30)


def test_a_fresh_mark_stamps_marked_at_now_on_every_leg_it_prices() -> None:
    repriced = stored_leg("SPY270319C00450000", Side.LONG, 2, "150", "3.1", MARKED_EARLIER)
    resized = stored_leg("SPY270319P00400000", Side.SHORT, 2, "150", "1.2", MARKED_EARLIER)
    plan = plan_sync(
        snapshot(
            position("SPY270319C00450000", "2", "300"),
            position("SPY270319P00400000", "-3", "-450"),
            position("QQQ270618P00450500", "1", "100"),
            position("QQQ270618P00440000", "1", "100"),
        ),
        keyed(repriced, resized),
        NOW,
        marks={
            "SPY270319C00450000": Decimal("3.25"),
            "SPY270319P00400000": Decimal("1.2"),
            "QQQ270618P00450500": Decimal("0.85"),
        },
    )
    opened = {leg.occ_symbol: (leg.last_price, leg.marked_at) for leg in plan.opened}
    assert opened == {
        "QQQ270618P00440000": (None, None),
        "QQQ270618P00450500": (Decimal("0.85"), NOW),
    }, "a leg opened without a mark has no mark and no time"
    changed = {
        new.occ_symbol: (new.last_price, new.updated_at, new.marked_at) for _, new in plan.changed
    }
    assert changed == {
        "SPY270319C00450000": (Decimal("3.25"), NOW, NOW),
        "SPY270319P00400000": (Decimal("1.2"), NOW, NOW),
    }
    assert [old.marked_at for old, _ in plan.changed] == [MARKED_EARLIER, MARKED_EARLIER]
    assert plan.remarked == ()


def test_a_failed_or_missing_mark_keeps_the_stored_price_and_when_it_was_taken() -> None:
    resized = stored_leg("SPY270319C00450000", Side.LONG, 2, "150", "3.1", MARKED_EARLIER)
    unpriced = stored_leg("SPY270319P00400000", Side.SHORT, 2, "150", "1.2", MARKED_EARLIER)
    rows = (
        position("SPY270319C00450000", "3", "450"),
        position("SPY270319P00400000", "-2", "-300"),
    )
    for marks in (None, {}, {"QQQ270618P00450500": Decimal("9")}):
        plan = plan_sync(snapshot(*rows), keyed(resized, unpriced), NOW, marks)
        ((_, new),) = plan.changed
        assert (new.quantity, new.updated_at) == (3, NOW), marks
        assert (new.last_price, new.marked_at) == (Decimal("3.1"), MARKED_EARLIER), marks
        assert (plan.unchanged, plan.remarked) == (1, ()), marks
        assert plan.writes == [new], marks


def test_a_mark_at_the_stored_price_refreshes_marked_at_silently_and_counts_unchanged() -> None:
    held = stored_leg("SPY270319C00450000", Side.LONG, 2, "150", "3.1", MARKED_EARLIER)
    plan = plan_sync(
        snapshot(position("SPY270319C00450000", "2", "300")),
        keyed(held),
        NOW,
        marks={"SPY270319C00450000": Decimal("3.10")},
    )
    assert plan.remarked == (replace(held, marked_at=NOW),)
    assert plan.remarked[0].updated_at == EARLIER, "the position did not change"
    assert plan.writes == list(plan.remarked), "the row is written for its new marked_at"
    assert (plan.opened, plan.changed, plan.events) == ((), (), ())
    assert (plan.counts.unchanged, plan.counts.changed, plan.counts.synced) == (1, 0, 1)


def test_a_resync_without_marks_writes_nothing_and_keeps_every_marked_at() -> None:
    marked = stored_leg("SPY270319C00450000", Side.LONG, 2, "150", "3.1", MARKED_EARLIER)
    never = stored_leg("SPY270319P00400000", Side.SHORT, 2, "150")
    plan = plan_sync(
        snapshot(
            position("SPY270319C00450000", "2", "300"),
            position("SPY270319P00400000", "-2", "-300"),
        ),
        keyed(marked, never),
        NOW,
    )
    assert (plan.unchanged, plan.writes, plan.remarked, plan.events) == (2, [], (), ())


def test_legs_absent_from_a_clean_snapshot_are_removed() -> None:
    kept = stored_leg("SPY270319P00400000", Side.SHORT, 2)
    gone = stored_leg("SPY270319P00395000", Side.LONG, 2)
    plan = plan_sync(snapshot(position("SPY270319P00400000", "-2", "-310")), keyed(kept, gone), NOW)
    assert plan.removed == (gone,)
    assert plan.pruned


def test_an_explicit_empty_snapshot_removes_everything() -> None:
    held = stored_leg("SPY270319P00400000", Side.SHORT, 2)
    plan = plan_sync(snapshot(), keyed(held), NOW)
    assert plan.removed == (held,)


def test_one_unusable_row_blocks_every_deletion_but_not_the_good_rows() -> None:
    held = stored_leg("SPY270319P00395000", Side.LONG, 2)
    plan = plan_sync(
        snapshot(
            position("SPY270319P0039500", "2", "300"),  # the held leg, garbled
            position("QQQ270319C00500000", "1", "420"),
        ),
        keyed(held),
        NOW,
    )
    assert plan.removed == ()
    assert not plan.pruned
    assert plan.prune_skipped_reason is not None
    assert "nothing was deleted" in plan.prune_skipped_reason
    assert [leg.occ_symbol for leg in plan.opened] == ["QQQ270319C00500000"]


def test_the_padded_form_is_the_same_leg_as_the_compact_one() -> None:
    held = stored_leg("SPY270319C00450000", Side.LONG, 1, cost="300")
    plan = plan_sync(snapshot(position("SPY   270319C00450000", "1", "300")), keyed(held), NOW)
    assert (plan.unchanged, plan.removed) == (1, ())


def test_a_resync_of_the_same_rows_reports_no_change() -> None:
    short = stored_leg("SPY270319P00400000", Side.SHORT, 2, cost="155", last="1.25")
    long = stored_leg(
        "QQQ270618P00450500", Side.LONG, 3, cost="0.3333333333333333333333333333333333"
    )
    plan = plan_sync(
        snapshot(
            position("SPY270319P00400000", "-2", "-310"), position("QQQ270618P00450500", "3", "1")
        ),
        keyed(short, long),
        NOW,
        {"SPY270319P00400000": Decimal("1.250")},
    )
    assert (plan.unchanged, plan.opened, plan.changed, plan.removed) == (2, (), (), ())


def test_a_row_repeating_an_unchanged_leg_in_another_spelling_is_reported() -> None:
    held = stored_leg("SPY270319P00400000", Side.LONG, 1, cost="100")
    compact = position("SPY270319P00400000", "1", "100")
    padded = position("SPY   270319P00400000", "1", "100")
    plan = plan_sync(snapshot(compact, padded), keyed(held), NOW)
    assert [error.symbol for error in plan.errors] == [compact.symbol, padded.symbol]
    assert plan.counts.synced == 0
    assert plan.removed == ()


def test_stored_legs_of_another_account_are_refused() -> None:
    with pytest.raises(ValueError, match="stored legs of account 'OTHER'"):
        plan_sync(snapshot(), StoredLegs("OTHER"), NOW)
