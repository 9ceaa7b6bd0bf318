"""The sync's functional core: from a broker snapshot and the stored legs, decide what changes.

Pure: no store, no clock, no broker. Three rules, each a function of its own, table-tested:
what leg a broker row holds (:func:`read_row`), how those legs differ from what is stored
(:func:`plan_sync`), and whether the legs the broker no longer reports may be deleted
(:func:`may_prune`). Legs are compared as values; a validated :class:`OptionLeg` is built only
for a leg the plan reports (opened, changed, re-marked or removed). Stock rows are planned
beside the legs under the same rules (:func:`read_stock_row`): one unusable row of either kind
blocks every deletion, of legs and of shares alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from legsync.domain import (
    MAX_CONTRACTS,
    BrokerPosition,
    BrokerSnapshot,
    ContractSide,
    InvalidOccSymbol,
    OccSymbol,
    OptionLeg,
    PositionEvent,
    PositionRemoved,
    PositionSynced,
    Side,
    StockEvent,
    StockPosition,
    StockPositionRemoved,
    StockPositionSynced,
    StoredLegs,
    SyncCounts,
    amount_fits,
    cost_basis_per_contract,
    cost_per_unit,
    parse_occ_symbol,
)

from .results import RowError

__all__ = ["SyncPlan", "is_stock_ticker", "may_prune", "plan_sync", "read_row", "read_stock_row"]

# Plain stock tickers: letters, optionally a share class (BRK.B, BRK/B). Anything else that is
# not an OCC symbol is an error, not stock: a garbled option row must block the prune.
_STOCK_TICKER = re.compile(r"[A-Z]{1,6}(?:[./][A-Z]{1,2})?")


@dataclass(frozen=True, slots=True)
class SyncPlan:
    """What applying a snapshot at ``planned_at`` would do. ``changed`` pairs each leg's
    previous reading with its new one; opened, changed and removed legs are in key order.

    ``remarked`` holds the unchanged legs a fresh mark priced at the price already stored: the
    stored leg with ``marked_at`` moved to ``planned_at``. They are written (the mark's time
    is new) but count as unchanged and are announced by no event: nothing about the position
    changed. ``stock_remarked`` is the same for shares.
    """

    account_id: str
    planned_at: datetime
    opened: tuple[OptionLeg, ...]
    changed: tuple[tuple[OptionLeg, OptionLeg], ...]
    unchanged: int
    removed: tuple[OptionLeg, ...]
    skipped: tuple[str, ...]
    errors: tuple[RowError, ...]
    stock_opened: tuple[StockPosition, ...] = ()
    stock_changed: tuple[tuple[StockPosition, StockPosition], ...] = ()
    stock_unchanged: int = 0
    stock_removed: tuple[StockPosition, ...] = ()
    remarked: tuple[OptionLeg, ...] = ()
    stock_remarked: tuple[StockPosition, ...] = ()

    @property
    def pruned(self) -> bool:
        """Whether the legs absent from the snapshot are deleted (see :func:`may_prune`)."""
        return may_prune(self.errors)

    @property
    def prune_skipped_reason(self) -> str | None:
        if self.pruned:
            return None
        return (
            f"{len(self.errors)} broker row(s) could not be used; a row we could not read "
            "might be a leg we would delete, so nothing was deleted"
        )

    @property
    def counts(self) -> SyncCounts:
        return SyncCounts(
            opened=len(self.opened),
            changed=len(self.changed),
            unchanged=self.unchanged,
            removed=len(self.removed),
            skipped=len(self.skipped),
            errors=len(self.errors),
            stock_opened=len(self.stock_opened),
            stock_changed=len(self.stock_changed),
            stock_unchanged=self.stock_unchanged,
            stock_removed=len(self.stock_removed),
        )

    @property
    def writes(self) -> list[OptionLeg]:
        """The legs to upsert: opened, changed and re-marked ones, never a leg whose stored row
        is already right."""
        return [*self.opened, *(new for _, new in self.changed), *self.remarked]

    @property
    def events(self) -> tuple[PositionEvent, ...]:
        """What the sync publishes once the plan is committed, in this order."""
        return (
            *(PositionSynced(leg, None, self.planned_at) for leg in self.opened),
            *(PositionSynced(new, old, self.planned_at) for old, new in self.changed),
            *(PositionRemoved(leg, self.planned_at) for leg in self.removed),
        )

    @property
    def stock_writes(self) -> list[StockPosition]:
        """The stock positions to upsert: opened, changed and re-marked ones, never a position
        whose stored row is already right."""
        return [*self.stock_opened, *(new for _, new in self.stock_changed), *self.stock_remarked]

    @property
    def stock_events(self) -> tuple[StockEvent, ...]:
        """What the sync publishes about shares once the plan is committed, after the legs'."""
        return (
            *(StockPositionSynced(p, None, self.planned_at) for p in self.stock_opened),
            *(StockPositionSynced(new, old, self.planned_at) for old, new in self.stock_changed),
            *(StockPositionRemoved(p, self.planned_at) for p in self.stock_removed),
        )


