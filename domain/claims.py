"""Claims: which open trade may act on how many of the contracts the broker holds.

A trade of ``quantity`` spreads claims ``ratio x quantity`` contracts of each leg it names. The
broker only says how many contracts a leg holds, never whose they are, so the claims of all open
trades on a leg (managed or not) are weighed against that one number, and the rule leans towards
doing nothing:

- Contracts claimed by an unmanaged trade are never available to any managed trade: the managed
  switch protects positions, not just trade rows.
- When the trades that name a leg claim more than the broker holds, the leg is *over-claimed*:
  nobody can say whose contracts are gone, so every trade on that leg may act on none of it
  until a person resolves the claims (closes or corrects a trade).
- A leg one trade alone claims more of than is held is *short*, not over-claimed: its contracts
  are that trade's, and it may act on what is held.

Every answer comes from :func:`claims_on_legs`, the one place this arithmetic lives: exit sizes,
``check``'s over-claimed report and the import's "what no trade claims" all read its result.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .enums import Side
from .legs import OptionLeg
from .occ import OccSymbol
from .stored import ContractSide
from .trades import Trade

__all__ = ["LegClaims", "claims_on_legs", "contract_ratios", "contracts_claimed"]


def contract_ratios(trade: Trade) -> dict[ContractSide, int]:
    """Contracts per spread of each contract and side ``trade`` names, in the trade's order
    (summed when a legacy trade names one contract and side twice)."""
    ratios: dict[ContractSide, int] = {}
    for expected in trade.legs:
        held = (expected.occ, expected.side)
        ratios[held] = ratios.get(held, 0) + expected.ratio
    return ratios


def contracts_claimed(trade: Trade) -> dict[ContractSide, int]:
    """What ``trade`` claims of each contract and side: ratio x quantity."""
    return {held: ratio * trade.quantity for held, ratio in contract_ratios(trade).items()}


@dataclass(frozen=True, slots=True)
class LegClaims:
    """One contract and side of one account: what the broker holds and who claims how much.

    ``claims`` pairs each open trade naming the leg with the contracts it claims, in trade-id
    order.
    """

    occ: OccSymbol
    side: Side
    held: int
    claims: tuple[tuple[Trade, int], ...]

    @property
    def claimed(self) -> int:
        return sum(count for _, count in self.claims)

    @property
    def overclaimed(self) -> bool:
        """Two or more trades claim more than is held: whose contracts are gone is unknown."""
        return len(self.claims) > 1 and self.claimed > self.held

    @property
    def unclaimed(self) -> int:
        """Contracts held that no open trade claims (none of an over-claimed leg)."""
        return max(0, self.held - self.claimed)

    def available_to(self, trade: Trade) -> int:
        """How many of the held contracts ``trade`` may act on: its own claim, within what the
        other trades' claims leave of the holding; none on an over-claimed leg."""
        if self.overclaimed:
            return 0
        own = sum(count for claimant, count in self.claims if claimant == trade)
        others = self.claimed - own
        return max(0, min(own, self.held - others))

    @property
    def reason(self) -> str:
        """The over-claim in words: which trades, how many each, against what is held."""
        each = ", ".join(f"trade {trade.id} claims {count}" for trade, count in self.claims)
        return f"{self.side.value} {self.occ.format()}: {each}; {self.held} held"


def claims_on_legs(
    account_id: str, legs: Iterable[OptionLeg], trades: Iterable[Trade]
) -> dict[ContractSide, LegClaims]:
    """Every contract and side of ``account_id`` that is held or claimed by an open trade.

    Legs and trades of other accounts, and closed trades, are ignored. Raises ValueError when a
    leg is given twice: each leg is one row, and two rows would be two different holdings.
    """
    held: dict[ContractSide, int] = {}
    for leg in legs:
        if leg.account_id != account_id:
            continue
        if (leg.occ, leg.side) in held:
            raise ValueError(f"leg {leg.key.as_id()} appears more than once; each leg is one row")
        held[leg.occ, leg.side] = leg.quantity
    claims: dict[ContractSide, list[tuple[Trade, int]]] = {}
    open_trades = (t for t in trades if t.account_id == account_id and t.is_open)
    for trade in sorted(open_trades, key=_trade_order):
        for contract, count in contracts_claimed(trade).items():
            claims.setdefault(contract, []).append((trade, count))
    return {
        (occ, side): LegClaims(
            occ, side, held.get((occ, side), 0), tuple(claims.get((occ, side), ()))
        )
        for occ, side in sorted({*held, *claims})
    }


def _trade_order(trade: Trade) -> tuple[bool, int]:
    return (trade.id is None, trade.id or 0)
