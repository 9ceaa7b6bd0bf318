"""The sync's functional core: from a broker snapshot and the stored legs, decide what changes.

Pure: no store, no clock, no broker. Everything the sync guarantees about data (what is opened,
changed, left alone or deleted, and when deletion is too risky) is decided here and table-tested.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from operator import itemgetter

from legsync.domain import (
    MAX_CONTRACTS,
    BrokerPosition,
    BrokerSnapshot,
    InvalidOccSymbol,
    LegKey,
    LegRecord,
    OptionLeg,
    Side,
    StoredLegs,
    amount_fits,
    parse_occ_symbol,
)

from .results import RowError

__all__ = ["SyncPlan", "cost_basis_per_contract", "plan_sync", "plan_sync_reference"]

# Plain stock tickers: letters, optionally a share class (BRK.B, BRK/B). Anything else that is
# not an OCC symbol is an error, not stock: a garbled option row must block the prune.
_STOCK_TICKER = re.compile(r"[A-Z]{1,6}(?:[./][A-Z]{1,2})?")

# Division of money: exact whenever the quotient terminates within 34 digits, which covers
# every real cost basis; otherwise rounded half-even, never through a float.
_MONEY = Context(prec=34, rounding=ROUND_HALF_EVEN)

_LONG, _SHORT = Side.LONG, Side.SHORT

_Key = tuple[str, str, Side]
"""A leg's key within one account, as the full pass writes it: (root, tail, side), the tail
being the fifteen characters of the OCC symbol after the root (``240119C00450000``).

