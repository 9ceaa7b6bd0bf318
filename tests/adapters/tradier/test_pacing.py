"""The rate limiter: a token's budget per one-minute window, learned from Tradier's headers."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from legsync.adapters.tradier import RateLimiter
from legsync.testing import ManualClock
from tests.support.tradier_server import rate_limit_headers

from .conftest import Sleeps


def test_a_limiter_that_has_heard_nothing_never_waits(limiter: RateLimiter, sleeps: Sleeps) -> None:
    for _ in range(500):
        limiter.before_request()
    assert sleeps.waits == []


def test_it_counts_down_the_requests_left_and_waits_for_the_window_when_they_run_out(
    limiter: RateLimiter, clock: ManualClock, sleeps: Sleeps
) -> None:
    expiry = clock.now() + timedelta(seconds=30)
    limiter.observe(rate_limit_headers(allowed=120, used=118, expiry=expiry))
    limiter.before_request()
    limiter.before_request()
    assert sleeps.waits == []
    assert limiter.available == 0
    limiter.before_request()
    assert sleeps.waits == [30.0]
    assert limiter.available is None, "a new window: nothing known until the next answer"


def test_the_expiry_header_is_epoch_milliseconds(limiter: RateLimiter, clock: ManualClock) -> None:
    moment = clock.now() + timedelta(seconds=12, milliseconds=345)
    limiter.observe({"X-Ratelimit-Expiry": str(int(moment.timestamp() * 1000))})
    assert limiter.resets_at == moment


def test_a_window_that_has_expired_is_forgotten(
    limiter: RateLimiter, clock: ManualClock, sleeps: Sleeps
) -> None:
    limiter.observe(rate_limit_headers(used=120, expiry=clock.now() + timedelta(seconds=5)))
    clock.advance(timedelta(seconds=6))
    limiter.before_request()
    assert sleeps.waits == []


def test_a_reserve_leaves_requests_for_other_clients_of_the_token(
    clock: ManualClock, sleeps: Sleeps
) -> None:
    limiter = RateLimiter(clock=clock, sleep=sleeps, reserve=10)
    limiter.observe(rate_limit_headers(used=110, expiry=clock.now() + timedelta(seconds=20)))
    limiter.before_request()
    assert sleeps.waits == [20.0]


def test_a_429_spends_the_window_whatever_the_headers_say(
    limiter: RateLimiter, clock: ManualClock, sleeps: Sleeps
) -> None:
    limiter.limited(rate_limit_headers(used=3, expiry=clock.now() + timedelta(seconds=8)))
    limiter.before_request()
    assert sleeps.waits == [8.0]


def test_waits_are_capped(clock: ManualClock, sleeps: Sleeps) -> None:
    limiter = RateLimiter(clock=clock, sleep=sleeps, max_wait=15)
    limiter.limited(rate_limit_headers(used=120, expiry=clock.now() + timedelta(days=1)))
    limiter.before_request()
    assert sleeps.waits == [15]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Ratelimit-Available": "lots", "X-Ratelimit-Expiry": "soon"},
        {"X-Ratelimit-Expiry": "99999999999999999999999"},
    ],
    ids=["none", "not integers", "an expiry out of range"],
)
def test_garbled_or_missing_headers_teach_it_nothing(
    limiter: RateLimiter, sleeps: Sleeps, headers: dict[str, str]
) -> None:
    limiter.observe(headers)
    limiter.before_request()
    assert sleeps.waits == []
    assert limiter.available is None


def test_header_names_are_case_insensitive(limiter: RateLimiter) -> None:
    limiter.observe({"x-ratelimit-available": "7"})
    assert limiter.available == 7


def test_threads_sharing_a_limiter_wait_for_one_window_together(
    limiter: RateLimiter, clock: ManualClock, sleeps: Sleeps
) -> None:
    limiter.observe(rate_limit_headers(used=120, expiry=clock.now() + timedelta(seconds=9)))
    threads = [threading.Thread(target=limiter.before_request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sleeps.waits == [9.0], "one wait; the others found the window already reopened"


def test_it_refuses_nonsense_settings() -> None:
    with pytest.raises(ValueError, match="reserve"):
        RateLimiter(reserve=-1)
    with pytest.raises(ValueError, match="max_wait"):
        RateLimiter(max_wait=-5)
