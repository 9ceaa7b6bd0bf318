"""The engine's trades, as legsync sees them: what the engine expects to hold, and whether it
may act on it.

A trade is not a position. The sync mirrors positions and never creates, changes or closes a
trade; only a person (or the import command) decides what the engine manages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from .enums import Origin, Side, TradeStatus
from .occ import OccSymbol

__all__ = ["Trade", "TradeLeg"]


@dataclass(frozen=True, slots=True)
class TradeLeg:
    """One leg the trade expects: a contract, a side and how many contracts per spread.

    A 1x2 ratio spread has ``ratio=1`` on one leg and ``ratio=2`` on the other.
    """

    occ: OccSymbol
    side: Side
    ratio: int = 1

    def __post_init__(self) -> None:
        if type(self.ratio) is not int or self.ratio < 1:
            raise ValueError(f"ratio must be a whole number >= 1, got {self.ratio!r}")


@dataclass(frozen=True, slots=True)
class Trade:
    """One trade of the engine: ``quantity`` spreads of ``legs``.

    ``managed`` is the safety switch: the engine monitors and exits only managed trades.
    ``None`` is what legacy rows carry (written before the switch existed); they count as
    managed, which is what the engine did with them before.
    """

    id: int | None
    account_id: str
    symbol: str
    legs: tuple[TradeLeg, ...]
    quantity: int
    status: TradeStatus = TradeStatus.OPEN
    origin: Origin = Origin.ENGINE
    managed: bool | None = True
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    entry_price: Decimal | None = None
    broker_order_id: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not self.legs:
            raise ValueError("a trade has at least one leg")
        if type(self.quantity) is not int or self.quantity < 0:
            raise ValueError(f"quantity must be a whole number >= 0, got {self.quantity!r}")
        for name in ("opened_at", "closed_at"):
            moment = getattr(self, name)
            if moment is not None and moment.utcoffset() != timedelta(0):
                raise ValueError(f"{name} must be an aware UTC datetime, got {moment!r}")

    @property
    def is_managed(self) -> bool:
        """Legacy trades (``managed`` is None) are managed."""
        return self.managed is not False

    @property
    def is_open(self) -> bool:
        return self.status is TradeStatus.OPEN
