"""Staying under Tradier's rate limit: one budget per token, shared by everything using it.

Tradier counts requests per token in a fixed one-minute window that starts at the first
request, and says on every limited response how many are left (``X-Ratelimit-Available``) and
when the window ends (``X-Ratelimit-Expiry``, epoch *milliseconds*). A watch loop syncing many
accounts with one token should share one :class:`RateLimiter` between its brokers, so that
together they wait for the next window instead of collecting 429s.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from legsync.ports import Clock

from ..clock import SystemClock

__all__ = ["RateLimiter"]

log = logging.getLogger("legsync.tradier")

_AVAILABLE = "x-ratelimit-available"
_EXPIRY = "x-ratelimit-expiry"


class RateLimiter:
    """Waits before a request when the token's window is spent, and after a 429.

    ``reserve`` leaves that many requests of each window unused, for other clients of the same
    token (the trading engine itself, typically). Every wait is capped at ``max_wait`` seconds:
    a window lasts a minute, so a longer wait means a wrong clock or a garbled header, and the
    retry policy's attempt bound then decides. ``clock`` and ``sleep`` are injectable so tests
    run instantly; the limiter sleeps while holding its lock, so threads sharing it queue up
    behind one wait instead of all firing when the window reopens.
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        sleep: Callable[[float], None] = time.sleep,
        reserve: int = 0,
        max_wait: float = 60.0,
    ) -> None:
        if reserve < 0:
            raise ValueError(f"reserve must be zero or more, got {reserve}")
        if max_wait < 0:
            raise ValueError(f"max_wait must be zero or more, got {max_wait}")
        self._clock: Clock = clock or SystemClock()
        self._sleep = sleep
        self.reserve = reserve
        self.max_wait = max_wait
        self._lock = threading.Lock()
        self._available: int | None = None
        self._resets_at: datetime | None = None

    def __repr__(self) -> str:
        return (
            f"RateLimiter(available={self._available}, resets_at={self._resets_at}, "
            f"reserve={self.reserve}, max_wait={self.max_wait})"
        )

    @property
    def available(self) -> int | None:
        """Requests left in the current window, as last reported (None: not known)."""
        return self._available

    @property
    def resets_at(self) -> datetime | None:
        """When the current window ends, as last reported (None: not known)."""
        return self._resets_at

    def before_request(self) -> float:
        """Wait, if the window is spent, until it resets; count the request. Returns the wait."""
        with self._lock:
            now = self._clock.now()
            self._forget_if_over(now)
            waited = 0.0
            if (
                self._available is not None
                and self._resets_at is not None
                and self._available <= self.reserve
            ):
                waited = min((self._resets_at - now).total_seconds(), self.max_wait)
                log.info(
                    "Tradier rate limit: %d request(s) left in this window, waiting %.1fs",
                    self._available,
                    waited,
                )
                self._sleep(waited)
                self._available = self._resets_at = None
            elif self._available is not None:
                self._available -= 1
            return waited

    def observe(self, headers: Mapping[str, str]) -> None:
        """Learn the window's state from a response's rate-limit headers (absent: no change)."""
        available = _integer(_header(headers, _AVAILABLE))
        expiry_ms = _integer(_header(headers, _EXPIRY))
        if available is None and expiry_ms is None:
            return
        with self._lock:
            if available is not None:
                self._available = max(available, 0)
            if expiry_ms is not None:
                self._resets_at = _from_epoch_ms(expiry_ms)

    def limited(self, headers: Mapping[str, str]) -> None:
        """A 429: the window is spent whatever the headers say; wait for its expiry if given."""
        self.observe(headers)
        with self._lock:
            self._available = 0

    def _forget_if_over(self, now: datetime) -> None:
        if self._resets_at is not None and now >= self._resets_at:
            self._available = self._resets_at = None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:  # a plain dict is case-sensitive; httpx.Headers is not
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return value


def _integer(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        log.debug("ignored a rate-limit header that is not an integer")  # never its text
        return None


def _from_epoch_ms(milliseconds: int) -> datetime | None:
    try:
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=milliseconds)
    except OverflowError:
        return None
