"""The envelope a trade is recorded with: its structure's risk, figured once when it opens.

The figures are :func:`legsync.domain.risk.structure_risk`'s, the one implementation of risk;
this module only decides where the premium comes from and keeps the result with the trade.

Units: ``entry_price`` and ``width`` are per share (what a quote shows), every other figure is
dollars for the whole trade. The premium is the broker's cost basis when the mirror holds
every leg with one, else the entry price (per share of one spread, positive: a credit or a
debit by the kind, when the kind says; a ratio spread's or a custom set's cannot be told),
else unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from .classification import classify, merge
from .enums import OptionType
from .kinds import CREDIT_KINDS, DEBIT_KINDS, StructureKind
from .legs import OptionLeg
from .payoff import CONTRACT_MULTIPLIER
from .risk import premium_from_basis, structure_risk
from .structures import Structure
from .trades import TradeEnvelope, TradeLeg

__all__ = ["envelope_on_open", "spread_width"]


def envelope_on_open(
    account_id: str,
    legs: Sequence[TradeLeg],
    quantity: int,
    held: Iterable[OptionLeg],
    entry_price: Decimal | None,
    now: datetime,
) -> TradeEnvelope:
    """The envelope of ``quantity`` units of ``legs``, classified as one structure (a set of
    legs that forms several becomes one ``custom`` structure: its risk is the whole set's)."""
    mirrored = {(leg.occ, leg.side): leg for leg in held if leg.account_id == account_id}
    with_basis = []
    for expected in legs:
        found = mirrored.get((expected.occ, expected.side))
        basis = None if found is None else found.cost_basis_per_contract
        with_basis.append(
            OptionLeg(
                account_id, expected.occ, expected.side, expected.ratio * quantity, basis, None, now
            )
        )
    structures = classify(with_basis)
    structure = structures[0] if len(structures) == 1 else merge(structures)
    premium = premium_from_basis(structure)
    if premium is None and entry_price is not None:
        sign = _sign_by_kind(structure.kind)
        if sign is not None:
            premium = sign * entry_price * CONTRACT_MULTIPLIER * quantity
    risk = structure_risk(structure, premium)
    price = entry_price if premium is None else abs(premium) / (CONTRACT_MULTIPLIER * quantity)
    unknown = list(risk.unknown)
    if price is None:
        unknown.insert(0, "entry_price")
    return TradeEnvelope(
        kind=structure.kind.value,
        entry_price=price,
        net_premium=premium,
        width=spread_width(structure),
        max_profit=risk.max_profit,
        max_loss=risk.max_loss,
        breakevens=risk.breakevens,
        unknown=tuple(unknown),
    )


def _sign_by_kind(kind: StructureKind) -> int | None:
    if kind in CREDIT_KINDS:
        return 1
    if kind in DEBIT_KINDS:
        return -1
    return None


_WIDTH_KINDS = {
    StructureKind.BULL_CALL_SPREAD,
    StructureKind.BEAR_CALL_SPREAD,
    StructureKind.BULL_PUT_SPREAD,
    StructureKind.BEAR_PUT_SPREAD,
    StructureKind.LONG_BOX,
    StructureKind.SHORT_BOX,
    StructureKind.IRON_CONDOR,
    StructureKind.REVERSE_IRON_CONDOR,
    StructureKind.IRON_BUTTERFLY,
    StructureKind.REVERSE_IRON_BUTTERFLY,
}


def spread_width(structure: Structure) -> Decimal | None:
    """Strike points between a vertical's (or a box's) strikes; an iron condor's or iron
    butterfly's wider wing. None for kinds without one width."""
    if structure.kind not in _WIDTH_KINDS:
        return None
    wings = []
    for option_type in OptionType:
        strikes = sorted(
            {p.leg.strike for p in structure.parts if p.leg.option_type is option_type}
        )
        if len(strikes) > 1:
            wings.append(strikes[-1] - strikes[0])
    return max(wings)
