"""Spread classification: which of an account's legs belong together, and as what.

The broker reports legs; a person (and the import command) thinks in structures: a bull put
spread, an iron condor. :func:`classify` groups legs into :class:`Structure` values so that
imported positions become trades the engine can reason about, and so that each structure's
risk can be computed (:mod:`legsync.domain.envelope`).

Rules, each chosen to be safe rather than clever:

- **Deterministic.** The legs are sorted by their key before anything is decided, and every
  choice between candidate pairings follows a total order, so the same legs in any order give
  the same structures, in the same order.
- **Conserving.** Every contract held is used by exactly one structure. Unequal quantities are
  split: 3 long and 2 short give a 2-lot vertical and a 1-lot single. Legs held zero times hold
  nothing and appear nowhere.
- **One root, one account.** Legs pair only with legs of the same account and the same OCC
  root. SPX and SPXW share an underlying but are different contracts (AM- versus PM-settled,
  different last trading moments); a "vertical" across them has no defined risk at the one
  moment that matters, so they are left apart. That errs towards more singles, i.e. towards
  reporting more risk than there is, never less.
- **Most defined risk first.** Verticals are formed first (narrowest width first, a credit
  spread before a debit spread of the same width), then a bull put spread and a bear call
  spread of one expiration combine into an iron condor (or an iron butterfly when the short
  strikes meet), then same-side puts and calls of one expiration form straddles and strangles,
  then a short near-dated and a long far-dated option of one type form a calendar (same
  strike) or a diagonal. What is left stays single.
- **Conservative shapes only.** Verticals never span expirations; an iron condor needs long put
  < short put < short call < long call in one expiration; a strangle needs the put's strike
  below the call's; a calendar or diagonal is short the near and long the far expiration.
  Reversed or inverted variants are left as their verticals or singles.

Every structure here holds its legs 1:1 (one contract of each part per spread).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from .enums import OptionType, Side
from .legs import LegKey, OptionLeg
from .trades import TradeLeg
from .underlying import underlying_for_root

__all__ = [
    "CREDIT_SPREADS",
    "DEBIT_SPREADS",
    "Structure",
    "StructureKind",
    "StructurePart",
    "classify",
]


class StructureKind(StrEnum):
    """What a group of legs is, by the standard names of option structures."""

    LONG_CALL = "long_call"
    SHORT_CALL = "short_call"
    LONG_PUT = "long_put"
    SHORT_PUT = "short_put"
    BULL_CALL_SPREAD = "bull_call_spread"
    BEAR_CALL_SPREAD = "bear_call_spread"
    BULL_PUT_SPREAD = "bull_put_spread"
    BEAR_PUT_SPREAD = "bear_put_spread"
    IRON_CONDOR = "iron_condor"
    IRON_BUTTERFLY = "iron_butterfly"
    LONG_STRADDLE = "long_straddle"
    SHORT_STRADDLE = "short_straddle"
    LONG_STRANGLE = "long_strangle"
    SHORT_STRANGLE = "short_strangle"
    CALENDAR = "calendar"
    DIAGONAL = "diagonal"

    @property
    def is_single(self) -> bool:
        return self in _SINGLES.values()

    @property
    def is_vertical(self) -> bool:
        return self in CREDIT_SPREADS or self in DEBIT_SPREADS


CREDIT_SPREADS = frozenset({StructureKind.BULL_PUT_SPREAD, StructureKind.BEAR_CALL_SPREAD})
"""Verticals that sell the option nearer the money: the premium is received up front."""

DEBIT_SPREADS = frozenset({StructureKind.BULL_CALL_SPREAD, StructureKind.BEAR_PUT_SPREAD})
"""Verticals that buy the option nearer the money: the premium is paid up front."""

_SINGLES = {
    (OptionType.CALL, Side.LONG): StructureKind.LONG_CALL,
    (OptionType.CALL, Side.SHORT): StructureKind.SHORT_CALL,
    (OptionType.PUT, Side.LONG): StructureKind.LONG_PUT,
    (OptionType.PUT, Side.SHORT): StructureKind.SHORT_PUT,
}

_P, _C, _L, _S = OptionType.PUT, OptionType.CALL, Side.LONG, Side.SHORT

# The (type, side) of each part, in the parts' canonical order (see _part_order).
_SIGNATURES: dict[StructureKind, tuple[tuple[OptionType, Side], ...]] = {
    **{kind: (type_side,) for type_side, kind in _SINGLES.items()},
    StructureKind.BULL_CALL_SPREAD: ((_C, _L), (_C, _S)),
    StructureKind.BEAR_CALL_SPREAD: ((_C, _S), (_C, _L)),
    StructureKind.BULL_PUT_SPREAD: ((_P, _L), (_P, _S)),
    StructureKind.BEAR_PUT_SPREAD: ((_P, _S), (_P, _L)),
    StructureKind.IRON_CONDOR: ((_P, _L), (_P, _S), (_C, _S), (_C, _L)),
    StructureKind.IRON_BUTTERFLY: ((_P, _L), (_P, _S), (_C, _S), (_C, _L)),
    StructureKind.LONG_STRADDLE: ((_P, _L), (_C, _L)),
    StructureKind.SHORT_STRADDLE: ((_P, _S), (_C, _S)),
    StructureKind.LONG_STRANGLE: ((_P, _L), (_C, _L)),
    StructureKind.SHORT_STRANGLE: ((_P, _S), (_C, _S)),
}

_TYPE_ORDER = {OptionType.PUT: 0, OptionType.CALL: 1}
_SIDE_ORDER = {Side.LONG: 0, Side.SHORT: 1}


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
class Structure:
    """``quantity`` spreads of one kind, made of parts of one account's legs of one root.

    The parts are in a canonical order: by expiration, then strike, puts before calls, long
    before short. For an iron condor that reads long put, short put, short call, long call; for
    a calendar, the short near leg and then the long far one. Construction checks that the
    parts have the kind's shape, so code that computes risk from a structure can rely on it.
    """

    kind: StructureKind
    quantity: int
    parts: tuple[StructurePart, ...]

    def __post_init__(self) -> None:
        if type(self.quantity) is not int or self.quantity < 1:
            raise ValueError(f"a structure holds at least one spread, got {self.quantity!r}")
        if not self.parts:
            raise ValueError("a structure has at least one part")
        first = self.parts[0].leg
        if any(
            p.leg.account_id != first.account_id or p.leg.root != first.root for p in self.parts
        ):
            raise ValueError(f"a {self.kind.value} is made of legs of one account and one root")
        if len({p.leg.key for p in self.parts}) != len(self.parts):
            raise ValueError(f"a {self.kind.value} uses each leg once")
        if any(p.contracts != self.quantity for p in self.parts):
            raise ValueError(
                f"a {self.kind.value} of {self.quantity} uses {self.quantity} contracts of each leg"
            )
        if tuple(sorted(self.parts, key=_part_order)) != self.parts:
            raise ValueError(f"the parts of a {self.kind.value} are not in canonical order")
        problem = _shape_problem(self.kind, [p.leg for p in self.parts])
        if problem is not None:
            raise ValueError(f"not a {self.kind.value}: {problem}")

    @property
    def account_id(self) -> str:
        return self.parts[0].leg.account_id

    @property
    def root(self) -> str:
        return self.parts[0].leg.root

    @property
    def symbol(self) -> str:
        """The underlying (SPXW structures say SPX), as a trade's ``symbol`` holds it."""
        return underlying_for_root(self.root)

    @property
    def expirations(self) -> tuple[date, ...]:
        """The distinct expirations, nearest first."""
        return tuple(sorted({p.leg.expiration for p in self.parts}))

    @property
    def legs(self) -> tuple[OptionLeg, ...]:
        return tuple(p.leg for p in self.parts)

    def trade_legs(self) -> tuple[TradeLeg, ...]:
        """The legs a trade holding this structure expects, with the per-spread ratio."""
        return tuple(
            TradeLeg(occ=p.leg.occ, side=p.leg.side, ratio=p.contracts // self.quantity)
            for p in self.parts
        )


def classify(legs: Iterable[OptionLeg]) -> tuple[Structure, ...]:
    """Group legs into structures; see the module's docstring for the rules.

    Raises ValueError when one leg (account, contract and side) appears twice: contradictory
    input is refused, never merged.
    """
    by_key: dict[LegKey, OptionLeg] = {}
    for leg in legs:
        if leg.key in by_key:
            raise ValueError(f"leg {leg.key.as_id()} appears more than once; each leg is one row")
        by_key[leg.key] = leg
    groups: defaultdict[tuple[str, str], list[LegKey]] = defaultdict(list)
    for key, leg in by_key.items():
        if leg.quantity > 0:
            groups[key.account_id, key.root].append(key)
    left = {key: by_key[key].quantity for keys in groups.values() for key in keys}
    built: list[Structure] = []
    for group in sorted(groups):
        keys = sorted(groups[group], key=_key_order)
        for kind, members, quantity in _classify_group(keys, left):
            parts = sorted((StructurePart(by_key[k], quantity) for k in members), key=_part_order)
            built.append(Structure(kind, quantity, tuple(parts)))
    return tuple(sorted(built, key=_structure_order))


# --- the matching ------------------------------------------------------------------------------

_Found = tuple[StructureKind, tuple[LegKey, ...], int]
_T = TypeVar("_T", bound=Hashable)
_Order = tuple[Any, ...]  # a sort key of mixed, mutually comparable fields


def _classify_group(keys: list[LegKey], left: dict[LegKey, int]) -> list[_Found]:
    """Structures of one account and root; ``left`` counts the contracts not yet used."""
    found: list[_Found] = []
    verticals = _pair(_vertical_candidates(keys), left)
    found.extend(_combine_iron(verticals))
    live = [k for k in keys if left[k] > 0]
    for put, call, quantity in _pair(_straddle_candidates(live), left):
        straddle = put.strike == call.strike
        if put.side is Side.LONG:
            kind = StructureKind.LONG_STRADDLE if straddle else StructureKind.LONG_STRANGLE
        else:
            kind = StructureKind.SHORT_STRADDLE if straddle else StructureKind.SHORT_STRANGLE
        found.append((kind, (put, call), quantity))
    live = [k for k in keys if left[k] > 0]
    for near, far, quantity in _pair(_calendar_candidates(live), left):
        kind = StructureKind.CALENDAR if near.strike == far.strike else StructureKind.DIAGONAL
        found.append((kind, (near, far), quantity))
    for key in keys:
        if left[key] > 0:
            found.append((_SINGLES[key.option_type, key.side], (key,), left[key]))
            left[key] = 0
    return found


def _pair(candidates: list[tuple[_Order, _T, _T]], left: dict[_T, int]) -> list[tuple[_T, _T, int]]:
    """Greedy matching in the candidates' order: each pair takes all it can of both sides.

    The orders given by the callers are total (they end with the members' distinguishing
    fields), which is what makes the result independent of the input's order.
    """
    matched: list[tuple[_T, _T, int]] = []
    for _, first, second in sorted(candidates, key=lambda candidate: candidate[0]):
        quantity = min(left[first], left[second])
        if quantity > 0:
            left[first] -= quantity
            left[second] -= quantity
            matched.append((first, second, quantity))
    return matched


def _vertical_candidates(
    keys: Sequence[LegKey],
) -> list[tuple[_Order, LegKey, LegKey]]:
    """Short and long of one type and expiration at different strikes: narrowest first, and a
    credit spread before a debit spread of the same width."""
    shorts = [k for k in keys if k.side is Side.SHORT]
    longs = [k for k in keys if k.side is Side.LONG]
    candidates = []
    for short in shorts:
        for long in longs:
            if (
                short.expiration != long.expiration
                or short.option_type is not long.option_type
                or short.strike == long.strike
            ):
                continue
            credit = (short.strike < long.strike) == (short.option_type is OptionType.CALL)
            order = (
                abs(short.strike - long.strike),
                0 if credit else 1,
                short.expiration,
                _TYPE_ORDER[short.option_type],
                short.strike,
                long.strike,
            )
            candidates.append((order, short, long))
    return candidates


def _vertical_kind(short: LegKey, long: LegKey) -> StructureKind:
    if short.option_type is OptionType.CALL:
        if short.strike < long.strike:
            return StructureKind.BEAR_CALL_SPREAD
        return StructureKind.BULL_CALL_SPREAD
    if short.strike > long.strike:
        return StructureKind.BULL_PUT_SPREAD
    return StructureKind.BEAR_PUT_SPREAD


def _combine_iron(verticals: list[tuple[LegKey, LegKey, int]]) -> list[_Found]:
    """Bull put + bear call of one expiration with short put <= short call: an iron condor
    (iron butterfly when the short strikes meet); the tightest body first. What a condor does
    not use of a vertical stays a vertical."""
    left = {index: quantity for index, (_, _, quantity) in enumerate(verticals)}
    kinds = [_vertical_kind(short, long) for short, long, _ in verticals]
    candidates = []
    for p, (short_put, long_put, _) in enumerate(verticals):
        if kinds[p] is not StructureKind.BULL_PUT_SPREAD:
            continue
        for c, (short_call, long_call, _) in enumerate(verticals):
            if (
                kinds[c] is StructureKind.BEAR_CALL_SPREAD
                and short_call.expiration == short_put.expiration
                and short_put.strike <= short_call.strike
            ):
                order = (
                    short_call.strike - short_put.strike,
                    short_put.expiration,
                    short_put.strike,
                    short_call.strike,
                    long_put.strike,
                    long_call.strike,
                )
                candidates.append((order, p, c))
    found: list[_Found] = []
    for p, c, quantity in _pair(candidates, left):
        short_put, long_put, _ = verticals[p]
        short_call, long_call, _ = verticals[c]
        butterfly = short_put.strike == short_call.strike
        kind = StructureKind.IRON_BUTTERFLY if butterfly else StructureKind.IRON_CONDOR
        found.append((kind, (long_put, short_put, short_call, long_call), quantity))
    for index, (short, long, _) in enumerate(verticals):
        if left[index] > 0:
            found.append((kinds[index], (short, long), left[index]))
    return found


def _straddle_candidates(
    keys: Sequence[LegKey],
) -> list[tuple[_Order, LegKey, LegKey]]:
    """A put and a call of one expiration and side, the put's strike not above the call's:
    straddles (equal strikes) first, then the narrowest strangles."""
    candidates = []
    for put in (k for k in keys if k.option_type is OptionType.PUT):
        for call in (k for k in keys if k.option_type is OptionType.CALL):
            if (
                put.expiration == call.expiration
                and put.side is call.side
                and put.strike <= call.strike
            ):
                order = (
                    call.strike - put.strike,
                    put.expiration,
                    _SIDE_ORDER[put.side],
                    put.strike,
                    call.strike,
                )
                candidates.append((order, put, call))
    return candidates


def _calendar_candidates(
    keys: Sequence[LegKey],
) -> list[tuple[_Order, LegKey, LegKey]]:
    """Short near and long far of one type: calendars (equal strikes) first, then the
    narrowest diagonals, then the shortest time between the expirations."""
    candidates = []
    for near in (k for k in keys if k.side is Side.SHORT):
        for far in (k for k in keys if k.side is Side.LONG):
            if near.option_type is far.option_type and near.expiration < far.expiration:
                order = (
                    abs(near.strike - far.strike),
                    (far.expiration - near.expiration).days,
                    near.expiration,
                    _TYPE_ORDER[near.option_type],
                    near.strike,
                    far.strike,
                )
                candidates.append((order, near, far))
    return candidates


# --- orders and shapes -------------------------------------------------------------------------


def _key_order(key: LegKey) -> tuple[str, str, date, int, Decimal, int]:
    return (
        key.account_id,
        key.root,
        key.expiration,
        _TYPE_ORDER[key.option_type],
        key.strike,
        _SIDE_ORDER[key.side],
    )


def _part_order(part: StructurePart) -> tuple[date, Decimal, int, int]:
    key = part.leg.key
    return (key.expiration, key.strike, _TYPE_ORDER[key.option_type], _SIDE_ORDER[key.side])


def _structure_order(
    structure: Structure,
) -> tuple[str, str, tuple[tuple[date, Decimal, int, int], ...], str, int]:
    return (
        structure.account_id,
        structure.root,
        tuple(_part_order(p) for p in structure.parts),
        structure.kind.value,
        structure.quantity,
    )


def _shape_problem(kind: StructureKind, legs: Sequence[OptionLeg]) -> str | None:
    """Why ``legs`` (in canonical order) are not a ``kind``, or None when they are."""
    if kind in (StructureKind.CALENDAR, StructureKind.DIAGONAL):
        return _time_spread_problem(kind, legs)
    signature = _SIGNATURES[kind]
    if tuple((leg.option_type, leg.side) for leg in legs) != signature:
        wanted = ", ".join(f"{side.value} {kind_.value}" for kind_, side in signature)
        return f"expected {wanted} (by strike)"
    if len({leg.expiration for leg in legs}) != 1:
        return "its legs expire on different dates"
    strikes = [leg.strike for leg in legs]
    if kind.is_vertical and strikes[0] == strikes[1]:
        return "a vertical's strikes differ"
    if kind is StructureKind.IRON_CONDOR and not strikes[0] < strikes[1] < strikes[2] < strikes[3]:
        return "needs long put < short put < short call < long call"
    if (
        kind is StructureKind.IRON_BUTTERFLY
        and not strikes[0] < strikes[1] == strikes[2] < strikes[3]
    ):
        return "needs long put < short put = short call < long call"
    straddle = (StructureKind.LONG_STRADDLE, StructureKind.SHORT_STRADDLE)
    if kind in straddle and strikes[0] != strikes[1]:
        return "a straddle's put and call share a strike"
    strangle = (StructureKind.LONG_STRANGLE, StructureKind.SHORT_STRANGLE)
    if kind in strangle and not strikes[0] < strikes[1]:
        return "a strangle's put strike is below its call strike"
    return None


def _time_spread_problem(kind: StructureKind, legs: Sequence[OptionLeg]) -> str | None:
    if len(legs) != 2:
        return "a time spread has two legs"
    near, far = legs
    if near.option_type is not far.option_type:
        return "both legs are calls or both are puts"
    if not near.expiration < far.expiration:
        return "its legs expire on different dates"
    if near.side is not Side.SHORT or far.side is not Side.LONG:
        return "short the near expiration, long the far one"
    if (near.strike == far.strike) != (kind is StructureKind.CALENDAR):
        return "a calendar's strikes are equal, a diagonal's differ"
    return None
