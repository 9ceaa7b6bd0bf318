"""Reconciliation: what the broker (through the mirror) holds of a trade, and what may be exited.

The engine remembers what it opened; the mirror knows what the broker holds. This module is
where the two meet, and it leans towards doing nothing whenever they disagree:

- A trade's legs are found by account, OCC contract and side, never by the broker order id the
  trade was opened with (orders get replaced, positions get merged).
- An exit never asks for more spreads than every leg can cover: the minimum over the legs of
  contracts held divided by the per-spread ratio, capped by the trade's quantity, and zero when
  a leg is missing, the trade is unmanaged or closed, or the mirror is not fresh.
- Phantoms (nothing held) and partial trades (a leg missing or short) are judged only for
  managed open trades, and only against a fresh mirror (see :func:`mirror_state`).
- Two managed trades may expect the same contracts. Exits are then sized in trade-id order
  (:func:`legs_left_for`), so that all the exits together never ask for more than is held,
  and ``check`` reports the contracts claimed more than once (:func:`overclaimed_contracts`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from .enums import Side
from .legs import OptionLeg
from .occ import OccSymbol
from .sync_run import SyncRun
from .trades import Trade

__all__ = [
    "LegHolding",
    "MirrorState",
    "Overclaim",
    "SpreadPositions",
    "TradeHealth",
    "TradeJudgement",
    "exit_quantity",
    "judge_managed_trades",
    "legs_left_for",
    "mirror_state",
    "overclaimed_contracts",
    "spread_positions_for_trade",
]


class MirrorState(StrEnum):
    """Whether an account's mirror may be trusted to say what the broker holds."""

    FRESH = "fresh"
    NEVER_SYNCED = "never_synced"
    LAST_SYNC_FAILED = "last_sync_failed"
    LAST_SYNC_INCOMPLETE = "last_sync_incomplete"
    TOO_OLD = "too_old"

    @property
    def is_fresh(self) -> bool:
        return self is MirrorState.FRESH

    @property
    def reason(self) -> str:
        return _MIRROR_REASONS[self]


_MIRROR_REASONS = {
    MirrorState.FRESH: "the last sync read the whole account",
    MirrorState.NEVER_SYNCED: "the account has never been synced",
    MirrorState.LAST_SYNC_FAILED: "the last sync failed; the mirror may be out of date",
    MirrorState.LAST_SYNC_INCOMPLETE: (
        "the last sync could not read every broker row and deleted nothing; "
        "the mirror may hold legs the broker no longer has"
    ),
    MirrorState.TOO_OLD: "the last good sync is older than the allowed age",
}


def mirror_state(
    last_run: SyncRun | None, now: datetime | None = None, max_age: timedelta | None = None
) -> MirrorState:
    """Judge the mirror of an account by its most recent sync run.

    Fresh only when that run succeeded *and* read every row: a run with row errors skips the
    prune, so the mirror may still hold legs the broker closed, and an exit sized from them
    could sell what is not there. With ``max_age`` (and ``now``), a fresh run must also have
    finished within that age.
    """
    if last_run is None:
        return MirrorState.NEVER_SYNCED
    if not last_run.success:
        return MirrorState.LAST_SYNC_FAILED
    if last_run.errors or not last_run.pruned:
        return MirrorState.LAST_SYNC_INCOMPLETE
    if max_age is not None:
        if now is None or now.utcoffset() != timedelta(0):
            raise ValueError(f"judging a mirror's age needs now, aware in UTC, got {now!r}")
        if now - last_run.finished_at > max_age:
            return MirrorState.TOO_OLD
    return MirrorState.FRESH


class TradeHealth(StrEnum):
    """How a trade's expected legs compare with what the mirror holds."""

    INTACT = "intact"
    PARTIAL = "partial"
    PHANTOM = "phantom"


