"""The mirrored leg: its key, its underlying, and what counts as the same position."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from legsync.domain import OptionLeg, Side, amount_fits, underlying_for_root
from legsync.testing import leg as shipped_leg

NOW = datetime(2024, 1, 2, 15, 0, tzinfo=UTC)


def leg(symbol: str = "SPY240119C00450000", side: Side = Side.LONG, **changes: object) -> OptionLeg:
    two = 2 if side is Side.LONG else -2
    return replace(shipped_leg(symbol, two, cost="155.5", updated_at=NOW), **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("root", "underlying"),
    [
        ("SPY", "SPY"),
        ("SPXW", "SPX"),
        ("SPX", "SPX"),
        ("RUTW", "RUT"),
        ("NDXP", "NDX"),
        ("BRKB", "BRK/B"),
        ("AAPL1", "AAPL"),
        ("SPY7", "SPY"),
    ],
)
def test_the_underlying_is_derived_from_the_root(root: str, underlying: str) -> None:
    assert underlying_for_root(root) == underlying


def test_spx_and_spxw_with_the_same_date_and_strike_are_different_legs() -> None:
    spx = leg("SPX240119P04500000")
    spxw = leg("SPXW240119P04500000")
    assert spx.symbol == spxw.symbol == "SPX"
    assert spx.key != spxw.key


def test_long_and_short_of_one_contract_are_different_legs() -> None:
    assert leg(side=Side.LONG).key != leg(side=Side.SHORT).key


def test_the_key_ignores_how_the_strike_is_written() -> None:
    written_long = leg().key._replace(strike=Decimal("450.000"))
    assert written_long == leg().key
    assert written_long.as_id() == leg().key.as_id() == "VA000001|SPY|2024-01-19|call|450|long"


def test_the_same_position_ignores_the_timestamp() -> None:
    later = replace(leg(), updated_at=NOW + timedelta(hours=1))
    assert leg().same_position_as(later)
    assert not leg().same_position_as(replace(leg(), quantity=3))
    assert not leg().same_position_as(replace(leg(), last_price=Decimal("1.05")))


def test_a_leg_is_never_marked_unless_told_and_the_same_position_ignores_when_it_was() -> None:
    assert leg().marked_at is None
    remarked = replace(leg(), marked_at=NOW + timedelta(minutes=1))
    assert leg().same_position_as(remarked)
    assert remarked != leg(), "a leg's value includes when its mark was taken"


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"quantity": -1}, "quantity"),
        ({"quantity": 1.0}, "quantity"),
        ({"quantity": 2**31}, "2147483647"),
        ({"account_id": ""}, "account_id"),
        ({"cost_basis_per_contract": 1.5}, "cost_basis_per_contract"),
        ({"updated_at": datetime(2024, 1, 2, 15, 0)}, "updated_at"),  # noqa: DTZ001
        ({"updated_at": datetime(2024, 1, 2, 15, 0, tzinfo=timezone(timedelta(hours=-5)))}, "UTC"),
        ({"marked_at": datetime(2024, 1, 2, 15, 0)}, "marked_at"),  # noqa: DTZ001
        ({"marked_at": datetime(2024, 1, 2, 15, 0, tzinfo=timezone(timedelta(hours=1)))}, "UTC"),
        ({"marked_at": "2024-01-02T15:00:00+00:00"}, "marked_at"),
    ],
)
def test_a_leg_refuses_bad_data_by_name(changes: dict[str, Any], complaint: str) -> None:
    with pytest.raises((ValueError, TypeError), match=complaint):
        leg(**changes)


@pytest.mark.parametrize(
    ("value", "fits"),
    [
        (Decimal("155.50"), True),
        (Decimal("0"), True),
        (Decimal("-0.05"), True),
        (Decimal("33.33333333333333333333333333333333"), True),
        (Decimal("9E+130999"), True),
        (Decimal("1E+131000"), False),
        (Decimal("1E-16299"), True),
        (Decimal("1E-16300"), False),
        (Decimal("NaN"), False),
        (Decimal("-Infinity"), False),
        (155, False),
        (155.5, False),
        ("155.50", False),
    ],
)
def test_an_amount_fits_when_it_is_a_finite_decimal_every_store_holds(
    value: object, fits: bool
) -> None:
    assert amount_fits(value) is fits
