"""A structure's risk envelope at expiration: width, premium, max profit, max loss, breakevens.

Units, because option money is quoted two ways and mixing them is the classic bug:

- **Per share** (what a quote shows): ``width`` (strike points), ``net_credit`` and the
  ``breakevens`` (underlying prices).
- **Dollars for the whole structure**: ``max_profit`` and ``max_loss``, i.e. per share times
  the multiplier (:data:`CONTRACT_MULTIPLIER`, 100) times the number of spreads.

The premium comes from the mirrored cost basis: ``cost_basis_per_contract`` is dollars per
contract (it already includes the x100), so a leg bought at 1.55 has a cost basis of 155 and
adds a debit of 1.55 per share. Short legs add their cost basis as a credit. When any leg has no
cost basis the premium is unknown, and so is every figure that depends on it.

Adjusted contracts (roots such as AAPL1) may deliver something other than 100 shares; the
mirror does not know their deliverable, and these figures assume 100.

Calendars and diagonals have no envelope at expiration in closed form: at the near expiration
the far leg is still worth a market price, so their profit, loss and breakevens are unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Context, Decimal, localcontext
from enum import StrEnum

from .enums import OptionType, Side
from .legs import OptionLeg
from .structures import CREDIT_SPREADS, Structure, StructureKind, classify
from .trades import TradeEnvelope, TradeLeg

__all__ = [
    "CONTRACT_MULTIPLIER",
    "UNBOUNDED",
    "UNKNOWN",
    "Bound",
    "BoundKind",
    "SpreadEnvelope",
    "compute_spread_envelope",
    "envelope_on_open",
    "takes_credit",
]

CONTRACT_MULTIPLIER = Decimal(100)
"""Shares per standard equity or index option contract."""


# Enough digits that sums and products of cost bases and strikes are exact (the default 28
# could round a cost basis the sync divided at 34 digits).
_EXACT = Context(prec=80)


class BoundKind(StrEnum):
    """Whether a max profit or max loss is a number, grows without limit, or cannot be known."""

    LIMITED = "limited"
    UNBOUNDED = "unbounded"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Bound:
    """A max profit or max loss, in dollars for the whole structure.

    Three cases kept apart on purpose: a short call's loss is unbounded, a spread whose cost
    basis is missing has an unknown one, and the two call for different actions.
    """

    kind: BoundKind
    amount: Decimal | None = None

    def __post_init__(self) -> None:
        if (self.amount is not None) != (self.kind is BoundKind.LIMITED):
            raise ValueError(f"a {self.kind.value} bound has an amount only when it is limited")

    @classmethod
    def limited(cls, amount: Decimal) -> Bound:
        return cls(BoundKind.LIMITED, amount)

    @property
    def is_unbounded(self) -> bool:
        return self.kind is BoundKind.UNBOUNDED


UNBOUNDED = Bound(BoundKind.UNBOUNDED)
UNKNOWN = Bound(BoundKind.UNKNOWN)


@dataclass(frozen=True, slots=True)
class SpreadEnvelope:
    """What a structure can make and lose if held to expiration.

    ``net_credit`` is signed, per share, per spread: positive when the structure took in
    premium, negative when it paid (a debit); None when a cost basis is missing. ``width`` is
    the distance between the strikes that bound the risk (the wider wing of an iron condor),
    None for structures without one. The figures are computed, not clamped: a cost basis that
    says a vertical collected more than its width shows a negative max loss rather than
    hiding the inconsistency.
    """

    kind: StructureKind
    quantity: int
    width: Decimal | None
    net_credit: Decimal | None
    max_profit: Bound
    max_loss: Bound
    breakevens: tuple[Decimal, ...]

    @property
    def is_credit(self) -> bool | None:
        """True for a credit, False for a debit, None when the premium is unknown."""
        return None if self.net_credit is None else self.net_credit >= 0

    @property
    def net_credit_per_spread(self) -> Decimal | None:
        """The signed premium of one spread in dollars (per share times the multiplier)."""
        # Read in the caller's context, so computed in ours: exact, whatever theirs rounds.
        if self.net_credit is None:
            return None
        return _EXACT.multiply(self.net_credit, CONTRACT_MULTIPLIER)

    @property
    def defined_risk(self) -> bool:
        return self.max_loss.kind is BoundKind.LIMITED


def compute_spread_envelope(
    structure: Structure, net_credit: Decimal | None = None
) -> SpreadEnvelope:
    """The envelope of ``structure`` (its parts are in canonical order, see Structure).

    The premium is the legs' cost basis unless ``net_credit`` (signed, per share per spread)
    is given: a trade recorded before its legs reach the mirror knows only its entry price.
    """
    with localcontext(_EXACT):
        return _envelope(structure, _net_credit(structure) if net_credit is None else net_credit)


_CREDIT_KINDS = CREDIT_SPREADS | {
    StructureKind.SHORT_CALL,
    StructureKind.SHORT_PUT,
    StructureKind.IRON_CONDOR,
    StructureKind.IRON_BUTTERFLY,
    StructureKind.SHORT_STRADDLE,
    StructureKind.SHORT_STRANGLE,
}


def takes_credit(kind: StructureKind) -> bool:
    """Whether opening ``kind`` takes in premium (so a positive entry price is a credit).
    Calendars and diagonals here are short the near and long the far leg: a debit."""
    return kind in _CREDIT_KINDS


def envelope_on_open(
    account_id: str,
    legs: Sequence[TradeLeg],
    quantity: int,
    held: Iterable[OptionLeg],
    entry_price: Decimal | None,
    now: datetime,
) -> TradeEnvelope:
    """The envelope a trade is recorded with: its legs classified as one structure and its
    risk figured once, by :func:`compute_spread_envelope` (the one implementation).

    The premium is the broker's cost basis when the mirror holds every leg with one, else
    ``entry_price`` (per share of one spread, positive; a credit or a debit by the kind),
    else unknown. Legs that do not form one structure get kind ``mixed`` and every figure
    unknown: adding up the pieces' losses could overstate what the whole set can lose.
    """
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
    if len(structures) != 1 or structures[0].quantity != quantity:
        return TradeEnvelope(
            kind="mixed",
            entry_price=entry_price,
            net_premium=None,
            width=None,
            max_profit=None,
            max_loss=None,
            unknown=_FIGURES_OF_AN_ENVELOPE,
        )
    (structure,) = structures
    credit = None
    if any(leg.cost_basis_per_contract is None for leg in with_basis) and entry_price is not None:
        credit = entry_price if takes_credit(structure.kind) else -entry_price
    envelope = compute_spread_envelope(structure, credit)
    return _as_trade_envelope(envelope, structure)


_FIGURES_OF_AN_ENVELOPE = ("net_premium", "width", "max_profit", "max_loss", "breakevens")


def _as_trade_envelope(envelope: SpreadEnvelope, structure: Structure) -> TradeEnvelope:
    unknown = [name for name, bound in (("max_profit", envelope.max_profit),
               ("max_loss", envelope.max_loss)) if bound.kind is BoundKind.UNKNOWN]  # fmt: skip
    if envelope.net_credit is None:
        unknown.insert(0, "net_premium")
        unknown.insert(0, "entry_price")
    if not envelope.breakevens and (envelope.net_credit is None or structure.kind in _TIME_SPREADS):
        unknown.append("breakevens")
    with localcontext(_EXACT):
        premium = (
            None
            if envelope.net_credit is None
            else envelope.net_credit * CONTRACT_MULTIPLIER * envelope.quantity
        )
    return TradeEnvelope(
        kind=envelope.kind.value,
        entry_price=None if envelope.net_credit is None else abs(envelope.net_credit),
        net_premium=premium,
        width=envelope.width,
        max_profit=envelope.max_profit.amount,
        max_loss=envelope.max_loss.amount,
        breakevens=envelope.breakevens,
        unknown=tuple(unknown),
    )


_TIME_SPREADS = {StructureKind.CALENDAR, StructureKind.DIAGONAL}


def _envelope(structure: Structure, credit: Decimal | None) -> SpreadEnvelope:
    kind = structure.kind
    strikes = [part.leg.strike for part in structure.parts]
    per_share = _PerShare(credit)
    if kind.is_single:
        width = None
        profit, loss, breakevens = _single(structure, per_share)
    elif kind.is_vertical:
        width = strikes[1] - strikes[0]
        profit, loss, breakevens = _vertical(kind, strikes, width, per_share)
    elif kind in (StructureKind.IRON_CONDOR, StructureKind.IRON_BUTTERFLY):
        width = max(strikes[1] - strikes[0], strikes[3] - strikes[2])
        profit = per_share.credit()
        loss = per_share.minus_credit(width)
        breakevens = per_share.prices((strikes[1], -1), (strikes[2], +1))
    elif kind in (StructureKind.LONG_STRADDLE, StructureKind.LONG_STRANGLE):
        width = None
        profit, loss = UNBOUNDED, per_share.debit()
        breakevens = per_share.prices((strikes[0], +1), (strikes[1], -1))
    elif kind in (StructureKind.SHORT_STRADDLE, StructureKind.SHORT_STRANGLE):
        width = None
        profit, loss = per_share.credit(), UNBOUNDED
        breakevens = per_share.prices((strikes[0], -1), (strikes[1], +1))
    else:  # calendar, diagonal
        width = None
        profit, loss, breakevens = UNKNOWN, UNKNOWN, ()
    return SpreadEnvelope(
        kind=kind,
        quantity=structure.quantity,
        width=width,
        net_credit=credit,
        max_profit=_in_dollars(profit, structure.quantity),
        max_loss=_in_dollars(loss, structure.quantity),
        breakevens=breakevens,
    )


@dataclass(frozen=True, slots=True)
class _PerShare:
    """Figures built from the signed net credit, each unknown when the credit is."""

    net_credit: Decimal | None

    def credit(self) -> Bound:
        return UNKNOWN if self.net_credit is None else Bound.limited(self.net_credit)

    def debit(self) -> Bound:
        return UNKNOWN if self.net_credit is None else Bound.limited(-self.net_credit)

    def minus_credit(self, amount: Decimal) -> Bound:
        return UNKNOWN if self.net_credit is None else Bound.limited(amount - self.net_credit)

    def plus_credit(self, amount: Decimal) -> Bound:
        return UNKNOWN if self.net_credit is None else Bound.limited(amount + self.net_credit)

    def prices(self, *moves: tuple[Decimal, int]) -> tuple[Decimal, ...]:
        """Breakevens: each strike moved by the net credit, in the given direction (+1/-1)."""
        if self.net_credit is None:
            return ()
        return tuple(strike + sign * self.net_credit for strike, sign in moves)


def _single(structure: Structure, per_share: _PerShare) -> tuple[Bound, Bound, tuple[Decimal, ...]]:
    leg = structure.parts[0].leg
    strike = leg.strike
    if leg.option_type is OptionType.CALL:
        if leg.side is Side.LONG:  # pays the debit, gains without limit above strike + debit
            return UNBOUNDED, per_share.debit(), per_share.prices((strike, -1))
        return per_share.credit(), UNBOUNDED, per_share.prices((strike, +1))
    if leg.side is Side.LONG:  # the underlying can fall to zero, no further
        return per_share.plus_credit(strike), per_share.debit(), per_share.prices((strike, +1))
    return per_share.credit(), per_share.minus_credit(strike), per_share.prices((strike, -1))


def _vertical(
    kind: StructureKind, strikes: list[Decimal], width: Decimal, per_share: _PerShare
) -> tuple[Bound, Bound, tuple[Decimal, ...]]:
    """A vertical is worth between 0 and its width at expiration.

    Credit (bull put, bear call): keep at most the credit, lose at most width - credit.
    Debit (bull call, bear put): lose at most the debit, make at most width - debit.
    The breakeven sits the premium away from the short strike (credit) or long strike (debit):
    for calls above the lower strike, for puts below the higher one.
    """
    low, high = strikes
    if kind is StructureKind.BULL_PUT_SPREAD:
        return per_share.credit(), per_share.minus_credit(width), per_share.prices((high, -1))
    if kind is StructureKind.BEAR_CALL_SPREAD:
        return per_share.credit(), per_share.minus_credit(width), per_share.prices((low, +1))
    if kind is StructureKind.BULL_CALL_SPREAD:
        return per_share.plus_credit(width), per_share.debit(), per_share.prices((low, -1))
    return per_share.plus_credit(width), per_share.debit(), per_share.prices((high, +1))


def _net_credit(structure: Structure) -> Decimal | None:
    """Signed premium per share per spread: short parts' cost basis minus long parts'."""
    total = Decimal(0)
    for part in structure.parts:
        basis = part.leg.cost_basis_per_contract
        if basis is None:
            return None
        ratio = part.contracts // structure.quantity
        total += -part.leg.side.sign * basis * ratio
    return total / CONTRACT_MULTIPLIER


def _in_dollars(bound: Bound, quantity: int) -> Bound:
    if bound.amount is None:
        return bound
    return Bound.limited(bound.amount * CONTRACT_MULTIPLIER * quantity)
