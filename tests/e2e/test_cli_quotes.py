"""``legsync sync --quotes-file``: an offline sync records marks from a saved Tradier quotes
answer, so the mirror and ``legsync risk`` show prices and P&L without a network; a quotes file
that cannot be read only warns, and the sync succeeds with the old prices kept."""

from __future__ import annotations

import argparse
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest

from legsync.adapters.cli.main import build_parser

from .test_cli import EXAMPLE, ROOT, as_json, legsync

QUOTES = ROOT / "examples" / "tradier_quotes.json"
UNTRADED = "IWM270115C00255000"
"""Quoted with ``"last": null``: marked at its bid/ask midpoint, (1.62 + 1.71) / 2."""


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """A working directory holding ``examples/`` as the repository does."""
    (tmp_path / "examples").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "examples" / EXAMPLE.name)
    shutil.copy(QUOTES, tmp_path / "examples" / QUOTES.name)
    return tmp_path


def help_example_with_quotes() -> list[str]:
    """The ``legsync sync --help`` example that reads a quotes file, as arguments."""
    parser = build_parser()
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    epilog = commands.choices["sync"].epilog or ""
    (line,) = (line for line in epilog.splitlines() if "--quotes-file" in line)
    return shlex.split(line)[1:]


def sync_with_the_examples(cwd: Path, *extra: str) -> dict[str, Any]:
    run = legsync(
        cwd,
        "sync",
        "--from-file",
        f"examples/{EXAMPLE.name}",
        "--quotes-file",
        f"examples/{QUOTES.name}",
        "--json",
        *extra,
    )
    assert run.returncode == 0, run.stderr
    result: dict[str, Any] = as_json(run)
    return result


def test_the_help_example_records_a_mark_for_every_leg_and_the_shares(examples: Path) -> None:
    args = help_example_with_quotes()
    assert "--marks" not in args, "--quotes-file implies --marks"
    run = legsync(examples, *args)
    assert run.returncode == 0, run.stderr
    assert "warning" not in run.stdout + run.stderr

    legs = as_json(legsync(examples, "positions", "--json"))
    assert len(legs) == 8
    assert all(leg["last_price"] is not None for leg in legs), legs
    assert all(leg["marked_at"] is not None for leg in legs), legs
    prices = {leg["occ_symbol"]: leg["last_price"] for leg in legs}
    assert prices["SPY270319P00540000"] == "4.85", "a contract that traded: its last"
    assert prices[UNTRADED] == "1.665", "one that has not: the bid/ask midpoint"
    (shares,) = as_json(legsync(examples, "stock", "--json"))
    assert (shares["symbol"], shares["last_price"]) == ("AAPL", "227.48")
    assert shares["marked_at"] is not None


def test_after_a_sync_with_quotes_risk_knows_the_pnl_of_every_structure(examples: Path) -> None:
    sync_with_the_examples(examples)
    report = as_json(legsync(examples, "risk", "--json"))
    (account,) = report["accounts"]
    structures = account["structures"]
    assert {s["kind"] for s in structures} >= {"iron_condor", "bull_put_spread"}
    for structure in structures:
        assert structure["unrealized_pnl"] is not None, structure
        assert (structure["pnl_complete"], structure["pnl_missing"]) == (True, []), structure
        assert structure["oldest_mark_at"] is not None
    condor = next(s for s in structures if s["kind"] == "iron_condor")
    # sold 391 + 344, paid 268 + 221; closing now: buy back at 3.00 and 2.62, sell 2.01 and 1.665
    assert condor["unrealized_pnl"] == "51.5"
    assert account["totals"]["unrealized_pnl"] is not None
    assert account["totals"]["pnl_complete"] is True


def test_a_garbled_quotes_file_warns_and_the_sync_succeeds_writing_no_price(
    examples: Path,
) -> None:
    (examples / "quotes.json").write_text("<!DOCTYPE html><html><body>Sign in</body></html>")
    run = legsync(
        examples,
        "sync",
        "--from-file",
        f"examples/{EXAMPLE.name}",
        "--quotes-file",
        "quotes.json",
        "--json",
    )
    assert run.returncode == 0, run.stderr
    result = as_json(run)
    assert result["success"] is True
    assert result["opened"] == 8
    (warning,) = result["warnings"]
    assert "quotes file quotes.json" in warning
    assert "HTML page" in warning
    assert "keep their last price" in warning
    legs = as_json(legsync(examples, "positions", "--json"))
    assert {(leg["last_price"], leg["marked_at"]) for leg in legs} == {(None, None)}
    (shares,) = as_json(legsync(examples, "stock", "--json"))
    assert (shares["last_price"], shares["marked_at"]) == (None, None)


