"""The watch loop: one line per cycle, backoff while reads fail, a clean stop between syncs."""

from __future__ import annotations

import pytest

from legsync.application import SyncService
from legsync.application.watch import CycleReport, WatchLoop
from legsync.ports import BrokerUnavailable
from legsync.testing import InMemoryBroker, InMemoryDatabase, ManualClock, position

ACCOUNTS = ("VA000001", "6YA000002")


@pytest.fixture
def broker() -> InMemoryBroker:
    book = [position("SPY270319C00450000", "1", "300")]
    return InMemoryBroker(dict.fromkeys(ACCOUNTS, book))


def loop(
    broker: InMemoryBroker,
    waits: list[float],
    stop_after_syncs: int | None = None,
    accounts: tuple[str, ...] = ACCOUNTS,
) -> WatchLoop:
    service = SyncService(broker, InMemoryDatabase(), ManualClock())

    def wait(seconds: float) -> bool:
        waits.append(seconds)
        return False

    def stop_requested() -> bool:
        return stop_after_syncs is not None and len(broker.reads) >= stop_after_syncs

    return WatchLoop(service, lambda: accounts, 60, wait, stop_requested, max_backoff=300)


def test_each_cycle_syncs_every_account_and_waits_the_interval(broker: InMemoryBroker) -> None:
    waits: list[float] = []
    reports = loop(broker, waits).run(max_cycles=3)
    assert [len(r.results) for r in reports] == [2, 2, 2]
    assert waits == [60, 60]
    assert (
        reports[0].line()
        == ("cycle 1: 2 account(s), 2 ok, 0 failed, 1 opened, 0 changed, 0 removed, next in 60s")
        or "2 opened" in reports[0].line()
    )


def test_failed_reads_back_off_up_to_the_cap_and_one_clean_cycle_resets(
    broker: InMemoryBroker,
) -> None:
    waits: list[float] = []
    for _ in range(4):
        broker.fail_next("VA000001", "503")
    reports = loop(broker, waits).run(max_cycles=6)
    assert [r.next_wait for r in reports] == [120, 240, 300, 300, 60, 60]
    assert "VA000001: broker read failed for account VA000001: 503" in reports[0].line()


def test_a_stop_is_honoured_after_the_sync_in_flight(broker: InMemoryBroker) -> None:
    waits: list[float] = []
    reports = loop(broker, waits, stop_after_syncs=1).run()
    assert len(reports) == 1
    assert [r.account_id for r in reports[0].results] == ["VA000001"]
    assert reports[0].stopped
    assert reports[0].line().endswith("stopping")
    assert waits == []


def test_an_unlistable_account_set_counts_as_a_failed_cycle(broker: InMemoryBroker) -> None:
    def no_profile() -> tuple[str, ...]:
        raise BrokerUnavailable("401 Invalid Access Token")

    service = SyncService(broker, InMemoryDatabase(), ManualClock())
    seen: list[CycleReport] = []
    watch = WatchLoop(service, no_profile, 30, lambda s: False, lambda: False, on_cycle=seen.append)
    watch.run(max_cycles=2)
    assert [r.next_wait for r in seen] == [60, 120]


def test_the_interval_must_be_positive(broker: InMemoryBroker) -> None:
    service = SyncService(broker, InMemoryDatabase(), ManualClock())
    with pytest.raises(ValueError, match="interval must be positive"):
        WatchLoop(service, lambda: ACCOUNTS, 0, lambda s: False, lambda: False)


def test_with_a_check_each_good_sync_is_reconciled_and_its_findings_published(
    broker: InMemoryBroker,
) -> None:
    from legsync.application import reconciliation_finding
    from legsync.application.reconcile import ReconcileService
    from legsync.domain import FindingKind, ReconciliationFinding

    clock = ManualClock()
    db = InMemoryDatabase()
    heard: list[ReconciliationFinding] = []

    def hear(sender: object, event: ReconciliationFinding) -> None:
        heard.append(event)

    broker.fail_next("VA000001", "503")
    watch = WatchLoop(
        SyncService(broker, db, clock),
        lambda: ACCOUNTS,
        60,
        lambda seconds: False,
        lambda: False,
        check=ReconcileService(db, clock),
    )
    with reconciliation_finding.connected_to(hear):
        first, second = watch.run(max_cycles=2)

    assert [f.account_id for f in first.findings] == ["6YA000002"], "a failed sync is not checked"
    assert {f.account_id for f in second.findings} == set(ACCOUNTS)
    assert heard == [*first.findings, *second.findings]
    assert {f.kind for f in heard} == {FindingKind.UNCLAIMED}, "a leg no trade claims"
    assert "finding" not in second.line(), "information is not a finding to shout about"


def test_without_a_check_nothing_is_reconciled(broker: InMemoryBroker) -> None:
    reports = loop(broker, []).run(max_cycles=1)
    assert reports[0].findings == ()
