"""The command line follows the conventions users know: global options anywhere, --version,
python -m, help for every option and an example for every command, one clear line on stderr
when a --json command fails, and legsync's own words for retries."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from legsync.adapters.cli.main import build_parser
from legsync.domain import BrokerPosition
from tests.e2e.test_cli import legsync
from tests.support.tradier_server import Reply, fault_body, positions_body, tradier_server


def subcommands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found.append(((*path, name), child))
                found.extend(subcommands(child, (*path, name)))
    return found


COMMANDS = [
    (path, parser)
    for path, parser in subcommands(build_parser())
    if not any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)
]


@pytest.mark.parametrize(("path", "parser"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_a_description_an_example_and_help_for_every_option(
    path: tuple[str, ...], parser: argparse.ArgumentParser
) -> None:
    assert parser.description, path
    assert parser.epilog is not None, path
    assert parser.epilog.startswith("example"), path
    assert f"legsync {' '.join(path)}" in parser.epilog, path
    for action in parser._actions:
        assert action.help, f"{' '.join(path)} {action.option_strings or action.dest} has no help"


def test_global_options_work_before_the_subcommand_and_after_it(tmp_path: Path) -> None:
    before = legsync(tmp_path, "--database-url", "sqlite:///before.db", "status")
    after = legsync(tmp_path, "status", "--database-url", "sqlite:///after.db")
    assert (before.returncode, after.returncode) == (0, 0), before.stderr + after.stderr
    assert (tmp_path / "before.db").is_file()
    assert (tmp_path / "after.db").is_file()
    assert not (tmp_path / "legsync.db").exists()


def test_version_as_a_command_and_as_a_module(tmp_path: Path) -> None:
    command = legsync(tmp_path, "--version")
    module = subprocess.run(
        [sys.executable, "-m", "legsync", "--version"], capture_output=True, text=True, check=False
    )
    assert command.returncode == module.returncode == 0
    assert command.stdout.startswith("legsync ")
    assert module.stdout == command.stdout


def test_a_failed_sync_with_json_keeps_the_detail_on_stdout_and_says_one_line_on_stderr(
    tmp_path: Path,
) -> None:
    (tmp_path / "positions.json").write_text("<html>maintenance</html>")
    run = legsync(tmp_path, "sync", "--from-file", "positions.json", "--json")
    assert run.returncode == 1
    assert json.loads(run.stdout)["success"] is False
    (line,) = run.stderr.strip().splitlines()[-1:]
    assert line.startswith("legsync: file: FAILED, nothing changed:")
    assert "HTML" in line


def test_a_retry_is_one_line_in_legsyncs_words_and_nothing_of_the_librarys(
    tmp_path: Path,
) -> None:
    book = [BrokerPosition("SPY270319P00540000", Decimal("-2"), Decimal("-1184.00"))]
    with tradier_server() as server:
        server.reply(
            "GET",
            "/accounts/VA000001/positions",
            Reply.json(fault_body("Datastore Error", "steps.servicecallout.ExecutionFailed"), 500),
            Reply.json(positions_body(book)),
        )
        env = {
            "LEGSYNC_TRADIER_TOKEN": "conventions-token",
            "LEGSYNC_TRADIER_BASE_URL": server.base_url,
        }
        run = legsync(tmp_path, "sync", "--account-id", "VA000001", env=env)
        quiet = legsync(tmp_path, "sync", "--account-id", "VA000001", env=env)
    assert run.returncode == 0, run.stderr
    warnings = [line for line in run.stderr.splitlines() if "retrying" in line]
    assert len(warnings) == 1, run.stderr
    assert "WARNING Tradier GET /accounts/VA000001/positions failed" in warnings[0]
    assert "stamina" not in run.stderr
    assert "HTTP Request" not in run.stderr  # httpx's own lines
    assert quiet.stderr == "", "a clean sync says nothing on stderr below a warning"
    assert "conventions-token" not in run.stderr + run.stdout


def test_python_dash_m_runs_the_command(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LEGSYNC_")}
    run = subprocess.run(
        [sys.executable, "-m", "legsync", "status"],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "no sync has run yet" in run.stdout
