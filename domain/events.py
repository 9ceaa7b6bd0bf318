"""What a sync, or a check after it, tells the world, in the past tense.

Events are plain data here; how they travel (blinker signals, published only after the store
committed) is the application's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .legs import OptionLeg

__all__ = [
    "FindingKind",
    "PositionEvent",
    "PositionRemoved",
    "PositionSynced",
    "ReconciliationFinding",
]


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


class FindingKind(StrEnum):
    """What a check of an account found; all but ``unclaimed`` make ``check`` fail."""

    STALE = "stale"
    PHANTOM = "phantom"
    PARTIAL = "partial"
    OVERCLAIMED = "overclaimed"
    EXPIRED = "expired"
    UNCLAIMED = "unclaimed"

    @property
    def fails_check(self) -> bool:
        """A held leg no trade claims is information: the engine simply does not manage it."""
        return self is not FindingKind.UNCLAIMED


@dataclass(frozen=True, slots=True)
class ReconciliationFinding:
    """One thing a check of ``account_id`` found at ``occurred_at``, said in ``detail``.

    ``trade_ids`` are the trades it concerns, ``occ_symbol`` and ``side`` the leg (when it is
    about one).
    """

    account_id: str
    kind: FindingKind
    detail: str
    occurred_at: datetime
    trade_ids: tuple[int, ...] = ()
    occ_symbol: str | None = None
    side: str | None = None


# --- stock ------------------------------------------------------------------------------------
# Kept apart from the leg events (own types, own signals) so that a receiver of leg events
# never meets a share position it cannot key.

from .stock import StockPosition  # noqa: E402


@dataclass(frozen=True, slots=True)
class StockPositionSynced:
    """Shares were opened (``previous`` is None) or their data changed (``previous`` holds the
    old reading)."""

    position: StockPosition
    previous: StockPosition | None
    occurred_at: datetime

    @property
    def opened(self) -> bool:
        return self.previous is None


@dataclass(frozen=True, slots=True)
class StockPositionRemoved:
    """The broker no longer holds shares of a symbol, and the mirror deleted the row."""

    position: StockPosition
    occurred_at: datetime


StockEvent = StockPositionSynced | StockPositionRemoved

__all__ += ["StockEvent", "StockPositionRemoved", "StockPositionSynced"]
