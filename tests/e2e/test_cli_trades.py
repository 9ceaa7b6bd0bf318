"""``legsync check`` and ``legsync trades ...`` as a user runs them, over the example account."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from .test_cli import EXAMPLE, as_json, legsync

SPY_SPREAD = ("--leg", "short:SPY270319P00540000", "--leg", "long:SPY270319P00530000")


@pytest.fixture
def synced(tmp_path: Path) -> Path:
    shutil.copy(EXAMPLE, tmp_path / "positions.json")
    assert legsync(tmp_path, "sync", "--from-file", "positions.json").returncode == 0
    return tmp_path


def trades(cwd: Path, *args: str) -> Any:
    return as_json(legsync(cwd, "trades", "list", "--json", *args))


def test_check_of_a_fresh_mirror_with_no_managed_trades_is_clean(synced: Path) -> None:
    run = legsync(synced, "check")
    assert run.returncode == 0, run.stderr
    assert "file: clean" in run.stdout


def test_import_stores_unmanaged_trades_once(synced: Path) -> None:
    first = as_json(legsync(synced, "trades", "import", "--json"))
    kinds = sorted(item["kind"] for item in first["imported"])
    assert kinds == ["bull_put_spread", "iron_condor", "long_call", "short_put"]
    assert all(
        item["managed"] is False and item["origin"] == "IMPORTED" for item in first["imported"]
    )
    again = as_json(legsync(synced, "trades", "import", "--json"))
    assert again["imported"] == []
    assert len(trades(synced)) == 4


def test_import_dry_run_stores_nothing(synced: Path) -> None:
    run = legsync(synced, "trades", "import", "--dry-run")
    assert "would import 4 trade(s)" in run.stdout
    assert trades(synced) == []


def test_a_manual_trade_is_unmanaged_unless_asked(synced: Path) -> None:
    added = as_json(legsync(synced, "trades", "add", "--account-id", "file", *SPY_SPREAD, "--json"))
    assert added[0]["origin"] == "MANUAL"
    assert added[0]["managed"] is False
    managed = as_json(
        legsync(
            synced,
            "trades",
            "add",
            "--account-id",
            "file",
            *SPY_SPREAD,
            "--quantity",
            "2",
            "--entry-price",
            "1.61",
            "--managed",
            "--json",
        )
    )
    assert managed[0]["managed"] is True
    assert managed[0]["entry_price"] == "1.61"


def test_the_managed_switch_by_id_and_by_symbol(synced: Path) -> None:
    legsync(synced, "trades", "import")
    ids = {t["symbol"]: t["id"] for t in trades(synced)}
    assert legsync(synced, "trades", "manage", str(ids["IWM"])).returncode == 0
    assert {t["symbol"] for t in trades(synced) if t["managed"]} == {"IWM"}
    assert legsync(synced, "trades", "manage", "--symbol", "spxw").returncode == 0
    assert {t["symbol"] for t in trades(synced) if t["managed"]} == {"IWM", "SPX"}
    assert legsync(synced, "trades", "unmanage", "--symbol", "IWM").returncode == 0
    assert {t["symbol"] for t in trades(synced) if t["managed"]} == {"SPX"}


def test_a_sync_never_changes_the_switch(synced: Path) -> None:
    legsync(synced, "trades", "import")
    before = trades(synced)
    assert legsync(synced, "sync", "--from-file", "positions.json").returncode == 0
    assert trades(synced) == before


def test_check_reports_a_phantom_and_exits_3_and_exit_quantity_is_zero(synced: Path) -> None:
    legsync(
        synced, "trades", "add", "--account-id", "file", *SPY_SPREAD, "--quantity", "2", "--managed"
    )
    trade_id = trades(synced)[0]["id"]
    assert as_json(legsync(synced, "trades", "exit-quantity", str(trade_id), "--json")) == {
        "trade_id": trade_id,
        "exit_quantity": 2,
    }
    body = json.loads((synced / "positions.json").read_text())
    body["positions"]["position"] = [
        row for row in body["positions"]["position"] if not str(row["symbol"]).startswith("SPY")
    ]
    (synced / "positions.json").write_text(json.dumps(body))
    assert legsync(synced, "sync", "--from-file", "positions.json").returncode == 0
    run = legsync(synced, "check")
    assert run.returncode == 3
    assert f"phantom trade {trade_id} (SPY)" in run.stdout
    report = as_json(legsync(synced, "check", "--json"))
    assert report["accounts"][0]["phantoms"][0]["trade_id"] == trade_id
    assert legsync(synced, "trades", "exit-quantity", str(trade_id)).stdout.strip() == "0"
    assert trades(synced)[0]["status"] == "open", "check closes nothing"


def test_check_after_a_failed_sync_judges_nothing_and_exits_1(synced: Path) -> None:
    (synced / "positions.json").write_text("<html>maintenance</html>")
    assert legsync(synced, "sync", "--from-file", "positions.json").returncode == 1
    run = legsync(synced, "check")
    assert run.returncode == 1
    assert "STALE mirror, nothing judged" in run.stdout


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (
            ("trades", "add", "--account-id", "file", "--leg", "sideways:SPY270319P00540000"),
            "long or short",
        ),
        (
            ("trades", "add", "--account-id", "file", "--leg", "short:SPY2703"),
            "invalid OCC option symbol",
        ),
        (
            (
                "trades",
                "add",
                "--account-id",
                "file",
                "--leg",
                "short:SPY270319P00540000",
                "--leg",
                "long:QQQ270319P00530000",
            ),
            "one underlying",
        ),
        (
            (
                "trades",
                "add",
                "--account-id",
                "file",
                "--leg",
                "short:SPY270319P00540000",
                "--quantity",
                "100000000000",
            ),
            "more than any leg holds",
        ),
        (("trades", "manage"), "one of the arguments"),
        (("check", "--max-age", "soon"), "not a number of minutes"),
    ],
)
def test_bad_trade_input_exits_2_and_says_why(
    synced: Path, args: tuple[str, ...], complaint: str
) -> None:
    run = legsync(synced, *args)
    assert run.returncode == 2, run.stderr
    assert complaint in run.stderr


def test_an_unknown_trade_is_bad_input_exit_2(synced: Path) -> None:
    run = legsync(synced, "trades", "manage", "4242")
    assert run.returncode == 2
    assert "no trade with id 4242" in run.stderr


def test_trades_show_gives_the_pnl_and_the_mirror_it_was_read_from(synced: Path) -> None:
    added = as_json(legsync(synced, "trades", "add", "--account-id", "file", *SPY_SPREAD, "--json"))
    shown = as_json(legsync(synced, "trades", "show", str(added[0]["id"]), "--json"))
    assert shown["mirror"] == "fresh"
    assert shown["unrealized_pnl"] is None, "no marks were synced: incomplete, never zero"
    assert shown["pnl_complete"] is False
    assert shown["pnl_missing"] == ["SPY270319P00540000: no mark", "SPY270319P00530000: no mark"]
    assert shown["oldest_mark_at"] is None


def test_a_closed_trade_shows_no_unrealised_pnl(synced: Path) -> None:
    added = as_json(legsync(synced, "trades", "add", "--account-id", "file", *SPY_SPREAD, "--json"))
    trade_id = str(added[0]["id"])
    closed = legsync(synced, "trades", "close", trade_id, "--reason", "done", "--force")
    assert closed.returncode == 0, closed.stderr
    shown = as_json(legsync(synced, "trades", "show", trade_id, "--json"))
    assert shown["unrealized_pnl"] is None
    assert shown["pnl_missing"] == ["the trade is closed: nothing of it is open to mark"]
    text = legsync(synced, "trades", "show", trade_id).stdout
    assert "pnl_missing     the trade is closed: nothing of it is open to mark" in text


def test_trades_show_after_a_priced_sync_gives_the_trades_share_of_the_pnl(synced: Path) -> None:
    shutil.copy(EXAMPLE.with_name("tradier_quotes.json"), synced / "quotes.json")
    priced = legsync(
        synced, "sync", "--from-file", "positions.json", "--quotes-file", "quotes.json"
    )
    assert priced.returncode == 0, priced.stderr
    added = as_json(legsync(synced, "trades", "add", "--account-id", "file", *SPY_SPREAD, "--json"))
    shown = as_json(legsync(synced, "trades", "show", str(added[0]["id"]), "--json"))
    # one of the two held: short 540P sold at 5.92, now 4.85 (+107); long 530P bought at
    # 4.31, now 3.52 (-79)
    assert shown["unrealized_pnl"] == "28"
    assert shown["pnl_complete"] is True
    assert shown["pnl_missing"] == []
    assert shown["oldest_mark_at"] is not None
    text = dict(
        line.split(None, 1)
        for line in legsync(synced, "trades", "show", str(added[0]["id"])).stdout.splitlines()
    )
    assert text["unrealized_pnl"] == "+28"
    assert re.fullmatch(r"\d+[smhd] old", text["marks"]), text["marks"]
