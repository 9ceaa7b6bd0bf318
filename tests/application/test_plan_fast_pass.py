"""The sync's fast pass decides exactly as the full pass would.

``plan_sync`` settles rows identical to their stored leg without building either leg;
``plan_sync_reference`` builds and compares every one. For any stored account and any next
snapshot (unchanged, changed, respelled, repeated, garbled, stock, priced by marks) the two
plans must be equal, field by field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from legsync.application import plan as plan_module
from legsync.application.plan import SyncPlan, plan_sync, plan_sync_reference
from legsync.domain import BrokerPosition, BrokerSnapshot, StoredLegs, parse_occ_symbol

ACCOUNT = "VA000001"
BEFORE = datetime(2027, 1, 4, 15, 0, tzinfo=UTC)
NOW = BEFORE + timedelta(hours=1)
CONTRACTS = [
    "SPY270319P00400000",
    "SPY270319P00395000",
    "SPX270319C05800000",
    "SPXW270319C05800000",
    "AAPL1270115C00200000",
    "QQQ270618P00450500",
]
COSTS = [None, "100", "155.50", "-310", "0.03", "1", "100.00"]
PRICES = [None, Decimal("1.25"), Decimal("1.250"), Decimal("3.10")]

previous_rows = st.lists(
    st.tuples(
        st.sampled_from(CONTRACTS),
        st.sampled_from([-3, -2, -1, 1, 2, 3]),
        st.sampled_from(COSTS),
        st.sampled_from(PRICES),
    ),
    max_size=8,
    unique_by=lambda row: (row[0], row[1] > 0),
)

# What may become of one previous row in the next snapshot.
FATES = ["same", "same", "same", "gone", "more", "cost", "padded", "twice", "flip"]
# Rows that may join the next snapshot whatever the account held.
EXTRAS: list[BrokerPosition] = [
    BrokerPosition("SPY270319P00400000", Decimal("2"), Decimal("200")),
    BrokerPosition("SPY   270319P00400000", Decimal("1"), Decimal("100")),
    BrokerPosition("QQQ270618P00450500", Decimal("-1"), None),
    BrokerPosition("AAPL", Decimal("100"), Decimal("15000")),
    BrokerPosition("SPY270319P0040000", Decimal("1"), Decimal("1")),
    BrokerPosition("SPY270319P00400000", Decimal("0"), Decimal("1")),
    BrokerPosition("SPY270319P00400000", Decimal("1.5"), Decimal("1")),
    BrokerPosition("SPY270319P00400000", Decimal("NaN"), Decimal("1")),
    BrokerPosition("SPY270319P00400000", Decimal("1"), Decimal("NaN")),
    BrokerPosition("SPY270319P00400000", Decimal("-1"), Decimal("sNaN")),
    BrokerPosition("SPY270319P00400000", 1.0, Decimal("1")),  # type: ignore[arg-type]
    BrokerPosition(42, Decimal("1"), None),  # type: ignore[arg-type]
]


def stored_account(rows: Sequence[tuple[str, int, str | None, Decimal | None]]) -> StoredLegs:
    """What an earlier clean sync of ``rows`` left in the store, with some legs priced."""
    snapshot = BrokerSnapshot(ACCOUNT, tuple(broker_row(*row[:3]) for row in rows), BEFORE)
    plan = plan_sync_reference(snapshot, StoredLegs(ACCOUNT), BEFORE)
    prices = {(symbol, qty > 0): price for symbol, qty, _, price in rows}
    legs = [
        replace(leg, last_price=prices[(leg.occ_symbol, leg.side.sign > 0)]) for leg in plan.opened
    ]
    return StoredLegs.from_legs(ACCOUNT, legs)


def broker_row(symbol: str, quantity: int, cost: str | None) -> BrokerPosition:
    return BrokerPosition(symbol, Decimal(quantity), None if cost is None else Decimal(cost))


def next_rows(
    rows: list[tuple[str, int, str | None, Decimal | None]], fates: list[str]
) -> list[BrokerPosition]:
    out: list[BrokerPosition] = []
    for (symbol, qty, cost, _), fate in zip(rows, fates, strict=False):
        row = broker_row(symbol, qty, cost)
        if fate == "gone":
            continue
        if fate == "more":
            row = row._replace(quantity=row.quantity + (1 if qty > 0 else -1))
        elif fate == "cost":
            row = row._replace(cost_basis=Decimal("7.77"))
        elif fate == "padded":
            occ = parse_occ_symbol(symbol)
            row = row._replace(symbol=occ.format(padded=True))
        elif fate == "flip":
            row = row._replace(quantity=-row.quantity)
        out.append(row)
        if fate == "twice":
            out.append(row)
    return out


@settings(max_examples=400, deadline=None)
@given(
    rows=previous_rows,
    fates=st.lists(st.sampled_from(FATES), min_size=8, max_size=8),
    extras=st.lists(st.sampled_from(EXTRAS), max_size=3),
    where=st.integers(min_value=0, max_value=12),
    marks=st.dictionaries(st.sampled_from(CONTRACTS), st.sampled_from(PRICES[1:]), max_size=3),
    shuffle=st.randoms(use_true_random=False),
)
def test_the_fast_pass_plans_exactly_as_the_full_pass(
    rows: list[tuple[str, int, str | None, Decimal | None]],
    fates: list[str],
    extras: list[BrokerPosition],
    where: int,
    marks: dict[str, Decimal],
    shuffle: Any,
) -> None:
    stored = stored_account(rows)
    positions = next_rows(rows, fates)
    shuffle.shuffle(positions)
    positions[where:where] = extras
    snapshot = BrokerSnapshot(ACCOUNT, tuple(positions), NOW)

    fast = plan_sync(snapshot, stored, NOW, marks)

    assert fast == plan_sync_reference(snapshot, stored, NOW, marks)
    assert_well_formed(fast, len(stored))


def assert_well_formed(plan: SyncPlan, stored: int) -> None:
    seen = plan.unchanged + len(plan.changed) + len(plan.opened)
    assert seen == plan.synced
    assert plan.synced - len(plan.opened) + len(plan.removed) <= stored
    if plan.errors:
        assert plan.removed == ()


def test_a_resync_of_the_same_rows_builds_no_leg_and_reports_no_change() -> None:
    rows = [
        ("SPY270319P00400000", -2, "-310", Decimal("1.25")),
        ("QQQ270618P00450500", 3, "1", None),
    ]
    stored = stored_account(rows)
    snapshot = BrokerSnapshot(ACCOUNT, tuple(broker_row(*row[:3]) for row in rows), NOW)

    plan = plan_sync(snapshot, stored, NOW, {"SPY270319P00400000": Decimal("1.250")})

    assert (plan.unchanged, plan.opened, plan.changed, plan.removed) == (2, (), (), ())


def test_a_row_repeating_a_settled_leg_is_reported_like_any_repeated_leg() -> None:
    rows = [("SPY270319P00400000", 1, "100", None)]
    stored = stored_account(rows)
    compact = broker_row("SPY270319P00400000", 1, "100")
    padded = compact._replace(symbol="SPY   270319P00400000")
    snapshot = BrokerSnapshot(ACCOUNT, (compact, padded), NOW)

    plan = plan_sync(snapshot, stored, NOW)

    assert [error.symbol for error in plan.errors] == [compact.symbol, padded.symbol]
    assert plan.synced == 0
    assert plan.removed == ()


@settings(max_examples=200, deadline=None)
@given(
    rows=previous_rows,
    fates=st.lists(st.sampled_from(FATES), min_size=8, max_size=8),
    extras=st.lists(st.sampled_from(EXTRAS), max_size=4),
    where=st.integers(min_value=0, max_value=12),
    shuffle=st.randoms(use_true_random=False),
)
def test_building_legs_in_symbol_order_changes_no_result(
    rows: list[tuple[str, int, str | None, Decimal | None]],
    fates: list[str],
    extras: list[BrokerPosition],
    where: int,
    shuffle: Any,
) -> None:
    """Large snapshots build their legs in symbol order (for the CPU's caches); errors,
    skipped rows and repeated legs must still come out as in the broker's order."""
    stored = stored_account(rows)
    positions = next_rows(rows, fates)
    shuffle.shuffle(positions)
    positions[where:where] = extras
    snapshot = BrokerSnapshot(ACCOUNT, tuple(positions), NOW)

    in_broker_order = plan_sync_reference(snapshot, stored, NOW)
    with patch.object(plan_module, "_IN_CACHE", 0):
        in_symbol_order = plan_sync_reference(snapshot, stored, NOW)

    assert in_symbol_order == in_broker_order


def test_stored_legs_of_another_account_are_refused() -> None:
    snapshot = BrokerSnapshot(ACCOUNT, (), NOW)
    with pytest.raises(ValueError, match="stored legs of account 'OTHER'"):
        plan_sync(snapshot, StoredLegs("OTHER"), NOW)
