"""A sync's result holds the events it published, in order, whether or not anyone listened."""

from __future__ import annotations

from datetime import UTC, datetime

from legsync.application import SyncService, position_synced
from legsync.domain import PositionEvent, PositionSynced
from legsync.testing import InMemoryBroker, InMemoryDatabase, ManualClock, position

T0 = datetime(2027, 3, 1, 14, 30, tzinfo=UTC)
ACCOUNT = "VA000001"


def test_a_sync_nobody_hears_still_answers_with_its_events() -> None:
    clock = ManualClock(T0)
    broker = InMemoryBroker({ACCOUNT: (position("SPY270319C00450000", "2", "300"),)}, clock=clock)
    result = SyncService(broker, InMemoryDatabase(), clock).sync(ACCOUNT)
    assert [(type(e), e.leg.occ_symbol, e.occurred_at) for e in result.events] == [
        (PositionSynced, "SPY270319C00450000", T0)
    ]


def test_a_sync_publishes_the_same_events_its_result_holds() -> None:
    clock = ManualClock(T0)
    broker = InMemoryBroker({ACCOUNT: (position("SPY270319C00450000", "2", "300"),)}, clock=clock)
    heard: list[PositionEvent] = []

    def hear(_sender: object, event: PositionEvent) -> None:
        heard.append(event)

    position_synced.connect(hear)
    try:
        result = SyncService(broker, InMemoryDatabase(), clock).sync(ACCOUNT)
    finally:
        position_synced.disconnect(hear)
    assert result.events == tuple(heard)
    assert len(heard) == 1
