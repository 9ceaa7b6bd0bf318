"""A clock that moves only when told to: for tests and replays (the system clock is an adapter)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = ["ManualClock"]


class ManualClock:
    """Answers the same moment until it is advanced or set; always aware, in UTC."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2024, 1, 2, 15, 0, tzinfo=UTC)
        if start.utcoffset() != timedelta(0):
            raise ValueError(f"a clock runs in UTC, got {start!r}")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta = timedelta(seconds=1)) -> datetime:
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> None:
        if moment.utcoffset() != timedelta(0):
            raise ValueError(f"a clock runs in UTC, got {moment!r}")
        self._now = moment
