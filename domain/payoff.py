"""A structure's payoff at expiry, and the risk figures read off it.

At one expiration every option is worth its intrinsic value, so the payoff as a function of
the underlying's price is piecewise linear with corners only at the strikes. Its extremes are
therefore among its values at zero and at each strike, or unbounded when the slope past the
last strike is not zero (the slope below the first strike ends at zero: prices do not go
negative). Its breakevens are where a segment crosses zero. Nothing here knows a strategy's
name: that is the point. The named formulas of :mod:`legsync.domain.envelope` (width minus
credit, and so on) are held equal to this evaluation by a property test, so neither can drift.

Dollars throughout, for the whole structure: per share times :data:`CONTRACT_MULTIPLIER` times
the contracts. Structures across expirations have no such payoff (the far leg still has time
value at the near expiration) and are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Context, Decimal, localcontext
from itertools import pairwise

from .enums import OptionType
from .structures import Structure

__all__ = ["CONTRACT_MULTIPLIER", "ExpiryRisk", "expiry_risk", "payoff_at", "payoff_points"]

CONTRACT_MULTIPLIER = Decimal(100)
"""Shares per standard contract (adjusted contracts are not priced here)."""

_EXACT = Context(prec=80)


@dataclass(frozen=True, slots=True)
class ExpiryRisk:
    """``max_profit`` and ``max_loss`` (a loss as a positive amount) in dollars, ``None`` when
    unbounded; ``breakevens`` the underlying prices where the payoff crosses zero, ascending."""

    max_profit: Decimal | None
    max_loss: Decimal | None
    breakevens: tuple[Decimal, ...]


def payoff_at(structure: Structure, price: Decimal, net_credit: Decimal) -> Decimal:
    """What ``structure`` is worth at expiry with the underlying at ``price``, after the premium
    (``net_credit``: signed, per share per spread, positive when received)."""
    _one_expiration(structure)
    with localcontext(_EXACT):
        return _payoff(structure, price, net_credit)


def payoff_points(structure: Structure, net_credit: Decimal) -> tuple[tuple[Decimal, Decimal], ...]:
    """The payoff's corners: (price, payoff) at zero and at every strike, ascending."""
    _one_expiration(structure)
    with localcontext(_EXACT):
        return tuple(
            (price, _payoff(structure, price, net_credit)) for price in _corners(structure)
        )


def expiry_risk(structure: Structure, net_credit: Decimal) -> ExpiryRisk:
    """Max profit, max loss and breakevens of a one-expiration structure, from its payoff."""
    points = payoff_points(structure, net_credit)
    with localcontext(_EXACT):
        slope = sum(
            (
                part.leg.side.sign * part.contracts * CONTRACT_MULTIPLIER
                for part in structure.parts
                if part.leg.option_type is OptionType.CALL
            ),
            Decimal(0),
        )
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
    return ExpiryRisk(max_profit, max_loss, tuple(b.normalize() for b in breakevens))


def _payoff(structure: Structure, price: Decimal, net_credit: Decimal) -> Decimal:
    total = net_credit * CONTRACT_MULTIPLIER * structure.quantity
    for part in structure.parts:
        strike = part.leg.strike
        intrinsic = (
            max(price - strike, Decimal(0))
            if part.leg.option_type is OptionType.CALL
            else max(strike - price, Decimal(0))
        )
        total += part.leg.side.sign * part.contracts * CONTRACT_MULTIPLIER * intrinsic
    return total


def _corners(structure: Structure) -> list[Decimal]:
    return sorted({Decimal(0), *(part.leg.strike for part in structure.parts)})


def _one_expiration(structure: Structure) -> None:
    if len(structure.expirations) != 1:
        raise ValueError(
            f"a {structure.kind.value} spans {len(structure.expirations)} expirations: its "
            "payoff at the first one depends on the later legs' market value, not on a formula"
        )
