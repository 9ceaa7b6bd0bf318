"""Decoding and reading a body pauses the cyclic garbage collector, and always restores it.

A body of N positions is N dicts and then N positions, none in a reference cycle: the pause
spares the collector traversing them again and again. It must never leave the collector off,
whatever the body, and must leave it off when the application had turned it off.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from legsync.adapters.tradier import TradierBroker, wire
from legsync.adapters.tradier import broker as broker_module
from legsync.adapters.tradier.wire import parse_positions_body
from legsync.application.collector import collector_paused
from legsync.ports import BrokerUnavailable

from .conftest import ACCOUNT

BODY = b'{"positions": {"position": {"symbol": "SPY270115C00450000", "quantity": 1.00000000}}}'


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_off_inside_and_on_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_is_back_on_after_an_error() -> None:
    with pytest.raises(wire.WireError), collector_paused():
        raise wire.WireError("garbled")
    assert gc.isenabled()
    with pytest.raises(wire.WireError):
        parse_positions_body(b'{"positions": {"position": [{"quantity": 1}]}}')
    assert gc.isenabled()


def test_a_collector_the_application_turned_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
    parse_positions_body(BODY)
    assert not gc.isenabled()


def test_the_broker_reads_a_body_with_the_collector_paused(
    mock_broker: Callable[..., TradierBroker], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    read = wire.positions_from_payload  # the function the broker module calls by this name

    def spy(payload: Any) -> Any:
        seen.append(gc.isenabled())
        return read(payload)

    monkeypatch.setattr(broker_module, "positions_from_payload", spy)
    broker = mock_broker(lambda request: httpx.Response(200, content=BODY))
    (position,) = broker.fetch_positions(ACCOUNT).positions
    assert position.symbol == "SPY270115C00450000"
    assert seen == [False]
    assert gc.isenabled()


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, content=b'{"positions": {"position": [{"quantity": 1}]}}'),
        httpx.Response(200, content=b"<html><body>maintenance</body></html>"),
        httpx.Response(401, content=b'{"fault": {"faultstring": "Invalid Access Token"}}'),
        httpx.Response(503, content=b"{}"),
        httpx.Response(429, content=b""),
    ],
)
def test_the_collector_is_back_on_after_every_failed_read(
    mock_broker: Callable[..., TradierBroker], answer: httpx.Response
) -> None:
    broker = mock_broker(lambda request: answer)
    with pytest.raises(BrokerUnavailable):
        broker.fetch_positions(ACCOUNT)
    assert gc.isenabled()
