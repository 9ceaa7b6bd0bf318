"""The Tradier brokerage API over httpx: positions, marks and the accounts a token can read.

Three rules shape this module.

* Only a 200 whose body is JSON holding ``positions`` is a snapshot. Every other answer (an
  HTTP error, a gateway fault in JSON or XML, an HTML page served with 200, an ``errors`` body,
  invalid JSON, a timeout, a dropped connection, a garbled row) raises ``BrokerUnavailable``:
  a failed read must never look like an account with no positions.
* Only what is temporary is retried (timeouts, connection errors, 429, 500, 502, 503, 504 and
  the "Datastore Error" fault), with backoff, bounded in attempts and in total time, by
  ``stamina``. An auth fault is never retried, whatever status it came with: repeating a bad
  token only burns the rate limit and can lock the token out.
* The token is a secret. It lives in one :class:`httpx.Auth` object that adds the header at
  send time and hides itself in ``repr``; every reason is built from our own words and the
  broker's text as :func:`~legsync.adapters.redaction.broker_text` makes it (redacted, then
  shortened: gateways echo credentials), and so is every record the HTTP libraries log while
  the broker is open; httpx's exceptions are never chained to ours (a request in a traceback
  carries its headers).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
import stamina
from pydantic import SecretStr

from legsync.domain import BrokerSnapshot
from legsync.ports import BrokerUnavailable, Clock, Marks

from ..clock import SystemClock
from ..redaction import RedactingFilter, broker_text, redact
from .endpoints import PRODUCTION_BASE_URL, SANDBOX_BASE_URL, checked_base_url
from .pacing import RateLimiter
from .wire import (
    Fault,
    QuoteChunk,
    Secrets,
    WireError,
    accounts_from_payload,
    decode_json,
    fault_in,
    marks_from,
    positions_from_payload,
    quotes_from_payload,
)

__all__ = [
    "PRODUCTION_BASE_URL",
    "SANDBOX_BASE_URL",
    "RetryPolicy",
    "TradierBroker",
    "TradierUnauthorized",
]

log = logging.getLogger("legsync.tradier")

_RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
_AUTH_STATUSES = frozenset({401, 403})
_ACCOUNT_ID = re.compile(r"[A-Za-z0-9]{1,32}")
_SYMBOL = re.compile(r"[A-Za-z0-9./ ]{1,32}")
_HTTP_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)
"""Where httpx and httpcore log what they send and receive (httpcore's debug records hold the
answer's status line and headers, an echoed token included)."""

T = TypeVar("T")


class TradierUnauthorized(BrokerUnavailable):
    """The token was refused (401/403, or an invalid or expired token fault at any status).

    A ``BrokerUnavailable`` like any failed read, so the sync treats it alike; its own type so
    the CLI can tell the user to check the token, and so it is never retried.
    """


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard one read tries before it reports a failure.

    The defaults: up to 4 attempts, no new attempt once 30 seconds have passed, exponential
    backoff from 0.5 s doubling to at most 8 s, plus up to 0.5 s of jitter so that brokers
    sharing a token do not retry in step. Rate-limit waits are the :class:`RateLimiter`'s, not
    these. One read therefore takes at most about ``total_seconds`` plus one request timeout
    plus one capped rate-limit wait. Tests pass zero waits: stamina sleeps with
    :func:`time.sleep` and offers no hook to replace it, so the waits themselves are what
    tests shrink.
    """

    attempts: int = 4
    total_seconds: float = 30.0
    wait_initial: float = 0.5
    wait_max: float = 8.0
    wait_jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {self.attempts}")
        for name in ("total_seconds", "wait_initial", "wait_max", "wait_jitter"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be zero or more, got {getattr(self, name)}")


class _BearerToken(httpx.Auth):
    """Adds ``Authorization: Bearer`` at send time; the only holder of the token."""

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"
        self._token = token

    def __repr__(self) -> str:
        return "_BearerToken(<hidden>)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


class TradierBroker:
    """Tradier's positions, quotes and profile: a ``BrokerPort``, ``QuotePort`` and
    ``AccountDirectoryPort`` in one client.

    ``base_url`` includes the version path (``https://api.tradier.com/v1``, the default;
    ``sandbox=True`` picks ``https://sandbox.tradier.com/v1``; tests pass a local server's
    ``http://127.0.0.1:PORT/v1``). Plain ``http`` is refused for any other host: it would send
    the token in clear. ``timeout`` bounds each phase (connect, read, write, pool) of every
    request, in seconds. Share one ``rate_limiter`` between all brokers that use one token.
    ``transport`` replaces the network (``httpx.MockTransport`` in unit tests).

    Holds a connection pool: ``close()`` it, or use it as a context manager.
    """

    def __init__(
        self,
        token: str | SecretStr,
        *,
        base_url: str | None = None,
        sandbox: bool = False,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        clock: Clock | None = None,
        quote_chunk_size: int = 100,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        secret = token.get_secret_value() if isinstance(token, SecretStr) else token
        if not isinstance(secret, str) or not secret or secret != secret.strip() or " " in secret:
            raise ValueError("the Tradier token must be a non-empty string without spaces")
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        if quote_chunk_size < 1:
            raise ValueError(f"quote_chunk_size must be at least 1, got {quote_chunk_size}")
        self.base_url = checked_base_url(
            base_url or (SANDBOX_BASE_URL if sandbox else PRODUCTION_BASE_URL)
        )
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.rate_limiter = rate_limiter or RateLimiter()
        self.quote_chunk_size = quote_chunk_size
        self._clock: Clock = clock or SystemClock()
        self._auth = _BearerToken(secret)
        self._secrets = (secret,)
        self._log_filter = RedactingFilter(self._secrets)
        for name in _HTTP_LOGGERS:
            logging.getLogger(name).addFilter(self._log_filter)
        self._client = httpx.Client(
            base_url=self.base_url,
            auth=self._auth,
            headers={"Accept": "application/json", "User-Agent": "legsync"},
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"TradierBroker(base_url={self.base_url!r}, timeout={self.timeout})"

    def close(self) -> None:
        self._client.close()
        for name in _HTTP_LOGGERS:
            logging.getLogger(name).removeFilter(self._log_filter)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- the ports ---------------------------------------------------------------------------

    def fetch_positions(self, account_id: str) -> BrokerSnapshot:
        """Every row Tradier holds for ``account_id``, stock and options alike, exactly."""
        if not isinstance(account_id, str) or not _ACCOUNT_ID.fullmatch(account_id):
            raise BrokerUnavailable(
                "an account number is letters and digits only, up to 32 characters",
                account_id=_shown_account(account_id),
            )
        positions = self._call(
            "GET",
            f"/accounts/{account_id}/positions",
            positions_from_payload,
            account_id=account_id,
        )
        return BrokerSnapshot(
            account_id=account_id, positions=positions, fetched_at=self._clock.now()
        )

    def fetch_marks(self, occ_symbols: Sequence[str]) -> Marks:
        """Marks for held contracts: ``last``, or the bid/ask midpoint when it has not traded.

        Asks in chunks of ``quote_chunk_size`` symbols. A chunk that fails, or a quote that
        cannot be priced, becomes a warning; symbols Tradier does not know are ``unmatched``.
        Raises ``BrokerUnavailable`` only when nothing could be read at all (every chunk
        failed, or the token was refused): the sync turns that into a warning too, and legs
        keep their previous price.
        """
        symbols = list(dict.fromkeys(occ_symbols))
        read: list[QuoteChunk] = []
        odd = {s for s in symbols if not _SYMBOL.fullmatch(s)}
        if odd:
            read.append(
                QuoteChunk(warnings=(f"not asked for {len(odd)} symbol(s) that cannot be quoted",))
            )
            symbols = [s for s in symbols if s not in odd]
        if not symbols:
            return marks_from(read)

        failures: list[BrokerUnavailable] = []
        chunks = [
            symbols[i : i + self.quote_chunk_size]
            for i in range(0, len(symbols), self.quote_chunk_size)
        ]
        for chunk in chunks:
            try:
                answer: QuoteChunk = self._call(
                    "POST",
                    "/markets/quotes",
                    _quotes_for(chunk),
                    data={"symbols": ",".join(chunk), "greeks": "false"},
                )
            except TradierUnauthorized:
                raise  # every other chunk would be refused too
            except BrokerUnavailable as failure:
                failures.append(failure)
                answer = QuoteChunk(
                    warnings=(
                        f"quotes for {len(chunk)} symbol(s) failed, those legs keep their last "
                        f"price: {failure.reason}",
                    )
                )
            read.append(answer)
        if len(failures) == len(chunks):
            first = failures[0]
            raise BrokerUnavailable(f"quotes failed: {first.reason}", transient=first.transient)
        return marks_from(read)

    def list_accounts(self) -> tuple[str, ...]:
        """The account numbers this token can read (``GET /user/profile``)."""
        accounts: tuple[str, ...] = self._call("GET", "/user/profile", accounts_from_payload)
        return accounts

    # --- one read, retried -------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        parse: Callable[[Any, Secrets], T],
        *,
        account_id: str | None = None,
        data: dict[str, str] | None = None,
    ) -> T:
        """One logical read: attempts under the retry policy, the last failure reported."""
        policy = self.retry
        attempts = 0
        last: BrokerUnavailable | None = None
        try:
            for attempt in stamina.retry_context(
                on=_worth_retrying,
                attempts=policy.attempts,
                timeout=policy.total_seconds,
                wait_initial=policy.wait_initial,
                wait_max=policy.wait_max,
                wait_jitter=policy.wait_jitter,
            ):
                with attempt:
                    attempts += 1
                    try:
                        return self._once(method, path, parse, account_id, data)
                    except BrokerUnavailable as failure:
                        if _worth_retrying(failure) and attempts < policy.attempts:
                            log.warning(
                                "Tradier %s %s failed (%s); retrying in %.1fs or more "
                                "(attempt %d of %d)",
                                method,
                                path,
                                failure.reason,
                                attempt.next_wait,
                                attempts,
                                policy.attempts,
                            )
                        else:
                            log.info("Tradier %s %s failed: %s", method, path, failure.reason)
                        raise
        except BrokerUnavailable as failure:
            last = failure
        if last is None:  # pragma: no cover - stamina either returns or raises
            raise AssertionError("the retry loop ended without an answer or a failure")
        if attempts > 1:
            # Raised outside the except block so that nothing is chained to it.
            raise type(last)(
                f"{last.reason} (gave up after {attempts} attempts)",
                account_id=last.account_id,
                transient=last.transient,
            )
        raise last

    def _once(
        self,
        method: str,
        path: str,
        parse: Callable[[Any, Secrets], T],
        account_id: str | None,
        data: dict[str, str] | None,
    ) -> T:
        if self._client.is_closed:
            raise self._failure("the broker was closed; create a new one", account_id)
        self.rate_limiter.before_request()
        started = time.monotonic()
        failure: BrokerUnavailable | None = None
        try:
            response = self._client.request(method, path, data=data)
        except httpx.TimeoutException as error:
            failure = self._failure(
                f"no answer within {self.timeout:g}s ({_phase(error)})", account_id, True
            )
        except httpx.TransportError as error:
            failure = self._failure(
                f"the connection failed ({type(error).__name__}: "
                f"{broker_text(error, self._secrets)})",
                account_id,
                True,
            )
        except httpx.HTTPError as error:
            failure = self._failure(f"the request failed ({type(error).__name__})", account_id)
        if failure is not None:
            # Outside the except blocks: the httpx error (and the request it holds, headers
            # and all) is neither ``__cause__`` nor ``__context__`` of what we raise.
            raise failure
        log.debug(
            "%s %s: HTTP %d in %.3fs",
            method,
            path,
            response.status_code,
            time.monotonic() - started,
        )
        return self._answer(response, parse, account_id)

    def _answer(
        self, response: httpx.Response, parse: Callable[[Any, Secrets], T], account_id: str | None
    ) -> T:
        status = response.status_code
        self.rate_limiter.observe(response.headers)
        http = f"HTTP {status} {broker_text(response.reason_phrase, self._secrets)}".rstrip()
        if status == 429:
            self.rate_limiter.limited(response.headers)
            resets = self.rate_limiter.resets_at
            until = f" until {resets.isoformat(timespec='seconds')}" if resets else ""
            raise self._failure(f"rate limited ({http}){until}", account_id, True)

        payload: Any = None
        fault: Fault | None = None
        try:
            payload = decode_json(
                response.content,
                content_type=response.headers.get("content-type"),
                secrets=self._secrets,
            )
            fault = fault_in(payload, self._secrets)
        except WireError as undecodable:
            fault = Fault(undecodable.reason, undecodable.auth, undecodable.transient)
            payload = undecodable

        if status in _AUTH_STATUSES or (fault is not None and fault.auth):
            detail = f": {fault.message}" if fault else ""
            raise self._failure(
                f"Tradier refused the token ({http}{detail}); check that it is valid, not "
                "expired, and meant for this environment (production or sandbox)",
                account_id,
                unauthorized=True,
            )
        if status != 200:
            detail = f": {fault.message}" if fault else ""
            transient = status in _RETRIED_STATUSES or (fault is not None and fault.transient)
            raise self._failure(f"Tradier answered {http}{detail}", account_id, transient)
        if isinstance(payload, WireError):
            raise self._failure(payload.reason, account_id, payload.transient)
        outcome = _parsed(parse, payload, self._secrets)
        if isinstance(outcome, WireError):
            raise self._failure(outcome.reason, account_id, outcome.transient)
        return outcome

    def _failure(
        self,
        reason: str,
        account_id: str | None,
        transient: bool = False,
        *,
        unauthorized: bool = False,
    ) -> BrokerUnavailable:
        kind = TradierUnauthorized if unauthorized else BrokerUnavailable
        return kind(
            redact(reason, self._secrets),  # every broker text in it is already: for good measure
            account_id=account_id,
            transient=transient and not unauthorized,
        )


def _worth_retrying(error: Exception) -> bool:
    return (
        isinstance(error, BrokerUnavailable)
        and error.transient
        and not isinstance(error, TradierUnauthorized)
    )


def _parsed(parse: Callable[[Any, Secrets], T], payload: Any, secrets: Secrets) -> T | WireError:
    try:
        return parse(payload, secrets)
    except WireError as garbled:
        return garbled


def _quotes_for(chunk: Sequence[str]) -> Callable[[Any, Secrets], QuoteChunk]:
    def parse(payload: Any, secrets: Secrets) -> QuoteChunk:
        return quotes_from_payload(payload, chunk, secrets)

    return parse


def _phase(error: httpx.TimeoutException) -> str:
    return {
        httpx.ConnectTimeout: "connecting",
        httpx.ReadTimeout: "reading the answer",
        httpx.WriteTimeout: "sending the request",
        httpx.PoolTimeout: "waiting for a connection",
    }.get(type(error), "timeout")


def _shown_account(account_id: object) -> str:
    return "".join(c for c in str(account_id) if c.isprintable())[:40] or "(empty)"
