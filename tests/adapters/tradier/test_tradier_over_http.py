"""TradierBroker against a real HTTP server on 127.0.0.1: the quirks and the faults Tradier
has been seen to send, slow answers past the timeout, rate limits and dropped connections,
over real sockets."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest

from legsync.adapters.tradier import RetryPolicy, TradierBroker, TradierUnauthorized
from legsync.domain import BrokerPosition
from legsync.ports import BrokerUnavailable
from legsync.testing import ManualClock
from tests.support.tradier_server import (
    Reply,
    TradierServer,
    fault_body,
    positions_body,
    profile_body,
    quotes_body,
    rate_limit_headers,
)

from .conftest import ACCOUNT, TOKEN, Sleeps

MakeBroker = Callable[..., TradierBroker]
POSITIONS = f"/accounts/{ACCOUNT}/positions"

IRON_CONDOR = (
    BrokerPosition("IWM270115P00200000", Decimal("-1.00000000"), Decimal("-391.00")),
    BrokerPosition("IWM270115P00195000", Decimal("1.00000000"), Decimal("268.00")),
    BrokerPosition("IWM270115C00250000", Decimal("-1.00000000"), Decimal("-344.00")),
    BrokerPosition("IWM270115C00255000", Decimal("1.00000000"), Decimal("221.00")),
)
STOCK = BrokerPosition("AAPL", Decimal("100.00000000"), Decimal("18342.50"))
SPXW = BrokerPosition("SPXW270331C06800000", Decimal("1.00000000"), Decimal("4210.00"))


def read(server_broker: MakeBroker, **options: object) -> list[tuple[str, Decimal, Decimal | None]]:
    snapshot = server_broker(**options).fetch_positions(ACCOUNT)
    return [(p.symbol, p.quantity, p.cost_basis) for p in snapshot.positions]


def as_rows(positions: tuple[BrokerPosition, ...]) -> list[tuple[str, Decimal, Decimal | None]]:
    return [(p.symbol, p.quantity, p.cost_basis) for p in positions]


# --- what is sent -----------------------------------------------------------------------------


def test_the_request_reaches_the_version_path_with_the_token_and_json_accept(
    server: TradierServer, server_broker: MakeBroker
) -> None:
    server.reply("GET", POSITIONS, Reply(body=positions_body(IRON_CONDOR)))
    read(server_broker)
    (request,) = server.received
    assert (request.method, request.path) == ("GET", POSITIONS)
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["accept"] == "application/json"


# --- the quirks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (positions_body((STOCK, *IRON_CONDOR, SPXW)), (STOCK, *IRON_CONDOR, SPXW)),
        (positions_body((SPXW,)), (SPXW,)),
        (positions_body(IRON_CONDOR, numbers_as_strings=True), IRON_CONDOR),
        (positions_body(()), ()),
        (positions_body((), empty="json-null"), ()),
    ],
    ids=["stock and options as a list", "one bare object", "numeric strings", "null", "json null"],
)
def test_every_shape_reads_as_the_rows_tradier_holds(
    server: TradierServer,
    server_broker: MakeBroker,
    body: bytes,
    expected: tuple[BrokerPosition, ...],
) -> None:
    server.reply("GET", POSITIONS, Reply(body=body))
    assert read(server_broker) == as_rows(expected)


def test_a_json_body_labelled_as_text_is_still_read(
    server: TradierServer, server_broker: MakeBroker
) -> None:
    server.reply("GET", POSITIONS, Reply(body=positions_body((SPXW,)), content_type="text/plain"))
    assert read(server_broker) == as_rows((SPXW,))


# --- faults -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "reason", "requests"),
    [
        (
            Reply(status=401, body=fault_body("Invalid Access Token", "keymanagement.x")),
            "Invalid Access Token",
            1,
        ),
        (Reply(status=500, body=fault_body("Access Token expired")), "Access Token expired", 1),
        (
            Reply(status=500, body=fault_body("Datastore Error", "steps.servicecallout")),
            "Datastore Error",
            3,
        ),
        (
            Reply(
                status=504,
                body=b"<?xml version='1.0'?><fault><faultstring>Gateway Timeout</faultstring>"
                b"</fault>",
                content_type="text/xml",
            ),
            "XML fault: Gateway Timeout",
            3,
        ),
        (
            Reply(body=b"<!doctype html><html><body>Docs</body></html>", content_type="text/html"),
            "HTML page",
            1,
        ),
        (Reply(body=b'{"errors": {"error": "Invalid Parameter"}}'), "Invalid Parameter", 1),
        (Reply(body=b'{"positions": {"position": [{"symbol": "A", "qu'), "not valid JSON", 1),
        (Reply.text("not found", status=404), "HTTP 404", 1),
    ],
    ids=[
        "401",
        "500 expired",
        "500 datastore",
        "504 xml",
        "200 html",
        "200 errors",
        "truncated",
        "404",
    ],
)
def test_a_fault_is_a_failed_read_retried_only_when_transient(
    server: TradierServer, server_broker: MakeBroker, reply: Reply, reason: str, requests: int
) -> None:
    server.reply("GET", POSITIONS, reply)
    with pytest.raises(BrokerUnavailable) as failed:
        read(server_broker)
    assert reason in failed.value.reason
    assert len(server.received) == requests


def test_a_transient_fault_then_an_answer_is_a_snapshot(
    server: TradierServer, server_broker: MakeBroker
) -> None:
    server.reply(
        "GET",
        POSITIONS,
        Reply(status=500, body=fault_body("Datastore Error")),
        Reply(status=503, body=b"<html>busy</html>", content_type="text/html"),
        Reply(body=positions_body(IRON_CONDOR)),
    )
    assert read(server_broker) == as_rows(IRON_CONDOR)
    assert len(server.received) == 3


def test_an_auth_fault_is_asked_once(server: TradierServer, server_broker: MakeBroker) -> None:
    server.reply("GET", POSITIONS, Reply(status=401, body=fault_body("Invalid Access Token")))
    with pytest.raises(TradierUnauthorized):
        read(server_broker, retry=RetryPolicy(attempts=10, wait_initial=0, wait_jitter=0))
    assert len(server.received) == 1


# --- slow answers, dropped connections --------------------------------------------------------


def test_an_answer_slower_than_the_timeout_is_a_failed_read_after_bounded_attempts(
    server: TradierServer, server_broker: MakeBroker
) -> None:
    server.reply("GET", POSITIONS, Reply(body=positions_body(IRON_CONDOR), delay=2.0))
    started = time.monotonic()
    with pytest.raises(BrokerUnavailable, match=r"no answer within 0.1s") as failed:
        read(server_broker, timeout=0.1)
    assert failed.value.transient
    assert len(server.received) == 3
    assert time.monotonic() - started < 1.5


def test_a_slow_answer_then_a_quick_one_is_a_snapshot(
    server: TradierServer, server_broker: MakeBroker
) -> None:
    server.reply(
        "GET",
        POSITIONS,
        Reply(body=positions_body(()), delay=1.0),
        Reply(body=positions_body(IRON_CONDOR)),
    )
    assert read(server_broker, timeout=0.1) == as_rows(IRON_CONDOR)


def test_the_total_time_bound_ends_retries_of_slow_answers(
    server: TradierServer, server_broker: MakeBroker
) -> None:
    server.reply("GET", POSITIONS, Reply(body=positions_body(()), delay=2.0))
    policy = RetryPolicy(attempts=50, total_seconds=0.3, wait_initial=0, wait_max=0, wait_jitter=0)
    started = time.monotonic()
    with pytest.raises(BrokerUnavailable, match="no answer"):
        read(server_broker, timeout=0.1, retry=policy)
    assert time.monotonic() - started < 1.0
    assert 2 <= len(server.received) <= 5


def test_a_connection_closed_mid_body_is_a_failed_read_not_a_short_answer(
    server: TradierServer, server_broker: MakeBroker
) -> None:
    body = positions_body((STOCK, *IRON_CONDOR))
    server.reply("GET", POSITIONS, Reply(body=body, cut_after=len(body) // 2))
    with pytest.raises(BrokerUnavailable, match="the connection failed") as failed:
        read(server_broker)
    assert failed.value.transient
    assert len(server.received) == 3


def test_a_connection_closed_mid_body_once_is_retried(
    server: TradierServer, server_broker: MakeBroker
) -> None:
    body = positions_body(IRON_CONDOR)
    server.reply("GET", POSITIONS, Reply(body=body, cut_after=10), Reply(body=body))
    assert read(server_broker) == as_rows(IRON_CONDOR)


# --- rate limits ------------------------------------------------------------------------------


def test_a_429_with_rate_limit_headers_waits_for_the_window_then_succeeds(
    server: TradierServer, server_broker: MakeBroker, clock: ManualClock, sleeps: Sleeps
) -> None:
    expiry = clock.now() + timedelta(seconds=21, milliseconds=500)
    server.reply(
        "GET",
        POSITIONS,
        Reply(status=429, body=b"", headers=rate_limit_headers(used=120, expiry=expiry)),
        Reply(body=positions_body(IRON_CONDOR), headers=rate_limit_headers(used=1)),
    )
    assert read(server_broker) == as_rows(IRON_CONDOR)
    assert sleeps.waits == [21.5]
    assert len(server.received) == 2


def test_a_watch_over_many_accounts_paces_itself_from_the_headers(
    server: TradierServer, server_broker: MakeBroker, clock: ManualClock, sleeps: Sleeps
) -> None:
    accounts = [f"VA00000{n}" for n in range(1, 6)]
    expiry = clock.now() + timedelta(seconds=50)
    for used, account in enumerate(accounts, 118):
        headers = rate_limit_headers(used=min(used, 120), expiry=expiry)
        server.reply(
            "GET",
            f"/accounts/{account}/positions",
            Reply(body=b'{"positions": "null"}', headers=headers),
        )
    broker = server_broker()
    for account in accounts:
        broker.fetch_positions(account)
    assert sleeps.waits == [50.0], "one pause when the window ran out, none before"
    assert len(server.received) == 5


# --- marks and accounts over http -------------------------------------------------------------


def test_marks_are_posted_in_chunks_and_read_from_each_answer(
    server: TradierServer, server_broker: MakeBroker
) -> None:
    symbols = [p.symbol for p in IRON_CONDOR]
    server.reply(
        "POST",
        "/markets/quotes",
        Reply(
            body=quotes_body(
                [
                    {"symbol": symbols[0], "last": Decimal("3.91")},
                    {
                        "symbol": symbols[1],
                        "last": None,
                        "bid": Decimal("2.6"),
                        "ask": Decimal("2.8"),
                    },
                ]
            )
        ),
        Reply(body=quotes_body([{"symbol": symbols[2], "last": Decimal("3.4")}], [symbols[3]])),
    )
    marks = server_broker(quote_chunk_size=2).fetch_marks(symbols)
    assert [r.form() for r in server.received] == [
        {"symbols": ",".join(symbols[:2]), "greeks": "false"},
        {"symbols": ",".join(symbols[2:]), "greeks": "false"},
    ]
    assert marks.prices == {
        symbols[0]: Decimal("3.91"),
        symbols[1]: Decimal("2.7"),
        symbols[2]: Decimal("3.4"),
    }
    assert marks.unmatched == (symbols[3],)


def test_accounts_are_listed_from_the_profile(
    server: TradierServer, server_broker: MakeBroker
) -> None:
    server.reply("GET", "/user/profile", Reply(body=profile_body(["VA000001", "6YA000002"])))
    assert server_broker().list_accounts() == ("VA000001", "6YA000002")
