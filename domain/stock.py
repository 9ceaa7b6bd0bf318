"""Shares held in one account: the stock half of a covered call, a collar or a conversion.

Stock is mirrored beside the option legs (one row per account and symbol) because an option
structure's risk depends on it: a short call against 100 shares is covered, not naked, and an
assignment turns an option leg into shares rather than into nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from .enums import Side

__all__ = ["StockPosition"]


@dataclass(frozen=True, slots=True)
class StockPosition:
    """``quantity`` shares of ``symbol``, signed: positive long, negative short, never zero.

    ``cost_basis_per_share`` is the magnitude of the broker's total cost basis over the shares
    (the broker's sign for a short is not documented); ``last_price`` is the last mark, and
    ``marked_at`` when it was taken (None when unknown).
    """

    account_id: str
    symbol: str
    quantity: Decimal
    cost_basis_per_share: Decimal | None
    last_price: Decimal | None
    updated_at: datetime
    marked_at: datetime | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.account_id, str) or not self.account_id:
            raise ValueError(f"account_id must be a non-empty string, got {self.account_id!r}")
        if not isinstance(self.symbol, str) or not self.symbol:
            raise ValueError(f"symbol must be a non-empty string, got {self.symbol!r}")
        if not isinstance(self.quantity, Decimal) or not self.quantity.is_finite():
            raise ValueError(f"quantity must be a finite Decimal, got {self.quantity!r}")
        if not self.quantity:
            raise ValueError("quantity must not be zero: a stock position holds shares")
        for name in ("cost_basis_per_share", "last_price"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, Decimal) and value.is_finite()):
                raise ValueError(f"{name} must be a finite Decimal or None, got {value!r}")
        if self.updated_at.utcoffset() != timedelta(0):
            raise ValueError(f"updated_at must be an aware UTC datetime, got {self.updated_at!r}")
        if self.marked_at is not None and (
            not isinstance(self.marked_at, datetime) or self.marked_at.utcoffset() != timedelta(0)
        ):
            raise ValueError(f"marked_at must be an aware UTC datetime, got {self.marked_at!r}")

    @property
    def side(self) -> Side:
        return Side.from_signed_quantity(self.quantity)

    @property
    def shares(self) -> Decimal:
        """How many shares, whatever the side."""
        return self.quantity.copy_abs()

    def same_position_as(self, other: StockPosition) -> bool:
        """Whether two readings hold the same data, whatever their timestamps (``updated_at``
        and ``marked_at``): a mark taken again at the same price is no change."""
        return (
            self.account_id == other.account_id
            and self.symbol == other.symbol
            and self.quantity == other.quantity
            and self.cost_basis_per_share == other.cost_basis_per_share
            and self.last_price == other.last_price
        )
