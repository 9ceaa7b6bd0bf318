"""What the application needs from a store: the mirrored legs, the sync log, the trades."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from legsync.domain import LegKey, OptionLeg, StockPosition, StoredLegs, SyncRun, Trade

__all__ = [
    "PositionRepositoryPort",
    "SyncRunRepositoryPort",
    "TradeNotFound",
    "TradeRepositoryPort",
]


@runtime_checkable
class PositionRepositoryPort(Protocol):
    """The ``portfolio_positions`` table, one row per leg, keyed by :class:`LegKey`.

    Every method works inside the unit of work that handed out the repository; nothing is
    durable before that unit of work commits.
    """

    def upsert(self, legs: Iterable[OptionLeg]) -> int:
        """Insert each leg, or replace the one with its key. Returns the rows written."""
        ...

    def all_legs(self, account_id: str | None = None) -> list[OptionLeg]:
        """Every leg of an account (of all accounts when None), in key order.

        Key order: account, root, expiration, option type, strike (numerically), side.
        """
        ...

    def legs_by_key(self, account_id: str) -> dict[LegKey, OptionLeg]:
        """The account's legs, validated, by key."""
        ...

    def stored_legs(self, account_id: str) -> StoredLegs:
        """The account's legs as the sync compares them: indexed by side and compact OCC symbol,
        values typed as the domain types them but not validated.

        The sync calls this once per run, so it should cost little more than reading the rows:
        build the records straight from the stored values, not through :class:`OptionLeg`.
        ``StoredLegs.from_legs(account_id, legs)`` is a correct, slower implementation.
        """
        ...

    def legs_for_symbol(
        self, account_id: str, symbol: str, expiration: date | None = None
    ) -> list[OptionLeg]:
        """The legs on one underlying (SPX includes SPXW), optionally of one expiration."""
        ...

    def delete(self, keys: Collection[LegKey]) -> int:
        """Delete the legs with these keys. Returns the rows deleted."""
        ...

    def delete_missing(self, account_id: str, keep: Collection[LegKey]) -> int:
        """Delete the account's legs whose keys are not in ``keep``. Returns the rows deleted."""
        ...

    def clear(self, account_id: str) -> int:
        """Delete every leg of the account. Returns the rows deleted."""
        ...

    def accounts(self) -> list[str]:
        """The accounts that have at least one leg, sorted."""
        ...

    # ``portfolio_stock``, one row per account and symbol: here rather than on a repository of
    # its own so that shares and legs are always read and written in one transaction.

    def stock(self, account_id: str | None = None) -> list[StockPosition]:
        """Every stock position of an account (of all accounts when None), by account and
        symbol (code point order)."""
        ...

    def upsert_stock(self, positions: Iterable[StockPosition]) -> int:
        """Insert each position, or replace the one of its account and symbol. Returns the rows
        written."""
        ...

    def delete_stock(self, account_id: str, symbols: Collection[str]) -> int:
        """Delete the account's positions in these symbols. Returns the rows deleted."""
        ...


@runtime_checkable
class SyncRunRepositoryPort(Protocol):
    """The ``sync_runs`` log: one row per attempt."""

    def record(self, run: SyncRun) -> SyncRun:
        """Store a run; returns it with its id."""
        ...

    def last_run(self, account_id: str) -> SyncRun | None: ...

    def last_successful_run(self, account_id: str) -> SyncRun | None: ...

    def latest_runs(self) -> list[SyncRun]:
        """The newest run of every account that has one, by account."""
        ...


class TradeNotFound(LookupError):
    def __init__(self, trade_id: int) -> None:
        self.trade_id = trade_id
        super().__init__(f"no trade with id {trade_id}")


@runtime_checkable
class TradeRepositoryPort(Protocol):
    """The engine's ``trades`` table."""

    def add(self, trade: Trade) -> Trade:
        """Insert a trade (origin and managed included); returns it with its id."""
        ...

    def get(self, trade_id: int) -> Trade:
        """The trade, or :class:`TradeNotFound`."""
        ...

    def list_trades(
        self, *, account_id: str | None = None, include_closed: bool = False
    ) -> list[Trade]:
        """Trades by id, open only unless ``include_closed``; managed or not."""
        ...

    def open_managed(self, account_id: str | None = None) -> list[Trade]:
        """The engine's open trades: open and managed, legacy rows (managed NULL) included."""
        ...

    def set_managed(self, trade_id: int, managed: bool) -> Trade:
        """Flip the safety switch; returns the updated trade or raises TradeNotFound."""
        ...

    def close(self, trade_id: int, closed_at: datetime, reason: str) -> Trade:
        """Mark the trade closed at ``closed_at`` because of ``reason``; the row stays.
        Returns the updated trade or raises TradeNotFound."""
        ...
