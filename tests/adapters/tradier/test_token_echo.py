"""A broker that echoes the token back never gets a piece of it shown, through the library.

For random tokens, random filler before the echo and every place the echo can appear, no
piece of 8 or more of the token's characters reaches the sync's result, its JSON, the log
(every logger, httpx and httpcore included, at DEBUG) or the database.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from legsync.adapters.sql import SqlStore, prepare_schema
from legsync.adapters.tradier import RetryPolicy, TradierBroker
from legsync.application import SyncService
from legsync.testing import ManualClock
from tests.support.echo import PLACES, PREFIXES, echo_reply, fillers, leaked, tokens
from tests.support.tradier_server import TradierServer, tradier_server

ACCOUNT = "VA000001"
SENTINEL = "Q9zK4tW7mB2xR8vN5cJ3"
NO_WAITS = RetryPolicy(attempts=2, wait_initial=0, wait_max=0, wait_jitter=0)


@pytest.fixture(scope="module")
def server() -> Iterator[TradierServer]:
    with tradier_server() as running:
        yield running


def outputs_of_a_sync(server: TradierServer, token: str, place: str, echo: str) -> list[str]:
    """Everything one failed sync shows: result, JSON, log records and the database."""
    server.reply("GET", f"/accounts/{ACCOUNT}/positions", echo_reply(place, echo))
    directory = Path(tempfile.mkdtemp(prefix="legsync-echo-"))
    store = SqlStore(f"sqlite:///{directory / 'legsync.db'}")
    prepare_schema(store)
    records: list[logging.LogRecord] = []
    capture = _Capture(records)
    root = logging.getLogger()
    root.addHandler(capture)
    level, root.level = root.level, logging.DEBUG
    try:
        with TradierBroker(token, base_url=server.base_url, retry=NO_WAITS) as broker:
            result = SyncService(broker, store, ManualClock()).sync(ACCOUNT)
    finally:
        root.removeHandler(capture)
        root.setLevel(level)
        store.close()
    assert not result.success
    formatter = logging.Formatter()
    with sqlite3.connect(directory / "legsync.db") as connection:
        database = "\n".join(connection.iterdump())
    return [
        str(result.reason),
        repr(result),
        json.dumps(result.to_dict()),
        database,
        *(formatter.format(record) for record in records),
        *(repr(vars(record)) for record in records),
    ]


class _Capture(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.DEBUG)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


_baseline: list[str] = []


def everything_said_without_the_token(server: TradierServer) -> str:
    """What the syncs show of their own, with an unrelated token: a generated token that
    shares 8 characters with it (a path, a word of ours) proves nothing."""
    if not _baseline:
        for place in PLACES:
            _baseline.extend(outputs_of_a_sync(server, SENTINEL, place, "filler"))
    return "\n".join(_baseline)


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    token=tokens,
    filler=fillers,
    prefix=st.sampled_from(PREFIXES),
    place=st.sampled_from(PLACES),
)
def test_no_piece_of_an_echoed_token_is_ever_shown(
    server: TradierServer, token: str, filler: str, prefix: str, place: str
) -> None:
    said = everything_said_without_the_token(server)
    assume(not leaked(token, [said]))
    outputs = outputs_of_a_sync(server, token, place, f"{filler}{prefix}{token}")
    assert leaked(token, outputs) == []
