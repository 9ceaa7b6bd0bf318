"""The monitor cycle: sync every account on an interval, back off while reads fail, and (with
a ``check``) reconcile each account right after its good sync, publishing what it finds.

The loop owns no clock and no signals: it is given a ``wait`` that sleeps and reports whether a
stop was asked for, so the CLI can wire SIGINT/SIGTERM to it and tests can run it instantly.
A stop is honoured between accounts, never in the middle of a sync.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from legsync.domain import ReconciliationFinding
from legsync.ports import BrokerUnavailable

from .reconcile import ReconcileService
from .results import SyncResult
from .signals import publish
from .sync import SyncService

__all__ = ["CycleReport", "WatchLoop"]

log = logging.getLogger("legsync.watch")


@dataclass(frozen=True, slots=True)
class CycleReport:
    number: int
    results: tuple[SyncResult, ...]
    next_wait: float
    stopped: bool = False
    findings: tuple[ReconciliationFinding, ...] = ()

    @property
    def failed(self) -> tuple[SyncResult, ...]:
        return tuple(r for r in self.results if not r.success)

    def line(self) -> str:
        """The one log line a cycle earns."""
        totals = {
            name: sum(getattr(r.counts, name) for r in self.results)
            for name in ("opened", "changed", "removed")
        }
        failures = "; ".join(f"{r.account_id}: {r.reason}" for r in self.failed)
        row_errors = sum(len(r.errors) for r in self.results)
        parts = [
            f"cycle {self.number}: {len(self.results)} account(s)",
            f"{len(self.results) - len(self.failed)} ok",
            f"{len(self.failed)} failed" + (f" ({failures})" if failures else ""),
            f"{totals['opened']} opened, {totals['changed']} changed, {totals['removed']} removed",
        ]
        if row_errors:
            parts.append(f"{row_errors} row error(s), nothing pruned")
        failing = sum(1 for finding in self.findings if finding.kind.fails_check)
        if failing:
            parts.append(f"{failing} reconciliation finding(s)")
        parts.append("stopping" if self.stopped else f"next in {self.next_wait:g}s")
        return ", ".join(parts)


@dataclass
class WatchLoop:
    """Sync ``accounts()`` every ``interval`` seconds until ``wait`` reports a stop.

    After a cycle in which any read failed, the wait doubles (up to ``max_backoff``) so that a
    broker outage is not hammered; one clean cycle restores the interval.

    With ``check``, each account whose sync succeeded is reconciled at once and every finding
    is published as a :class:`ReconciliationFinding` event (the sync has committed by then); a
    failed sync is not checked, since its stale mirror is already the news.
    """

    service: SyncService
    accounts: Callable[[], Sequence[str]]
    interval: float
    wait: Callable[[float], bool]
    stop_requested: Callable[[], bool]
    max_backoff: float = 900.0
    marks: bool = False
    on_cycle: Callable[[CycleReport], None] | None = None
    check: ReconcileService | None = None
    _failures_in_a_row: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if self.interval <= 0:
            raise ValueError(f"interval must be positive, got {self.interval}")

    def run(self, max_cycles: int | None = None) -> list[CycleReport]:
        reports: list[CycleReport] = []
        number = 0
        while max_cycles is None or number < max_cycles:
            number += 1
            report = self.cycle(number)
            reports.append(report)
            last = max_cycles is not None and number >= max_cycles
            if report.stopped or last or self.wait(report.next_wait):
                break
        return reports

    def cycle(self, number: int) -> CycleReport:
        results: list[SyncResult] = []
        findings: list[ReconciliationFinding] = []
        stopped = False
        try:
            accounts = self.accounts()
        except BrokerUnavailable as failure:
            log.warning("cycle %d: could not list the accounts: %s", number, failure)
            accounts = ()
            self._failures_in_a_row += 1
        for account in accounts:
            if self.stop_requested():
                stopped = True
                break
            result = self.service.sync(account, marks=self.marks)
            results.append(result)
            if self.check is not None and result.success:
                found = self.check.check(account).accounts[0].findings()
                publish(self, found)
                findings.extend(found)
        stopped = stopped or self.stop_requested()
        if any(not r.success for r in results):
            self._failures_in_a_row += 1
        elif results:
            self._failures_in_a_row = 0
        next_wait = min(
            self.interval * 2**self._failures_in_a_row, max(self.max_backoff, self.interval)
        )
        report = CycleReport(number, tuple(results), next_wait, stopped, tuple(findings))
        log.info("%s", report.line())
        if self.on_cycle is not None:
            self.on_cycle(report)
        return report
