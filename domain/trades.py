"""The engine's trades, as legsync sees them: what the engine expects to hold, and whether it
may act on it.

A trade is not a position. The sync mirrors positions and never creates, changes or closes a
trade; only a person (or the import command) decides what the engine manages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from .enums import Origin, Side, TradeStatus
from .legs import MAX_CONTRACTS
from .occ import OccSymbol
from .underlying import underlying_for_root

__all__ = ["InvalidTrade", "Trade", "TradeEnvelope", "TradeLeg", "check_new_trade"]


class InvalidTrade(ValueError):
    """A trade a person asked to record cannot be; the message says what is wrong."""


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
class TradeEnvelope:
    """What a trade's structure could make and lose at expiry, figured once when it is recorded.

    Kept with the trade so that the engine sizes and judges it against the figures it was
    opened with, not against whatever the legs look like later. ``kind`` is the structure's
    name (``iron_condor``, ...). ``entry_price`` is per share of one spread, positive;
    ``net_premium`` is dollars for the whole trade, positive for a credit received, negative
    for a debit paid. A figure that is ``None`` is unbounded, unless its name is in
    ``unknown`` (a structure across expirations, an adjusted contract): then nobody can say.
    """

    kind: str
    entry_price: Decimal | None
    net_premium: Decimal | None
    width: Decimal | None
    max_profit: Decimal | None
    max_loss: Decimal | None
    breakevens: tuple[Decimal, ...] = ()
    unknown: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or not self.kind:
            raise ValueError(f"an envelope names its structure's kind, got {self.kind!r}")
        for name in ("entry_price", "net_premium", "width", "max_profit", "max_loss"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, Decimal) and value.is_finite()):
                raise ValueError(f"{name} must be a finite Decimal or None, got {value!r}")
        strange = set(self.unknown) - _FIGURES
        if strange:
            raise ValueError(f"unknown names figures of {sorted(_FIGURES)}, got {sorted(strange)}")

    @property
    def is_credit(self) -> bool | None:
        return None if self.net_premium is None else self.net_premium > 0

    def is_unbounded(self, figure: str) -> bool:
        """Whether ``max_profit`` or ``max_loss`` has no limit (rather than being unknown)."""
        return getattr(self, figure) is None and figure not in self.unknown


_FIGURES = {"entry_price", "net_premium", "width", "max_profit", "max_loss", "breakevens"}


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
    close_reason: str | None = None
    entry_price: Decimal | None = None
    broker_order_id: str | None = field(default=None, compare=False)
    envelope: TradeEnvelope | None = None

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


def check_new_trade(
    account_id: str, legs: Sequence[TradeLeg], quantity: int, entry_price: Decimal | None
) -> str:
    """The underlying of a trade about to be recorded, or :class:`InvalidTrade` saying why it
    cannot be: an empty account, no legs, a quantity below 1 or above what a leg can hold, an
    entry price that is not a finite Decimal, one contract and side named twice, or legs on
    more than one underlying."""
    if not isinstance(account_id, str) or not account_id.strip():
        raise InvalidTrade(f"a trade needs an account id, got {account_id!r}")
    if not legs:
        raise InvalidTrade("a trade needs at least one leg")
    if type(quantity) is not int or quantity < 1:
        raise InvalidTrade(
            f"a trade's quantity is a whole number of spreads >= 1, got {quantity!r}"
        )
    if entry_price is not None and not (
        isinstance(entry_price, Decimal) and entry_price.is_finite()
    ):
        raise InvalidTrade(f"entry_price must be a finite Decimal, got {entry_price!r}")
    if entry_price is not None and entry_price < 0:
        raise InvalidTrade(
            f"entry_price is a price per share, never negative, got {entry_price}: whether it "
            "was a credit or a debit follows from the legs"
        )
    seen: set[tuple[OccSymbol, Side]] = set()
    for leg in legs:
        if leg.ratio * quantity > MAX_CONTRACTS:
            raise InvalidTrade(
                f"{leg.side.value} {leg.occ.format()}: {leg.ratio} x {quantity} contracts is more "
                f"than any leg holds ({MAX_CONTRACTS})"
            )
        if (leg.occ, leg.side) in seen:
            raise InvalidTrade(
                f"{leg.side.value} {leg.occ.format()} is named twice; give it once with a ratio"
            )
        seen.add((leg.occ, leg.side))
    underlyings = sorted({underlying_for_root(leg.occ.root) for leg in legs})
    if len(underlyings) != 1:
        raise InvalidTrade(f"a trade's legs share one underlying, got {', '.join(underlyings)}")
    return underlyings[0]
