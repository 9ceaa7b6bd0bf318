"""The command against Tradier's wire format (a real HTTP server on 127.0.0.1) and a real
PostgreSQL server, as a deployment runs it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from legsync.domain import BrokerPosition
from tests.support.tradier_server import (
    Reply,
    TradierServer,
    fault_body,
    positions_body,
    profile_body,
    quotes_body,
    tradier_server,
)

from .test_cli import as_json, legsync

TOKEN = "SENTINEL-TOKEN-5f1c2a"
BOOK = [
    BrokerPosition("SPY270319P00540000", Decimal("-2"), Decimal("-1184.00")),
    BrokerPosition("SPY270319P00530000", Decimal("2"), Decimal("862.00")),
    BrokerPosition("AAPL", Decimal("100"), Decimal("18342.50")),
]


@pytest.fixture
def server() -> Iterator[TradierServer]:
    with tradier_server() as running:
        running.reply("GET", "/accounts/VA000001/positions", Reply.json(positions_body(BOOK)))
        running.reply("GET", "/accounts/6YA000002/positions", Reply.json(positions_body(BOOK[:1])))
        running.reply("GET", "/user/profile", Reply.json(profile_body(["VA000001", "6YA000002"])))
        running.reply(
            "POST",
            "/markets/quotes",
            Reply.json(
                quotes_body(
                    [
                        {
                            "symbol": "SPY270319P00540000",
                            "type": "option",
                            "last": 7.15,
                            "bid": 7.1,
                            "ask": 7.2,
                        }
                    ],
                    unmatched=["SPY270319P00530000"],
                )
            ),
        )
        yield running


def env(server: TradierServer, database_url: str | None = None) -> dict[str, str]:
    values = {"LEGSYNC_TRADIER_TOKEN": TOKEN, "LEGSYNC_TRADIER_BASE_URL": server.base_url}
    if database_url is not None:
        values["LEGSYNC_DATABASE_URL"] = database_url
    return values


def test_a_tradier_account_is_mirrored_with_marks(server: TradierServer, tmp_path: Path) -> None:
    run = legsync(
        tmp_path, "sync", "--account-id", "VA000001", "--marks", "--json", env=env(server)
    )
    assert run.returncode == 0, run.stderr
    result = as_json(run)
    assert (result["opened"], result["skipped"], result["stock_opened"]) == (2, 0, 1)
    assert any("SPY270319P00530000" in warning for warning in result["warnings"])
    legs = {leg["occ_symbol"]: leg for leg in as_json(legsync(tmp_path, "positions", "--json"))}
    prices = {symbol: leg["last_price"] for symbol, leg in legs.items()}
    assert prices == {"SPY270319P00540000": "7.15", "SPY270319P00530000": None}
    assert legs["SPY270319P00530000"]["marked_at"] is None, "no quote: no mark, no time"
    marked_at = datetime.fromisoformat(legs["SPY270319P00540000"]["marked_at"])
    assert marked_at.utcoffset() == timedelta(0)
    assert marked_at == datetime.fromisoformat(legs["SPY270319P00540000"]["updated_at"])
    request = server.received_at("/accounts/VA000001/positions")[0]
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["accept"] == "application/json"


def test_all_accounts_of_the_profile_are_synced_each_on_its_own(
    server: TradierServer, tmp_path: Path
) -> None:
    run = legsync(tmp_path, "sync", "--all-accounts", "--json", env=env(server))
    assert run.returncode == 0, run.stderr
    accounts = as_json(run)["accounts"]
    assert [(a["account_id"], a["opened"]) for a in accounts] == [("VA000001", 2), ("6YA000002", 1)]


def test_one_failing_account_exits_1_and_leaves_the_other_synced(
    server: TradierServer, tmp_path: Path
) -> None:
    server.reply("GET", "/accounts/6YA000002/positions", Reply.json(b'{"errors": "no"}', 404))
    run = legsync(
        tmp_path, "sync", "--account-id", "VA000001", "--account-id", "6YA000002", env=env(server)
    )
    assert run.returncode == 1
    assert "6YA000002: FAILED, nothing changed" in run.stderr
    assert "VA000001: synced 2 leg(s)" in run.stdout
    assert {leg["account_id"] for leg in as_json(legsync(tmp_path, "positions", "--json"))} == {
        "VA000001"
    }


def test_a_refused_token_fails_once_and_the_token_shows_nowhere(
    server: TradierServer, tmp_path: Path
) -> None:
    legsync(tmp_path, "sync", "--account-id", "VA000001", env=env(server))
    server.reply(
        "GET",
        "/accounts/VA000001/positions",
        Reply.json(
            fault_body(
                f"Invalid Access Token {TOKEN}", "keymanagement.service.invalid_access_token"
            ),
            401,
        ),
    )
    before = legsync(tmp_path, "positions", "--json").stdout
    run = legsync(tmp_path, "sync", "--account-id", "VA000001", "--debug", env=env(server))
    assert run.returncode == 1
    assert len(server.received_at("/accounts/VA000001/positions")) == 2, "never retried"
    status = legsync(tmp_path, "status", "--json")
    for text in (
        run.stdout,
        run.stderr,
        status.stdout,
        (tmp_path / "legsync.db").read_bytes().decode("latin-1"),
    ):
        assert TOKEN not in text
    assert legsync(tmp_path, "positions", "--json").stdout == before


def test_all_accounts_with_a_refused_token_is_a_clear_failure(
    server: TradierServer, tmp_path: Path
) -> None:
    server.reply("GET", "/user/profile", Reply.json(fault_body("Invalid Access Token"), 401))
    run = legsync(tmp_path, "sync", "--all-accounts", env=env(server))
    assert run.returncode == 1
    assert run.stderr.startswith("legsync: broker read failed: Tradier refused the token")
    assert "Traceback" not in run.stderr
    assert TOKEN not in run.stderr


@pytest.mark.postgres
def test_postgresql_is_upgraded_and_synced_from_the_command_line(
    server: TradierServer, tmp_path: Path, postgres_database: str
) -> None:
    upgrade = legsync(tmp_path, "db", "upgrade", env=env(server, postgres_database))
    assert upgrade.returncode == 0, upgrade.stderr
    assert "schema revision" in upgrade.stdout
    run = legsync(tmp_path, "sync", "--all-accounts", "--json", env=env(server, postgres_database))
    assert run.returncode == 0, run.stderr
    legs = as_json(legsync(tmp_path, "positions", "--json", env=env(server, postgres_database)))
    assert len(legs) == 3
    assert not (tmp_path / "legsync.db").exists()
