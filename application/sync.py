"""The sync use case: mirror one account's option positions into the store.

Gather (the broker's snapshot, outside any transaction; then the stored legs, under the
account's lock), decide (:func:`~legsync.application.plan.plan_sync`, pure), apply (one
transaction: upsert what changed, delete what left, record the run, commit), and only then
publish the events. The sync never creates, changes or closes a trade.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial

from legsync.domain import (
    BrokerSnapshot,
    InvalidOccSymbol,
    PositionEvent,
    PositionRemoved,
    PositionSynced,
    SyncRun,
    amount_fits,
    parse_occ_symbol,
)
from legsync.ports import BrokerPort, BrokerUnavailable, Clock, QuotePort, UnitOfWorkFactory

from .collector import collector_paused
from .events import SyncEvents
from .plan import SyncPlan, plan_sync
from .results import SyncResult
from .signals import publish

__all__ = ["SyncService"]

log = logging.getLogger("legsync.sync")


@dataclass(frozen=True, slots=True)
class _Marks:
    prices: dict[str, Decimal]
    warnings: tuple[str, ...]


class SyncService:
    """Owns the transaction around one sync and publishes its events after the commit.

    Safe to share between threads for different accounts; syncs of one account are serialised
    by the store's account lock.
    """

    def __init__(
        self,
        broker: BrokerPort,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        *,
        quotes: QuotePort | None = None,
    ) -> None:
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

        priced = self._marks(snapshot) if marks else _Marks({}, ())
        try:
            plan, events = self._apply(snapshot, started, priced.prices, dry_run)
        except Exception as failure:
            log.exception("sync of %s failed in the store", account_id)
            reason = f"store failed: {type(failure).__name__}: {failure}"
            return self._failed(account_id, started, reason, dry_run, priced.warnings)

        receiver_failures = [] if dry_run else publish(self, events)
        result = SyncResult(
            account_id=account_id,
            success=True,
            started_at=started,
            finished_at=self.clock.now(),
            synced=plan.synced,
            opened=len(plan.opened),
            changed=len(plan.changed),
            unchanged=plan.unchanged,
            removed=len(plan.removed),
            skipped=len(plan.skipped),
            errors=plan.errors,
            pruned=plan.pruned,
            prune_skipped_reason=plan.prune_skipped_reason,
            warnings=(*priced.warnings, *(str(f) for f in receiver_failures)),
            dry_run=dry_run,
            events=events,
        )
        log.info(
            "%ssynced %s: %d legs, %d opened, %d changed, %d removed, %d skipped, %d errors",
            "dry-run " if dry_run else "",
            account_id,
            result.synced,
            result.opened,
            result.changed,
            result.removed,
            result.skipped,
            len(result.errors),
        )
        return result

    def _apply(
        self,
        snapshot: BrokerSnapshot,
        started: datetime,
        marks: dict[str, Decimal],
        dry_run: bool,
    ) -> tuple[SyncPlan, SyncEvents]:
        account_id = snapshot.account_id
        with self.uow_factory() as uow:
            uow.lock_account(account_id)
            # The account is locked before the pause: no wait happens with the collector off.
            with collector_paused():
                stored = uow.positions.stored_legs(account_id)
                now = self.clock.now()
                plan = plan_sync(snapshot, stored, now, marks)
                # The plan keeps nothing of the stored records: free them while the collector
                # is still paused, or its first pass would walk every one of them for nothing.
                del stored
                # Published only after the commit, below; built only if someone listens or asks.
                events = SyncEvents(partial(_events, plan, now))
                if dry_run:
                    return plan, events
                writes = plan.writes
                if writes:
                    uow.positions.upsert(writes)
                if plan.removed:
                    uow.positions.delete([leg.key for leg in plan.removed])
            uow.sync_runs.record(_run(plan, started, self.clock.now()))
            uow.commit()
        return plan, events

    def _marks(self, snapshot: BrokerSnapshot) -> _Marks:
        symbols = _option_symbols(snapshot)
        if not symbols:
            return _Marks({}, ())
        if self.quotes is None:
            return _Marks({}, ("marks were asked for but no quote source is configured",))
        try:
            marks = self.quotes.fetch_marks(symbols)
        except BrokerUnavailable as failure:
            return _Marks({}, (f"marks not updated, legs keep their last price: {failure}",))
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
        return _Marks(prices, tuple(warnings))

    def _failed(
        self,
        account_id: str,
        started: datetime,
        reason: str,
        dry_run: bool,
        warnings: Sequence[str] = (),
    ) -> SyncResult:
        log.warning("sync of %s failed, nothing changed: %s", account_id, reason)
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


def _run(plan: SyncPlan, started: datetime, finished: datetime) -> SyncRun:
    first_error = f"{plan.errors[0].symbol}: {plan.errors[0].reason}" if plan.errors else None
    return SyncRun(
        account_id=plan.account_id,
        started_at=started,
        finished_at=finished,
        success=True,
        synced=plan.synced,
        opened=len(plan.opened),
        changed=len(plan.changed),
        unchanged=plan.unchanged,
        removed=len(plan.removed),
        skipped=len(plan.skipped),
        errors=len(plan.errors),
        pruned=plan.pruned,
        error=first_error,
    )


def _events(plan: SyncPlan, now: datetime) -> tuple[PositionEvent, ...]:
    events: list[PositionEvent] = [PositionSynced(leg, None, now) for leg in plan.opened]
    events.extend(PositionSynced(new, old, now) for old, new in plan.changed)
    events.extend(PositionRemoved(leg, now) for leg in plan.removed)
    return tuple(events)


def _usable_mark(price: object) -> bool:
    """A price every store holds, and not below zero: an option trades at zero or more."""
    return amount_fits(price) and price >= 0


def _listed(symbols: Sequence[str]) -> str:
    shown = ", ".join(symbols[:10])
    return f"{shown} and {len(symbols) - 10} more" if len(symbols) > 10 else shown


def _option_symbols(snapshot: BrokerSnapshot) -> list[str]:
    symbols: dict[str, None] = {}
    for row in snapshot.positions:
        try:
            symbols[parse_occ_symbol(row.symbol).format()] = None
        except InvalidOccSymbol:
            continue
    return list(symbols)