It orders exactly as (contract, side) does, which is the order of :class:`LegKey` within one
account: roots compare as text, and the tail's fixed-width text as (expiration in 2000-2099,
C before P as call before put, strike in eight zero-padded digits). Unlike the contract, it
compares as plain text (sorting a thousand opened legs costs a fifth), and ``root + tail`` is
the compact symbol the store and the marks are keyed by, with no formatting."""


@dataclass(frozen=True, slots=True)
class SyncPlan:
    """What applying a snapshot would do. ``changed`` pairs each new leg with its previous one."""

    account_id: str
    opened: tuple[OptionLeg, ...]
    changed: tuple[tuple[OptionLeg, OptionLeg], ...]
    unchanged: int
    removed: tuple[OptionLeg, ...]
    skipped: tuple[str, ...]
    errors: tuple[RowError, ...]
    synced: int

    @property
    def pruned(self) -> bool:
        """Whether legs absent from the snapshot may be deleted: only after a clean read."""
        return not self.errors

    @property
    def prune_skipped_reason(self) -> str | None:
        if not self.errors:
            return None
        return (
            f"{len(self.errors)} broker row(s) could not be used; a row we could not read "
            "might be a leg we would delete, so nothing was deleted"
        )

    @property
    def writes(self) -> list[OptionLeg]:
        """The legs to upsert: opened and changed ones, never the unchanged."""
        return [*self.opened, *(new for _, new in self.changed)]


def plan_sync(
    snapshot: BrokerSnapshot,
    stored: StoredLegs | Mapping[LegKey, OptionLeg],
    now: datetime,
    marks: Mapping[str, Decimal] | None = None,
) -> SyncPlan:
    """Plan the mirror of ``snapshot`` over the account's ``stored`` legs.

    ``stored`` is the store's :class:`StoredLegs` (what the sync passes) or the account's legs
    by key. ``marks`` maps compact OCC symbols to a fresh ``last_price``; legs without one keep
    the stored price. ``now`` stamps ``updated_at`` on legs whose data changed, and only on
    those.

    Two passes. The first settles, with a few comparisons and no leg built, every row that is
    exactly what the store holds under the same compact symbol; in a resync that is nearly every
    row. The second runs the full checks on every other row (new, changed, garbled, stock, in
    another spelling) against the stored legs left over. Both passes decide as the second alone
    would: a property test holds them to it.
    """
    account_id = snapshot.account_id
    stored = _stored_of(account_id, stored)
    marks = marks or {}
    if not stored.long and not stored.short:  # a first sync: nothing to settle against
        return plan_sync_reference(snapshot, stored, now, marks)
    left = (stored.long.copy(), stored.short.copy())
    unchanged, rest = _settle_unchanged(snapshot.positions, left, marks)
    plan = _plan_rows(account_id, rest, stored, left, unchanged, now, marks)
    if plan is None:
        # A row repeats a leg the first pass settled: the full pass over every row reports the
        # repetition exactly as it reports any other.
        return plan_sync_reference(snapshot, stored, now, marks)
    return plan


def _stored_of(account_id: str, stored: StoredLegs | Mapping[LegKey, OptionLeg]) -> StoredLegs:
    if not isinstance(stored, StoredLegs):
        return StoredLegs.from_legs(account_id, stored.values())
    if stored.account_id != account_id:
        raise ValueError(
            f"the stored legs of account {stored.account_id!r} for a snapshot of {account_id!r}"
        )
    return stored


def _was_settled(
    key: _Key, stored: StoredLegs, left: tuple[dict[str, LegRecord], dict[str, LegRecord]]
) -> bool:
    """Whether the fast pass settled a row holding the leg of ``key``: stored, and not left
    over (the full pass has consumed nothing yet when this is asked)."""
    root, tail, side = key
    symbol, long = root + tail, side is _LONG
    return symbol in (stored.long if long else stored.short) and symbol not in left[not long]


def plan_sync_reference(
    snapshot: BrokerSnapshot,
    stored: StoredLegs | Mapping[LegKey, OptionLeg],
    now: datetime,
    marks: Mapping[str, Decimal] | None = None,
) -> SyncPlan:
    """The plan of :func:`plan_sync` by the full pass alone: every row built into a leg and
    compared with its stored leg. Slower; it is the specification the fast pass is tested
    against."""
    account_id = snapshot.account_id
    stored = _stored_of(account_id, stored)
    left = (stored.long.copy(), stored.short.copy())
    plan = _plan_rows(account_id, snapshot.positions, stored, left, 0, now, marks or {})
    assert plan is not None  # with nothing settled, no row can repeat a settled one
    return plan


def _settle_unchanged(
    rows: Sequence[BrokerPosition],
    left: tuple[dict[str, LegRecord], dict[str, LegRecord]],
    marks: Mapping[str, Decimal],
) -> tuple[int, list[BrokerPosition]]:
    """Count the rows that match their stored leg exactly, consuming those legs from ``left``;
    return the count and the other rows, in the snapshot's order.

    A row settles only when the full pass would find it valid and unchanged: its symbol is the
    very text the store wrote (so it parses to the stored contract), its quantity is a Decimal
    equal to the stored whole number of contracts on the side its sign names (so it is finite,
    whole and not zero), its cost basis gives the stored cost per contract, and a mark, if any,
    equals the stored price. Anything else goes to the full pass, which decides.
    """
    longs, shorts = left
    decimal_type, str_type = Decimal, str
    settled = 0
    rest: list[BrokerPosition] = []
    # Decimal operators use the thread's context: here the exact money context, so that
    # ``cost / quantity`` is the cost per contract the full pass would compute (same value).
    with localcontext(_MONEY):
        for row in rows:
            symbol, quantity = row.symbol, row.quantity
            if (
                quantity.__class__ is decimal_type
                and symbol.__class__ is str_type
                and quantity.is_finite()  # a NaN would raise in the comparisons below
                and quantity  # zero is an error, not a side
            ):
                short = quantity.is_signed()
                index = shorts if short else longs
                record = index.pop(symbol, None)
                if record is not None:
                    held, per_contract, last_price, _ = record
                    cost = row.cost_basis
                    if (
                        quantity == (-held if short else held)
                        and (
                            per_contract is None
                            if cost is None
                            else cost.__class__ is decimal_type
                            and cost.is_finite()
                            and (cost / quantity).copy_abs() == per_contract
                        )
                        and (not marks or _mark_keeps(marks.get(symbol), last_price))
                    ):
                        settled += 1
                        continue
                    index[symbol] = record  # the full pass compares it
            rest.append(row)
    return settled, rest


def _mark_keeps(mark: Decimal | None, last_price: Decimal | None) -> bool:
    return mark is None or mark == last_price


def _plan_rows(
    account_id: str,
    rows: Sequence[BrokerPosition],
    stored: StoredLegs,
    left: tuple[dict[str, LegRecord], dict[str, LegRecord]],
    settled: int,
    now: datetime,
    marks: Mapping[str, Decimal],
) -> SyncPlan | None:
    """The full pass: plan ``rows`` against the stored legs ``left`` unsettled, ``settled`` rows
    having been found unchanged already. None when a row repeats a settled leg."""
    # Keyed by (root, tail, side), see _Key: within one account that is the leg's key, in the
    # same order, and it costs a fifth of building a LegKey.
    fresh: dict[_Key, OptionLeg] = {}
    repeated: set[_Key] = set()

    # Skipped rows and errors are reported in the broker's order, whatever order rows are
    # built in: (row number, item), sorted by row number at the end.
    skipped_at: list[tuple[int, str]] = []
    errors_at: list[tuple[int, RowError]] = []
    held: _Held = {}
    with localcontext(_MONEY):  # _leg_from_row divides money with the operator
        for number in _building_order(rows):
            row = rows[number]
            try:
                key, leg = _leg_from_row(account_id, row, now, held)
            except _Skipped:
                skipped_at.append((number, row.symbol))
                continue
            except _Unusable as unusable:
                errors_at.append((number, RowError(_shown(row.symbol), unusable.reason)))
                continue
            if fresh.setdefault(key, leg) is not leg:
                repeated.add(key)
            elif settled and _was_settled(key, stored, left):
                return None
        skipped = [symbol for _, symbol in sorted(skipped_at, key=_first)]
        errors = [error for _, error in sorted(errors_at, key=_first)]

        if repeated:
            # Never merge: which row is right is the broker's to say, not ours. Reported per
            # key in the order the keys first appeared, each with its rows in the broker's order.
            symbols: dict[_Key, list[str]] = {}
            for row in rows:
                found = _key_of_row(account_id, row, now)
                if found in repeated:
                    symbols.setdefault(found, []).append(row.symbol)
            for key, rows_of_key in symbols.items():
                leg = fresh.pop(key)
                occ, side = leg.occ, leg.side
                reason = (
                    f"{len(rows_of_key)} rows hold the same leg ({side.value} {occ.root} "
                    f"{occ.expiration} {occ.option_type.value} {occ.strike}); none was applied"
                )
                errors.extend(RowError(symbol, reason) for symbol in rows_of_key)

    # Legs are classified in the order they were built; only the opened and changed ones are
    # sorted, by key: a sync that changes nothing sorts nothing.
    opened: list[tuple[_Key, OptionLeg]] = []
    changed: list[tuple[_Key, tuple[OptionLeg, OptionLeg]]] = []
    unchanged = settled
    longs, shorts = left
    look_up = bool(longs or shorts)
    if not look_up and not marks:  # nothing stored, nothing priced: every leg is opened
        opened.extend(fresh.items())
    else:
        for key, leg in fresh.items():
            previous: OptionLeg | None = None
            root, tail, side = key
            symbol = root + tail  # the compact OCC symbol, as the store and the marks key it
            if look_up:
                record = (longs if side is _LONG else shorts).pop(symbol, None)
                if record is not None:
                    previous = stored.leg(symbol, side, record)
            mark = marks.get(symbol) if marks else None
            last_price = mark if mark is not None else (previous.last_price if previous else None)
            if last_price is not None:
                leg = _with_last_price(leg, last_price)
            if previous is None:
                opened.append((key, leg))
            elif leg.same_position_as(previous):
                unchanged += 1
            else:
                changed.append((key, (previous, leg)))
    opened.sort(key=_first)  # keys are unique: the legs themselves are never compared
    changed.sort(key=_first)

    removed: tuple[OptionLeg, ...] = ()
    if not errors:
        gone = [
            stored.leg(symbol, side, record)
            for side, index in ((_LONG, longs), (_SHORT, shorts))
            for symbol, record in index.items()
        ]
        removed = tuple(sorted(gone, key=_key_of_leg))

    return SyncPlan(
        account_id=account_id,
        opened=tuple(map(_second, opened)),
        changed=tuple(map(_second, changed)),
        unchanged=unchanged,
        removed=removed,
        skipped=tuple(skipped),
        errors=tuple(errors),
        synced=settled + len(fresh),
    )


def cost_basis_per_contract(cost_basis: Decimal | None, contracts: int) -> Decimal | None:
    """``abs(cost_basis) / contracts``: the broker's total includes the x100 multiplier, and the
    sign of a short's cost basis is not documented, so only the magnitude is kept."""
    if cost_basis is None:
        return None
    return _MONEY.divide(abs(cost_basis), Decimal(contracts))


