"""The mirrored leg: one row of ``portfolio_positions``, one contract held on one side."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_EVEN, Context, Decimal
from typing import NamedTuple, TypeGuard

from .enums import OptionType, Side
from .occ import OccSymbol
from .underlying import underlying_for_root

__all__ = [
    "MAX_CONTRACTS",
    "LegKey",
    "OptionLeg",
    "amount_fits",
    "canonical_decimal",
    "cost_basis_per_contract",
    "cost_per_unit",
]

MAX_CONTRACTS = 2**31 - 1
"""The most contracts one leg can hold: what the store's ``quantity`` column holds on every
database (PostgreSQL's ``INTEGER``). No exchange allows a position near it; a broker row above it
is garbled, and must be reported as such rather than fail the whole sync in the store."""

_LOWEST, _HIGHEST = -16_300, 131_000
"""Powers of ten an amount must lie strictly between: PostgreSQL's NUMERIC holds up to 131,072
digits before the point and 16,383 after, and a cost per contract, 34 digits at most (the sync's
money context), lies within ten powers of its cost basis (at most ``MAX_CONTRACTS``)."""


def amount_fits(value: object) -> TypeGuard[Decimal]:
    """Whether ``value`` is an amount every store holds: a finite Decimal within the powers of
    ten above. Any real amount is far inside; a garbled one outside is a row error (or a mark
    left unused), never a sync that fails in one store and not in another."""
    return (
        isinstance(value, Decimal) and value.is_finite() and _LOWEST < value.adjusted() < _HIGHEST
    )


class LegKey(NamedTuple):
    """What makes a leg unique in an account.

    The root, not the underlying, is part of the key: an SPX and an SPXW contract with the same
    date and strike are different contracts. Long and short of one contract are separate legs.
    """

    account_id: str
    root: str
    expiration: date
    option_type: OptionType
    strike: Decimal
    side: Side

    @property
    def occ(self) -> OccSymbol:
        return OccSymbol(self.root, self.expiration, self.option_type, self.strike)

    def as_id(self) -> str:
        """A deterministic text id for the store: equal keys always give the same id."""
        return "|".join(
            (
                self.account_id,
                self.root,
                self.expiration.isoformat(),
                self.option_type.value,
                canonical_decimal(self.strike),
                self.side.value,
            )
        )


@dataclass(frozen=True, slots=True)
class OptionLeg:
    """One option contract held long or short in one account, as the broker last reported it.

    ``quantity`` is whole contracts and never negative: the direction lives in ``side``.
    ``updated_at`` moves only when the leg's data changes, so it says when the position last
    changed, not when it was last looked at. ``marked_at`` is when the price in ``last_price``
    was taken; None when unknown (never marked, or marked before the store kept the time).
    Every leg is checked as it is built.
    """

    account_id: str
    occ: OccSymbol
    side: Side
    quantity: int
    cost_basis_per_contract: Decimal | None
    last_price: Decimal | None
    updated_at: datetime
    marked_at: datetime | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.account_id, str) or not self.account_id:
            raise ValueError(f"account_id must be a non-empty string, got {self.account_id!r}")
        if not isinstance(self.occ, OccSymbol):
            raise TypeError(f"occ must be an OccSymbol, got {type(self.occ).__name__}")
        if not isinstance(self.side, Side):
            raise TypeError(f"side must be a Side, got {self.side!r}")
        if type(self.quantity) is not int or not 0 <= self.quantity <= MAX_CONTRACTS:
            raise ValueError(
                f"quantity must be a whole number from 0 to {MAX_CONTRACTS}, got {self.quantity!r}"
            )
        for name in ("cost_basis_per_contract", "last_price"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Decimal):
                raise TypeError(f"{name} must be a Decimal or None, got {type(value).__name__}")
        if self.updated_at.utcoffset() != timedelta(0):
            raise ValueError(f"updated_at must be an aware UTC datetime, got {self.updated_at!r}")
        if self.marked_at is not None and (
            not isinstance(self.marked_at, datetime) or self.marked_at.utcoffset() != timedelta(0)
        ):
            raise ValueError(f"marked_at must be an aware UTC datetime, got {self.marked_at!r}")

    @property
    def key(self) -> LegKey:
        root, expiration, option_type, strike = self.occ
        return LegKey(self.account_id, root, expiration, option_type, strike, self.side)

    @property
    def symbol(self) -> str:
        """The underlying (SPXW legs say SPX), as the store's ``symbol`` column holds it."""
        return underlying_for_root(self.occ.root)

    @property
    def root(self) -> str:
        return self.occ.root

    @property
    def expiration(self) -> date:
        return self.occ.expiration

    @property
    def option_type(self) -> OptionType:
        return self.occ.option_type

    @property
    def strike(self) -> Decimal:
        return self.occ.strike

    @property
    def occ_symbol(self) -> str:
        return self.occ.format()

    @property
    def signed_quantity(self) -> int:
        return self.quantity * self.side.sign

    def same_position_as(self, other: OptionLeg) -> bool:
        """Whether two readings of a leg hold the same data, whatever their timestamps
        (``updated_at`` and ``marked_at``): a mark taken again at the same price is no change."""
        return (
            self.key == other.key
            and self.quantity == other.quantity
            and self.cost_basis_per_contract == other.cost_basis_per_contract
            and self.last_price == other.last_price
        )


_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
_MONEY = Context(prec=34, rounding=ROUND_HALF_EVEN)
"""Division of money: exact whenever the quotient terminates within 34 digits, which covers
every real cost basis; otherwise rounded half-even, never through a float, and never in the
caller's thread context."""


def cost_basis_per_contract(cost_basis: Decimal | None, contracts: int) -> Decimal | None:
    """``abs(cost_basis) / contracts``: the broker's total includes the x100 multiplier, and the
    sign of a short's cost basis is not documented, so only the magnitude is kept."""
    return cost_per_unit(cost_basis, Decimal(contracts))


def cost_per_unit(cost_basis: Decimal | None, units: Decimal) -> Decimal | None:
    """``abs(cost_basis) / abs(units)`` in one fixed context, whatever the thread's: the one
    rule for a cost per contract and a cost per share, so a value gives one stored amount."""
    if cost_basis is None:
        return None
    return _MONEY.divide(cost_basis.copy_abs(), units.copy_abs())


def canonical_decimal(value: Decimal) -> str:
    """The shortest plain text of a Decimal: 450.000 and 450 both give '450', never '4.5E+2'.

    It is the store's text of a strike (part of a leg's id) and of every amount on SQLite, so
    it depends on the value alone, never on the thread's decimal context (whose ``capitals``
    would write ``4.5e+2`` and whose precision might round).
    """
    text = format(value.normalize(_EXACT), "f")  # never rounded, plain whatever the capitals
    return "0" if text == "-0" else text