@dataclass(frozen=True, slots=True)
class LegHolding:
    """One contract and side a trade expects, and what the mirror holds of it.

    ``ratio`` is contracts per spread (summed, should a trade name the same contract and side
    twice); ``needed`` is ratio times the trade's quantity; ``held`` is what the mirrored leg
    holds, 0 when there is none.
    """

    occ: OccSymbol
    side: Side
    ratio: int
    needed: int
    held: int
    leg: OptionLeg | None

    @property
    def missing(self) -> bool:
        return self.held == 0

    @property
    def shortfall(self) -> int:
        return max(0, self.needed - self.held)

    @property
    def spreads_covered(self) -> int:
        """How many spreads this leg alone could close."""
        return self.held // self.ratio

    @property
    def problem(self) -> str | None:
        """Why this leg falls short, in words, or None when it is fully held."""
        name = f"{self.side.value} {self.occ.format()}"
        if self.missing:
            return f"{name}: none held, {self.needed} expected"
        if self.shortfall:
            return f"{name}: {self.held} held, {self.needed} expected"
        return None


@dataclass(frozen=True, slots=True)
class SpreadPositions:
    """A trade and, for each contract it expects, what the mirror holds."""

    trade: Trade
    holdings: tuple[LegHolding, ...]

    @property
    def missing(self) -> tuple[LegHolding, ...]:
        return tuple(h for h in self.holdings if h.missing)

    @property
    def short(self) -> tuple[LegHolding, ...]:
        """Legs held, but fewer than the trade expects."""
        return tuple(h for h in self.holdings if not h.missing and h.shortfall)

    @property
    def spreads_held(self) -> int:
        """Whole spreads the mirror holds of every leg (not capped by the trade's quantity)."""
        return min(h.spreads_covered for h in self.holdings)

    @property
    def health(self) -> TradeHealth:
        if all(h.missing for h in self.holdings):
            return TradeHealth.PHANTOM
        if any(h.shortfall for h in self.holdings):
            return TradeHealth.PARTIAL
        return TradeHealth.INTACT

    @property
    def reasons(self) -> tuple[str, ...]:
        """What falls short, leg by leg, in the trade's order."""
        return tuple(h.problem for h in self.holdings if h.problem is not None)


def spread_positions_for_trade(trade: Trade, legs: Iterable[OptionLeg]) -> SpreadPositions:
    """The mirrored legs of ``trade``: same account, OCC contract and side as each leg it
    expects. Legs of other accounts are ignored; a leg given twice is refused (ValueError)."""
    held: dict[tuple[OccSymbol, Side], OptionLeg] = {}
    for leg in legs:
        if leg.account_id != trade.account_id:
            continue
        if (leg.occ, leg.side) in held:
            raise ValueError(f"leg {leg.key.as_id()} appears more than once; each leg is one row")
        held[leg.occ, leg.side] = leg
    ratios: dict[tuple[OccSymbol, Side], int] = {}
    for expected in trade.legs:
        contract = (expected.occ, expected.side)
        ratios[contract] = ratios.get(contract, 0) + expected.ratio
    holdings = []
    for (occ, side), ratio in ratios.items():
        found = held.get((occ, side))
        holdings.append(
            LegHolding(
                occ=occ,
                side=side,
                ratio=ratio,
                needed=ratio * trade.quantity,
                held=0 if found is None else found.quantity,
                leg=found,
            )
        )
    return SpreadPositions(trade=trade, holdings=tuple(holdings))


def exit_quantity(trade: Trade, legs: Iterable[OptionLeg], *, mirror_fresh: bool) -> int:
    """How many spreads of ``trade`` may be closed now.

    The minimum over the trade's legs of (contracts held // contracts per spread), capped by
    the trade's quantity. Zero when the mirror is not fresh, the trade is unmanaged or not
    open, or any leg is missing: closing what is not held would open a new position instead.
    """
    if not mirror_fresh or not trade.is_managed or not trade.is_open:
        return 0
    positions = spread_positions_for_trade(trade, legs)
    if positions.missing:
        return 0
    return min(positions.spreads_held, trade.quantity)


