"""An account's legs as the store holds them: what a sync compares each broker row against.

A sync that finds nothing changed must cost little more than reading the account's rows. Building
a validated :class:`OptionLeg` and its :class:`LegKey` for every stored row, only to find it equal
to the broker's, cost more than the read itself. So a store hands the sync its rows in this
cheap form instead: each side indexed by the compact OCC symbol the store wrote, with the values a
comparison needs. A full leg is built only for the rows a sync really reports (changed or
removed), by :meth:`StoredLegs.leg`, which validates it like any other.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TypeAlias

from .enums import Side
from .legs import OptionLeg
from .occ import parse_occ_symbol

__all__ = ["LegRecord", "StoredLegs"]


LegRecord: TypeAlias = tuple[int, Decimal | None, Decimal | None, datetime]
"""One stored leg's data, without its account and contract (the index holds those):
``(quantity, cost_basis_per_contract, last_price, updated_at)``.

Values as the store read them, typed but not yet checked: :meth:`StoredLegs.leg` turns a record
into a validated leg. A plain tuple, not a named one: a store builds one per row on every sync,
and a plain tuple costs a sixth of a named tuple's construction.
"""


@dataclass(frozen=True, slots=True)
class StoredLegs:
    """One account's stored legs: ``long`` and ``short`` map a compact OCC symbol
    (``SPY240119C00450000``, as ``OccSymbol.format()`` writes it) to that leg's record.

    Two indexes rather than one keyed by (symbol, side): the broker's sign picks the index, so
    a lookup costs one dict access and no tuple. An OCC symbol names exactly one contract, so a
    symbol is unique within each index.
    """

    account_id: str
    long: dict[str, LegRecord] = field(default_factory=dict)
    short: dict[str, LegRecord] = field(default_factory=dict)

    @classmethod
    def from_legs(cls, account_id: str, legs: Iterable[OptionLeg]) -> StoredLegs:
        """The index of ``legs``, all of ``account_id`` (a store without a faster way, a test)."""
        stored = cls(account_id)
        for leg in legs:
            if leg.account_id != account_id:
                raise ValueError(
                    f"a leg of account {leg.account_id!r} among the legs of {account_id!r}"
                )
            side = stored.long if leg.side is Side.LONG else stored.short
            side[leg.occ_symbol] = (
                leg.quantity,
                leg.cost_basis_per_contract,
                leg.last_price,
                leg.updated_at,
            )
        return stored

    def __len__(self) -> int:
        return len(self.long) + len(self.short)

    def leg(self, symbol: str, side: Side, record: LegRecord) -> OptionLeg:
        """The validated leg of one record; raises ``InvalidOccSymbol`` or ``ValueError`` for a
        stored row that is not a valid leg."""
        quantity, cost_basis_per_contract, last_price, updated_at = record
        return OptionLeg(
            self.account_id,
            parse_occ_symbol(symbol),
            side,
            quantity,
            cost_basis_per_contract,
            last_price,
            updated_at,
        )

    def legs(self) -> Iterator[OptionLeg]:
        """Every stored leg, validated: longs, then shorts, each in the index's order."""
        for side, index in ((Side.LONG, self.long), (Side.SHORT, self.short)):
            for symbol, record in index.items():
                yield self.leg(symbol, side, record)
