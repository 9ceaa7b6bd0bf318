"""A real HTTP server on 127.0.0.1 that speaks Tradier's wire format, scripted by the test.

Used by the Tradier adapter's integration tests, the broker contract suite, the end-to-end
sync tests, and (being plain stdlib) by benchmarks and CLI tests::

    with tradier_server() as server:
        server.reply("GET", "/accounts/VA000001/positions", Reply(status=503), Reply.json(...))
        broker = TradierBroker("token", base_url=server.base_url)
        ...
        assert server.received[0].headers["authorization"] == "Bearer token"

Each path answers its scripted replies in order and then keeps repeating the last one. A reply
can be slow (``delay``, past the client's timeout), carry rate-limit headers, or close the
connection part-way through its body (``cut_after``). Paths are relative to the version path
(``/v1``), as the adapter writes them.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from legsync.domain import BrokerPosition

__all__ = [
    "ReceivedRequest",
    "Reply",
    "TradierServer",
    "fault_body",
    "positions_body",
    "profile_body",
    "quotes_body",
    "rate_limit_headers",
    "tradier_server",
]

VERSION_PATH = "/v1"


@dataclass(frozen=True)
class Reply:
    """One scripted answer."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering (set past the client's timeout to provoke one)."""
    cut_after: int | None = None
    """Send the full ``Content-Length`` but only this many body bytes, then drop the connection."""
    reason: str | None = None
    """The status line's reason phrase (the standard one when None)."""

    @classmethod
    def json(cls, payload: Any, status: int = 200, **options: Any) -> Reply:
        """A JSON answer; ``payload`` is raw JSON text (str/bytes) or an object to encode."""
        if isinstance(payload, bytes):
            body = payload
        elif isinstance(payload, str):
            body = payload.encode()
        else:
            body = _dumps(payload).encode()
        return cls(status=status, body=body, **options)

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/plain") -> Reply:
        return cls(status=status, body=text.encode(), content_type=content_type)