class StockRow(Exception):
    """A broker row of stock: not an option leg, and not an error."""


class UnusableRow(Exception):
    """A broker row that is no leg; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_row(row: BrokerPosition) -> tuple[ContractSide, int, Decimal | None]:
    """The contract and side a broker row holds, how many contracts, and the cost of each.

    Raises :class:`StockRow` for a stock ticker and :class:`UnusableRow` for anything else that
    is not a leg: a garbled symbol, a quantity that is not a whole, non-zero number of contracts
    a leg can hold, a cost basis that is not a finite amount every store holds.
    """
    try:
        occ = parse_occ_symbol(row.symbol)
    except InvalidOccSymbol as invalid:
        if is_stock_ticker(row.symbol):
            raise StockRow from None
        raise UnusableRow(invalid.reason) from None
    contracts = _contracts(row.quantity)
    cost_basis = row.cost_basis
    if cost_basis is not None:
        if not isinstance(cost_basis, Decimal) or not cost_basis.is_finite():
            raise UnusableRow(f"cost basis {cost_basis} is not a finite number")
        if not amount_fits(cost_basis):
            raise UnusableRow(f"cost basis {cost_basis:.3E} is beyond any amount a store holds")
    side = Side.from_signed_quantity(row.quantity)
    return (occ, side), contracts, cost_basis_per_contract(cost_basis, contracts)


def _contracts(quantity: object) -> int:
    """The number of contracts a broker's signed quantity holds, or UnusableRow."""
    if not isinstance(quantity, Decimal) or not quantity.is_finite():
        raise UnusableRow(f"quantity {quantity!r} is not a finite number")
    if quantity.adjusted() >= 10:  # before int(): 1E+999999 would be a million digits
        raise UnusableRow(
            f"quantity {quantity} is more contracts than a leg can hold ({MAX_CONTRACTS:,})"
        )
    contracts = abs(int(quantity))
    if contracts != quantity.copy_abs():  # an int and a Decimal compare exactly
        raise UnusableRow(f"quantity {quantity} is not a whole number of contracts")
    if not contracts:
        raise UnusableRow("quantity is zero: an option position holds at least one contract")
    if contracts > MAX_CONTRACTS:
        raise UnusableRow(
            f"quantity {quantity} is more contracts than a leg can hold ({MAX_CONTRACTS:,})"
        )
    return contracts


def is_stock_ticker(symbol: object) -> bool:
    """Whether a broker row's symbol is a plain stock ticker (checked after the OCC parse
    failed: ``read_row`` decides, this only lets the sync ask for the shares' marks)."""
    return isinstance(symbol, str) and _STOCK_TICKER.fullmatch(symbol) is not None


def read_stock_row(row: BrokerPosition) -> tuple[Decimal, Decimal | None]:
    """The signed shares a stock row holds and the cost of each (a magnitude).

    Raises :class:`UnusableRow` for a row that cannot be mirrored as it stands: a quantity that
    is zero or not a finite amount every store holds, a cost basis that is not one either.
    Fractional shares are real (dividend reinvestment), so they are not an error.
    """
    quantity = row.quantity
    if not amount_fits(quantity):
        raise UnusableRow(f"quantity {quantity!r} is not a finite number of shares a store holds")
    if not quantity:
        raise UnusableRow("quantity is zero: a stock position holds shares")
    cost_basis = row.cost_basis
    if cost_basis is None:
        return quantity, None
    if not isinstance(cost_basis, Decimal) or not cost_basis.is_finite():
        raise UnusableRow(f"cost basis {cost_basis} is not a finite number")
    if not amount_fits(cost_basis):
        raise UnusableRow(f"cost basis {cost_basis:.3E} is beyond any amount a store holds")
    per_share = cost_per_unit(cost_basis, quantity)
    if not amount_fits(per_share):
        raise UnusableRow(f"cost basis {cost_basis} over {quantity} shares is beyond any amount")
    return quantity, per_share


