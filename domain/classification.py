"""Finding the structures in an account's holdings.

The broker reports legs and shares; a person thinks in structures. :func:`classify` groups
them by the definitions of :mod:`legsync.domain.definitions`, with rules chosen to be safe
rather than clever:

- **Deterministic.** Legs are searched in one total order and every choice between candidates
  follows a total order, so the same holdings in any order give the same structures.
- **Conserving.** Every contract and every share held is used by exactly one structure.
- **One root, one account.** Legs combine only with legs of the same account and OCC root
  (SPX and SPXW settle differently, so a "spread" across them has no defined risk at the one
  moment that matters). Shares join the options whose root is their symbol, 100 per unit,
  and never an adjusted root (AAPL1), whose deliverable is not known.
- **Whole structures first.** Repeatedly, a match of the biggest size that has one is taken,
  as many units as the legs allow: the one leaving the fewest of the legs it touches with
  contracts over (a 2-lot vertical is not a 1x2 ratio spread and a long call), then by family
  (see :data:`~legsync.domain.definitions.FAMILIES`), then the tightest (one expiration
  before several, narrowest strikes), then the table's order. What is left stays single.
- **Never overstating a loss.** Structures of one expiration whose separate maximum losses add
  up to more than the whole set can lose (a ratio spread's short calls split from their
  cover, a 2x1 that matched nothing) are merged into one ``custom`` structure, whose risk is
  the set's true payoff. Reported risk can be coarser than a trader's labels; never larger.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import combinations

from .definitions import DEFINITIONS, FAMILIES, Definition
from .enums import OptionType, Side
from .kinds import StructureKind
from .legs import LegKey, OptionLeg
from .payoff import payoff_points, slope_above_strikes
from .stock import StockPosition
from .structures import SHARES_PER_LOT, StockPart, Structure, StructurePart, part_order
from .underlying import has_standard_deliverable

__all__ = ["classify", "merge"]

_TIERS = tuple(
    tuple((i, d) for i, d in enumerate(DEFINITIONS) if d.size == size)
    for size in sorted({d.size for d in DEFINITIONS if d.size > 1}, reverse=True)
)
_SINGLE = {(d.slots[0].option_type, d.slots[0].side): d for d in DEFINITIONS
           if len(d.slots) == 1 and d.stock is None}  # fmt: skip
_SHARES_ALONE = {Side.LONG: StructureKind.LONG_STOCK, Side.SHORT: StructureKind.SHORT_STOCK}


def classify(
    legs: Iterable[OptionLeg], stock: Iterable[StockPosition] = ()
) -> tuple[Structure, ...]:
    """Group legs and shares into structures; see the module's docstring for the rules.

    Raises ValueError when one leg (account, contract and side), or one account's stock,
    appears twice: contradictory input is refused, never merged.
    """
    by_key: dict[LegKey, OptionLeg] = {}
    for leg in legs:
        if leg.key in by_key:
            raise ValueError(f"leg {leg.key.as_id()} appears more than once; each leg is one row")
        by_key[leg.key] = leg
    shares: dict[tuple[str, str], StockPosition] = {}
    for position in stock:
        if (position.account_id, position.symbol) in shares:
            raise ValueError(
                f"{position.symbol} stock of account {position.account_id} appears more than "
                "once; each position is one row"
            )
        shares[position.account_id, position.symbol] = position
    groups: defaultdict[tuple[str, str], list[LegKey]] = defaultdict(list)
    for key, leg in by_key.items():
        if leg.quantity > 0:
            groups[key.account_id, key.root].append(key)
    for account_id, symbol in shares:
        groups.setdefault((account_id, symbol), [])
    built: list[Structure] = []
    for account_id, root in sorted(groups):
        keys = sorted(groups[account_id, root], key=_key_order)
        paired = shares.get((account_id, root))
        built.extend(_guarded(_classify_group(keys, by_key, paired)))
    return tuple(sorted(built, key=_structure_order))


def merge(structures: Sequence[Structure]) -> Structure:
    """One ``custom`` structure holding everything ``structures`` hold (one account and root)."""
    contracts: defaultdict[LegKey, int] = defaultdict(int)
    legs: dict[LegKey, OptionLeg] = {}
    held: dict[tuple[str, str], StockPosition] = {}
    share_count: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for structure in structures:
        for part in structure.parts:
            contracts[part.leg.key] += part.contracts
            legs[part.leg.key] = part.leg
        if structure.stock is not None:
            position = structure.stock.position
            held[position.account_id, position.symbol] = position
            share_count[position.account_id, position.symbol] += structure.stock.shares
    if len(held) > 1:
        raise ValueError("a custom structure holds one stock position at most")
    parts = sorted((StructurePart(legs[k], n) for k, n in contracts.items()), key=part_order)
    stock = next((StockPart(p, share_count[where]) for where, p in held.items()), None)
    return Structure(StructureKind.CUSTOM, 1, tuple(parts), stock)


# --- the search ---------------------------------------------------------------------------------

_Found = tuple[Definition, tuple[LegKey, ...], int]


def _classify_group(
    keys: list[LegKey], by_key: dict[LegKey, OptionLeg], position: StockPosition | None
) -> list[Structure]:
    """Structures of one account and root; ``position`` the shares they may use."""
    left = {key: by_key[key].quantity for key in keys}
    shares_left = Decimal(0) if position is None else position.shares
    found: list[Structure] = []
    # shares never pair with an adjusted root named like their ticker (AAPL1 is not AAPL)
    pairable = position if keys and has_standard_deliverable(keys[0].root) else None
    legs = _Legs.of(keys)
    while (pick := _next(legs, left, pairable, shares_left)) is not None:
        definition, chosen, units = pick
        for slot, key in zip(definition.slots, chosen, strict=True):
            left[key] -= slot.ratio * units
        stock = None
        if definition.stock is not None:
            assert position is not None
            stock = StockPart(position, Decimal(SHARES_PER_LOT * units))
            shares_left -= stock.shares
        found.append(_structure(definition, chosen, units, by_key, stock))
    for key in keys:
        if left[key] > 0:
            single = _SINGLE[key.option_type, key.side]
            found.append(_structure(single, (key,), left[key], by_key, None))
    if position is not None and shares_left > 0:
        kind = _SHARES_ALONE[position.side]
        found.append(Structure(kind, 1, (), StockPart(position, shares_left)))
    return found


_Rank = tuple[int, int, int, Decimal, int]
_Best = tuple[_Rank, tuple[int, ...], _Found] | None


@dataclass(frozen=True, slots=True)
class _Legs:
    """One group's legs as the search reads them: ``pools`` by what may fill a slot (type and
    side, and expiration too, ``None`` meaning any), each in the search's order; ``order`` each
    leg's place in that order, the last tie-break."""

    pools: dict[tuple[OptionType, Side, date | None], list[LegKey]]
    order: dict[LegKey, int]

    @classmethod
    def of(cls, keys: list[LegKey]) -> _Legs:
        pools: defaultdict[tuple[OptionType, Side, date | None], list[LegKey]] = defaultdict(list)
        for key in keys:
            pools[key.option_type, key.side, None].append(key)
            pools[key.option_type, key.side, key.expiration].append(key)
        return cls(dict(pools), {key: place for place, key in enumerate(keys)})


