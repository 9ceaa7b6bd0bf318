"""Short builders for the values tests are made of: a broker row, a mirrored leg, shares.

A signed quantity says the side, as the broker says it: ``leg("SPY270319P00540000", -2)`` is
two contracts short. Amounts are given as text or numbers and become exact Decimals.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from legsync.domain import BrokerPosition, OptionLeg, Side, StockPosition, parse_occ_symbol

__all__ = ["ACCOUNT", "AT", "leg", "position", "shares"]

ACCOUNT = "VA000001"
"""The account a builder uses unless told otherwise."""

AT = datetime(2024, 1, 2, 15, 0, tzinfo=UTC)
"""The moment a built leg was last updated unless told otherwise (``ManualClock``'s start)."""

Amount = int | str | Decimal


def position(symbol: str, quantity: Amount, cost_basis: Amount | None = None) -> BrokerPosition:
    """A broker row: ``position("SPY240119C00450000", -2, cost_basis="-310")``."""
    return BrokerPosition(
        symbol=symbol,
        quantity=Decimal(quantity),
        cost_basis=None if cost_basis is None else Decimal(cost_basis),
    )


def leg(
    symbol: str,
    quantity: int = 1,
    *,
    cost: Amount | None = None,
    last: Amount | None = None,
    account_id: str = ACCOUNT,
    updated_at: datetime = AT,
    marked_at: datetime | None = None,
) -> OptionLeg:
    """A mirrored leg of ``abs(quantity)`` contracts, long when ``quantity`` is positive.

    ``cost`` is the cost basis per contract (dollars, the x100 included), ``last`` the last
    price per share, taken at ``marked_at``. A quantity of 0 is a long leg holding nothing.
    """
    return OptionLeg(
        account_id=account_id,
        occ=parse_occ_symbol(symbol),
        side=Side.SHORT if quantity < 0 else Side.LONG,
        quantity=abs(quantity),
        cost_basis_per_contract=None if cost is None else Decimal(cost),
        last_price=None if last is None else Decimal(last),
        updated_at=updated_at,
        marked_at=marked_at,
    )


def shares(
    symbol: str,
    quantity: Amount,
    *,
    cost: Amount | None = None,
    last: Amount | None = None,
    account_id: str = ACCOUNT,
    updated_at: datetime = AT,
    marked_at: datetime | None = None,
) -> StockPosition:
    """A mirrored stock position: ``shares("AAPL", -50, cost="183.4")`` is 50 shares short.

    ``cost`` is the cost basis per share, ``last`` the last price, taken at ``marked_at``.
    """
    return StockPosition(
        account_id=account_id,
        symbol=symbol,
        quantity=Decimal(quantity),
        cost_basis_per_share=None if cost is None else Decimal(cost),
        last_price=None if last is None else Decimal(last),
        updated_at=updated_at,
        marked_at=marked_at,
    )