def may_prune(errors: tuple[RowError, ...]) -> bool:
    """Legs absent from the snapshot are deleted only after a read with no unusable row: a row
    we could not read might be the very leg we would delete."""
    return not errors


def plan_sync(
    snapshot: BrokerSnapshot,
    stored: StoredLegs,
    now: datetime,
    marks: Mapping[str, Decimal] | None = None,
    stored_stock: Mapping[str, StockPosition] | None = None,
) -> SyncPlan:
    """Plan the mirror of ``snapshot`` over the account's ``stored`` legs.

    ``marks`` maps compact OCC symbols to a fresh ``last_price``; legs without one keep the
    stored price and its ``marked_at``. ``now`` stamps ``updated_at`` on the legs whose data
    changed, and only those, and ``marked_at`` on every leg a fresh mark priced: one whose
    price did not move is re-marked (see :class:`SyncPlan`), not changed.
    Two rows holding one leg are both reported and neither applied: which is right is the
    broker's to say, not ours.

    ``stored_stock`` maps each ticker to the account's stored shares; stock rows are diffed
    against it exactly as legs against ``stored`` (``marks`` may price tickers too). Left
    out, the account is taken to hold no stored shares.
    """
    account_id = snapshot.account_id
    if stored.account_id != account_id:
        raise ValueError(
            f"the stored legs of account {stored.account_id!r} for a snapshot of {account_id!r}"
        )
    # What each row holds, per side and contract: (contracts, cost per contract, symbol).
    held: dict[Side, dict[OccSymbol, tuple[int, Decimal | None, str]]] = {side: {} for side in Side}
    repeated: dict[ContractSide, list[str]] = {}
    errors: list[RowError] = []
    shares: dict[str, tuple[Decimal, Decimal | None]] = {}
    repeated_stock: dict[str, int] = {}
    for row in snapshot.positions:
        try:
            (occ, side), contracts, cost = read_row(row)
        except StockRow:
            try:
                shares_held = read_stock_row(row)
            except UnusableRow as unusable:
                errors.append(RowError(row.symbol, unusable.reason))
                continue
            repeated_stock[row.symbol] = repeated_stock.get(row.symbol, 0) + 1
            shares[row.symbol] = shares_held
            continue
        except UnusableRow as unusable:
            errors.append(RowError(_shown(row.symbol), unusable.reason))
            continue
        earlier = held[side].get(occ)
        if earlier is not None:
            repeated.setdefault((occ, side), [earlier[2]]).append(row.symbol)
        held[side][occ] = (contracts, cost, row.symbol)
    for (occ, side), symbols in repeated.items():
        del held[side][occ]
        errors.extend(_repeated(occ, side, symbols))
    for ticker, count in repeated_stock.items():
        if count > 1:
            del shares[ticker]
            reason = f"{count} rows hold shares of {ticker}; none was applied"
            errors.extend(RowError(ticker, reason) for _ in range(count))

    prices = _prices(marks or {})
    opened: list[OptionLeg] = []
    changed: list[tuple[OptionLeg, OptionLeg]] = []
    remarked: list[OptionLeg] = []
    unchanged = 0
    for side, legs in held.items():
        records = stored.side(side)
        for occ, (contracts, cost, _) in legs.items():
            record = records.get(occ)
            mark = prices.get(occ)
            if record is None:
                marked_at = None if mark is None else now
                opened.append(
                    OptionLeg(account_id, occ, side, contracts, cost, mark, now, marked_at)
                )
                continue
            stored_contracts, stored_cost, stored_price, _, stored_marked_at = record
            last_price = stored_price if mark is None else mark
            if (contracts, cost, last_price) != (stored_contracts, stored_cost, stored_price):
                marked_at = stored_marked_at if mark is None else now
                new = OptionLeg(account_id, occ, side, contracts, cost, last_price, now, marked_at)
                changed.append((stored.leg(occ, side), new))
                continue
            unchanged += 1
            if mark is not None:
                remarked.append(replace(stored.leg(occ, side), marked_at=now))
    gone = [
        stored.leg(occ, side) for side in Side for occ in stored.side(side) if occ not in held[side]
    ]
    stock = _plan_stock(account_id, shares, stored_stock or {}, now, marks or {})
    prune = may_prune(tuple(errors))
    return SyncPlan(
        account_id=account_id,
        planned_at=now,
        opened=tuple(sorted(opened, key=_key_order)),
        changed=tuple(sorted(changed, key=lambda pair: _key_order(pair[1]))),
        unchanged=unchanged,
        removed=tuple(sorted(gone, key=_key_order)) if prune else (),
        skipped=(),  # stock rows are mirrored now; the count stays for sync_runs' column
        errors=tuple(errors),
        stock_opened=stock.opened,
        stock_changed=stock.changed,
        stock_unchanged=stock.unchanged,
        stock_removed=stock.removed if prune else (),
        remarked=tuple(sorted(remarked, key=_key_order)),
        stock_remarked=stock.remarked,
    )


