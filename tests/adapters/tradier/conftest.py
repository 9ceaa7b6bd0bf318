"""Shared pieces for the Tradier adapter's tests: a sentinel token, instant retries, and
brokers over a scripted transport or the local server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from legsync.adapters.tradier import RateLimiter, RetryPolicy, TradierBroker
from legsync.testing import ManualClock
from tests.support.tradier_server import TradierServer, tradier_server

TOKEN = "SENTINEL-7f3a9c-TOKEN"
"""A token no real answer contains: anything that prints it has leaked the secret."""

ACCOUNT = "VA000001"
BASE_URL = "https://api.tradier.test/v1"
INSTANT = RetryPolicy(attempts=3, total_seconds=5.0, wait_initial=0, wait_max=0, wait_jitter=0)
"""Three attempts, no backoff: retries are counted, not waited for."""

Handler = Callable[[httpx.Request], httpx.Response]


class Sleeps:
    """An injectable ``sleep`` that records each wait and moves a manual clock instead."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(timedelta(seconds=seconds))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 12, 1, 15, 0, tzinfo=UTC))


@pytest.fixture
def sleeps(clock: ManualClock) -> Sleeps:
    return Sleeps(clock)


@pytest.fixture
def limiter(clock: ManualClock, sleeps: Sleeps) -> RateLimiter:
    return RateLimiter(clock=clock, sleep=sleeps, max_wait=60.0)


@pytest.fixture
def mock_broker(clock: ManualClock, limiter: RateLimiter) -> Iterator[Callable[..., TradierBroker]]:
    """``mock_broker(handler, **options)``: a broker whose every request goes to ``handler``."""
    made: list[TradierBroker] = []

    def make(handler: Handler, **options: object) -> TradierBroker:
        settings: dict[str, Any] = {
            "base_url": BASE_URL,
            "retry": INSTANT,
            "rate_limiter": limiter,
            "clock": clock,
        }
        settings.update(options)
        broker = TradierBroker(TOKEN, transport=httpx.MockTransport(handler), **settings)
        made.append(broker)
        return broker

    yield make
    for broker in made:
        broker.close()


@pytest.fixture
def server() -> Iterator[TradierServer]:
    with tradier_server() as running:
        yield running


@pytest.fixture
def server_broker(
    server: TradierServer, clock: ManualClock, limiter: RateLimiter
) -> Iterator[Callable[..., TradierBroker]]:
    """``server_broker(**options)``: a broker talking to the local server with short timeouts."""
    made: list[TradierBroker] = []

    def make(**options: object) -> TradierBroker:
        settings: dict[str, Any] = {
            "base_url": server.base_url,
            "retry": INSTANT,
            "rate_limiter": limiter,
            "clock": clock,
            "timeout": 0.25,
        }
        settings.update(options)
        broker = TradierBroker(TOKEN, **settings)
        made.append(broker)
        return broker

    yield make
    for broker in made:
        broker.close()
