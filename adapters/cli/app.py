"""The argument parser and the dispatch to commands, with legsync's exit codes.

Exit codes: 0 every account synced cleanly; 1 a broker read or the store failed (nothing
changed for that account); 2 a usage or configuration error; 3 synced with row errors
(nothing pruned). Expected failures print one line on stderr; ``--debug`` adds the traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_ROW_ERRORS", "EXIT_USAGE", "main"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_ROW_ERRORS = 3


class UsageError(Exception):
    """A command line or configuration that cannot run; exit code 2."""


class CommandFailed(Exception):
    """An expected failure (the store is unreachable, a trade is missing); exit code 1."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="legsync",
        description="Mirror a broker's option positions into a local database, one row per leg.",
        epilog="Exit codes: 0 ok, 1 a read or the store failed, 2 usage or configuration error,"
        " 3 synced with row errors (nothing pruned).",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", type=Path, help="a TOML settings file (default: ./legsync.toml)"
    )
    common.add_argument("--database-url", help="SQLAlchemy URL (env LEGSYNC_DATABASE_URL)")
    common.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    broker = argparse.ArgumentParser(add_help=False)
    broker.add_argument(
        "--from-file", type=Path, metavar="PATH", help="read a saved Tradier positions response"
    )
    broker.add_argument(
        "--account-id",
        action="append",
        dest="account_ids",
        metavar="ID",
        help="an account to sync (repeatable; env LEGSYNC_TRADIER_ACCOUNT_ID, comma-separated)",
    )
    broker.add_argument(
        "--all-accounts", action="store_true", help="sync every account of the token's profile"
    )
    broker.add_argument("--marks", action="store_true", help="price held contracts (last_price)")
    broker.add_argument("--sandbox", action="store_true", default=None, help="use Tradier sandbox")

    sync = commands.add_parser(
        "sync", parents=[common, broker], help="sync the configured account(s) once"
    )
    sync.add_argument("--dry-run", action="store_true", help="show the plan, write nothing")
    sync.add_argument(
        "--events", metavar="FILE", help="append each published event as a JSON line (- = stdout)"
    )
    sync.add_argument("--json", action="store_true", help="print the result as one JSON object")

    watch = commands.add_parser(
        "watch", parents=[common, broker], help="sync on an interval until stopped"
    )
    watch.add_argument("--interval", type=_positive_seconds, default=60.0, metavar="SECONDS")
    watch.add_argument("--max-cycles", type=int, default=None, help=argparse.SUPPRESS)
    watch.add_argument(
        "--events", metavar="FILE", help="append each published event as a JSON line (- = stdout)"
    )

    positions = commands.add_parser("positions", parents=[common], help="show the mirrored legs")
    positions.add_argument("--symbol", help="an underlying (SPX includes SPXW legs)")
    positions.add_argument("--expiration", type=_iso_date, metavar="YYYY-MM-DD")
    positions.add_argument("--account-id", dest="account_id", metavar="ID")
    positions.add_argument("--json", action="store_true", help="JSON with the store's columns")

    status = commands.add_parser("status", parents=[common], help="the last sync per account")
    status.add_argument("--json", action="store_true")

    db = commands.add_parser("db", help="the database schema")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION")
    db_commands.required = True
    upgrade = db_commands.add_parser("upgrade", parents=[common], help="run the migrations")
    upgrade.add_argument("revision", nargs="?", default="head")
    downgrade = db_commands.add_parser("downgrade", parents=[common], help="undo migrations")
    downgrade.add_argument("revision")
    db_commands.add_parser("current", parents=[common], help="the schema revision")

    from .trade_commands import add_reconciliation_commands

    add_reconciliation_commands(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    _configure_logging(args.debug, args.command)
    try:
        from .commands import run

        return run(args)
    except (UsageError, CommandFailed) as failure:
        code = EXIT_USAGE if isinstance(failure, UsageError) else EXIT_FAILED
        return _fail(args, str(failure), code)
    except KeyboardInterrupt:
        return _fail(args, "interrupted", EXIT_FAILED)
    except Exception as failure:
        from legsync.adapters.settings import ConfigurationError
        from legsync.ports import AccountBusy, BrokerUnavailable

        if isinstance(failure, ConfigurationError):
            return _fail(args, f"configuration error: {failure}", EXIT_USAGE)
        if isinstance(failure, BrokerUnavailable | AccountBusy):
            return _fail(args, str(failure), EXIT_FAILED)
        return _fail(args, f"unexpected error: {type(failure).__name__}: {failure}", EXIT_FAILED)


def _fail(args: argparse.Namespace, message: str, code: int) -> int:
    if getattr(args, "debug", False):
        traceback.print_exc()
    print(f"legsync: {message}", file=sys.stderr)
    return code


def _configure_logging(debug: bool, command: str) -> None:
    level = logging.DEBUG if debug else (logging.INFO if command == "watch" else logging.CRITICAL)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter(debug))
    root = logging.getLogger("legsync")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


class _Formatter(logging.Formatter):
    """One line per record; tracebacks only with --debug."""

    def __init__(self, debug: bool) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S%z")
        self.debug = debug

    def format(self, record: logging.LogRecord) -> str:
        if not self.debug and record.exc_info:
            record = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
        return super().format(record)


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0 seconds")
    return seconds


def _iso_date(text: str) -> object:
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2027-03-19") from None
