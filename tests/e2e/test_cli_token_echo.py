"""A broker that echoes the token back never gets a piece of it shown, through the command.

``legsync sync --json --debug --events FILE``: no piece of 8 or more of the token's characters
in stdout, stderr, the events file or the database.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from tempfile import mkdtemp

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from legsync.adapters.sql import SqlStore, prepare_schema
from tests.e2e.test_cli import legsync
from tests.support.echo import PLACES, PREFIXES, echo_reply, fillers, leaked, tokens
from tests.support.tradier_server import TradierServer, tradier_server

ACCOUNT = "VA000001"
SENTINEL = "Q9zK4tW7mB2xR8vN5cJ3"


@pytest.fixture(scope="module")
def server() -> Iterator[TradierServer]:
    with tradier_server() as running:
        yield running


_TEMPLATE = Path(mkdtemp(prefix="legsync-echo-template-")) / "legsync.db"


def outputs_of_the_command(server: TradierServer, token: str, place: str, echo: str) -> list[str]:
    """Each example in a fresh directory, its database a copy of one made once."""
    server.reply("GET", f"/accounts/{ACCOUNT}/positions", echo_reply(place, echo))
    if not _TEMPLATE.exists():
        prepare_schema(SqlStore(f"sqlite:///{_TEMPLATE}"))
    workdir = Path(mkdtemp(prefix="legsync-echo-cli-"))
    shutil.copy(_TEMPLATE, workdir / "legsync.db")
    env = {"LEGSYNC_TRADIER_TOKEN": token, "LEGSYNC_TRADIER_BASE_URL": server.base_url}
    sync = legsync(
        workdir,
        "sync",
        "--account-id",
        ACCOUNT,
        "--json",
        "--debug",
        "--events",
        "events.jsonl",
        env=env,
    )
    assert sync.returncode == 1, sync.stderr
    events = workdir / "events.jsonl"
    with sqlite3.connect(workdir / "legsync.db") as connection:
        database = "\n".join(connection.iterdump())
    return [
        sync.stdout,
        sync.stderr,
        events.read_text() if events.exists() else "",
        database,
    ]


_baseline: list[str] = []


@settings(
    max_examples=18,
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
def test_no_piece_of_an_echoed_token_is_ever_shown_by_the_command(
    server: TradierServer, token: str, filler: str, prefix: str, place: str
) -> None:
    if not _baseline:
        for each in PLACES:
            _baseline.extend(outputs_of_the_command(server, SENTINEL, each, "filler"))
    assume(not leaked(token, _baseline))
    outputs = outputs_of_the_command(server, token, place, f"{filler}{prefix}{token}")
    assert leaked(token, outputs) == []