def _next(
    legs: _Legs,
    left: dict[LegKey, int],
    position: StockPosition | None,
    shares_left: Decimal,
) -> _Found | None:
    """The next structure to take, from the biggest size with any match: the match leaving the
    fewest of the legs it touches with contracts over, then by family, then the tightest
    (fewest days between expirations, narrowest strikes), then the table's order, then the
    legs' order."""
    lots = int(shares_left // SHARES_PER_LOT)
    for tier in _TIERS:
        best: _Best = None
        for index, definition in tier:
            if definition.stock is None:
                best = _best_match(definition, index, legs, left, None, best)
            elif position is not None and position.side is definition.stock and lots >= 1:
                best = _best_match(definition, index, legs, left, lots, best)
        if best is not None:
            return best[2]
    return None


def _best_match(
    definition: Definition,
    index: int,
    legs: _Legs,
    left: dict[LegKey, int],
    lots: int | None,
    best: _Best,
) -> _Best:
    """The better of ``best`` and the definition's best match, by the rank of :func:`_next`.

    A depth-first search over the slots that abandons a partial match as soon as it cannot
    beat ``best``: every part of the rank only grows as legs are added (units can only fall,
    so a leg with contracts over keeps them; expirations and strikes only spread), so the
    rank of the legs chosen so far bounds the rank of every match that extends them.
    """
    slots = definition.slots
    family = FAMILIES.index(definition.family)

    def visit(chosen: tuple[LegKey, ...], units: int | None, best: _Best) -> _Best:
        if chosen:
            assert units is not None
            rank = (
                sum(left[k] != s.ratio * units for k, s in zip(chosen, slots, strict=False)),
                family,
                (max(k.expiration for k in chosen) - min(k.expiration for k in chosen)).days,
                max(k.strike for k in chosen) - min(k.strike for k in chosen),
                index,
            )
            places = tuple(legs.order[key] for key in chosen)
            if best is not None and (rank, places) > (best[0], best[1][: len(chosen)]):
                return best
            if len(chosen) == len(slots):
                if definition.whole is not None and not definition.whole(chosen):
                    return best
                return rank, places, (definition, chosen, units)
        slot = slots[len(chosen)]
        same_date = chosen[0].expiration if chosen and not definition.across_expirations else None
        pool = legs.pools.get((slot.option_type, slot.side, same_date), [])
        # the first slot holds the lowest strike of most definitions: starting from the top
        # finds narrow matches first, so that the bound prunes early (the result is the same)
        for key in reversed(pool) if not chosen else pool:
            if left[key] >= slot.ratio and definition.fits(chosen, slot, key):
                fill = left[key] // slot.ratio
                best = visit((*chosen, key), fill if units is None else min(units, fill), best)
        return best

    return visit((), lots, best)


def _structure(
    definition: Definition,
    chosen: tuple[LegKey, ...],
    units: int,
    by_key: dict[LegKey, OptionLeg],
    stock: StockPart | None,
) -> Structure:
    parts = (
        StructurePart(by_key[key], slot.ratio * units)
        for slot, key in zip(definition.slots, chosen, strict=True)
    )
    return Structure(definition.kind, units, tuple(sorted(parts, key=part_order)), stock)


# --- the guard against overstated losses -----------------------------------------------------


def _guarded(structures: list[Structure]) -> list[Structure]:
    """Merge, per expiration, the structures whose losses add up to more than their whole.

    Shares alone take part in every expiration's check (they cap a short call of any date);
    structures across expirations have no payoff to compare and stay as they are.
    """
    by_expiration: defaultdict[date, list[Structure]] = defaultdict(list)
    free: list[Structure] = []
    kept: list[Structure] = []
    for structure in structures:
        if not structure.parts:
            free.append(structure)
        elif len(structure.expirations) == 1:
            by_expiration[structure.expirations[0]].append(structure)
        else:
            kept.append(structure)
    for expiration in sorted(by_expiration):
        bucket = by_expiration[expiration]
        candidates = bucket + free
        merged = _merge_overstated(candidates)
        free = [s for s in free if any(s is m for m in merged)]
        kept.extend(m for m in merged if m.parts)
    return kept + free


def _merge_overstated(structures: list[Structure]) -> list[Structure]:
    current = list(structures)
    while True:
        pair = next(
            ((a, b) for a, b in combinations(current, 2) if _overstated([a, b])),
            None,
        )
        if pair is None:
            break
        a, b = pair
        current = [s for s in current if s is not a and s is not b] + [merge([a, b])]
    if len(current) > 1 and _overstated(current):
        return [merge(current)]
    return current


def _overstated(structures: Sequence[Structure]) -> bool:
    """Whether the structures' separate worst cases add up to more than their joint one. The
    premium is left out: it adds the same amount to both sides."""
    whole = _worst(merge(structures))
    if whole is None:
        return False
    separate = [_worst(s) for s in structures]
    if any(worst is None for worst in separate):
        return True
    return sum((worst for worst in separate if worst is not None), Decimal(0)) > whole


def _worst(structure: Structure) -> Decimal | None:
    """The most the structure's payoff falls below zero at expiry, before premium; None when
    it has no floor."""
    if slope_above_strikes(structure) < 0:
        return None
    return -min(value for _, value in payoff_points(structure))


# --- orders ------------------------------------------------------------------------------------


def _key_order(key: LegKey) -> tuple[str, str, date, Decimal, bool, bool]:
    """The search's order of legs: the canonical order of parts (puts first, long first)."""
    return (
        key.account_id,
        key.root,
        key.expiration,
        key.strike,
        key.option_type is OptionType.CALL,
        key.side is Side.SHORT,
    )


def _structure_order(structure: Structure) -> tuple[object, ...]:
    return (
        structure.account_id,
        structure.symbol,
        structure.root,
        tuple(part_order(p) for p in structure.parts),
        structure.stock is not None,
        structure.kind.value,
        structure.quantity,
    )
