"""What a sync tells the world happened, in the past tense.

Events are plain data here; how they travel (blinker signals, published only after the store
committed) is the application's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .legs import OptionLeg

__all__ = ["PositionEvent", "PositionRemoved", "PositionSynced"]


@dataclass(frozen=True, slots=True, init=False)
class PositionSynced:
    """A leg was opened (``previous`` is None) or its data changed (``previous`` holds the old)."""

    leg: OptionLeg
    previous: OptionLeg | None
    occurred_at: datetime

    def __init__(self, leg: OptionLeg, previous: OptionLeg | None, occurred_at: datetime) -> None:
        # A first sync builds one per leg: writing the slots directly costs half the generated
        # frozen __init__ (which goes through object.__setattr__ per field).
        _set_leg(self, leg)
        _set_previous(self, previous)
        _set_occurred_at(self, occurred_at)

    @property
    def opened(self) -> bool:
        return self.previous is None


@dataclass(frozen=True, slots=True)
class PositionRemoved:
    """The broker no longer holds a leg, and the mirror deleted it."""

    leg: OptionLeg
    occurred_at: datetime


_set_leg = PositionSynced.__dict__["leg"].__set__
_set_previous = PositionSynced.__dict__["previous"].__set__
_set_occurred_at = PositionSynced.__dict__["occurred_at"].__set__

PositionEvent = PositionSynced | PositionRemoved
