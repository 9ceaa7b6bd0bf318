"""What each named structure is: its legs, their ratios and how their strikes and expirations
relate, written once as data.

A definition is a list of slots (a call or a put, long or short, so many contracts per unit),
each with conditions on the slots before it ("strike above slot 0's"), and optionally 100
shares per unit of stock. Unless a definition spans expirations, every option shares the first
one's expiration. The same table drives the classifier's search
(:func:`legsync.domain.classification.classify`) and the check a :class:`Structure` makes of
its own shape, so a kind cannot mean one thing to one and another to the other.

The search takes structures with more legs first (a butterfly before the two verticals inside
it), and among those of one size weighs the :data:`FAMILIES` in order: stock strategies before
the option-only ones their options would also form (a covered call before a vertical), one
expiration before several. Within a family the table's order breaks ties (credit verticals
before debit ones).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import permutations

from .enums import OptionType, Side
from .kinds import StructureKind
from .legs import LegKey, OptionLeg

__all__ = ["DEFINITIONS", "FAMILIES", "Definition", "Slot", "shape_problem"]

FAMILIES = (
    "with shares",
    "boxes",
    "irons",
    "butterflies",
    "lizards",
    "ladders",
    "ratios",
    "verticals",
    "straddles",
    "time spreads",
    "singles",
)
"""The order in which the search weighs families of one size."""

_Check = Callable[[tuple[LegKey, ...], LegKey], bool]


@dataclass(frozen=True, slots=True)
class Slot:
    """One leg of a definition: ``ratio`` contracts per unit, meeting every check against the
    legs already chosen for the slots before it."""

    option_type: OptionType
    side: Side
    ratio: int = 1
    checks: tuple[_Check, ...] = ()

    def describe(self) -> str:
        count = "" if self.ratio == 1 else f"{self.ratio}x "
        return f"{self.side.value} {count}{self.option_type.value}"


@dataclass(frozen=True, slots=True)
class Definition:
    """A named structure. ``family`` groups kinds the search weighs together (verticals,
    butterflies...); ``stock`` is the side of its 100 shares per unit, if it has any; ``whole``
    a condition on all its legs at once (in slot order); ``shape`` says it in words."""

    kind: StructureKind
    family: str
    slots: tuple[Slot, ...]
    shape: str
    stock: Side | None = None
    across_expirations: bool = False
    whole: Callable[[tuple[LegKey, ...]], bool] | None = None

    @property
    def size(self) -> int:
        """Legs, counting the shares as one: the search takes bigger structures first."""
        return len(self.slots) + (self.stock is not None)

    def fits(self, chosen: tuple[LegKey, ...], slot: Slot, key: LegKey) -> bool:
        """Whether ``key`` may fill ``slot`` after ``chosen`` filled the slots before it."""
        if key.option_type is not slot.option_type or key.side is not slot.side:
            return False
        if key in chosen:
            return False
        if chosen and not self.across_expirations and key.expiration != chosen[0].expiration:
            return False
        return all(check(chosen, key) for check in slot.checks)


# --- conditions on a slot, relative to an earlier slot i ---------------------------------------


def _above(i: int) -> _Check:
    return lambda chosen, key: key.strike > chosen[i].strike


def _at(i: int) -> _Check:
    return lambda chosen, key: key.strike == chosen[i].strike


def _off(i: int) -> _Check:
    return lambda chosen, key: key.strike != chosen[i].strike


def _later(i: int) -> _Check:
    return lambda chosen, key: key.expiration > chosen[i].expiration


def _with(i: int) -> _Check:
    return lambda chosen, key: key.expiration == chosen[i].expiration


def _equal_wings(keys: tuple[LegKey, ...]) -> bool:
    low, middle, high = (key.strike for key in keys)
    return middle - low == high - middle


def _broken_wings(keys: tuple[LegKey, ...]) -> bool:
    return not _equal_wings(keys)


_C, _P, _L, _S = OptionType.CALL, OptionType.PUT, Side.LONG, Side.SHORT
_K = StructureKind


def _d(
    kind: StructureKind,
    family: str,
    shape: str,
    *slots: Slot,
    stock: Side | None = None,
    across_expirations: bool = False,
    whole: Callable[[tuple[LegKey, ...]], bool] | None = None,
) -> Definition:
    return Definition(kind, family, slots, shape, stock, across_expirations, whole)


DEFINITIONS: tuple[Definition, ...] = (
    # four legs
    _d(_K.LONG_BOX, "boxes", "bull call spread K1/K2 and bear put spread K2/K1",
       Slot(_C, _L), Slot(_C, _S, 1, (_above(0),)), Slot(_P, _L, 1, (_at(1),)),
       Slot(_P, _S, 1, (_at(0),))),
    _d(_K.SHORT_BOX, "boxes", "bear call spread K1/K2 and bull put spread K2/K1",
       Slot(_C, _S), Slot(_C, _L, 1, (_above(0),)), Slot(_P, _S, 1, (_at(1),)),
       Slot(_P, _L, 1, (_at(0),))),
    _d(_K.IRON_CONDOR, "irons",
       "long put K1, short put K2, short call K3, long call K4, K1<K2<K3<K4",
       Slot(_P, _L), Slot(_P, _S, 1, (_above(0),)), Slot(_C, _S, 1, (_above(1),)),
       Slot(_C, _L, 1, (_above(2),))),
    _d(_K.REVERSE_IRON_CONDOR, "irons", "short put K1, long put K2, long call K3, short call K4",
       Slot(_P, _S), Slot(_P, _L, 1, (_above(0),)), Slot(_C, _L, 1, (_above(1),)),
       Slot(_C, _S, 1, (_above(2),))),
    _d(_K.IRON_BUTTERFLY, "irons", "long put K1, short put and short call K2, long call K3",
       Slot(_P, _L), Slot(_P, _S, 1, (_above(0),)), Slot(_C, _S, 1, (_at(1),)),
       Slot(_C, _L, 1, (_above(2),))),
    _d(_K.REVERSE_IRON_BUTTERFLY, "irons", "short put K1, long put and long call K2, short call K3",
       Slot(_P, _S), Slot(_P, _L, 1, (_above(0),)), Slot(_C, _L, 1, (_at(1),)),
       Slot(_C, _S, 1, (_above(2),))),
    _d(_K.JELLY_ROLL, "time spreads",
       "short call and long put at K near, long call and short put at K far",
       Slot(_C, _S), Slot(_C, _L, 1, (_at(0), _later(0))), Slot(_P, _L, 1, (_at(0), _with(0))),
       Slot(_P, _S, 1, (_at(0), _with(1))), across_expirations=True),
    _d(_K.SHORT_JELLY_ROLL, "time spreads",
       "long call and short put at K near, short call and long put at K far",
       Slot(_C, _L), Slot(_C, _S, 1, (_at(0), _later(0))), Slot(_P, _S, 1, (_at(0), _with(0))),
       Slot(_P, _L, 1, (_at(0), _with(1))), across_expirations=True),
    # shares and two options
    _d(_K.CONVERSION, "with shares", "100 shares long, long put and short call at K",
       Slot(_P, _L), Slot(_C, _S, 1, (_at(0),)), stock=_L),
    _d(_K.REVERSE_CONVERSION, "with shares", "100 shares short, short put and long call at K",
       Slot(_P, _S), Slot(_C, _L, 1, (_at(0),)), stock=_S),
    _d(_K.COLLAR, "with shares", "100 shares long, long put K1, short call K2, K1<K2",
       Slot(_P, _L), Slot(_C, _S, 1, (_above(0),)), stock=_L),
    # three legs
    _d(_K.LONG_CALL_BUTTERFLY, "butterflies",
       "long call K1, short 2 calls K2, long call K3, equal wings",
       Slot(_C, _L), Slot(_C, _S, 2, (_above(0),)), Slot(_C, _L, 1, (_above(1),)),
       whole=_equal_wings),
    _d(_K.LONG_PUT_BUTTERFLY, "butterflies",
       "long put K1, short 2 puts K2, long put K3, equal wings",
       Slot(_P, _L), Slot(_P, _S, 2, (_above(0),)), Slot(_P, _L, 1, (_above(1),)),
       whole=_equal_wings),
    _d(_K.SHORT_CALL_BUTTERFLY, "butterflies",
       "short call K1, long 2 calls K2, short call K3, equal wings",
       Slot(_C, _S), Slot(_C, _L, 2, (_above(0),)), Slot(_C, _S, 1, (_above(1),)),
       whole=_equal_wings),
    _d(_K.SHORT_PUT_BUTTERFLY, "butterflies",
       "short put K1, long 2 puts K2, short put K3, equal wings",
       Slot(_P, _S), Slot(_P, _L, 2, (_above(0),)), Slot(_P, _S, 1, (_above(1),)),
       whole=_equal_wings),
    _d(_K.BROKEN_WING_CALL_BUTTERFLY, "butterflies",
       "long call K1, short 2 calls K2, long call K3, unequal wings",
       Slot(_C, _L), Slot(_C, _S, 2, (_above(0),)), Slot(_C, _L, 1, (_above(1),)),
       whole=_broken_wings),
    _d(_K.BROKEN_WING_PUT_BUTTERFLY, "butterflies",
       "long put K1, short 2 puts K2, long put K3, unequal wings",
       Slot(_P, _L), Slot(_P, _S, 2, (_above(0),)), Slot(_P, _L, 1, (_above(1),)),
       whole=_broken_wings),
    _d(_K.JADE_LIZARD, "lizards", "short put K1, short call K2, long call K3, K1<K2<K3",
       Slot(_P, _S), Slot(_C, _S, 1, (_above(0),)), Slot(_C, _L, 1, (_above(1),))),
    _d(_K.BULL_CALL_LADDER, "ladders", "long call K1, short call K2, short call K3, K1<K2<K3",
       Slot(_C, _L), Slot(_C, _S, 1, (_above(0),)), Slot(_C, _S, 1, (_above(1),))),
    _d(_K.BEAR_CALL_LADDER, "ladders", "short call K1, long call K2, long call K3, K1<K2<K3",
       Slot(_C, _S), Slot(_C, _L, 1, (_above(0),)), Slot(_C, _L, 1, (_above(1),))),
    _d(_K.BULL_PUT_LADDER, "ladders", "long put K1, long put K2, short put K3, K1<K2<K3",
       Slot(_P, _L), Slot(_P, _L, 1, (_above(0),)), Slot(_P, _S, 1, (_above(1),))),
    _d(_K.BEAR_PUT_LADDER, "ladders", "short put K1, short put K2, long put K3, K1<K2<K3",
       Slot(_P, _S), Slot(_P, _S, 1, (_above(0),)), Slot(_P, _L, 1, (_above(1),))),
    # shares and one option
    _d(_K.COVERED_CALL, "with shares", "100 shares long, short call", Slot(_C, _S), stock=_L),
    _d(_K.COVERED_PUT, "with shares", "100 shares short, short put", Slot(_P, _S), stock=_S),
    _d(_K.PROTECTIVE_PUT, "with shares", "100 shares long, long put", Slot(_P, _L), stock=_L),
    _d(_K.PROTECTIVE_CALL, "with shares", "100 shares short, long call", Slot(_C, _L), stock=_S),
    # two legs
    _d(_K.CALL_BACKSPREAD, "ratios", "short call K1, long 2 calls K2, K1<K2",
       Slot(_C, _S), Slot(_C, _L, 2, (_above(0),))),
    _d(_K.PUT_BACKSPREAD, "ratios", "long 2 puts K1, short put K2, K1<K2",
       Slot(_P, _L, 2), Slot(_P, _S, 1, (_above(0),))),
    _d(_K.SHORT_CALL_BACKSPREAD, "ratios", "long call K1, short 2 calls K2, K1<K2",
       Slot(_C, _L), Slot(_C, _S, 2, (_above(0),))),
    _d(_K.SHORT_PUT_BACKSPREAD, "ratios", "short 2 puts K1, long put K2, K1<K2",
       Slot(_P, _S, 2), Slot(_P, _L, 1, (_above(0),))),
    _d(_K.BULL_PUT_SPREAD, "verticals", "long put K1, short put K2, K1<K2",
       Slot(_P, _L), Slot(_P, _S, 1, (_above(0),))),
    _d(_K.BEAR_CALL_SPREAD, "verticals", "short call K1, long call K2, K1<K2",
       Slot(_C, _S), Slot(_C, _L, 1, (_above(0),))),
    _d(_K.BULL_CALL_SPREAD, "verticals", "long call K1, short call K2, K1<K2",
       Slot(_C, _L), Slot(_C, _S, 1, (_above(0),))),
    _d(_K.BEAR_PUT_SPREAD, "verticals", "short put K1, long put K2, K1<K2",
       Slot(_P, _S), Slot(_P, _L, 1, (_above(0),))),
    _d(_K.LONG_STRADDLE, "straddles",
       "long put and long call at K", Slot(_P, _L), Slot(_C, _L, 1, (_at(0),))),
    _d(_K.SHORT_STRADDLE, "straddles",
       "short put and short call at K", Slot(_P, _S), Slot(_C, _S, 1, (_at(0),))),
    _d(_K.LONG_STRANGLE, "straddles", "long put K1, long call K2, K1<K2",
       Slot(_P, _L), Slot(_C, _L, 1, (_above(0),))),
    _d(_K.SHORT_STRANGLE, "straddles", "short put K1, short call K2, K1<K2",
       Slot(_P, _S), Slot(_C, _S, 1, (_above(0),))),
    _d(_K.LONG_CALL_CALENDAR, "time spreads", "short call near, long call far, one strike",
       Slot(_C, _S), Slot(_C, _L, 1, (_at(0), _later(0))), across_expirations=True),
    _d(_K.LONG_PUT_CALENDAR, "time spreads", "short put near, long put far, one strike",
       Slot(_P, _S), Slot(_P, _L, 1, (_at(0), _later(0))), across_expirations=True),
    _d(_K.SHORT_CALL_CALENDAR, "time spreads", "long call near, short call far, one strike",
       Slot(_C, _L), Slot(_C, _S, 1, (_at(0), _later(0))), across_expirations=True),
    _d(_K.SHORT_PUT_CALENDAR, "time spreads", "long put near, short put far, one strike",
       Slot(_P, _L), Slot(_P, _S, 1, (_at(0), _later(0))), across_expirations=True),
    _d(_K.LONG_CALL_DIAGONAL, "time spreads", "short call near, long call far, different strikes",
       Slot(_C, _S), Slot(_C, _L, 1, (_off(0), _later(0))), across_expirations=True),
    _d(_K.LONG_PUT_DIAGONAL, "time spreads", "short put near, long put far, different strikes",
       Slot(_P, _S), Slot(_P, _L, 1, (_off(0), _later(0))), across_expirations=True),
    _d(_K.SHORT_CALL_DIAGONAL, "time spreads", "long call near, short call far, different strikes",
       Slot(_C, _L), Slot(_C, _S, 1, (_off(0), _later(0))), across_expirations=True),
    _d(_K.SHORT_PUT_DIAGONAL, "time spreads", "long put near, short put far, different strikes",
       Slot(_P, _L), Slot(_P, _S, 1, (_off(0), _later(0))), across_expirations=True),
    # one leg, or shares alone
    _d(_K.LONG_CALL, "singles", "long call", Slot(_C, _L)),
    _d(_K.SHORT_CALL, "singles", "short call", Slot(_C, _S)),
    _d(_K.LONG_PUT, "singles", "long put", Slot(_P, _L)),
    _d(_K.SHORT_PUT, "singles", "short put", Slot(_P, _S)),
    _d(_K.LONG_STOCK, "singles", "shares held long", stock=_L),
    _d(_K.SHORT_STOCK, "singles", "shares held short", stock=_S),
)  # fmt: skip

_BY_KIND = {definition.kind: definition for definition in DEFINITIONS}


def shape_problem(
    kind: StructureKind,
    quantity: int,
    parts: tuple[tuple[OptionLeg, int], ...],
    stock: tuple[Side, Decimal] | None,
) -> str | None:
    """Why ``quantity`` units of ``kind`` cannot be these parts (leg, contracts) and shares
    (side, count), or None when they are one."""
    definition = _BY_KIND[kind]
    wanted = ", ".join(slot.describe() for slot in definition.slots)
    if definition.stock is None and stock is not None:
        return "it holds no shares"
    if definition.stock is not None:
        if stock is None or stock[0] is not definition.stock:
            return f"it holds shares {definition.stock.value}"
        if definition.slots and stock[1] != 100 * quantity:
            return f"it holds 100 shares per unit, {100 * quantity} for {quantity}"
        if not definition.slots and quantity != 1:
            return "shares alone are one unit, however many shares"
    if len(parts) != len(definition.slots):
        return f"expected {len(definition.slots)} legs ({wanted}), got {len(parts)}"
    for order in permutations(parts):
        chosen: tuple[LegKey, ...] = ()
        for slot, (leg, contracts) in zip(definition.slots, order, strict=True):
            if contracts != slot.ratio * quantity or not definition.fits(chosen, slot, leg.key):
                break
            chosen = (*chosen, leg.key)
        else:
            if definition.whole is None or definition.whole(chosen):
                return None
    return f"expected {wanted}: {definition.shape}"
