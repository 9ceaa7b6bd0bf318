"""What the engine may bet on, through the command line: fresh mirrors only, claims that protect
positions, trades that can be closed, and ``watch --check`` reporting what it finds."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from .test_cli import EXAMPLE, as_json, legsync

MSFT_PUT = "MSFT270618P00400000"
SPY_SPREAD = ("--leg", "short:SPY270319P00540000", "--leg", "long:SPY270319P00530000")


@pytest.fixture
def synced(tmp_path: Path) -> Path:
    shutil.copy(EXAMPLE, tmp_path / "positions.json")
    assert legsync(tmp_path, "sync", "--from-file", "positions.json").returncode == 0
    return tmp_path


def age_the_mirror(cwd: Path, by: timedelta) -> None:
    """Move every sync run of the CLI's default database back in time, as if no sync had run
    since."""
    with sqlite3.connect(cwd / "legsync.db") as db:
        for run_id, started, finished in db.execute(
            "SELECT id, started_at, finished_at FROM sync_runs"
        ).fetchall():
            db.execute(
                "UPDATE sync_runs SET started_at = ?, finished_at = ? WHERE id = ?",
                (
                    (datetime.fromisoformat(started) - by).isoformat(),
                    (datetime.fromisoformat(finished) - by).isoformat(),
                    run_id,
                ),
            )


def add_managed_spread(cwd: Path, *extra: str) -> int:
    added = as_json(
        legsync(cwd, "trades", "add", "--account-id", "file", *SPY_SPREAD, "--managed", "--json")
    )
    return int(added[0]["id"])


def trade(cwd: Path, trade_id: int) -> Any:
    return as_json(legsync(cwd, "trades", "show", str(trade_id), "--json"))


# Freshness is part of every answer.


def test_a_three_day_old_mirror_sizes_no_exit_and_check_says_stale(synced: Path) -> None:
    trade_id = add_managed_spread(synced)
    assert legsync(synced, "trades", "exit-quantity", str(trade_id)).stdout.strip() == "1"
    age_the_mirror(synced, timedelta(days=3))

    assert legsync(synced, "trades", "exit-quantity", str(trade_id)).stdout.strip() == "0"
    run = legsync(synced, "check")
    assert run.returncode == 1
    assert "stale: last good sync at " in run.stdout
    minutes = 3 * 24 * 60
    assert f", {minutes} minutes ago" in run.stdout or f", {minutes + 1} minutes ago" in run.stdout
    report = as_json(legsync(synced, "check", "--json"))
    assert report["accounts"][0]["judged"] is False
    assert report["accounts"][0]["reason"].startswith("stale: last good sync at ")


def test_max_age_widens_or_narrows_what_counts_as_fresh(synced: Path) -> None:
    trade_id = add_managed_spread(synced)
    age_the_mirror(synced, timedelta(hours=2))
    assert legsync(synced, "check").returncode == 1
    assert legsync(synced, "check", "--max-age", "3h").returncode == 0
    exit_now = legsync(synced, "trades", "exit-quantity", str(trade_id), "--max-age", "180")
    assert exit_now.stdout.strip() == "1"
    by_env = legsync(
        synced, "trades", "exit-quantity", str(trade_id), env={"LEGSYNC_MAX_MIRROR_AGE": "3h"}
    )
    assert by_env.stdout.strip() == "1"


def test_import_refuses_a_stale_mirror(synced: Path) -> None:
    age_the_mirror(synced, timedelta(days=3))
    run = legsync(synced, "trades", "import", "--json")
    assert as_json(run)["imported"] == []
    assert as_json(legsync(synced, "trades", "list", "--json")) == []


@pytest.mark.parametrize("command", [("check",), ("trades", "exit-quantity", "1")])
@pytest.mark.parametrize(("age", "complaint"), [("-5", "must be more than 0"), ("soon", "soon")])
def test_a_negative_or_unparsable_max_age_is_bad_input(
    synced: Path, command: tuple[str, ...], age: str, complaint: str
) -> None:
    run = legsync(synced, *command, f"--max-age={age}")
    assert run.returncode == 2
    assert complaint in run.stderr
    reason = run.stderr.strip().splitlines()[-1]  # after argparse's usage: one line says why
    assert "--max-age" in reason
    assert complaint in reason


# Claims protect positions.


def test_an_unmanaged_claim_protects_the_contracts_from_a_managed_trade(synced: Path) -> None:
    imported = as_json(legsync(synced, "trades", "import", "--json"))["imported"]
    assert any(item["symbol"] == "MSFT" and item["managed"] is False for item in imported)
    added = legsync(
        synced, "trades", "add", "--account-id", "file", "--leg", f"short:{MSFT_PUT}", "--managed"
    )
    assert added.returncode == 0, added.stderr
    managed = next(t for t in as_json(legsync(synced, "trades", "list", "--json")) if t["managed"])

    assert legsync(synced, "trades", "exit-quantity", str(managed["id"])).stdout.strip() == "0"
    run = legsync(synced, "check")
    assert run.returncode == 3
    assert f"over-claimed short {MSFT_PUT}" in run.stdout
    overclaimed = as_json(legsync(synced, "check", "--json"))["accounts"][0]["overclaimed"]
    assert [(leg["occ_symbol"], leg["held"], leg["claimed"]) for leg in overclaimed] == [
        (MSFT_PUT, 1, 2)
    ]


# Closing a trade.


def test_closing_a_phantom_records_when_and_why_and_keeps_the_row(synced: Path) -> None:
    trade_id = add_managed_spread(synced)
    body = json.loads((synced / "positions.json").read_text())
    body["positions"]["position"] = [
        row for row in body["positions"]["position"] if not str(row["symbol"]).startswith("SPY")
    ]
    (synced / "positions.json").write_text(json.dumps(body))
    assert legsync(synced, "sync", "--from-file", "positions.json").returncode == 0
    assert legsync(synced, "check").returncode == 3

    closed = legsync(
        synced, "trades", "close", "--phantoms", "--account-id", "file", "--reason", "rolled"
    )
    assert closed.returncode == 2, "without a terminal, closing many needs --yes"
    assert "--yes" in closed.stderr
    closed = legsync(
        synced,
        "trades",
        "close",
        "--phantoms",
        "--account-id",
        "file",
        "--reason",
        "rolled",
        "--yes",
    )
    assert closed.returncode == 0, closed.stderr
    shown = trade(synced, trade_id)
    assert shown["status"] == "closed"
    assert shown["close_reason"] == "rolled"
    assert shown["closed_at"] is not None
    assert legsync(synced, "check").returncode == 0


def test_a_trade_whose_legs_are_held_is_closed_only_by_force(synced: Path) -> None:
    trade_id = add_managed_spread(synced)
    refused = legsync(synced, "trades", "close", str(trade_id), "--reason", "done")
    assert refused.returncode == 1
    assert "still holds" in refused.stderr or "held" in refused.stderr
    assert trade(synced, trade_id)["status"] == "open"

    forced = legsync(synced, "trades", "close", str(trade_id), "--reason", "done", "--force")
    assert forced.returncode == 0, forced.stderr
    assert trade(synced, trade_id)["status"] == "closed"
    again = legsync(synced, "trades", "close", str(trade_id), "--reason", "done", "--force")
    assert again.returncode == 2
    assert f"trade {trade_id} is closed already" in again.stderr
    unknown = legsync(synced, "trades", "close", "4242", "--reason", "done")
    assert unknown.returncode == 2
    assert "no trade with id 4242" in unknown.stderr


def test_a_sync_never_closes_a_trade(synced: Path) -> None:
    trade_id = add_managed_spread(synced)
    (synced / "positions.json").write_text(json.dumps({"positions": "null"}))
    assert legsync(synced, "sync", "--from-file", "positions.json").returncode == 0
    assert trade(synced, trade_id)["status"] == "open"


# watch --check.


def test_watch_check_writes_each_finding_as_an_event_line(synced: Path) -> None:
    add_managed_spread(synced)
    legsync(synced, "trades", "add", "--account-id", "file", "--leg", f"short:{MSFT_PUT}")
    legsync(synced, "trades", "add", "--account-id", "file", "--leg", f"short:{MSFT_PUT}")
    run = legsync(
        synced,
        "watch",
        "--from-file",
        "positions.json",
        "--check",
        "--events",
        "events.jsonl",
        "--max-cycles",
        "1",
    )
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in (synced / "events.jsonl").read_text().splitlines()]
    findings = [line for line in lines if line["event"] == "reconciliation-finding"]
    kinds = {(f["kind"], f["occ_symbol"]) for f in findings}
    assert ("overclaimed", MSFT_PUT) in kinds
    assert ("unclaimed", "AAPL") not in kinds, "stock is not an option leg"
    unclaimed = {f["occ_symbol"] for f in findings if f["kind"] == "unclaimed"}
    assert "SPXW270331C06800000" in unclaimed
    assert all(f["fails_check"] == (f["kind"] != "unclaimed") for f in findings)
    assert all(datetime.fromisoformat(f["occurred_at"]).tzinfo == UTC for f in findings)


def test_watch_without_check_publishes_no_finding(synced: Path) -> None:
    run = legsync(
        synced, "watch", "--from-file", "positions.json", "--events", "-", "--max-cycles", "1"
    )
    assert run.returncode == 0, run.stderr
    assert "reconciliation-finding" not in run.stdout


# The envelope on open.


def test_import_stores_each_structures_envelope_and_list_shows_kind_and_max_loss(
    synced: Path,
) -> None:
    legsync(synced, "trades", "import")
    listed = legsync(synced, "trades", "list")
    assert "kind" in listed.stdout
    assert "max loss" in listed.stdout
    condor = next(
        t for t in as_json(legsync(synced, "trades", "list", "--json")) if t["symbol"] == "IWM"
    )
    assert condor["kind"] == "iron_condor"
    assert condor["entry_price"] == "2.46"  # from the broker's cost basis
    assert condor["envelope"] == {
        "kind": "iron_condor",
        "entry_price": "2.46",
        "net_premium": "246",
        "credit": True,
        "width": "5",
        "max_profit": "246",
        "max_loss": "254",
        "breakevens": ["197.54", "252.46"],
        "unknown": [],
    }
    shown = legsync(synced, "trades", "show", str(condor["id"]))
    fields = dict(line.split(None, 1) for line in shown.stdout.splitlines())
    assert fields["kind"] == "iron_condor"
    assert fields["max_loss"] == "254"
    assert fields["premium"] == "credit"
    assert fields["mirror"] == "fresh"
    assert fields["unrealized_pnl"] == "incomplete"
    assert fields["marks"] == "unknown"


def test_a_trade_added_before_its_legs_are_held_is_priced_from_its_entry_price(
    synced: Path,
) -> None:
    added = as_json(
        legsync(
            synced,
            "trades",
            "add",
            "--account-id",
            "file",
            "--leg",
            "short:SPY270319C00600000",
            "--leg",
            "long:SPY270319C00610000",
            "--entry-price",
            "2.50",
            "--quantity",
            "3",
            "--json",
        )
    )[0]
    assert added["envelope"]["kind"] == "bear_call_spread"
    assert (added["envelope"]["max_profit"], added["envelope"]["max_loss"]) == ("750", "2250")
    assert added["envelope"]["breakevens"] == ["602.5"]
    naked = as_json(
        legsync(
            synced, "trades", "add", "--account-id", "file", "--leg", "short:SPY270319C00700000",
            "--json",
        )
    )[0]  # fmt: skip
    assert naked["envelope"]["max_loss"] is None
    assert "max_loss" not in naked["envelope"]["unknown"]
    assert "unknown" in legsync(synced, "trades", "show", str(naked["id"])).stdout


@pytest.mark.postgres
def test_the_rules_hold_through_the_command_line_on_postgresql(
    tmp_path: Path, migrated_postgres_database: str
) -> None:
    shutil.copy(EXAMPLE, tmp_path / "positions.json")
    env = {"LEGSYNC_DATABASE_URL": migrated_postgres_database}

    def run(*args: str) -> Any:
        return legsync(tmp_path, *args, env=env)

    assert run("sync", "--from-file", "positions.json").returncode == 0
    imported = as_json(run("trades", "import", "--json"))["imported"]
    condor = next(t for t in imported if t["symbol"] == "IWM")
    assert condor["envelope"]["max_loss"] == "254"
    assert run("trades", "add", "--account-id", "file", "--leg", f"short:{MSFT_PUT}", "--managed")
    managed = next(t for t in as_json(run("trades", "list", "--json")) if t["managed"])
    assert run("trades", "exit-quantity", str(managed["id"])).stdout.strip() == "0"
    assert run("check").returncode == 3

    refused = run("trades", "close", str(managed["id"]), "--reason", "mistake")
    assert refused.returncode == 1
    assert (
        run("trades", "close", str(managed["id"]), "--reason", "mistake", "--force").returncode == 0
    )
    shown = as_json(run("trades", "show", str(managed["id"]), "--json"))
    assert (shown["status"], shown["close_reason"]) == ("closed", "mistake")
    again = run("trades", "close", str(managed["id"]), "--reason", "mistake", "--force")
    assert again.returncode == 2
    assert run("check", "--max-age", "-1").returncode == 2
    assert run("check").returncode == 0
    assert not (tmp_path / "legsync.db").exists(), "everything went to PostgreSQL"
