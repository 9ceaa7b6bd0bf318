"""Expiry is judged at the 16:00 New York close, on both sides of every DST switch."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from legsync.domain.expiry import expired_legs, expires_at, is_expired
from legsync.testing import leg


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expiration", "close_in_utc"),
    [
        pytest.param(date(2024, 1, 19), utc(2024, 1, 19, 21), id="winter (EST): 21:00 UTC"),
        pytest.param(date(2024, 7, 19), utc(2024, 7, 19, 20), id="summer (EDT): 20:00 UTC"),
        pytest.param(date(2024, 3, 8), utc(2024, 3, 8, 21), id="Friday before DST starts"),
        pytest.param(date(2024, 3, 10), utc(2024, 3, 10, 20), id="the Sunday DST starts"),
        pytest.param(date(2024, 3, 11), utc(2024, 3, 11, 20), id="Monday after DST starts"),
        pytest.param(date(2024, 11, 1), utc(2024, 11, 1, 20), id="Friday before DST ends"),
        pytest.param(date(2024, 11, 3), utc(2024, 11, 3, 21), id="the Sunday DST ends"),
        pytest.param(date(2024, 11, 4), utc(2024, 11, 4, 21), id="Monday after DST ends"),
    ],
)
def test_an_option_expires_at_the_new_york_close_of_its_date(
    expiration: date, close_in_utc: datetime
) -> None:
    assert expires_at(expiration) == close_in_utc
    assert expires_at(expiration).utcoffset() == timedelta(0)
    assert not is_expired(expiration, close_in_utc - timedelta(seconds=1))
    assert is_expired(expiration, close_in_utc)


def test_a_fixed_utc_hour_would_be_an_hour_off_after_the_march_switch() -> None:
    """21:00 UTC is right in winter; on the Monday after DST starts the close is 20:00 UTC."""
    monday = date(2024, 3, 11)
    assert is_expired(monday, utc(2024, 3, 11, 20, 30))


def test_a_fixed_utc_hour_would_be_an_hour_early_after_the_november_switch() -> None:
    monday = date(2024, 11, 4)
    assert not is_expired(monday, utc(2024, 11, 4, 20, 30))


def test_utc_midnight_is_not_the_boundary() -> None:
    expiration = date(2024, 1, 19)
    # 05:00 UTC on the day is midnight in New York: a whole session still to trade.
    assert not is_expired(expiration, utc(2024, 1, 19, 5))
    # 22:00 UTC is 17:00 in New York: expired, though the UTC date is still the 19th.
    assert is_expired(expiration, utc(2024, 1, 19, 22))
    assert not is_expired(expiration, utc(2024, 1, 18, 23, 59))


def test_expired_legs_are_picked_out_in_the_order_given() -> None:
    later, today, yesterday = (
        leg("SPY240126P00400000", -1, cost="155"),
        leg("SPY240119P00400000", -1, cost="155"),
        leg("SPY240118P00400000", -1, cost="155"),
    )
    at_close = utc(2024, 1, 19, 21)
    assert expired_legs([later, today, yesterday], at_close) == (today, yesterday)
    assert expired_legs([later, today, yesterday], at_close - timedelta(minutes=1)) == (yesterday,)


@pytest.mark.parametrize(
    "now",
    [
        datetime(2024, 1, 19, 21),  # noqa: DTZ001 - naive on purpose
        datetime(2024, 1, 19, 16, tzinfo=timezone(timedelta(hours=-5))),
    ],
    ids=["naive", "not UTC"],
)
def test_now_must_be_aware_utc(now: datetime) -> None:
    with pytest.raises(ValueError, match="aware UTC"):
        is_expired(date(2024, 1, 19), now)
    with pytest.raises(ValueError, match="aware UTC"):
        expired_legs([], now)