@dataclass(frozen=True)
class ReceivedRequest:
    """A request as the server saw it; header names are lower-case."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        """The urlencoded form body, one value per field."""
        return {k: v[-1] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}


class TradierServer:
    """The running server: script it with :meth:`reply`, inspect :attr:`received`."""

    def __init__(self, httpd: _Server) -> None:
        self._httpd = httpd
        host, port = httpd.server_address[:2]
        self.base_url = f"http://{host!s}:{port}{VERSION_PATH}"

    def reply(self, method: str, path: str, *replies: Reply) -> None:
        """Answer ``method path`` with ``replies`` in order, then keep repeating the last one."""
        if not replies:
            raise ValueError("script at least one reply")
        with self._httpd.lock:
            queue = self._httpd.scripts[(method.upper(), path)]
            queue.clear()
            queue.extend(replies)

    @property
    def received(self) -> list[ReceivedRequest]:
        with self._httpd.lock:
            return list(self._httpd.received)

    def received_at(self, path: str) -> list[ReceivedRequest]:
        return [r for r in self.received if r.path == path]


@contextmanager
def tradier_server() -> Iterator[TradierServer]:
    """Start a server on a free port of 127.0.0.1; stop it (and wake slow replies) on exit."""
    httpd = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield TradierServer(httpd)
    finally:
        httpd.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.scripts: defaultdict[tuple[str, str], deque[Reply]] = defaultdict(deque)
        self.received: list[ReceivedRequest] = []

    def next_reply(self, method: str, path: str) -> Reply:
        with self.lock:
            queue = self.scripts.get((method, path))
            if not queue:
                return Reply.text(f"nothing scripted for {method} {path}", status=404)
            return queue.popleft() if len(queue) > 1 else queue[0]

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that time out and hang up are part of the script, not errors."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 5  # idle keep-alive connections end on their own
    disable_nagle_algorithm = True  # headers and body go out as written, no 40 ms stalls
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests assert on ``received``, not on stderr."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        path = url.path.removeprefix(VERSION_PATH) if url.path.startswith(VERSION_PATH) else ""
        request = ReceivedRequest(
            method=self.command,
            path=path or url.path,
            query=url.query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        with self.server.lock:
            self.server.received.append(request)
        reply = self.server.next_reply(self.command, request.path)
        if reply.delay and self.server.stopping.wait(reply.delay):
            self.close_connection = True
            return
        try:
            self.send_response(reply.status, reply.reason)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if reply.cut_after is None:
                self.wfile.write(reply.body)
                return
            self.wfile.write(reply.body[: reply.cut_after])
            self.wfile.flush()
            self.close_connection = True
        except OSError:  # the client gave up (a timeout we provoked): nothing to answer
            self.close_connection = True


# --- bodies ----------------------------------------------------------------------------------


def positions_body(
    positions: Sequence[BrokerPosition],
    *,
    numbers_as_strings: bool = False,
    empty: str = "null-string",
) -> bytes:
    """What Tradier sends for these rows: ``"null"`` for none, a bare object for one, else a list.

    Decimals are written digit for digit (``1.00000000`` stays ``1.00000000``).
    ``empty="json-null"`` writes JSON ``null`` for no positions, as Tradier has been seen to.
    """
    if not positions:
        return b'{"positions": null}' if empty == "json-null" else b'{"positions": "null"}'
    rows = [_row(p, n, numbers_as_strings) for n, p in enumerate(positions, 1)]
    inner = rows[0] if len(rows) == 1 else "[" + ", ".join(rows) + "]"
    return ('{"positions": {"position": ' + inner + "}}").encode()


def _row(position: BrokerPosition, number: int, as_strings: bool) -> str:
    def num(value: Decimal) -> str:
        return json.dumps(str(value)) if as_strings else str(value)

    fields = {
        "cost_basis": "null" if position.cost_basis is None else num(position.cost_basis),
        "date_acquired": json.dumps(
            (position.date_acquired or datetime(2026, 1, 5, 14, 30, tzinfo=UTC))
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z")
        ),
        "id": str(100_000 + number),
        "quantity": num(position.quantity),
        "symbol": json.dumps(position.symbol),
    }
    return "{" + ", ".join(f'"{k}": {v}' for k, v in fields.items()) + "}"


def fault_body(faultstring: str, errorcode: str = "") -> bytes:
    """A gateway fault as Tradier's JSON gateway writes it."""
    return _dumps(
        {"fault": {"faultstring": faultstring, "detail": {"errorcode": errorcode}}}
    ).encode()


def quotes_body(quotes: Sequence[Mapping[str, Any]], unmatched: Sequence[str] = ()) -> bytes:
    """A ``/markets/quotes`` answer: one quote bare, several as a list, unknowns listed."""
    inner: dict[str, Any] = {}
    if quotes:
        inner["quote"] = dict(quotes[0]) if len(quotes) == 1 else [dict(q) for q in quotes]
    if unmatched:
        symbols = unmatched[0] if len(unmatched) == 1 else list(unmatched)
        inner["unmatched_symbols"] = {"symbol": symbols}
    return _dumps({"quotes": inner}).encode()


def profile_body(account_numbers: Sequence[str]) -> bytes:
    """A ``/user/profile`` answer: one account as a bare object, several as a list."""
    accounts: list[dict[str, Any]] = [
        {"account_number": n, "classification": "individual", "status": "active", "type": "margin"}
        for n in account_numbers
    ]
    account: Any = accounts[0] if len(accounts) == 1 else accounts
    return _dumps({"profile": {"id": "id-user", "name": "A Trader", "account": account}}).encode()


def rate_limit_headers(
    *, allowed: int = 120, used: int = 0, expiry: datetime | None = None
) -> dict[str, str]:
    """Tradier's rate-limit headers; ``expiry`` becomes epoch milliseconds."""
    headers = {
        "X-Ratelimit-Allowed": str(allowed),
        "X-Ratelimit-Used": str(used),
        "X-Ratelimit-Available": str(allowed - used),
    }
    if expiry is not None:
        headers["X-Ratelimit-Expiry"] = str(int(expiry.timestamp() * 1000))
    return headers


def _dumps(value: Any) -> str:
    """JSON with Decimals written digit for digit, as numbers."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {_dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_dumps(v) for v in value) + "]"
    return json.dumps(value)
