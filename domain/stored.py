"""An account's legs as the store holds them: what a sync compares each broker row against.

Most syncs change nothing, so the sync compares values, and builds a validated
:class:`OptionLeg` only for a leg it reports (changed or removed). A store therefore hands the
sync its rows as records: for each side, each contract's values. Records are plain tuples of
numbers and times, and the contracts are the parser's own symbols, so reading a large account
makes no object per row that Python's cyclic collector must keep walking.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TypeAlias

from .enums import Side
from .legs import OptionLeg
from .occ import OccSymbol

__all__ = ["ContractSide", "LegRecord", "StoredLegs"]

ContractSide: TypeAlias = tuple[OccSymbol, Side]
"""What identifies a leg within one account: the contract and the side it is held on."""

LegRecord: TypeAlias = tuple[int, Decimal | None, Decimal | None, datetime, datetime | None]
"""One stored leg's data: ``(quantity, cost_basis_per_contract, last_price, updated_at,
marked_at)``, typed as the store read it; :meth:`StoredLegs.leg` turns it into a validated
leg."""


@dataclass(frozen=True, slots=True)
class StoredLegs:
    """One account's stored legs: ``long`` and ``short`` map each contract to its record."""

    account_id: str
    long: dict[OccSymbol, LegRecord] = field(default_factory=dict)
    short: dict[OccSymbol, LegRecord] = field(default_factory=dict)

    @classmethod
    def from_legs(cls, account_id: str, legs: Iterable[OptionLeg]) -> StoredLegs:
        """The records of ``legs``, all of ``account_id`` (a store without a faster way, a test)."""
        stored = cls(account_id)
        for leg in legs:
            if leg.account_id != account_id:
                raise ValueError(
                    f"a leg of account {leg.account_id!r} among the legs of {account_id!r}"
                )
            stored.side(leg.side)[leg.occ] = (
                leg.quantity,
                leg.cost_basis_per_contract,
                leg.last_price,
                leg.updated_at,
                leg.marked_at,
            )
        return stored

    def __len__(self) -> int:
        return len(self.long) + len(self.short)

    def side(self, side: Side) -> dict[OccSymbol, LegRecord]:
        """The records of the legs held on ``side``."""
        return self.long if side is Side.LONG else self.short

    def leg(self, occ: OccSymbol, side: Side) -> OptionLeg:
        """The validated leg of one record; raises ``ValueError`` for a record that is not one."""
        quantity, cost, last_price, updated_at, marked_at = self.side(side)[occ]
        return OptionLeg(
            self.account_id, occ, side, quantity, cost, last_price, updated_at, marked_at
        )

    def legs(self) -> Iterator[OptionLeg]:
        """Every stored leg, validated: longs, then shorts."""
        for side in Side:
            for occ in self.side(side):
                yield self.leg(occ, side)