def test_a_quotes_file_gone_bad_keeps_the_prices_and_their_times(examples: Path) -> None:
    sync_with_the_examples(examples)
    before = as_json(legsync(examples, "positions", "--json"))
    quotes = examples / "examples" / QUOTES.name
    quotes.write_text(QUOTES.read_text()[:200])  # truncated
    result = sync_with_the_examples(examples)
    assert (result["success"], result["changed"], result["unchanged"]) == (True, 0, 8)
    (warning,) = result["warnings"]
    assert f"quotes file examples/{QUOTES.name}" in warning
    assert "not valid JSON" in warning
    assert as_json(legsync(examples, "positions", "--json")) == before


def test_a_missing_quotes_file_warns_naming_it_and_the_sync_succeeds(examples: Path) -> None:
    run = legsync(
        examples, "sync", "--from-file", f"examples/{EXAMPLE.name}", "--quotes-file", "gone.json"
    )
    assert run.returncode == 0, run.stderr
    assert "warning: marks not updated" in run.stdout
    assert "cannot read quotes file gone.json" in run.stdout


def test_without_a_quotes_file_a_sync_from_a_file_has_no_quote_source(examples: Path) -> None:
    result = as_json(
        legsync(examples, "sync", "--from-file", f"examples/{EXAMPLE.name}", "--marks", "--json")
    )
    assert result["warnings"] == ["marks were asked for but no quote source is configured"]


def test_the_quotes_file_setting_is_read_from_the_environment(examples: Path) -> None:
    env = {"LEGSYNC_QUOTES_FILE": f"examples/{QUOTES.name}"}
    run = legsync(
        examples, "sync", "--from-file", f"examples/{EXAMPLE.name}", "--marks", "--json", env=env
    )
    assert run.returncode == 0, run.stderr
    assert as_json(run)["warnings"] == []
    legs = as_json(legsync(examples, "positions", "--json"))
    assert all(leg["last_price"] is not None for leg in legs)


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("sync", "--quotes-file", "q.json"), {}),
        (
            ("sync", "--account-id", "VA000001", "--quotes-file", "q.json"),
            {"LEGSYNC_TRADIER_TOKEN": "t0ken", "LEGSYNC_TRADIER_BASE_URL": "http://127.0.0.1:9/v1"},
        ),
        (("watch", "--quotes-file", "q.json", "--max-cycles", "1"), {}),
    ],
    ids=["sync", "sync with a Tradier account", "watch"],
)
def test_a_quotes_file_without_from_file_is_one_usage_line_and_exit_2(
    examples: Path, args: tuple[str, ...], env: dict[str, str]
) -> None:
    run = legsync(examples, *args, env=env)
    assert run.returncode == 2, run.stderr
    assert run.stderr.splitlines() == [
        "legsync: --quotes-file needs --from-file: the Tradier broker reads its own quotes"
    ]
    assert run.stdout == ""
    assert not (examples / "legsync.db").exists(), "refused before anything was opened"


def test_a_quotes_file_flag_prices_a_file_broker_configured_in_the_toml_file(
    examples: Path,
) -> None:
    (examples / "legsync.toml").write_text(
        f'broker = "file"\npositions_file = "examples/{EXAMPLE.name}"\n'
    )
    run = legsync(examples, "sync", "--quotes-file", f"examples/{QUOTES.name}", "--json")
    assert run.returncode == 0, run.stderr
    assert as_json(run)["warnings"] == []
    legs = as_json(legsync(examples, "positions", "--json"))
    assert all(leg["last_price"] is not None for leg in legs)


def test_watch_reads_the_quotes_file_every_cycle(examples: Path) -> None:
    run = legsync(
        examples,
        "watch",
        "--from-file",
        f"examples/{EXAMPLE.name}",
        "--quotes-file",
        f"examples/{QUOTES.name}",
        "--interval",
        "0.01",
        "--max-cycles",
        "2",
    )
    assert run.returncode == 0, run.stderr
    legs = as_json(legsync(examples, "positions", "--json"))
    assert all(leg["last_price"] is not None for leg in legs)
