"""Unrealised profit and loss from the stored marks, per leg and summed upwards.

A leg's P&L is what closing it at its mark would bring against what opening it cost: the
mark (the broker's last trade, else the bid/ask midpoint) times 100 per contract, against the
cost basis per contract; shares likewise per share. A leg without a mark or a cost basis has
no P&L, and every total it belongs to says so: it is *incomplete*, carrying the sum of what is
known and the reasons for what is not. Reporting it as zero would hide a position.

Each total also carries its oldest mark's time, so a reader can tell a fresh figure from one
made of yesterday's prices.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Context, Decimal, localcontext

from .legs import OptionLeg
from .payoff import CONTRACT_MULTIPLIER
from .stock import StockPosition
from .structures import Structure
from .trades import Trade
from .underlying import has_standard_deliverable

__all__ = ["Pnl", "leg_pnl", "stock_pnl", "structure_pnl", "total_pnl", "trade_pnl"]

_EXACT = Context(prec=80)


@dataclass(frozen=True, slots=True)
class Pnl:
    """``known`` dollars of P&L; ``missing`` why some part has none (empty when complete);
    ``oldest_mark_at`` the oldest mark it was figured from, None when no mark has a time."""

    known: Decimal
    missing: tuple[str, ...] = ()
    oldest_mark_at: datetime | None = None

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def amount(self) -> Decimal | None:
        """The P&L, or None when incomplete: a partial sum is not the answer."""
        return self.known if self.complete else None

    def __add__(self, other: Pnl) -> Pnl:
        marks = [m for m in (self.oldest_mark_at, other.oldest_mark_at) if m is not None]
        with localcontext(_EXACT):
            known = self.known + other.known
        missing = tuple(dict.fromkeys(self.missing + other.missing))
        return Pnl(known, missing, min(marks) if marks else None)


def leg_pnl(leg: OptionLeg, contracts: int | None = None) -> Pnl:
    """P&L of ``contracts`` of ``leg`` (all of them by default)."""
    held = leg.quantity if contracts is None else contracts
    if not has_standard_deliverable(leg.root):
        return Pnl(Decimal(0), (f"{leg.occ_symbol}: adjusted contract, multiplier not known",))
    if leg.last_price is None:
        return Pnl(Decimal(0), (f"{leg.occ_symbol}: no mark",))
    if leg.cost_basis_per_contract is None:
        return Pnl(Decimal(0), (f"{leg.occ_symbol}: no cost basis",))
    with localcontext(_EXACT):
        gain = (leg.last_price * CONTRACT_MULTIPLIER - leg.cost_basis_per_contract) * held
        return Pnl(leg.side.sign * gain, (), _marked_at(leg))


def stock_pnl(position: StockPosition, shares: Decimal | None = None) -> Pnl:
    """P&L of ``shares`` of ``position`` (all of them by default)."""
    held = position.shares if shares is None else shares
    if position.last_price is None:
        return Pnl(Decimal(0), (f"{position.symbol} stock: no mark",))
    if position.cost_basis_per_share is None:
        return Pnl(Decimal(0), (f"{position.symbol} stock: no cost basis",))
    with localcontext(_EXACT):
        gain = (position.last_price - position.cost_basis_per_share) * held
        return Pnl(position.side.sign * gain, (), _marked_at(position))


def structure_pnl(structure: Structure) -> Pnl:
    """P&L of the contracts and shares a structure uses."""
    pnls = [leg_pnl(part.leg, part.contracts) for part in structure.parts]
    if structure.stock is not None:
        pnls.append(stock_pnl(structure.stock.position, structure.stock.shares))
    return total_pnl(pnls)


def trade_pnl(trade: Trade, held: Iterable[OptionLeg]) -> Pnl:
    """P&L of a trade's share of the mirrored legs: ratio x quantity contracts of each leg.
    A leg the broker no longer holds makes it incomplete."""
    mirrored = {(leg.occ, leg.side): leg for leg in held if leg.account_id == trade.account_id}
    pnls = []
    for expected in trade.legs:
        leg = mirrored.get((expected.occ, expected.side))
        contracts = expected.ratio * trade.quantity
        if leg is None or leg.quantity < contracts:
            held_now = "none" if leg is None else str(leg.quantity)
            why = (
                f"{expected.occ.format()}: the trade expects {contracts}"
                f" {expected.side.value}, the mirror holds {held_now}"
            )
            pnls.append(Pnl(Decimal(0), (why,)))
        else:
            pnls.append(leg_pnl(leg, contracts))
    return total_pnl(pnls)


def total_pnl(pnls: Iterable[Pnl]) -> Pnl:
    """The sum: complete only when every part is."""
    result = Pnl(Decimal(0))
    for pnl in pnls:
        result += pnl
    return result


def _marked_at(holding: OptionLeg | StockPosition) -> datetime | None:
    return holding.marked_at
