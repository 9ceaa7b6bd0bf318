"""In-memory adapters of every port: the fakes legsync's own tests use, shipped for users' too.

They pass the same contract suites as the real adapters, so code tested against them behaves
the same against SQLite, PostgreSQL or Tradier.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Self

from legsync.domain import (
    BrokerPosition,
    BrokerSnapshot,
    LegKey,
    OptionLeg,
    StockPosition,
    StoredLegs,
    SyncRun,
    Trade,
    TradeStatus,
)
from legsync.ports import BrokerUnavailable, Clock, Marks, TradeNotFound

from .clock import ManualClock

__all__ = [
    "InMemoryBroker",
    "InMemoryDatabase",
    "InMemoryPositionRepository",
    "InMemoryQuotes",
    "InMemorySyncRunRepository",
    "InMemoryTradeRepository",
    "InMemoryUnitOfWork",
]


# --- the store -------------------------------------------------------------------------------


class InMemoryPositionRepository:
    """``portfolio_positions`` as a dict. Counts the rows it writes, so tests can assert that a
    repeated sync wrote nothing."""

    def __init__(self, legs: Iterable[OptionLeg] = ()) -> None:
        self._legs: dict[LegKey, OptionLeg] = {leg.key: leg for leg in legs}
        self._stock: dict[tuple[str, str], StockPosition] = {}
        self.rows_written = 0
        self.rows_deleted = 0

    def copy(self) -> InMemoryPositionRepository:
        twin = InMemoryPositionRepository()
        twin._legs = dict(self._legs)
        twin._stock = dict(self._stock)
        return twin

    def upsert(self, legs: Iterable[OptionLeg]) -> int:
        written = 0
        for leg in legs:
            self._legs[leg.key] = leg
            written += 1
        self.rows_written += written
        return written

    def all_legs(self, account_id: str | None = None) -> list[OptionLeg]:
        return sorted(
            (leg for leg in self._legs.values() if account_id in (None, leg.account_id)),
            key=_leg_order,
        )

    def legs_by_key(self, account_id: str) -> dict[LegKey, OptionLeg]:
        return {key: leg for key, leg in self._legs.items() if key.account_id == account_id}

    def stored_legs(self, account_id: str) -> StoredLegs:
        return StoredLegs.from_legs(
            account_id, (leg for key, leg in self._legs.items() if key.account_id == account_id)
        )

    def legs_for_symbol(
        self, account_id: str, symbol: str, expiration: date | None = None
    ) -> list[OptionLeg]:
        return [
            leg
            for leg in self.all_legs(account_id)
            if leg.symbol == symbol and expiration in (None, leg.expiration)
        ]

    def delete(self, keys: Collection[LegKey]) -> int:
        deleted = 0
        for key in keys:
            if self._legs.pop(key, None) is not None:
                deleted += 1
        self.rows_deleted += deleted
        return deleted

    def delete_missing(self, account_id: str, keep: Collection[LegKey]) -> int:
        keep = set(keep)
        doomed = [k for k in self._legs if k.account_id == account_id and k not in keep]
        return self.delete(doomed)

    def clear(self, account_id: str) -> int:
        return self.delete_missing(account_id, ())

    def accounts(self) -> list[str]:
        return sorted({key.account_id for key in self._legs})

    # Stock rows count in rows_written and rows_deleted too: "a resync wrote nothing" must
    # cover the shares as well as the legs.

    def stock(self, account_id: str | None = None) -> list[StockPosition]:
        return [
            position
            for (account, _), position in sorted(self._stock.items())
            if account_id in (None, account)
        ]

    def upsert_stock(self, positions: Iterable[StockPosition]) -> int:
        written = 0
        for position in positions:
            self._stock[(position.account_id, position.symbol)] = position
            written += 1
        self.rows_written += written
        return written

    def delete_stock(self, account_id: str, symbols: Collection[str]) -> int:
        deleted = 0
        for symbol in set(symbols):
            if self._stock.pop((account_id, symbol), None) is not None:
                deleted += 1
        self.rows_deleted += deleted
        return deleted


def _leg_order(leg: OptionLeg) -> tuple[str, str, date, str, Decimal, str]:
    key = leg.key
    return (
        key.account_id,
        key.root,
        key.expiration,
        key.option_type.value,
        key.strike,
        key.side.value,
    )


class InMemorySyncRunRepository:
    def __init__(self) -> None:
        self._runs: list[SyncRun] = []

    def copy(self) -> InMemorySyncRunRepository:
        twin = InMemorySyncRunRepository()
        twin._runs = list(self._runs)
        return twin

    def record(self, run: SyncRun) -> SyncRun:
        stored = replace(run, id=len(self._runs) + 1)
        self._runs.append(stored)
        return stored

    def last_run(self, account_id: str) -> SyncRun | None:
        return next((r for r in reversed(self._runs) if r.account_id == account_id), None)

    def last_successful_run(self, account_id: str) -> SyncRun | None:
        return next(
            (r for r in reversed(self._runs) if r.account_id == account_id and r.success), None
        )

    def latest_runs(self) -> list[SyncRun]:
        latest: dict[str, SyncRun] = {}
        for run in self._runs:
            latest[run.account_id] = run
        return [latest[account] for account in sorted(latest)]


class InMemoryTradeRepository:
    def __init__(self, trades: Iterable[Trade] = ()) -> None:
        self._trades: dict[int, Trade] = {}
        for trade in trades:
            self.add(trade)

    def copy(self) -> InMemoryTradeRepository:
        twin = InMemoryTradeRepository()
        twin._trades = dict(self._trades)
        return twin

    def add(self, trade: Trade) -> Trade:
        trade_id = trade.id if trade.id is not None else max(self._trades, default=0) + 1
        if trade_id in self._trades:
            raise ValueError(f"a trade with id {trade_id} exists already")
        stored = replace(trade, id=trade_id)
        self._trades[trade_id] = stored
        return stored

    def get(self, trade_id: int) -> Trade:
        try:
            return self._trades[trade_id]
        except KeyError:
            raise TradeNotFound(trade_id) from None

    def list_trades(
        self, *, account_id: str | None = None, include_closed: bool = False
    ) -> list[Trade]:
        return [
            t
            for _, t in sorted(self._trades.items())
            if account_id in (None, t.account_id) and (include_closed or t.is_open)
        ]

    def open_managed(self, account_id: str | None = None) -> list[Trade]:
        return [t for t in self.list_trades(account_id=account_id) if t.is_managed]

    def set_managed(self, trade_id: int, managed: bool) -> Trade:
        updated = replace(self.get(trade_id), managed=managed)
        self._trades[trade_id] = updated
        return updated

    def close(self, trade_id: int, closed_at: datetime, reason: str) -> Trade:
        updated = replace(
            self.get(trade_id), status=TradeStatus.CLOSED, closed_at=closed_at, close_reason=reason
        )
        self._trades[trade_id] = updated
        return updated


class InMemoryDatabase:
    """The committed state of an in-memory store, and the factory of its units of work.

    ``InMemoryDatabase()`` is a ``UnitOfWorkFactory``: call it to open a unit of work.
    Units of work run one at a time (a lock held from enter to exit), which makes them
    serialisable and makes :meth:`InMemoryUnitOfWork.lock_account` trivially true.
    """

    def __init__(self) -> None:
        self.positions = InMemoryPositionRepository()
        self.sync_runs = InMemorySyncRunRepository()
        self.trades = InMemoryTradeRepository()
        self.commits = 0
        self._lock = threading.RLock()

    def __call__(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self)


class InMemoryUnitOfWork:
    """Works on copies of the committed state; :meth:`commit` swaps them in."""

    def __init__(self, database: InMemoryDatabase) -> None:
        self._database = database
        self._positions: InMemoryPositionRepository | None = None
        self._sync_runs: InMemorySyncRunRepository | None = None
        self._trades: InMemoryTradeRepository | None = None

    @property
    def positions(self) -> InMemoryPositionRepository:
        return self._open()[0]

    @property
    def sync_runs(self) -> InMemorySyncRunRepository:
        return self._open()[1]

    @property
    def trades(self) -> InMemoryTradeRepository:
        return self._open()[2]

    def _open(
        self,
    ) -> tuple[InMemoryPositionRepository, InMemorySyncRunRepository, InMemoryTradeRepository]:
        if self._positions is None or self._sync_runs is None or self._trades is None:
            raise RuntimeError("use the unit of work in a with block")
        return self._positions, self._sync_runs, self._trades

    def __enter__(self) -> Self:
        self._database._lock.acquire()
        self._begin()
        return self

    def _begin(self) -> None:
        db = self._database
        self._positions = db.positions.copy()
        self._positions.rows_written = db.positions.rows_written
        self._positions.rows_deleted = db.positions.rows_deleted
        self._sync_runs = db.sync_runs.copy()
        self._trades = db.trades.copy()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._positions = self._sync_runs = self._trades = None
        self._database._lock.release()

    def lock_account(self, account_id: str) -> None:
        self._open()

    def commit(self) -> None:
        positions, sync_runs, trades = self._open()
        db = self._database
        db.positions, db.sync_runs, db.trades = positions, sync_runs, trades
        db.commits += 1
        self._begin()

    def rollback(self) -> None:
        self._open()
        self._begin()


# --- the broker ------------------------------------------------------------------------------

Step = Sequence[BrokerPosition] | BaseException


class InMemoryBroker:
    """A scriptable broker.

    ``set_positions`` fixes what an account holds; ``script`` queues answers (position lists or
    exceptions) that the next reads return in order before falling back to the fixed holdings.
    Every read is logged in ``reads``.
    """

    def __init__(
        self,
        positions: Mapping[str, Iterable[BrokerPosition]] | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        self._holdings: dict[str, tuple[BrokerPosition, ...]] = {
            account: tuple(rows) for account, rows in (positions or {}).items()
        }
        self._scripts: defaultdict[str, deque[Step]] = defaultdict(deque)
        self._clock: Clock = clock or ManualClock()
        self.reads: list[str] = []

    def set_positions(self, account_id: str, positions: Iterable[BrokerPosition]) -> None:
        self._holdings[account_id] = tuple(positions)

    def script(self, account_id: str, *steps: Step) -> None:
        self._scripts[account_id].extend(steps)

    def fail_next(self, account_id: str, reason: str = "scripted failure") -> None:
        self.script(account_id, BrokerUnavailable(reason, account_id=account_id))

    def fetch_positions(self, account_id: str) -> BrokerSnapshot:
        self.reads.append(account_id)
        queue = self._scripts.get(account_id)
        if queue:
            step = queue.popleft()
            if isinstance(step, BaseException):
                raise step
            rows = tuple(step)
        elif account_id in self._holdings:
            rows = self._holdings[account_id]
        else:
            raise BrokerUnavailable("unknown account", account_id=account_id)
        return BrokerSnapshot(account_id=account_id, positions=rows, fetched_at=self._clock.now())

    def list_accounts(self) -> tuple[str, ...]:
        return tuple(sorted(self._holdings))


class InMemoryQuotes:
    """Marks from a dict; symbols it does not know are reported unmatched."""

    def __init__(self, prices: Mapping[str, Decimal | str] | None = None) -> None:
        self.prices = {symbol: Decimal(price) for symbol, price in (prices or {}).items()}
        self.failure: BrokerUnavailable | None = None
        self.requests: list[tuple[str, ...]] = []

    def fetch_marks(self, occ_symbols: Sequence[str]) -> Marks:
        self.requests.append(tuple(occ_symbols))
        if self.failure is not None:
            raise self.failure
        found = {s: self.prices[s] for s in occ_symbols if s in self.prices}
        unmatched = tuple(s for s in occ_symbols if s not in self.prices)
        return Marks(prices=found, unmatched=unmatched)
