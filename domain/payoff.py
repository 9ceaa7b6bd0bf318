"""A structure's payoff at expiry, and the risk figures read off it.

At one expiration every option is worth its intrinsic value and a share its price, so the
payoff as a function of the underlying's price is piecewise linear with corners only at the
strikes. Its extremes are therefore among its values at zero and at each strike, or unbounded
when the slope past the last strike is not zero (prices do not go below zero). Its breakevens
are where a segment crosses zero. Nothing here knows a strategy's name: that is the point.
The named formulas (width minus credit, and so on) are held equal to this evaluation by a
property test, so no formula can drift from the payoff.

Dollars throughout, for the whole structure: an option's intrinsic value times
:data:`CONTRACT_MULTIPLIER` times its contracts, a share's price times its shares, plus the
``net_premium`` (cash received to open it, negative when paid). Structures across expirations
have no such payoff (the far leg still has time value at the near expiration) and are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Context, Decimal, localcontext
from itertools import pairwise

from .enums import OptionType
from .structures import Structure

__all__ = [
    "CONTRACT_MULTIPLIER",
    "ExpiryRisk",
    "expiry_risk",
    "payoff_at",
    "payoff_points",
    "slope_above_strikes",
]

CONTRACT_MULTIPLIER = Decimal(100)
"""Shares per standard contract (adjusted contracts are flagged by the risk, not priced)."""

_EXACT = Context(prec=80)
"""Enough digits that sums and products of cost bases, strikes and shares are exact."""


@dataclass(frozen=True, slots=True)
class ExpiryRisk:
    """``max_profit`` and ``max_loss`` (a loss as a positive amount) in dollars, ``None`` when
    unbounded; ``breakevens`` the underlying prices where the payoff crosses zero, ascending."""

    max_profit: Decimal | None
    max_loss: Decimal | None
    breakevens: tuple[Decimal, ...]


def payoff_at(structure: Structure, price: Decimal, net_premium: Decimal = Decimal(0)) -> Decimal:
    """What ``structure`` is worth at expiry with the underlying at ``price``, plus the premium."""
    _one_expiration(structure)
    with localcontext(_EXACT):
        return _payoff(structure, price, net_premium)


def payoff_points(
    structure: Structure, net_premium: Decimal = Decimal(0)
) -> tuple[tuple[Decimal, Decimal], ...]:
    """The payoff's corners: (price, payoff) at zero and at every strike, ascending."""
    _one_expiration(structure)
    with localcontext(_EXACT):
        return tuple(
            (price, _payoff(structure, price, net_premium)) for price in _corners(structure)
        )


def slope_above_strikes(structure: Structure) -> Decimal:
    """Dollars gained per point the underlying rises past the last strike: the calls' and the
    shares' signed exposure. Positive means unbounded profit, negative unbounded loss."""
    with localcontext(_EXACT):
        slope = sum(
            (
                part.leg.side.sign * part.contracts * CONTRACT_MULTIPLIER
                for part in structure.parts
                if part.leg.option_type is OptionType.CALL
            ),
            Decimal(0),
        )
        if structure.stock is not None:
            slope += structure.stock.side.sign * structure.stock.shares
        return slope


def expiry_risk(structure: Structure, net_premium: Decimal = Decimal(0)) -> ExpiryRisk:
    """Max profit, max loss and breakevens of a one-expiration structure, from its payoff."""
    points = payoff_points(structure, net_premium)
    slope = slope_above_strikes(structure)
    with localcontext(_EXACT):
        values = [value for _, value in points]
        max_profit = None if slope > 0 else max(values)
        max_loss = None if slope < 0 else -min(values)
        breakevens: list[Decimal] = []
        for (low, at_low), (high, at_high) in pairwise(points):
            if at_low == 0 and (not breakevens or breakevens[-1] != low):
                breakevens.append(low)
            if at_low * at_high < 0:
                breakevens.append(low + (high - low) * at_low / (at_low - at_high))
        last, at_last = points[-1]
        if at_last == 0 and (not breakevens or breakevens[-1] != last):
            breakevens.append(last)
        if slope and at_last * slope < 0:
            breakevens.append(last - at_last / slope)
    return ExpiryRisk(max_profit, max_loss, tuple(_plain(b) for b in breakevens))


def _plain(value: Decimal) -> Decimal:
    """Without trailing zeros and never in exponent form: 540.00 -> 540, 541.50 -> 541.5."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _payoff(structure: Structure, price: Decimal, net_premium: Decimal) -> Decimal:
    total = net_premium
    for part in structure.parts:
        strike = part.leg.strike
        intrinsic = (
            max(price - strike, Decimal(0))
            if part.leg.option_type is OptionType.CALL
            else max(strike - price, Decimal(0))
        )
        total += part.leg.side.sign * part.contracts * CONTRACT_MULTIPLIER * intrinsic
    if structure.stock is not None:
        total += structure.stock.side.sign * structure.stock.shares * price
    return total


def _corners(structure: Structure) -> list[Decimal]:
    return sorted({Decimal(0), *(part.leg.strike for part in structure.parts)})


def _one_expiration(structure: Structure) -> None:
    if len(structure.expirations) > 1:
        raise ValueError(
            f"a {structure.kind.value} spans {len(structure.expirations)} expirations: its "
            "payoff at the first one depends on the later legs' market value, not on a formula"
        )
