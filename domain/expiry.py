"""When an option has expired: at the 16:00 New York close of its expiration date.

Expiry is judged in exchange time, never on a UTC-midnight basis: 16:00 in New York is 21:00
UTC in winter and 20:00 UTC in summer, so "the UTC date is past the expiration" is hours late
every day, and "the UTC date has reached it" is a whole session early. The offset comes from
the tz database (``zoneinfo``, with the ``tzdata`` package where the system has none), so the
DST switches in March and November need no special case here.

The domain never reads the clock: every function takes the current moment, aware and in UTC.

The rule is the standard session close for every root. It is the moment trading in the
contract ends for PM-settled options; AM-settled ones (the SPX monthlies) stop trading the day
before and settle that morning, so for them the rule reports expiry a little late, not early.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .legs import OptionLeg

__all__ = ["NEW_YORK", "SESSION_CLOSE", "expired_legs", "expires_at", "is_expired"]

NEW_YORK = ZoneInfo("America/New_York")
SESSION_CLOSE = time(16, 0)
"""The close of the regular session in New York, when an expiring option stops trading."""


def expires_at(expiration: date) -> datetime:
    """The moment, aware in UTC, an option of this expiration date expires."""
    return datetime.combine(expiration, SESSION_CLOSE, tzinfo=NEW_YORK).astimezone(UTC)


def is_expired(expiration: date, now: datetime) -> bool:
    """Whether the expiration's close has come (at 16:00:00 exactly it has)."""
    _require_utc(now)
    return now >= expires_at(expiration)


def expired_legs(legs: Iterable[OptionLeg], now: datetime) -> tuple[OptionLeg, ...]:
    """The legs whose expiration has passed at ``now``, in the order given."""
    _require_utc(now)
    return tuple(leg for leg in legs if now >= expires_at(leg.expiration))


def _require_utc(now: datetime) -> None:
    if now.utcoffset() != timedelta(0):
        raise ValueError(f"now must be an aware UTC datetime, got {now!r}")
