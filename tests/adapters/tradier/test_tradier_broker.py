"""TradierBroker over a scripted transport (``httpx.MockTransport``): what it asks, what it
accepts as a snapshot, and how it fails, retries and paces itself."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from legsync.adapters.tradier import (
    PRODUCTION_BASE_URL,
    SANDBOX_BASE_URL,
    RateLimiter,
    RetryPolicy,
    TradierBroker,
    TradierUnauthorized,
)
from legsync.domain import BrokerPosition
from legsync.ports import AccountDirectoryPort, BrokerPort, BrokerUnavailable, QuotePort
from legsync.testing import ManualClock
from tests.support.tradier_server import (
    fault_body,
    positions_body,
    profile_body,
    quotes_body,
    rate_limit_headers,
)

from .conftest import ACCOUNT, BASE_URL, TOKEN, Handler, Sleeps

MakeBroker = Callable[..., TradierBroker]

SPREAD = (
    BrokerPosition("SPY270319P00540000", Decimal("-2.00000000"), Decimal("-1184.00")),
    BrokerPosition("SPY270319P00530000", Decimal("2.00000000"), Decimal("862.00")),
)
XML_GATEWAY_TIMEOUT = (
    b"<?xml version='1.0' encoding='UTF-8'?><fault><faultstring>Gateway Timeout</faultstring>"
    b"<detail><errorcode>messaging.adaptors.http.flow.GatewayTimeout</errorcode></detail></fault>"
)
HTML_PAGE = b"<!DOCTYPE html><html><head><title>Tradier API</title></head><body>Docs</body></html>"


Answer = httpx.Response | Exception | Handler


class Script:
    """A transport handler that answers from a list (the last answer repeats) and logs calls.

    An answer is a response, an exception to raise, or a function of the request.
    """

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)


def ok(body: bytes, **headers: str) -> httpx.Response:
    return httpx.Response(
        200, content=body, headers={"Content-Type": "application/json", **headers}
    )


def status(code: int, body: bytes = b"", content_type: str = "application/json") -> httpx.Response:
    return httpx.Response(code, content=body, headers={"Content-Type": content_type})


# --- the request ------------------------------------------------------------------------------


def test_it_serves_positions_marks_and_accounts(mock_broker: MakeBroker) -> None:
    broker = mock_broker(Script(ok(positions_body(SPREAD))))
    assert isinstance(broker, BrokerPort)
    assert isinstance(broker, QuotePort)
    assert isinstance(broker, AccountDirectoryPort)


def test_a_read_is_a_get_of_the_accounts_positions_with_bearer_auth_and_json(
    mock_broker: MakeBroker,
) -> None:
    script = Script(ok(positions_body(SPREAD)))
    mock_broker(script).fetch_positions(ACCOUNT)
    (request,) = script.requests
    assert request.method == "GET"
    assert str(request.url) == f"{BASE_URL}/accounts/{ACCOUNT}/positions"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Accept"] == "application/json"


def test_every_request_carries_a_timeout(mock_broker: MakeBroker) -> None:
    script = Script(ok(positions_body(SPREAD)), ok(quotes_body([])), ok(profile_body(["VA1"])))
    broker = mock_broker(script, timeout=2.5)
    broker.fetch_positions(ACCOUNT)
    broker.fetch_marks(["SPY270319P00540000"])
    broker.list_accounts()
    for request in script.requests:
        assert request.extensions["timeout"] == {
            "connect": 2.5,
            "read": 2.5,
            "write": 2.5,
            "pool": 2.5,
        }


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, PRODUCTION_BASE_URL),
        ({"sandbox": True}, SANDBOX_BASE_URL),
        ({"base_url": "http://127.0.0.1:8081/v1/"}, "http://127.0.0.1:8081/v1"),
        ({"base_url": "https://proxy.example/tradier/v1", "sandbox": True}, None),
    ],
    ids=["production by default", "sandbox by flag", "a local server", "an explicit url wins"],
)
def test_the_base_url_includes_the_version_path(
    options: dict[str, Any], expected: str | None
) -> None:
    script = Script(ok(positions_body(())))
    with TradierBroker(TOKEN, transport=httpx.MockTransport(script), **options) as broker:
        broker.fetch_positions(ACCOUNT)
    want = expected or "https://proxy.example/tradier/v1"
    assert str(script.requests[0].url) == f"{want}/accounts/{ACCOUNT}/positions"


@pytest.mark.parametrize(
    "url",
    [
        "http://api.tradier.com/v1",
        "ftp://api.tradier.com/v1",
        "api.tradier.com/v1",
        "https://u:p@h/v1",
    ],
)
def test_a_base_url_that_would_expose_the_token_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match=r"base URL|plain http") as refused:
        TradierBroker(TOKEN, base_url=url)
    assert TOKEN not in str(refused.value)


@pytest.mark.parametrize("token", ["", "  ", "two words", "trailing\n"])
def test_an_empty_or_malformed_token_is_refused_without_echoing_it(token: str) -> None:
    with pytest.raises(ValueError, match="non-empty string without spaces") as refused:
        TradierBroker(token)
    assert "words" not in str(refused.value)


@pytest.mark.parametrize("account", ["../user/profile", "VA 1", "", "VA1?x=1", "VA1/positions"])
def test_an_account_number_that_is_not_letters_and_digits_is_not_sent(
    mock_broker: MakeBroker, account: str
) -> None:
    script = Script(ok(positions_body(SPREAD)))
    with pytest.raises(BrokerUnavailable, match="letters and digits"):
        mock_broker(script).fetch_positions(account)
    assert script.requests == []


# --- snapshots --------------------------------------------------------------------------------


def test_a_snapshot_holds_every_row_exactly_with_the_read_time(
    mock_broker: MakeBroker, clock: ManualClock
) -> None:
    rows = (BrokerPosition("AAPL", Decimal("100.00000000"), Decimal("18342.50")), *SPREAD)
    snapshot = mock_broker(Script(ok(positions_body(rows)))).fetch_positions(ACCOUNT)
    assert snapshot.account_id == ACCOUNT
    assert snapshot.fetched_at == clock.now()
    assert [(p.symbol, p.quantity, p.cost_basis) for p in snapshot.positions] == [
        (p.symbol, p.quantity, p.cost_basis) for p in rows
    ]
    assert str(snapshot.positions[0].quantity) == "100.00000000"


@pytest.mark.parametrize(
    "body",
    [
        positions_body(SPREAD),
        positions_body(SPREAD[:1]),
        positions_body(SPREAD, numbers_as_strings=True),
        positions_body(()),
        positions_body((), empty="json-null"),
    ],
    ids=["a list", "a bare object", "numbers as strings", "the string null", "json null"],
)
def test_every_shape_tradier_sends_is_a_snapshot(mock_broker: MakeBroker, body: bytes) -> None:
    snapshot = mock_broker(Script(ok(body))).fetch_positions(ACCOUNT)
    assert all(isinstance(p.quantity, Decimal) for p in snapshot.positions)
    assert {p.symbol for p in snapshot.positions} <= {p.symbol for p in SPREAD}


# --- failures ---------------------------------------------------------------------------------

INVALID_TOKEN = fault_body("Invalid Access Token", "keymanagement.service.invalid_access_token")
EXPIRED_TOKEN = fault_body("Access Token expired", "keymanagement.service.access_token_expired")
DATASTORE = fault_body("Datastore Error", "steps.servicecallout.ExecutionFailed")

FAILURES: dict[str, tuple[httpx.Response | Exception, str, int]] = {
    # name: (answer, what the reason says, how many requests the read makes)
    "401 invalid token fault": (status(401, INVALID_TOKEN), "Invalid Access Token", 1),
    "401 without a body": (status(401), "HTTP 401 Unauthorized", 1),
    "403 forbidden": (status(403, b"Forbidden", "text/plain"), "HTTP 403 Forbidden", 1),
    "500 access token expired": (status(500, EXPIRED_TOKEN), "Access Token expired", 1),
    "200 with an invalid token fault": (ok(INVALID_TOKEN), "Invalid Access Token", 1),
    "500 datastore error": (status(500, DATASTORE), "Datastore Error", 3),
    "502 xml gateway fault": (
        status(502, XML_GATEWAY_TIMEOUT, "text/xml"),
        "HTTP 502 Bad Gateway: the body is an XML fault: Gateway Timeout",
        3,
    ),
    "503 html page": (status(503, HTML_PAGE, "text/html"), "HTTP 503 Service Unavailable", 3),
    "504 empty": (status(504), "HTTP 504 Gateway Timeout", 3),
    "429 rate limited": (status(429), "rate limited (HTTP 429 Too Many Requests)", 3),
    "404 not found": (status(404, b"Not Found", "text/plain"), "HTTP 404 Not Found", 1),
    "400 errors body": (
        status(400, b'{"errors": {"error": "Invalid account"}}'),
        "HTTP 400 Bad Request: Invalid account",
        1,
    ),
    "302 redirect": (
        httpx.Response(302, headers={"Location": "https://elsewhere.example/"}),
        "HTTP 302 Found",
        1,
    ),
    "200 html page": (ok(HTML_PAGE), "the body is an HTML page", 1),
    "200 xml": (ok(b"<positions/>"), "the body is XML, not JSON", 1),
    "200 errors body": (ok(b'{"errors": {"error": "Account is closed"}}'), "Account is closed", 1),
    "200 list of errors": (ok(b'{"errors": ["one", "two"]}'), "one; two", 1),
    "200 datastore fault": (ok(DATASTORE), "Datastore Error", 3),
    "200 invalid json": (ok(b'{"positions": {"position": [{"symb'), "not valid JSON", 1),
    "200 empty body": (ok(b""), "the body is empty", 1),
    "200 without positions": (ok(b'{"account": "VA000001"}'), 'no "positions" key', 1),
    "200 positions without position": (ok(b'{"positions": {}}'), 'no "position" entry', 1),
    "200 row without quantity": (
        ok(b'{"positions": {"position": {"symbol": "SPY270319P00540000"}}}'),
        "position 1 (SPY270319P00540000) has no quantity",
        1,
    ),
    "200 row without symbol": (
        ok(b'{"positions": {"position": {"quantity": 1}}}'),
        "position 1 has no symbol",
        1,
    ),
    "200 non-numeric quantity": (
        ok(b'{"positions": {"position": {"symbol": "X", "quantity": "lots"}}}'),
        "quantity is 'lots', not a number",
        1,
    ),
    "read timeout": (httpx.ReadTimeout("timed out"), "no answer within 10s (reading", 3),
    "connect timeout": (httpx.ConnectTimeout("timed out"), "(connecting)", 3),
    "connection refused": (httpx.ConnectError("[Errno 111] Connection refused"), "ConnectError", 3),
    "connection dropped mid-body": (
        httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
        "RemoteProtocolError",
        3,
    ),
    "connection reset": (httpx.ReadError("[Errno 104] Connection reset by peer"), "ReadError", 3),
}


@pytest.mark.parametrize(("answer", "reason", "requests"), FAILURES.values(), ids=FAILURES.keys())
def test_anything_but_a_200_json_positions_answer_is_a_failed_read(
    mock_broker: MakeBroker, answer: httpx.Response | Exception, reason: str, requests: int
) -> None:
    script = Script(answer)
    with pytest.raises(BrokerUnavailable) as failed:
        mock_broker(script).fetch_positions(ACCOUNT)
    assert reason in failed.value.reason
    assert failed.value.account_id == ACCOUNT
    assert str(failed.value).startswith(f"broker read failed for account {ACCOUNT}: ")
    assert len(script.requests) == requests, "retried only what is transient, within bounds"
    assert failed.value.transient == (requests > 1)
    if requests > 1:
        assert f"gave up after {requests} attempts" in failed.value.reason


@pytest.mark.parametrize(
    "answer",
    [
        status(401, INVALID_TOKEN),
        status(403),
        status(500, EXPIRED_TOKEN),
        status(502, b"<fault><faultstring>Invalid Access Token</faultstring></fault>", "text/xml"),
        ok(fault_body("Invalid Access Token")),
    ],
    ids=["401", "403", "500 expired token", "502 xml invalid token", "200 invalid token"],
)
def test_an_auth_fault_is_never_retried_whatever_its_status(
    mock_broker: MakeBroker, answer: httpx.Response
) -> None:
    script = Script(answer, ok(positions_body(SPREAD)))
    with pytest.raises(TradierUnauthorized) as refused:
        mock_broker(script).fetch_positions(ACCOUNT)
    assert len(script.requests) == 1
    assert not refused.value.transient
    assert "check that it is valid, not expired" in refused.value.reason


@pytest.mark.parametrize(
    "first",
    [
        status(500, DATASTORE),
        status(502, XML_GATEWAY_TIMEOUT, "text/xml"),
        status(503),
        status(504),
        status(429),
        httpx.ReadTimeout("timed out"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("peer closed connection"),
    ],
    ids=["500 datastore", "502", "503", "504", "429", "timeout", "refused", "dropped"],
)
def test_a_transient_failure_followed_by_an_answer_is_a_snapshot(
    mock_broker: MakeBroker, first: httpx.Response | Exception
) -> None:
    script = Script(first, ok(positions_body(SPREAD)))
    snapshot = mock_broker(script).fetch_positions(ACCOUNT)
    assert len(snapshot.positions) == 2
    assert len(script.requests) == 2


def test_retries_stop_at_the_total_time_bound_before_the_attempt_bound(
    mock_broker: MakeBroker,
) -> None:
    def slow_503(request: httpx.Request) -> httpx.Response:
        time.sleep(0.02)
        return status(503)

    script = Script(slow_503)
    policy = RetryPolicy(
        attempts=1000, total_seconds=0.15, wait_initial=0, wait_max=0, wait_jitter=0
    )
    started = time.monotonic()
    with pytest.raises(BrokerUnavailable, match="HTTP 503"):
        mock_broker(script, retry=policy).fetch_positions(ACCOUNT)
    assert time.monotonic() - started < 1.0
    assert 2 <= len(script.requests) < 20


def test_retries_back_off_between_attempts(mock_broker: MakeBroker) -> None:
    script = Script(status(503))
    policy = RetryPolicy(attempts=3, total_seconds=5, wait_initial=0.04, wait_max=1, wait_jitter=0)
    started = time.monotonic()
    with pytest.raises(BrokerUnavailable):
        mock_broker(script, retry=policy).fetch_positions(ACCOUNT)
    assert time.monotonic() - started >= 0.04 + 0.08  # 0.04, then doubled
    assert len(script.requests) == 3


def test_the_default_retry_policy_is_bounded_and_backs_off() -> None:
    policy = RetryPolicy()
    assert (policy.attempts, policy.total_seconds) == (4, 30.0)
    assert (policy.wait_initial, policy.wait_max, policy.wait_jitter) == (0.5, 8.0, 0.5)
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError, match="wait_max"):
        RetryPolicy(wait_max=-1)


# --- rate limits ------------------------------------------------------------------------------


def test_a_429_waits_until_the_window_expires_then_reads(
    mock_broker: MakeBroker, clock: ManualClock, sleeps: Sleeps
) -> None:
    expiry = clock.now() + timedelta(seconds=37, milliseconds=250)
    limited = httpx.Response(429, headers=rate_limit_headers(used=120, expiry=expiry))
    script = Script(limited, ok(positions_body(SPREAD)))
    snapshot = mock_broker(script).fetch_positions(ACCOUNT)
    assert len(snapshot.positions) == 2
    assert sleeps.waits == [37.25]
    assert len(script.requests) == 2


def test_a_429_wait_is_capped(mock_broker: MakeBroker, clock: ManualClock, sleeps: Sleeps) -> None:
    expiry = clock.now() + timedelta(hours=3)
    limited = httpx.Response(429, headers=rate_limit_headers(used=120, expiry=expiry))
    script = Script(limited, ok(positions_body(SPREAD)))
    mock_broker(script).fetch_positions(ACCOUNT)
    assert sleeps.waits == [60.0]


def test_a_429_that_never_ends_fails_after_the_attempt_bound(
    mock_broker: MakeBroker, clock: ManualClock, sleeps: Sleeps
) -> None:
    def always_limited(request: httpx.Request) -> httpx.Response:
        expiry = clock.now() + timedelta(seconds=5)
        return httpx.Response(429, headers=rate_limit_headers(used=120, expiry=expiry))

    with pytest.raises(BrokerUnavailable, match="rate limited") as failed:
        mock_broker(always_limited).fetch_positions(ACCOUNT)
    assert failed.value.transient
    assert sleeps.waits == [5.0, 5.0]


def test_brokers_sharing_a_limiter_pause_when_the_window_is_spent(
    mock_broker: MakeBroker, clock: ManualClock, sleeps: Sleeps
) -> None:
    expiry = clock.now() + timedelta(seconds=42)
    last_one = ok(positions_body(SPREAD), **rate_limit_headers(used=120, expiry=expiry))
    first, second = mock_broker(Script(last_one)), mock_broker(Script(ok(positions_body(SPREAD))))
    first.fetch_positions(ACCOUNT)
    assert sleeps.waits == []
    second.fetch_positions("VA000002")
    assert sleeps.waits == [42.0], "the second account waited for the next window"


def test_a_window_with_requests_left_costs_no_wait(
    mock_broker: MakeBroker, clock: ManualClock, sleeps: Sleeps
) -> None:
    expiry = clock.now() + timedelta(seconds=42)
    roomy = ok(positions_body(SPREAD), **rate_limit_headers(used=3, expiry=expiry))
    broker = mock_broker(Script(roomy))
    for _ in range(5):
        broker.fetch_positions(ACCOUNT)
    assert sleeps.waits == []


# --- marks ------------------------------------------------------------------------------------

CALL, PUT, OTHER = "SPY270319C00600000", "SPY270319P00500000", "QQQ270618C00500000"


def test_marks_are_posted_as_a_form_without_greeks(mock_broker: MakeBroker) -> None:
    script = Script(ok(quotes_body([{"symbol": CALL, "last": Decimal("12.35")}])))
    marks = mock_broker(script).fetch_marks([CALL])
    (request,) = script.requests
    assert request.method == "POST"
    assert str(request.url) == f"{BASE_URL}/markets/quotes"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.content == b"symbols=SPY270319C00600000&greeks=false"
    assert marks.prices == {CALL: Decimal("12.35")}


def test_marks_are_read_in_chunks(mock_broker: MakeBroker) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        symbols = httpx.QueryParams(request.content.decode())["symbols"].split(",")
        return ok(quotes_body([{"symbol": s, "last": Decimal("1.5")} for s in symbols]))

    script = Script(answer)
    broker = mock_broker(script, quote_chunk_size=2)
    symbols = [f"SPY270319C00{600 + n}000" for n in range(5)]
    marks = broker.fetch_marks([*symbols, symbols[0]])
    assert [httpx.QueryParams(r.content.decode())["symbols"] for r in script.requests] == [
        ",".join(symbols[0:2]),
        ",".join(symbols[2:4]),
        symbols[4],
    ]
    assert marks.prices == dict.fromkeys(symbols, Decimal("1.5"))


def test_a_contract_that_has_not_traded_is_marked_at_its_midpoint_and_unknowns_reported(
    mock_broker: MakeBroker,
) -> None:
    body = quotes_body(
        [{"symbol": CALL, "last": None, "bid": Decimal("0.0"), "ask": Decimal("0.01")}],
        unmatched=[OTHER],
    )
    marks = mock_broker(Script(ok(body))).fetch_marks([CALL, OTHER])
    assert marks.prices == {CALL: Decimal("0.005")}
    assert marks.unmatched == (OTHER,)


def test_a_failed_chunk_is_a_warning_and_the_others_still_count(mock_broker: MakeBroker) -> None:
    script = Script(status(503), ok(quotes_body([{"symbol": OTHER, "last": Decimal(3)}])))
    marks = mock_broker(script, quote_chunk_size=2, retry=RetryPolicy(attempts=1)).fetch_marks(
        [CALL, PUT, OTHER]
    )
    assert marks.prices == {OTHER: Decimal(3)}
    assert marks.unmatched == ()
    (warning,) = marks.warnings
    assert "quotes for 2 symbol(s) failed" in warning
    assert "HTTP 503" in warning


def test_marks_raise_only_when_nothing_could_be_read(mock_broker: MakeBroker) -> None:
    with pytest.raises(BrokerUnavailable, match=r"quotes failed: .*HTTP 503"):
        mock_broker(Script(status(503)), quote_chunk_size=1).fetch_marks([CALL, PUT])


def test_marks_stop_at_the_first_refused_token(mock_broker: MakeBroker) -> None:
    script = Script(status(401, INVALID_TOKEN))
    with pytest.raises(TradierUnauthorized):
        mock_broker(script, quote_chunk_size=1).fetch_marks([CALL, PUT, OTHER])
    assert len(script.requests) == 1


def test_no_symbols_asks_nothing(mock_broker: MakeBroker) -> None:
    script = Script(status(500))
    assert mock_broker(script).fetch_marks([]).prices == {}
    assert script.requests == []


def test_a_symbol_that_cannot_be_sent_is_skipped_with_a_warning(mock_broker: MakeBroker) -> None:
    script = Script(ok(quotes_body([{"symbol": CALL, "last": Decimal(2)}])))
    marks = mock_broker(script).fetch_marks([CALL, "A,B", "x&greeks=true"])
    assert marks.prices == {CALL: Decimal(2)}
    assert marks.warnings == ("not asked for 2 symbol(s) that cannot be quoted",)
    assert script.requests[0].content == b"symbols=SPY270319C00600000&greeks=false"


# --- accounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [(["VA000001", "6YA000002"], ("VA000001", "6YA000002")), (["VA000001"], ("VA000001",))],
    ids=["a list", "a bare object"],
)
def test_accounts_come_from_the_user_profile(
    mock_broker: MakeBroker, numbers: list[str], expected: tuple[str, ...]
) -> None:
    script = Script(ok(profile_body(numbers)))
    assert mock_broker(script).list_accounts() == expected
    assert script.requests[0].url.path == "/v1/user/profile"


def test_a_failed_profile_read_raises(mock_broker: MakeBroker) -> None:
    with pytest.raises(TradierUnauthorized):
        mock_broker(Script(status(401, INVALID_TOKEN))).list_accounts()
    with pytest.raises(BrokerUnavailable, match="HTML"):
        mock_broker(Script(ok(HTML_PAGE))).list_accounts()


# --- lifecycle --------------------------------------------------------------------------------


def test_a_closed_broker_fails_reads_instead_of_reporting_nothing(mock_broker: MakeBroker) -> None:
    broker = mock_broker(Script(ok(positions_body(SPREAD))))
    broker.close()
    with pytest.raises(BrokerUnavailable, match="the broker was closed"):
        broker.fetch_positions(ACCOUNT)


def test_the_defaults_need_nothing_but_a_token() -> None:
    with TradierBroker(TOKEN) as broker:
        assert broker.base_url == PRODUCTION_BASE_URL
        assert broker.timeout == 10.0
        assert broker.retry == RetryPolicy()
        assert isinstance(broker.rate_limiter, RateLimiter)
