"""Shares held: when their mark was taken is checked like every other timestamp."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from legsync.domain import StockPosition

NOW = datetime(2024, 1, 2, 15, 0, tzinfo=UTC)
SHARES = StockPosition("VA000001", "AAPL", Decimal(100), Decimal("183.425"), Decimal(191), NOW)


def test_shares_are_never_marked_unless_told_and_the_same_position_ignores_when_it_was() -> None:
    assert SHARES.marked_at is None
    remarked = replace(SHARES, marked_at=NOW + timedelta(minutes=1))
    assert SHARES.same_position_as(remarked)
    assert not SHARES.same_position_as(replace(SHARES, last_price=Decimal("191.5")))
    assert remarked != SHARES


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2024, 1, 2, 15, 0),  # noqa: DTZ001
        datetime(2024, 1, 2, 15, 0, tzinfo=timezone(timedelta(hours=-5))),
        "2024-01-02T15:00:00+00:00",
    ],
)
def test_shares_refuse_a_marked_at_that_is_no_aware_utc_datetime(moment: object) -> None:
    with pytest.raises(ValueError, match="marked_at must be an aware UTC datetime"):
        replace(SHARES, marked_at=moment)  # type: ignore[arg-type]
