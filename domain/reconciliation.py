"""Reconciliation: what the broker (through the mirror) holds of a trade, and what may be exited.

The engine remembers what it opened; the mirror knows what the broker holds. This module is
where the two meet, and it leans towards doing nothing whenever they disagree:

- A trade's legs are found by account, OCC contract and side, never by the broker order id the
  trade was opened with (orders get replaced, positions get merged).
- An exit never asks for more spreads than every leg can cover: the minimum over the legs of
  the contracts available to the trade (:mod:`legsync.domain.claims`) divided by the per-spread
  ratio, capped by the trade's quantity, and zero when a leg is missing, the trade is
  unmanaged or closed, or the mirror is not fresh.
- Phantoms (nothing held) and partial trades (a leg missing or short) are judged only for
  managed open trades, and only against a fresh mirror (see :func:`mirror_state`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .claims import LegClaims, contract_ratios
from .enums import Side
from .legs import OptionLeg
from .occ import OccSymbol
from .stored import ContractSide
from .sync_run import SyncRun
from .trades import Trade

__all__ = [
    "DEFAULT_MAX_MIRROR_AGE",
    "LegHolding",
    "MirrorState",
    "SpreadPositions",
    "TradeHealth",
    "TradeJudgement",
    "exit_quantity",
    "judge_managed_trades",
    "mirror_state",
    "spread_positions_for_trade",
]


DEFAULT_MAX_MIRROR_AGE = timedelta(minutes=15)
"""How old a mirror's last good sync may be before nothing is judged or exited from it.

A watch loop syncs every minute, and backs off to at most 15 minutes while the broker fails:
a live engine's mirror that is older than that has missed a fill, an assignment or an expiry
the engine would size an exit from. Long enough that a few failed reads in a row do not stop
the engine, short enough that a mirror nobody refreshes stops it the same trading session.
"""


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
    if last_run.counts.errors or not last_run.pruned:
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
    holdings = []
    for (occ, side), ratio in contract_ratios(trade).items():
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


def exit_quantity(
    trade: Trade, claims: Mapping[ContractSide, LegClaims], *, mirror_fresh: bool
) -> int:
    """How many spreads of ``trade`` may be closed now, given the account's claims
    (:func:`~legsync.domain.claims.claims_on_legs` over the mirror's legs and the open trades).

    The minimum over the trade's legs of (contracts available to it // contracts per spread),
    capped by the trade's quantity. Zero when the mirror is not fresh, the trade is unmanaged
    or not open, or any leg is missing or over-claimed: closing what is not held, or what may
    be another trade's, would open a new position instead.
    """
    if not mirror_fresh or not trade.is_managed or not trade.is_open:
        return 0
    spreads = trade.quantity
    for held, ratio in contract_ratios(trade).items():
        leg = claims.get(held)
        available = 0 if leg is None else leg.available_to(trade)
        spreads = min(spreads, available // ratio)
    return spreads


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
