"""The sync use case: mirror one account's option positions and shares into the store.

Gather (the broker's snapshot, outside any transaction; then the stored legs, under the
account's lock), decide (:func:`~legsync.application.plan.plan_sync`, pure), apply (one
transaction: upsert what changed, delete what left, record the run, commit), and only then
publish the events. The sync never creates, changes or closes a trade.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import get_type_hints

from legsync.domain import (
    BrokerSnapshot,
    InvalidOccSymbol,
    SyncRun,
    amount_fits,
    parse_occ_symbol,
)
from legsync.ports import BrokerPort, BrokerUnavailable, Clock, QuotePort, UnitOfWorkFactory

from .plan import SyncPlan, is_stock_ticker, plan_sync
from .results import SyncResult
from .signals import publish

__all__ = ["SyncService"]

log = logging.getLogger("legsync.sync")

_UNIT_OF_WORK_NEEDS = ("positions", "sync_runs", "lock_account", "commit", "__enter__")
"""What the sync asks of a unit of work (:class:`~legsync.ports.UnitOfWork`)."""


class SyncService:
    """Owns the transaction around one sync and publishes its events after the commit.

    Safe to share between threads for different accounts; syncs of one account are serialised
    by the store's account lock. What it is given is checked here, once: a store whose units of
    work cannot record a run or lock an account would otherwise fail every sync, late.
    """

    def __init__(
        self,
        broker: BrokerPort,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        *,
        quotes: QuotePort | None = None,
    ) -> None:
        _require(broker, "the broker", ("fetch_positions",))
        _require(clock, "the clock", ("now",))
        if quotes is not None:
            _require(quotes, "the quote source", ("fetch_marks",))
        _require(_unit_of_work_type(uow_factory), "the store's unit of work", _UNIT_OF_WORK_NEEDS)
        self.broker = broker
        self.uow_factory = uow_factory
        self.clock = clock
        self.quotes = quotes

    def sync_accounts(
        self, account_ids: Iterable[str], *, dry_run: bool = False, marks: bool = False
    ) -> list[SyncResult]:
        """Sync each account in its own transaction: one failing leaves the others synced."""
        return [self.sync(account, dry_run=dry_run, marks=marks) for account in account_ids]

    def sync(self, account_id: str, *, dry_run: bool = False, marks: bool = False) -> SyncResult:
        """Mirror ``account_id``. Never raises for a failed read or store: the result says so.

        With ``dry_run`` the plan is computed against the store and nothing is written,
        recorded or published; the result's ``events`` are the ones a real sync would publish.
        With ``marks`` the held contracts are priced first; a failed quote read only adds a
        warning.
        """
        started = self.clock.now()
        try:
            snapshot = self.broker.fetch_positions(account_id)
            if snapshot.account_id != account_id:
                raise BrokerUnavailable(
                    f"the broker answered for account {snapshot.account_id!r}",
                    account_id=account_id,
                )
        except BrokerUnavailable as failure:
            return self._failed(account_id, started, str(failure), dry_run)

        prices, warnings = self._marks(snapshot) if marks else ({}, ())
        try:
            plan = self._apply(snapshot, started, prices, dry_run)
        except Exception as failure:
            log.info("sync of %s failed in the store", account_id, exc_info=True)
            reason = f"store failed: {type(failure).__name__}: {failure}"
            return self._failed(account_id, started, reason, dry_run, warnings)

        events, stock_events = plan.events, plan.stock_events
        receiver_failures = [] if dry_run else publish(self, (*events, *stock_events))
        result = SyncResult(
            account_id=account_id,
            success=True,
            started_at=started,
            finished_at=self.clock.now(),
            counts=plan.counts,
            errors=plan.errors,
            pruned=plan.pruned,
            prune_skipped_reason=plan.prune_skipped_reason,
            warnings=(*warnings, *(str(f) for f in receiver_failures)),
            dry_run=dry_run,
            events=events,
            stock_events=stock_events,
        )
        counts = result.counts
        log.info(
            "%ssynced %s: %d legs, %d opened, %d changed, %d removed, %d skipped, %d errors, "
            "%d stock positions, %d opened, %d changed, %d removed",
            "dry-run " if dry_run else "",
            account_id,
            counts.synced,
            counts.opened,
            counts.changed,
            counts.removed,
            counts.skipped,
            counts.errors,
            counts.stock_synced,
            counts.stock_opened,
            counts.stock_changed,
            counts.stock_removed,
        )
        return result

    def _apply(
        self,
        snapshot: BrokerSnapshot,
        started: datetime,
        marks: dict[str, Decimal],
        dry_run: bool,
    ) -> SyncPlan:
        account_id = snapshot.account_id
        with self.uow_factory() as uow:
            uow.lock_account(account_id)
            plan = plan_sync(
                snapshot,
                uow.positions.stored_legs(account_id),
                self.clock.now(),
                marks,
                stored_stock={p.symbol: p for p in uow.positions.stock(account_id)},
            )
            if dry_run:
                return plan
            if plan.writes:
                uow.positions.upsert(plan.writes)
            if plan.removed:
                uow.positions.delete([leg.key for leg in plan.removed])
            if plan.stock_writes:
                uow.positions.upsert_stock(plan.stock_writes)
            if plan.stock_removed:
                uow.positions.delete_stock(account_id, [p.symbol for p in plan.stock_removed])
            first_error = plan.errors[0] if plan.errors else None
            uow.sync_runs.record(
                SyncRun(
                    account_id=account_id,
                    started_at=started,
                    finished_at=self.clock.now(),
                    success=True,
                    counts=plan.counts,
                    pruned=plan.pruned,
                    error=None
                    if first_error is None
                    else f"{first_error.symbol}: {first_error.reason}",
                )
            )
            uow.commit()
        return plan

    def _marks(self, snapshot: BrokerSnapshot) -> tuple[dict[str, Decimal], tuple[str, ...]]:
        """Prices of the held contracts and shares, and what to warn about: a failed or partial
        quote read leaves the legs and shares their last price."""
        symbols = _quoted_symbols(snapshot)
        if not symbols:
            return {}, ()
        if self.quotes is None:
            return {}, ("marks were asked for but no quote source is configured",)
        try:
            marks = self.quotes.fetch_marks(symbols)
        except BrokerUnavailable as failure:
            return {}, (f"marks not updated, legs keep their last price: {failure}",)
        warnings = list(marks.warnings)
        prices = {s: price for s, price in marks.prices.items() if _usable_mark(price)}
        if len(prices) < len(marks.prices):
            odd = [symbol for symbol in marks.prices if symbol not in prices]
            warnings.append(
                f"{len(odd)} mark(s) not a usable price ({_listed(odd)}); "
                "those legs keep their last price"
            )
        if marks.unmatched:
            warnings.append(
                f"no quote for {_listed(marks.unmatched)}; those legs keep their last price"
            )
        return prices, tuple(warnings)

    def _failed(
        self,
        account_id: str,
        started: datetime,
        reason: str,
        dry_run: bool,
        warnings: Sequence[str] = (),
    ) -> SyncResult:
        log.info("sync of %s failed, nothing changed: %s", account_id, reason)
        result = SyncResult(
            account_id=account_id,
            success=False,
            started_at=started,
            finished_at=self.clock.now(),
            reason=reason,
            warnings=tuple(warnings),
            dry_run=dry_run,
        )
        if not dry_run:
            self._record_failure(result)
        return result

    def _record_failure(self, result: SyncResult) -> None:
        """Log the failed attempt in its own transaction; a store that is down cannot, and
        that must not hide the original failure (nor may a clock whose times no run can hold:
        the run is built inside the guard too)."""
        try:
            run = SyncRun(
                account_id=result.account_id,
                started_at=result.started_at,
                finished_at=result.finished_at,
                success=False,
                error=result.reason,
            )
            with self.uow_factory() as uow:
                uow.sync_runs.record(run)
                uow.commit()
        except Exception:
            log.exception("could not record the failed sync of %s", result.account_id)


def _require(part: object, role: str, needs: Sequence[str]) -> None:
    if part is None:
        return
    kind = part if isinstance(part, type) else type(part)
    missing = [name for name in needs if not hasattr(kind, name)]
    if missing:
        raise TypeError(
            f"the sync cannot use {kind.__name__} as {role}: it lacks {', '.join(missing)}"
        )


def _unit_of_work_type(uow_factory: object) -> type | None:
    """What the store's factory makes: its declared return type, else the type of one unit of
    work made now (making one opens nothing; entering it does). None when neither can be had:
    a factory that cannot make a unit of work now fails each sync as a store failure."""
    if not callable(uow_factory):
        raise TypeError(f"the store must be a unit-of-work factory, got {uow_factory!r}")
    call: object = uow_factory if inspect.isroutine(uow_factory) else type(uow_factory).__call__
    try:
        declared = get_type_hints(call).get("return")
    except Exception:  # an annotation that does not resolve here says nothing
        declared = None
    if isinstance(declared, type):
        return declared
    try:
        return type(uow_factory())
    except Exception:
        return None


def _usable_mark(price: object) -> bool:
    """A price every store holds, and not below zero: an option trades at zero or more."""
    return amount_fits(price) and price >= 0


def _listed(symbols: Sequence[str]) -> str:
    shown = ", ".join(symbols[:10])
    return f"{shown} and {len(symbols) - 10} more" if len(symbols) > 10 else shown


def _quoted_symbols(snapshot: BrokerSnapshot) -> list[str]:
    """The compact OCC symbols of the held contracts, then the held stock tickers."""
    symbols: dict[str, None] = {}
    tickers: dict[str, None] = {}
    for row in snapshot.positions:
        try:
            symbols[parse_occ_symbol(row.symbol).format()] = None
        except InvalidOccSymbol:
            if is_stock_ticker(row.symbol):
                tickers[row.symbol] = None
    return [*symbols, *tickers]
