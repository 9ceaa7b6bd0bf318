"""Option structures: which legs (and shares) are held together, and as what.

A :class:`Structure` is ``quantity`` units of one :class:`StructureKind`, made of parts of one
account's legs on one underlying, and for the stock strategies (covered call, collar,
conversion...) some of that account's shares. What makes a kind is its definition in
:mod:`legsync.domain.definitions`: construction checks the parts against it, so code that
figures risk from a structure can rely on its shape. :func:`legsync.domain.classification.
classify` finds the structures in an account's holdings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .definitions import shape_problem
from .enums import OptionType, Side
from .kinds import CREDIT_KINDS, DEBIT_KINDS, StructureKind
from .legs import OptionLeg
from .stock import StockPosition
from .trades import TradeLeg
from .underlying import has_standard_deliverable, underlying_for_root

__all__ = [
    "CREDIT_KINDS",
    "DEBIT_KINDS",
    "SHARES_PER_LOT",
    "StockPart",
    "Structure",
    "StructureKind",
    "StructurePart",
    "part_order",
]

SHARES_PER_LOT = 100
"""Shares one standard contract covers: a covered call is 100 shares and one short call."""


@dataclass(frozen=True, slots=True)
class StructurePart:
    """One leg's share in a structure: the mirrored leg and how many of its contracts."""

    leg: OptionLeg
    contracts: int

    def __post_init__(self) -> None:
        if type(self.contracts) is not int or not 0 < self.contracts <= self.leg.quantity:
            raise ValueError(
                f"a part of {self.leg.occ_symbol} ({self.leg.side.value}) uses between 1 and "
                f"{self.leg.quantity} contracts, got {self.contracts!r}"
            )


@dataclass(frozen=True, slots=True)
class StockPart:
    """Shares of one stock position used by a structure (100 per unit of a covered call)."""

    position: StockPosition
    shares: Decimal

    def __post_init__(self) -> None:
        if not isinstance(self.shares, Decimal) or not 0 < self.shares <= self.position.shares:
            raise ValueError(
                f"a part of {self.position.symbol} stock uses between 0 and "
                f"{self.position.shares} shares, got {self.shares!r}"
            )

    @property
    def side(self) -> Side:
        return self.position.side


@dataclass(frozen=True, slots=True)
class Structure:
    """``quantity`` units of one kind: option parts in canonical order (expiration, strike,
    puts before calls, long before short) and, for the stock strategies, a stock part.

    A named kind's parts hold whole multiples of its definition's ratios (a long call
    butterfly of 3 is 3, 6 and 3 contracts); a ``custom`` structure has quantity 1 and holds
    whatever it was given.
    """

    kind: StructureKind
    quantity: int
    parts: tuple[StructurePart, ...]
    stock: StockPart | None = None

    def __post_init__(self) -> None:
        if type(self.quantity) is not int or self.quantity < 1:
            raise ValueError(f"a structure holds at least one unit, got {self.quantity!r}")
        if not self.parts and self.stock is None:
            raise ValueError("a structure has at least one part")
        accounts = {p.leg.account_id for p in self.parts}
        underlyings = {underlying_for_root(p.leg.root) for p in self.parts}
        if self.stock is not None:
            accounts.add(self.stock.position.account_id)
            underlyings.add(self.stock.position.symbol)
        if len(accounts) != 1 or len(underlyings) != 1 or len({p.leg.root for p in self.parts}) > 1:
            raise ValueError(
                f"a {self.kind.value} is made of one account's legs of one root "
                "(and that root's shares)"
            )
        if self.stock is not None and self.parts and not has_standard_deliverable(self.root):
            raise ValueError(f"{self.root} is an adjusted contract: its shares do not pair")
        if len({p.leg.key for p in self.parts}) != len(self.parts):
            raise ValueError(f"a {self.kind.value} uses each leg once")
        if tuple(sorted(self.parts, key=part_order)) != self.parts:
            raise ValueError(f"the parts of a {self.kind.value} are not in canonical order")
        if self.kind is StructureKind.CUSTOM:
            if self.quantity != 1:
                raise ValueError("a custom structure has quantity 1: it holds what it was given")
            return
        problem = shape_problem(
            self.kind,
            self.quantity,
            tuple((p.leg, p.contracts) for p in self.parts),
            None if self.stock is None else (self.stock.side, self.stock.shares),
        )
        if problem is not None:
            raise ValueError(f"not a {self.kind.value} of {self.quantity}: {problem}")

    @property
    def account_id(self) -> str:
        if self.stock is not None:
            return self.stock.position.account_id
        return self.parts[0].leg.account_id

    @property
    def root(self) -> str:
        """The options' OCC root, or the stock's symbol for a structure of shares alone."""
        if self.parts:
            return self.parts[0].leg.root
        assert self.stock is not None
        return self.stock.position.symbol

    @property
    def symbol(self) -> str:
        """The underlying (SPXW structures say SPX), as a trade's ``symbol`` holds it."""
        return underlying_for_root(self.root)

    @property
    def expirations(self) -> tuple[date, ...]:
        """The distinct expirations, nearest first (none for shares alone)."""
        return tuple(sorted({p.leg.expiration for p in self.parts}))

    @property
    def legs(self) -> tuple[OptionLeg, ...]:
        return tuple(p.leg for p in self.parts)

    @property
    def standard_deliverable(self) -> bool:
        """Whether every contract is a standard one of 100 shares (no adjusted roots)."""
        return not self.parts or has_standard_deliverable(self.root)

    def ratio(self, part: StructurePart) -> int:
        """Contracts of ``part`` per unit of the structure."""
        return part.contracts // self.quantity

    def trade_legs(self) -> tuple[TradeLeg, ...]:
        """The option legs a trade holding this structure expects, with the per-unit ratio
        (a trade holds options only: the shares of a covered call stay in the mirror)."""
        return tuple(
            TradeLeg(occ=p.leg.occ, side=p.leg.side, ratio=self.ratio(p)) for p in self.parts
        )


_TYPE_ORDER = {OptionType.PUT: 0, OptionType.CALL: 1}
_SIDE_ORDER = {Side.LONG: 0, Side.SHORT: 1}


def part_order(part: StructurePart) -> tuple[date, Decimal, int, int]:
    """The canonical order of parts: expiration, strike, puts first, long first."""
    key = part.leg.key
    return (key.expiration, key.strike, _TYPE_ORDER[key.option_type], _SIDE_ORDER[key.side])
