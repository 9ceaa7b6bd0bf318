"""The system clock: the only place legsync reads the time."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from typing import Any

__all__ = ["SystemClock"]


class SystemClock:
    """The machine's clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def __getattr__(name: str) -> Any:
    if name == "ManualClock":
        warnings.warn(
            "legsync.adapters.clock.ManualClock moved to legsync.testing.ManualClock; the old "
            "path goes away in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        from legsync.testing import ManualClock

        return ManualClock
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
