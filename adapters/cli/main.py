"""The ``legsync`` command: the argument parser, logging, and the exit code of every failure.

Each command group registers its own subcommands (``set_defaults(handler=...)``) from its
module; this one only builds the parser and imports downward. Imports are lazy on purpose:
``legsync --help`` loads no database driver and no HTTP client, and each command loads only
what it uses. Expected failures print one line on stderr; ``--debug`` adds the traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from . import (
    check_commands,
    db_commands,
    mirror_commands,
    risk_commands,
    sync_commands,
    trade_commands,
)
from .errors import EXIT_FAILED, EXIT_USAGE, CommandFailed, UsageError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="legsync",
        description="Mirror a broker's option positions into a local database, one row per leg,"
        " and reconcile them with an options engine's trades.",
        epilog="Exit codes: 0 ok, 1 a read, the store or a check failed, 2 usage or configuration"
        " error, 3 synced with row errors (nothing pruned) or check found something."
        " Run legsync COMMAND --help for each command's options and an example.",
    )
    parser.add_argument("--version", action="version", version=f"legsync {_version()}")
    _add_global_options(parser, defaults=True)
    # The same options after the subcommand; SUPPRESS keeps the value of one given before it.
    common = argparse.ArgumentParser(add_help=False)
    _add_global_options(common, defaults=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for group in (
        sync_commands,
        mirror_commands,
        check_commands,
        trade_commands,
        risk_commands,
        db_commands,
    ):
        group.register(commands, common)
    return parser


def _add_global_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """The options every command takes, before or after its name."""
    parser.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        default=None if defaults else argparse.SUPPRESS,
        help="a TOML settings file (default: ./legsync.toml)",
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        default=None if defaults else argparse.SUPPRESS,
        help="SQLAlchemy URL (env LEGSYNC_DATABASE_URL)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=False if defaults else argparse.SUPPRESS,
        help="show tracebacks and debug logs",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    _configure_logging(args.debug, verbose=args.command == "watch")
    try:
        code: int = args.handler(args)
        return code
    except (UsageError, CommandFailed) as failure:
        return _fail(
            args, str(failure), EXIT_USAGE if isinstance(failure, UsageError) else EXIT_FAILED
        )
    except KeyboardInterrupt:
        return _fail(args, "interrupted", EXIT_FAILED)
    except Exception as failure:
        return _fail(args, *_explained(failure))


def _explained(failure: Exception) -> tuple[str, int]:
    """The one line and the exit code of a failure the commands let through."""
    from legsync.adapters.settings import ConfigurationError
    from legsync.adapters.sql import SchemaError
    from legsync.application.trades import CloseRefused
    from legsync.domain import InvalidTrade
    from legsync.ports import AccountBusy, BrokerUnavailable, TradeNotFound

    if isinstance(failure, ConfigurationError):
        return f"configuration error: {failure}", EXIT_USAGE
    if isinstance(failure, SchemaError | InvalidTrade | TradeNotFound):
        return str(failure), EXIT_USAGE
    if isinstance(failure, BrokerUnavailable | AccountBusy | CloseRefused):
        return str(failure), EXIT_FAILED
    return f"unexpected error: {type(failure).__name__}: {failure}", EXIT_FAILED


def _fail(args: argparse.Namespace, message: str, code: int) -> int:
    if getattr(args, "debug", False):
        traceback.print_exc()
    print(f"legsync: {message}", file=sys.stderr)
    return code


def _configure_logging(debug: bool, *, verbose: bool) -> None:
    """legsync's own one-line records on stderr: warnings (retries, backoff) and up; with
    ``verbose`` (watch's cycle lines) info too; everything with ``--debug``. A library's own
    records (stamina's structured retry lines) are not shown: legsync says the same in its words."""
    level = logging.DEBUG if debug else (logging.INFO if verbose else logging.WARNING)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter(debug))
    root = logging.getLogger("legsync")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    for library in ("stamina", "httpx", "httpcore"):
        quiet = logging.getLogger(library)
        quiet.handlers[:] = [logging.NullHandler()]
        quiet.propagate = False


class _Formatter(logging.Formatter):
    """One line per record; tracebacks only with --debug."""

    def __init__(self, debug: bool) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S%z")
        self.debug = debug

    def format(self, record: logging.LogRecord) -> str:
        if not self.debug and record.exc_info:
            record = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
        return super().format(record)


def _version() -> str:
    try:
        return version("legsync")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"