def _claims(trade: Trade) -> dict[tuple[OccSymbol, Side], int]:
    """Contracts a trade expects to hold, per contract and side (quantity x ratio)."""
    claims: dict[tuple[OccSymbol, Side], int] = {}
    for expected in trade.legs:
        contract = (expected.occ, expected.side)
        claims[contract] = claims.get(contract, 0) + expected.ratio * trade.quantity
    return claims


def _engine_trades(trades: Iterable[Trade], account_id: str) -> list[Trade]:
    """The account's managed open trades, in the order exits are sized: by id."""
    return sorted(
        (t for t in trades if t.account_id == account_id and t.is_managed and t.is_open),
        key=lambda t: (t.id is None, t.id or 0),
    )


def legs_left_for(
    trade: Trade, trades: Iterable[Trade], legs: Iterable[OptionLeg]
) -> list[OptionLeg]:
    """The legs, less what the managed open trades ahead of ``trade`` (lower ids) claim.

    Sizing each exit against what is left after the trades before it means the exits of all
    managed trades together never exceed what the broker holds of any contract, even when two
    trades expect the same contracts.
    """
    taken: dict[tuple[OccSymbol, Side], int] = {}
    for other in _engine_trades(trades, trade.account_id):
        if other.id == trade.id and other.id is not None:
            break
        for contract, count in _claims(other).items():
            taken[contract] = taken.get(contract, 0) + count
    left = []
    for leg in legs:
        rest = leg.quantity - taken.get((leg.occ, leg.side), 0)
        if rest > 0:
            left.append(leg if rest == leg.quantity else replace(leg, quantity=rest))
    return left


@dataclass(frozen=True, slots=True)
class Overclaim:
    """A contract the managed open trades together expect more of than the broker holds."""

    occ: OccSymbol
    side: Side
    held: int
    claimed: int
    trade_ids: tuple[int | None, ...]

    @property
    def reason(self) -> str:
        ids = ", ".join(str(i) for i in self.trade_ids)
        return (
            f"{self.side.value} {self.occ.format()}: trades {ids} expect {self.claimed}, "
            f"{self.held} held"
        )


def overclaimed_contracts(
    trades: Iterable[Trade], legs: Iterable[OptionLeg], account_id: str
) -> tuple[Overclaim, ...]:
    """Contracts claimed by more than one managed open trade beyond what is held."""
    held = {(leg.occ, leg.side): leg.quantity for leg in legs if leg.account_id == account_id}
    claimed: dict[tuple[OccSymbol, Side], int] = {}
    claimants: dict[tuple[OccSymbol, Side], list[int | None]] = {}
    for trade in _engine_trades(trades, account_id):
        for contract, count in _claims(trade).items():
            claimed[contract] = claimed.get(contract, 0) + count
            claimants.setdefault(contract, []).append(trade.id)
    return tuple(
        Overclaim(occ, side, held.get((occ, side), 0), count, tuple(claimants[occ, side]))
        for (occ, side), count in sorted(claimed.items(), key=lambda item: item[0])
        if len(claimants[occ, side]) > 1 and count > held.get((occ, side), 0)
    )


@dataclass(frozen=True, slots=True)
class TradeJudgement:
    """Managed open trades sorted by health; unmanaged and closed trades are not judged."""

    phantoms: tuple[SpreadPositions, ...]
    partials: tuple[SpreadPositions, ...]
    intact: tuple[SpreadPositions, ...]


def judge_managed_trades(trades: Sequence[Trade], legs: Iterable[OptionLeg]) -> TradeJudgement:
    """Which managed open trades are phantoms (nothing held) or partial (a leg missing or short).

    Call it only with a fresh mirror's legs: against a stale one every judgement is a guess.
    """
    legs = tuple(legs)
    judged = [
        spread_positions_for_trade(trade, legs)
        for trade in trades
        if trade.is_managed and trade.is_open
    ]
    return TradeJudgement(
        phantoms=tuple(p for p in judged if p.health is TradeHealth.PHANTOM),
        partials=tuple(p for p in judged if p.health is TradeHealth.PARTIAL),
        intact=tuple(p for p in judged if p.health is TradeHealth.INTACT),
    )
