"""The installed ``legsync`` command, run as a user runs it, in a temporary directory."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "tradier_positions.json"
LEGSYNC = shutil.which("legsync", path=str(Path(sys.executable).parent)) or "legsync"

pytestmark = pytest.mark.skipif(not EXAMPLE.exists(), reason="the example response is missing")


def legsync(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LEGSYNC_")}
    return subprocess.run(
        [LEGSYNC, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, **(env or {})},
        check=False,
    )


def as_json(run: subprocess.CompletedProcess[str]) -> Any:
    assert run.stdout.strip(), run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copy(EXAMPLE, tmp_path / "positions.json")
    return tmp_path


def readme_main_job() -> list[list[str]]:
    """The legsync invocations of the README's first command, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first = text.split("```sh\n", 1)[1].split("```", 1)[0].strip()
    return [
        shlex.split(part.strip())
        for part in first.replace("\\\n", " ").split("&&")
        if part.strip().startswith("legsync ")
    ]


def test_the_readme_main_job_mirrors_the_example_and_shows_the_table(tmp_path: Path) -> None:
    steps = readme_main_job()
    assert steps, "the README's first command runs legsync"
    (tmp_path / "examples").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "examples" / EXAMPLE.name)
    outputs = []
    for step in steps:
        run = legsync(tmp_path, *step[1:])
        assert run.returncode == 0, run.stderr
        outputs.append(run.stdout)
    assert (tmp_path / "legsync.db").exists()
    table = outputs[-1]
    assert "occ_symbol" in table
    assert "SPXW" in table


def test_a_sync_prints_one_json_object_and_the_positions_read_back(workdir: Path) -> None:
    run = legsync(workdir, "sync", "--from-file", "positions.json", "--json")
    assert run.returncode == 0, run.stderr
    result = as_json(run)
    assert result["success"] is True
    assert set(result) >= {
        "success",
        "synced",
        "opened",
        "changed",
        "unchanged",
        "removed",
        "skipped",
        "pruned",
        "errors",
        "warnings",
    }
    assert result["opened"] == result["synced"] > 0
    assert result["stock_opened"] >= 1, "the example holds a stock position, now mirrored"
    assert result["skipped"] == 0
    legs = as_json(legsync(workdir, "positions", "--json"))
    assert len(legs) == result["synced"]
    assert all(isinstance(leg["strike"], str) for leg in legs), "Decimals travel as strings"
    assert {
        "id",
        "account_id",
        "symbol",
        "root",
        "occ_symbol",
        "expiration",
        "option_type",
        "strike",
        "side",
        "quantity",
        "cost_basis_per_contract",
        "last_price",
        "marked_at",
        "updated_at",
    } == set(legs[0])
    assert {leg["marked_at"] for leg in legs} == {None}, "a sync without marks takes none"


def test_the_shares_are_listed_by_legsync_stock(workdir: Path) -> None:
    assert "no stock mirrored" in legsync(workdir, "stock").stdout
    run = legsync(workdir, "sync", "--from-file", "positions.json")
    assert run.returncode == 0, run.stderr
    assert "stock position(s)" in run.stdout
    shares = as_json(legsync(workdir, "stock", "--json"))
    assert [(s["symbol"], s["quantity"], s["cost_basis_per_share"]) for s in shares] == [
        ("AAPL", "100", "183.425")
    ], "Decimals travel as strings"
    assert set(shares[0]) == {
        "account_id",
        "symbol",
        "quantity",
        "cost_basis_per_share",
        "last_price",
        "marked_at",
        "updated_at",
    }
    table = legsync(workdir, "stock").stdout
    assert "AAPL" in table
    assert "cost/share" in table
    status = as_json(legsync(workdir, "status", "--json"))
    assert status[0]["stock_opened"] == 1


def test_a_dry_run_shows_the_plan_and_writes_nothing(workdir: Path) -> None:
    run = legsync(workdir, "sync", "--from-file", "positions.json", "--dry-run")
    assert run.returncode == 0, run.stderr
    assert "dry run: nothing was written" in run.stdout
    assert "open " in run.stdout
    planned = as_json(
        legsync(workdir, "sync", "--from-file", "positions.json", "--dry-run", "--json")
    )
    assert planned["dry_run"] is True
    assert planned["opened"] > 0
    assert as_json(legsync(workdir, "positions", "--json")) == []
    assert "no sync has run yet" in legsync(workdir, "status").stdout


def test_events_lines_match_the_store_and_a_second_sync_emits_nothing(workdir: Path) -> None:
    first = legsync(workdir, "sync", "--from-file", "positions.json", "--events", "events.jsonl")
    assert first.returncode == 0, first.stderr
    lines = (workdir / "events.jsonl").read_text().splitlines()
    replayed: dict[str, dict[str, Any]] = {}
    shares: dict[str, dict[str, Any]] = {}
    for line in lines:
        event = json.loads(line)
        if event["event"] == "position-synced":
            replayed[event["leg"]["id"]] = event["leg"]
        elif event["event"] == "stock-position-synced":
            shares[event["stock"]["symbol"]] = event["stock"]
        elif event["event"] == "stock-position-removed":
            shares.pop(event["stock"]["symbol"])
        else:
            replayed.pop(event["leg"]["id"])
    stored = {leg["id"]: leg for leg in as_json(legsync(workdir, "positions", "--json"))}
    assert replayed == stored
    stock = {row["symbol"]: row for row in as_json(legsync(workdir, "stock", "--json"))}
    assert shares == stock
    assert set(stock) == {"AAPL"}

    second = legsync(
        workdir, "sync", "--from-file", "positions.json", "--events", "events.jsonl", "--json"
    )
    assert (as_json(second)["opened"], as_json(second)["changed"]) == (0, 0)
    assert (workdir / "events.jsonl").read_text().splitlines() == lines


