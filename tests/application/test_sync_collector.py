"""A sync pauses Python's cyclic garbage collector only while it builds and writes its legs,
and always gives it back as it found it."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from legsync.adapters.clock import ManualClock
from legsync.adapters.memory import (
    InMemoryBroker,
    InMemoryDatabase,
    InMemoryPositionRepository,
    position,
)
from legsync.application import SyncService

ACCOUNT = "VA000001"


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    if enabled:
        gc.enable()
    else:
        gc.disable()


def service(database: InMemoryDatabase) -> SyncService:
    broker = InMemoryBroker({ACCOUNT: [position("SPY270319P00400000", "-2", "-310")]})
    return SyncService(broker, database, ManualClock())


def test_the_collector_is_paused_while_legs_are_built_and_back_on_after() -> None:
    database = InMemoryDatabase()
    seen: list[bool] = []
    stored_legs = InMemoryPositionRepository.stored_legs

    def spy(self: object, account_id: str) -> object:
        seen.append(gc.isenabled())
        return stored_legs(self, account_id)  # type: ignore[arg-type]

    gc.enable()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(InMemoryPositionRepository, "stored_legs", spy)
        assert service(database).sync(ACCOUNT).success
    assert seen == [False]
    assert gc.isenabled()


def test_the_collector_comes_back_when_the_store_fails() -> None:
    database = InMemoryDatabase()

    def broken(self: object, account_id: str) -> object:
        raise RuntimeError("disk on fire")

    gc.enable()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(InMemoryPositionRepository, "stored_legs", broken)
        result = service(database).sync(ACCOUNT)
    assert not result.success
    assert gc.isenabled()


def test_an_application_that_turned_the_collector_off_keeps_it_off() -> None:
    gc.disable()
    assert service(InMemoryDatabase()).sync(ACCOUNT).success
    assert not gc.isenabled()