class _Skipped(Exception):
    """A stock row: not an option leg, not an error."""


class _Unusable(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


_IN_CACHE = 20_000
"""Rows up to which building legs in the broker's order costs nothing (see _building_order)."""


def _building_order(rows: Sequence[BrokerPosition]) -> Sequence[int]:
    """The row numbers in the order to build their legs: the broker's, or for a large snapshot
    the order of the symbols' text, which is nearly the key order the legs are sorted into.

    Later passes (the sort, the events, the store's rows) walk the legs in key order. Built in
    the broker's order, a 100,000-leg sync's legs lie scattered in memory relative to that walk,
    and the CPU's caches miss (about a tenth of its time); built in symbol order they lie about
    where the walk finds them. A 10,000-leg snapshot fits the caches either way, and there the
    extra sort would cost more than it saves. Only the order of work changes, never a result.
    """
    numbers = range(len(rows))
    if len(rows) <= _IN_CACHE:
        return numbers
    symbols = [row.symbol for row in rows]
    try:
        return sorted(numbers, key=symbols.__getitem__)
    except Exception:  # a symbol that is not text does not sort with the others: keep it all
        return numbers


_Held = dict[str, tuple[int, Side]]
"""One plan's memo of what each quantity holds: (contracts, side), by the quantity's text.

An account's quantities are a few small numbers repeated across its rows (1, -2, 10 ...), and
looking one up costs a third of checking it again. Keyed by ``str(quantity)``, not by the
Decimal: a Decimal computes its hash on first use, and the broker's rows are fresh objects in
every sync, so hashing ``Decimal('-3.00000000')`` (0.6 us) cost more than the check it saved;
its text is exact (value and exponent) and hashes in a few nanoseconds. Only quantities of
exactly ``Decimal`` are looked up (a subclass may write itself as it likes, and an int equal
to a Decimal must not find the Decimal's answer: it is an error), and only accepted ones are
kept."""


def _leg_from_row(
    account_id: str, row: BrokerPosition, now: datetime, held: _Held
) -> tuple[_Key, OptionLeg]:
    """The key and the leg of one broker row, or _Skipped / _Unusable. Call it in the money
    context (``localcontext(_MONEY)``): it divides the cost basis with the ``/`` operator, a
    fifth of ``_MONEY.divide``'s cost, and the same quotient."""
    symbol = row.symbol
    try:
        occ = parse_occ_symbol(symbol)
    except InvalidOccSymbol as invalid:
        if isinstance(symbol, str) and _STOCK_TICKER.fullmatch(symbol):
            raise _Skipped from None
        raise _Unusable(invalid.reason) from None
    quantity = row.quantity
    if quantity.__class__ is Decimal:
        text = str(quantity)
        found = held.get(text)
        if found is None:
            found = held[text] = _contracts(quantity)  # raises for NaN, zero, 1.5 ...
        contracts, side = found
    else:
        contracts, side = _contracts(quantity)  # raises: not a finite Decimal
    cost_basis = row.cost_basis
    if cost_basis is not None:
        if not isinstance(cost_basis, Decimal) or not cost_basis.is_finite():
            raise _Unusable(f"cost basis {cost_basis} is not a finite number")
        if not amount_fits(cost_basis):
            raise _Unusable(f"cost basis {cost_basis:.3E} is beyond any amount a store holds")
        cost_basis = abs(cost_basis) / contracts  # in the caller's context: _MONEY
    # The parser accepted the text, so its last fifteen characters are the canonical tail; a
    # str subclass is not trusted to slice as str does.
    tail = symbol[_TAIL] if symbol.__class__ is str else occ.format()[_TAIL]
    # Positional: this runs once per broker row. (account_id, occ, side, quantity,
    # cost_basis_per_contract, last_price, updated_at)
    leg = OptionLeg(account_id, occ, side, contracts, cost_basis, None, now)
    return (occ[0], tail, side), leg


_TAIL = slice(-15, None)


def _contracts(quantity: object) -> tuple[int, Side]:
    """The contracts and the side a broker's signed quantity holds, or _Unusable."""
    if not isinstance(quantity, Decimal) or not quantity.is_finite():
        raise _Unusable(f"quantity {quantity!r} is not a finite number")
    if not quantity:
        raise _Unusable("quantity is zero: an option position holds at least one contract")
    if abs(quantity) > MAX_CONTRACTS:  # before int(): 1E+999999 would be a million digits
        raise _Unusable(
            f"quantity {quantity} is more contracts than a leg can hold ({MAX_CONTRACTS:,})"
        )
    contracts = int(quantity)  # truncates; a Decimal compares with an int exactly
    if quantity != contracts:
        raise _Unusable(f"quantity {quantity} is not a whole number of contracts")
    return (contracts, _LONG) if contracts > 0 else (-contracts, _SHORT)


def _key_of_row(account_id: str, row: BrokerPosition, now: datetime) -> _Key | None:
    """The key of a usable row, None for any other (the slow path that reports duplicates)."""
    try:
        key, _ = _leg_from_row(account_id, row, now, {})
    except (_Skipped, _Unusable):
        return None
    return key


def _with_last_price(leg: OptionLeg, last_price: Decimal) -> OptionLeg:
    return OptionLeg(
        account_id=leg.account_id,
        occ=leg.occ,
        side=leg.side,
        quantity=leg.quantity,
        cost_basis_per_contract=leg.cost_basis_per_contract,
        last_price=last_price,
        updated_at=leg.updated_at,
    )


def _key_of_leg(leg: OptionLeg) -> LegKey:
    return leg.key


_second = itemgetter(1)
_first = itemgetter(0)
"""Sort by the leg's :data:`_Key`: the key order of the store's ``all_legs`` within one
account."""


def _shown(symbol: object) -> str:
    return symbol if isinstance(symbol, str) else repr(symbol)