def test_events_to_stdout_are_json_lines(workdir: Path) -> None:
    run = legsync(workdir, "sync", "--from-file", "positions.json", "--events", "-", "--json")
    records = [json.loads(line) for line in run.stdout.splitlines()]
    assert {r["event"] for r in records[:-1]} == {"position-synced", "stock-position-synced"}
    assert records[-1]["success"] is True


def test_a_dropped_leg_is_removed_on_the_next_clean_sync(workdir: Path) -> None:
    legsync(workdir, "sync", "--from-file", "positions.json")
    body = json.loads((workdir / "positions.json").read_text())
    rows = body["positions"]["position"]
    dropped = next(r for r in rows if len(str(r["symbol"])) > 10)
    rows.remove(dropped)
    (workdir / "positions.json").write_text(json.dumps(body))
    result = as_json(legsync(workdir, "sync", "--from-file", "positions.json", "--json"))
    assert (result["removed"], result["pruned"]) == (1, True)


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ("<html><body>Developer docs</body></html>", "positions.json"),
        ('{"positions": {"position": [{"symbol": "SPY270319P0040', "positions.json"),
    ],
)
def test_an_unreadable_file_fails_with_exit_1_and_changes_nothing(
    workdir: Path, body: str, complaint: str
) -> None:
    assert legsync(workdir, "sync", "--from-file", "positions.json").returncode == 0
    before = legsync(workdir, "positions", "--json").stdout
    (workdir / "positions.json").write_text(body)
    run = legsync(workdir, "sync", "--from-file", "positions.json")
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "FAILED, nothing changed" in run.stderr
    assert legsync(workdir, "positions", "--json").stdout == before
    status = as_json(legsync(workdir, "status", "--json"))
    assert status[0]["success"] is False
    assert status[0]["last_success_at"] is not None


def test_a_garbled_row_exits_3_and_prunes_nothing(workdir: Path) -> None:
    legsync(workdir, "sync", "--from-file", "positions.json")
    before = as_json(legsync(workdir, "positions", "--json"))
    body = json.loads((workdir / "positions.json").read_text())
    rows = body["positions"]["position"]
    victim = next(r for r in rows if len(str(r["symbol"])) > 10)
    victim["symbol"] = str(victim["symbol"])[:-1]  # a 7-digit strike
    (workdir / "positions.json").write_text(json.dumps(body))
    run = legsync(workdir, "sync", "--from-file", "positions.json", "--json")
    assert run.returncode == 3
    result = as_json(run)
    assert result["pruned"] is False
    assert result["errors"][0]["symbol"] == victim["symbol"]
    assert len(as_json(legsync(workdir, "positions", "--json"))) == len(before)


def test_a_missing_file_fails_with_exit_1(workdir: Path) -> None:
    run = legsync(workdir, "sync", "--from-file", "nowhere.json")
    assert run.returncode == 1
    assert "nowhere.json" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    ("args", "env", "complaint"),
    [
        (
            ("sync", "--from-file", "positions.json"),
            {"LEGSYNC_DATABASE_URL": "mysql://x/y"},
            "LEGSYNC_DATABASE_URL",
        ),
        (("sync",), {}, "no account to sync"),
        (("sync", "--account-id", "VA1"), {}, "LEGSYNC_TRADIER_TOKEN"),
        (("sync", "--nope"), {}, "unrecognized arguments"),
        (("watch", "--interval", "0", "--from-file", "positions.json"), {}, "more than 0"),
        (("positions", "--expiration", "2027-13-01"), {}, "not a date"),
    ],
)
def test_usage_and_configuration_errors_exit_2_with_one_clear_line(
    workdir: Path, args: tuple[str, ...], env: dict[str, str], complaint: str
) -> None:
    run = legsync(workdir, *args, env=env)
    assert run.returncode == 2, run.stderr
    assert complaint in run.stderr
    assert "Traceback" not in run.stderr


def test_debug_shows_the_traceback(workdir: Path) -> None:
    env = {"LEGSYNC_DATABASE_URL": "mysql://x/y"}
    run = legsync(workdir, "sync", "--from-file", "positions.json", "--debug", env=env)
    assert run.returncode == 2
    assert "Traceback" in run.stderr
    assert "LEGSYNC_DATABASE_URL" in run.stderr.splitlines()[-1]


def test_watch_runs_cycles_and_logs_one_line_each(workdir: Path) -> None:
    run = legsync(
        workdir, "watch", "--from-file", "positions.json", "--interval", "0.01", "--max-cycles", "3"
    )
    assert run.returncode == 0, run.stderr
    cycle_lines = [line for line in run.stderr.splitlines() if " cycle " in line]
    assert len(cycle_lines) == 3
    assert "opened" in cycle_lines[0]


def test_watch_stops_cleanly_on_sigterm(workdir: Path) -> None:
    import signal
    import time

    process = subprocess.Popen(
        [LEGSYNC, "watch", "--from-file", "positions.json", "--interval", "30"],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (workdir / "legsync.db").exists():
        time.sleep(0.05)
    time.sleep(1.0)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "cycle 1" in err
    assert "Traceback" not in err


def test_positions_filter_by_underlying_whatever_the_case_or_root(workdir: Path) -> None:
    legsync(workdir, "sync", "--from-file", "positions.json")
    for typed in ("SPX", "spx", "SPXW", "spxw"):
        legs = as_json(legsync(workdir, "positions", "--symbol", typed, "--json"))
        assert [leg["occ_symbol"] for leg in legs] == ["SPXW270331C06800000"], typed
