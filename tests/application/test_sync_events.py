"""A sync's events are built when first looked at, and read like the tuple they stand for."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from legsync.adapters.clock import ManualClock
from legsync.adapters.memory import InMemoryBroker, InMemoryDatabase, position
from legsync.application import SyncEvents, SyncService, position_synced
from legsync.domain import OptionLeg, PositionEvent, PositionSynced, Side, parse_occ_symbol

T0 = datetime(2027, 3, 1, 14, 30, tzinfo=UTC)
ACCOUNT = "VA000001"


def opened(symbol: str) -> PositionSynced:
    leg = OptionLeg(ACCOUNT, parse_occ_symbol(symbol), Side.LONG, 1, Decimal("1.5"), None, T0)
    return PositionSynced(leg, None, T0)


EVENTS: tuple[PositionEvent, ...] = (opened("SPY270319C00450000"), opened("SPY270319P00400000"))


class Builder:
    """Counts how often the events were built."""

    def __init__(self, events: tuple[PositionEvent, ...]) -> None:
        self.events = events
        self.calls = 0

    def __call__(self) -> tuple[PositionEvent, ...]:
        self.calls += 1
        return self.events


def test_events_are_built_on_first_use_and_only_once() -> None:
    build = Builder(EVENTS)
    events = SyncEvents(build)
    assert build.calls == 0
    assert len(events) == 2
    assert list(events) == list(EVENTS)
    assert (events[0], events[-1], events[:1]) == (EVENTS[0], EVENTS[1], EVENTS[:1])
    assert build.calls == 1


def test_events_equal_the_tuple_and_the_list_of_the_same_events_either_way_round() -> None:
    events = SyncEvents(Builder(EVENTS))
    assert events == EVENTS
    assert EVENTS == events  # noqa: SIM300 - the tuple on the left, on purpose
    assert events == list(EVENTS)
    assert events == SyncEvents(Builder(EVENTS))
    assert events != EVENTS[:1]
    assert events != EVENTS[::-1]
    assert events != "not events"
    assert hash(events) == hash(EVENTS)
    assert repr(events) == repr(EVENTS)
    assert SyncEvents(Builder(())) == ()
    assert not SyncEvents(Builder(()))


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
    assert result.events == heard
    assert len(heard) == 1