@dataclass(frozen=True, slots=True)
class _StockDiff:
    opened: tuple[StockPosition, ...]
    changed: tuple[tuple[StockPosition, StockPosition], ...]
    unchanged: int
    removed: tuple[StockPosition, ...]
    remarked: tuple[StockPosition, ...]


def _plan_stock(
    account_id: str,
    shares: Mapping[str, tuple[Decimal, Decimal | None]],
    stored: Mapping[str, StockPosition],
    now: datetime,
    marks: Mapping[str, Decimal],
) -> _StockDiff:
    """The stock half of the diff, by ticker: the same value comparison as the legs', so an
    unchanged position is neither written nor announced and keeps its ``updated_at``, and one
    re-marked at its stored price is written for its ``marked_at`` alone."""
    opened: list[StockPosition] = []
    changed: list[tuple[StockPosition, StockPosition]] = []
    remarked: list[StockPosition] = []
    unchanged = 0
    for ticker in sorted(shares):
        quantity, cost = shares[ticker]
        record = stored.get(ticker)
        mark = marks.get(ticker)
        if record is None:
            marked_at = None if mark is None else now
            opened.append(StockPosition(account_id, ticker, quantity, cost, mark, now, marked_at))
            continue
        last_price = record.last_price if mark is None else mark
        marked_at = record.marked_at if mark is None else now
        new = StockPosition(account_id, ticker, quantity, cost, last_price, now, marked_at)
        if not record.same_position_as(new):
            changed.append((record, new))
            continue
        unchanged += 1
        if mark is not None:
            remarked.append(replace(record, marked_at=now))
    removed = tuple(stored[ticker] for ticker in sorted(stored) if ticker not in shares)
    return _StockDiff(tuple(opened), tuple(changed), unchanged, removed, tuple(remarked))


def _repeated(occ: OccSymbol, side: Side, symbols: list[str]) -> list[RowError]:
    reason = (
        f"{len(symbols)} rows hold the same leg ({side.value} {occ.root} {occ.expiration} "
        f"{occ.option_type.value} {occ.strike}); none was applied"
    )
    return [RowError(symbol, reason) for symbol in symbols]


def _prices(marks: Mapping[str, Decimal]) -> dict[OccSymbol, Decimal]:
    """Marks by contract; a mark for a symbol that is no contract prices nothing."""
    prices: dict[OccSymbol, Decimal] = {}
    for symbol, price in marks.items():
        try:
            prices[parse_occ_symbol(symbol)] = price
        except InvalidOccSymbol:
            continue
    return prices


def _key_order(leg: OptionLeg) -> tuple[OccSymbol, Side]:
    """Within one account, a leg's key order: the store's ``all_legs`` order."""
    return (leg.occ, leg.side)


def _shown(symbol: object) -> str:
    return symbol if isinstance(symbol, str) else repr(symbol)
