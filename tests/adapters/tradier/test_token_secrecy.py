"""The token never leaves the Authorization header: not in an exception (its message, repr,
chained causes or formatted traceback), not in a log record, not in a repr, on any failure
path the tests can provoke, over a scripted transport and over a real socket."""

from __future__ import annotations

import logging
import socket
import traceback
from collections.abc import Callable, Iterator

import httpx
import pytest

from legsync.adapters.tradier import RetryPolicy, TradierBroker
from legsync.ports import BrokerUnavailable
from tests.support.tradier_server import Reply, TradierServer, fault_body, positions_body

from .conftest import ACCOUNT, TOKEN
from .test_tradier_broker import FAILURES, Script, ok, status

MakeBroker = Callable[..., TradierBroker]


def texts_of(failure: BaseException) -> Iterator[str]:
    """Everything an exception could show: itself and every exception chained to it."""
    yield "".join(traceback.format_exception(failure))
    pending: list[BaseException | None] = [failure]
    seen: set[int] = set()
    while pending:
        error = pending.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        yield str(error)
        yield repr(error)
        yield from (repr(arg) for arg in error.args)
        yield from getattr(error, "__notes__", ())
        yield repr(vars(error)) if hasattr(error, "__dict__") else ""
        if isinstance(error, httpx.RequestError):  # a chained httpx error carries its request
            yield repr(dict(error.request.headers.multi_items()))
        pending += [error.__cause__, error.__context__]


def assert_secret(failure: BaseException, records: list[logging.LogRecord]) -> None:
    for text in texts_of(failure):
        assert TOKEN not in text
    formatter = logging.Formatter()
    for record in records:
        assert TOKEN not in record.getMessage()
        assert TOKEN not in formatter.format(record)
        assert TOKEN not in repr(vars(record))


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)  # every logger, httpx and httpcore included
    return caplog


@pytest.mark.parametrize("attempts", [1, 3], ids=["first failure", "last of three"])
@pytest.mark.parametrize(("answer", "reason", "requests"), FAILURES.values(), ids=FAILURES.keys())
def test_no_failed_read_shows_the_token(
    mock_broker: MakeBroker,
    logs: pytest.LogCaptureFixture,
    answer: httpx.Response | Exception,
    reason: str,
    requests: int,
    attempts: int,
) -> None:
    retry = RetryPolicy(attempts=attempts, wait_initial=0, wait_max=0, wait_jitter=0)
    broker = mock_broker(Script(answer), retry=retry)
    with pytest.raises(BrokerUnavailable) as failed:
        broker.fetch_positions(ACCOUNT)
    assert_secret(failed.value, logs.records)
    assert logs.records, "the failure was logged, so the log check means something"


@pytest.mark.parametrize("call", ["positions", "marks", "accounts"])
@pytest.mark.parametrize(
    "answer",
    [
        status(401, fault_body(f"Invalid Access Token {TOKEN}")),
        status(500, f'{{"errors": {{"error": "bad token Bearer {TOKEN}"}}}}'.encode()),
        status(502, f"<fault><faultstring>{TOKEN}</faultstring></fault>".encode(), "text/xml"),
        ok(f'{{"positions": {{"position": {{"symbol": "X", "quantity": "{TOKEN}"}}}}}}'.encode()),
        ok(f'{{"positions": {{"position": {{"symbol": "{TOKEN}", "quantity": "?"}}}}}}'.encode()),
        httpx.ConnectError(f"cannot connect with {TOKEN}"),
    ],
    ids=["fault", "errors", "xml fault", "quantity", "symbol", "httpx error text"],
)
def test_a_broker_answer_that_echoes_the_token_is_redacted(
    mock_broker: MakeBroker,
    logs: pytest.LogCaptureFixture,
    answer: httpx.Response | Exception,
    call: str,
) -> None:
    broker = mock_broker(Script(answer), quote_chunk_size=1)
    calls: dict[str, Callable[[], object]] = {
        "positions": lambda: broker.fetch_positions(ACCOUNT),
        "marks": lambda: broker.fetch_marks(["SPY270319C00600000"]),
        "accounts": broker.list_accounts,
    }
    with pytest.raises(BrokerUnavailable) as failed:
        calls[call]()
    assert_secret(failed.value, logs.records)


def test_partial_marks_warnings_do_not_show_the_token(mock_broker: MakeBroker) -> None:
    script = Script(status(503, fault_body(f"overloaded {TOKEN}")), ok(b'{"quotes": {}}'))
    marks = mock_broker(script, quote_chunk_size=1, retry=RetryPolicy(attempts=1)).fetch_marks(
        ["SPY270319C00600000", "SPY270319P00500000"]
    )
    assert marks.warnings
    assert all(TOKEN not in warning for warning in marks.warnings)


def test_reprs_do_not_show_the_token(mock_broker: MakeBroker) -> None:
    broker = mock_broker(Script(ok(positions_body(()))))
    client = broker._client
    for shown in (repr(broker), str(broker), repr(client), repr(client.auth), repr(client.headers)):
        assert TOKEN not in shown


# --- over a real socket -----------------------------------------------------------------------

SERVER_FAILURES: dict[str, tuple[Reply, ...]] = {
    "slow past the timeout": (Reply(delay=1.0, body=positions_body(())),),
    "closed mid-body": (Reply(body=b'{"positions": {"position": [' + b" " * 200, cut_after=30),),
    "401 fault": (Reply(status=401, body=fault_body("Invalid Access Token")),),
    "502 xml": (Reply(status=502, body=b"<fault><faultstring>Bad Gateway</faultstring></fault>"),),
    "200 html": (Reply(body=b"<html><body>maintenance</body></html>", content_type="text/html"),),
    "429 then garbage": (
        Reply(status=429, headers={"X-Ratelimit-Available": "0"}),
        Reply(body=b"{not json"),
    ),
}


@pytest.mark.parametrize("replies", SERVER_FAILURES.values(), ids=SERVER_FAILURES.keys())
def test_no_failed_read_over_a_socket_shows_the_token(
    server: TradierServer,
    server_broker: MakeBroker,
    logs: pytest.LogCaptureFixture,
    replies: tuple[Reply, ...],
) -> None:
    server.reply("GET", f"/accounts/{ACCOUNT}/positions", *replies)
    with pytest.raises(BrokerUnavailable) as failed:
        server_broker(timeout=0.2).fetch_positions(ACCOUNT)
    assert_secret(failed.value, logs.records)
    assert server.received[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_a_refused_connection_does_not_show_the_token(logs: pytest.LogCaptureFixture) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    retry = RetryPolicy(attempts=2, wait_initial=0, wait_max=0, wait_jitter=0)
    with (
        TradierBroker(TOKEN, base_url=f"http://127.0.0.1:{port}/v1", retry=retry) as broker,
        pytest.raises(BrokerUnavailable, match="the connection failed") as failed,
    ):
        broker.fetch_positions(ACCOUNT)
    assert_secret(failed.value, logs.records)
