"""What a sync tells the world happened, in the past tense.

Events are plain data here; how they travel (blinker signals, published only after the store
committed) is the application's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .legs import OptionLeg

__all__ = ["PositionEvent", "PositionRemoved", "PositionSynced"]


@dataclass(frozen=True, slots=True)
class PositionSynced:
    """A leg was opened (``previous`` is None) or its data changed (``previous`` holds the old)."""

    leg: OptionLeg
    previous: OptionLeg | None
    occurred_at: datetime

    @property
    def opened(self) -> bool:
        return self.previous is None


@dataclass(frozen=True, slots=True)
class PositionRemoved:
    """The broker no longer holds a leg, and the mirror deleted it."""

    leg: OptionLeg
    occurred_at: datetime


PositionEvent = PositionSynced | PositionRemoved
