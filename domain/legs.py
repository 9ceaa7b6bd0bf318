"""The mirrored leg: one row of ``portfolio_positions``, one contract held on one side."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from typing import NamedTuple, TypeGuard

from .enums import OptionType, Side
from .occ import OccSymbol
from .underlying import underlying_for_root

__all__ = ["MAX_CONTRACTS", "LegKey", "OptionLeg", "amount_fits", "canonical_decimal"]

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
        return tuple.__new__(OccSymbol, (self.root, self.expiration, self.option_type, self.strike))

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


@dataclass(frozen=True, slots=True, init=False)
class OptionLeg:
    """One option contract held long or short in one account, as the broker last reported it.

    ``quantity`` is whole contracts and never negative: the direction lives in ``side``.
    ``updated_at`` moves only when the leg's data changes, so it says when the position last
    changed, not when it was last looked at.
    """

    account_id: str
    occ: OccSymbol
    side: Side
    quantity: int
    cost_basis_per_contract: Decimal | None
    last_price: Decimal | None
    updated_at: datetime

    def __init__(
        self,
        account_id: str,
        occ: OccSymbol,
        side: Side,
        quantity: int,
        cost_basis_per_contract: Decimal | None,
        last_price: Decimal | None,
        updated_at: datetime,
    ) -> None:
        # Every leg is checked as it is built. A sync builds one per broker row and one per
        # stored row, so the checks run on the arguments and the values go straight into the
        # slots: the generated frozen __init__ and a __post_init__ cost three times as much.
        if not isinstance(account_id, str) or not account_id:
            raise ValueError(f"account_id must be a non-empty string, got {account_id!r}")
        if not isinstance(occ, OccSymbol):
            raise TypeError(f"occ must be an OccSymbol, got {type(occ).__name__}")
        if not isinstance(side, Side):
            raise TypeError(f"side must be a Side, got {side!r}")
        if type(quantity) is not int or not 0 <= quantity <= MAX_CONTRACTS:
            raise ValueError(
                f"quantity must be a whole number from 0 to {MAX_CONTRACTS}, got {quantity!r}"
            )
        if cost_basis_per_contract is not None and not isinstance(cost_basis_per_contract, Decimal):
            raise TypeError(
                "cost_basis_per_contract must be a Decimal or None, "
                f"got {type(cost_basis_per_contract).__name__}"
            )
        if last_price is not None and not isinstance(last_price, Decimal):
            raise TypeError(
                f"last_price must be a Decimal or None, got {type(last_price).__name__}"
            )
        if updated_at.tzinfo is not UTC and updated_at.utcoffset() != _ZERO:  # UTC: known 0
            raise ValueError(f"updated_at must be an aware UTC datetime, got {updated_at!r}")
        _set_account_id(self, account_id)
        _set_occ(self, occ)
        _set_side(self, side)
        _set_quantity(self, quantity)
        _set_cost_basis_per_contract(self, cost_basis_per_contract)
        _set_last_price(self, last_price)
        _set_updated_at(self, updated_at)

    @property
    def key(self) -> LegKey:
        root, expiration, option_type, strike = self.occ
        return tuple.__new__(
            LegKey, (self.account_id, root, expiration, option_type, strike, self.side)
        )

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
        """Whether two readings of a leg hold the same data, whatever their timestamps."""
        return (
            # The key's parts, compared without building the two keys.
            self.occ == other.occ
            and self.side == other.side
            and self.account_id == other.account_id
            and self.quantity == other.quantity
            and self.cost_basis_per_contract == other.cost_basis_per_contract
            and self.last_price == other.last_price
        )


_ZERO = timedelta(0)
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)

# The slots' own setters: a frozen leg's fields are written once, by __init__, through these.
_set_account_id = OptionLeg.__dict__["account_id"].__set__
_set_occ = OptionLeg.__dict__["occ"].__set__
_set_side = OptionLeg.__dict__["side"].__set__
_set_quantity = OptionLeg.__dict__["quantity"].__set__
_set_cost_basis_per_contract = OptionLeg.__dict__["cost_basis_per_contract"].__set__
_set_last_price = OptionLeg.__dict__["last_price"].__set__
_set_updated_at = OptionLeg.__dict__["updated_at"].__set__


def canonical_decimal(value: Decimal) -> str:
    """The shortest plain text of a Decimal: 450.000 and 450 both give '450', never '4.5E+2'.

    It is the store's text of a strike (part of a leg's id) and of every amount on SQLite, so
    it depends on the value alone, never on the thread's decimal context (whose ``capitals``
    would write ``4.5e+2`` and whose precision might round).
    """
    if value.__class__ is Decimal:
        # The common case, in about half the time of normalizing: a value whose own text is
        # plain (``5435.00``, ``207.01``, ``-0.50``) loses its trailing zeros as text.
        text = str(value)
        if "E" not in text and "e" not in text:
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            return "0" if text == "-0" else text
    normal = value.normalize(_EXACT)  # never rounded: the thread's context might, at 28 digits
    text = format(normal, "f")  # plain, whatever the context's capitals
    return "0" if text == "-0" else text
