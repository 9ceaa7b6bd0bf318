"""``legsync sync`` and ``legsync watch``: mirror the broker into the store, once or on an
interval."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Any

from .errors import EXIT_FAILED, EXIT_FINDINGS, EXIT_OK, UsageError
from .help import command_parser
from .options import max_age_option

if TYPE_CHECKING:
    from legsync.application import SyncResult

__all__ = ["register"]


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
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
    broker.add_argument(
        "--quotes-file",
        type=Path,
        metavar="PATH",
        help="read a saved Tradier quotes response for the marks (with --from-file; implies "
        "--marks)",
    )
    broker.add_argument(
        "--sandbox", action="store_true", default=None, help="use Tradier's sandbox (paper) API"
    )
    events = argparse.ArgumentParser(add_help=False)
    events.add_argument(
        "--events", metavar="FILE", help="append each published event as a JSON line (- = stdout)"
    )

    sync = command_parser(
        commands,
        "sync",
        [common, broker, events],
        "Sync the configured account(s) once: the store ends up holding what the broker holds.",
        "legsync sync --from-file examples/tradier_positions.json",
        "legsync sync --from-file examples/tradier_positions.json"
        " --quotes-file examples/tradier_quotes.json",
        "legsync sync --account-id VA00000000 --marks --json",
    )
    sync.add_argument("--dry-run", action="store_true", help="show the plan, write nothing")
    sync.add_argument("--json", action="store_true", help="print the result as one JSON object")
    sync.set_defaults(handler=run_sync)

    watch = command_parser(
        commands,
        "watch",
        [common, broker, events, max_age_option()],
        "Sync on an interval until stopped (SIGINT or SIGTERM stops after the sync in flight).",
        "legsync watch --all-accounts --interval 60 --check --events events.jsonl",
    )
    watch.add_argument(
        "--interval",
        type=_positive_seconds,
        default=60.0,
        metavar="SECONDS",
        help="seconds between cycles (default 60; failed reads back off, doubling, to 15 min)",
    )
    watch.add_argument(
        "--check",
        action="store_true",
        help="reconcile each account after its good sync; findings go to --events and the log",
    )
    watch.add_argument("--max-cycles", type=int, default=None, help=argparse.SUPPRESS)
    watch.set_defaults(handler=run_watch)


def run_sync(args: argparse.Namespace) -> int:
    from .runtime import Runtime

    runtime = Runtime.from_args(args)
    with runtime, _events_to(args.events):
        accounts = runtime.accounts(args)
        service = runtime.sync_service()
        results = service.sync_accounts(accounts, dry_run=args.dry_run, marks=_marks(args))
    _print_results(results, as_json=args.json)
    return _exit_code(results)


def run_watch(args: argparse.Namespace) -> int:
    from legsync.application.watch import WatchLoop

    from .runtime import Runtime

    runtime = Runtime.from_args(args)
    stop = threading.Event()
    with runtime, _events_to(args.events), _stop_on_signals(stop):
        service = runtime.sync_service()
        loop = WatchLoop(
            service=service,
            accounts=lambda: runtime.accounts(args),
            interval=args.interval,
            wait=stop.wait,
            stop_requested=stop.is_set,
            marks=_marks(args),
            check=runtime.reconcile_service() if args.check else None,
        )
        reports = loop.run(max_cycles=args.max_cycles)
    last = reports[-1].results if reports else ()
    return _exit_code(last)


def _marks(args: argparse.Namespace) -> bool:
    """Whether to price the holdings: ``--marks``, or a quotes file to price them from."""
    return bool(args.marks or args.quotes_file is not None)


def _print_results(results: Sequence[SyncResult], *, as_json: bool) -> None:
    from .output import dumps, sync_summary

    if as_json:
        if len(results) == 1:
            print(dumps(results[0].to_dict()))
        else:
            print(dumps({"accounts": [r.to_dict() for r in results]}))
        for failed in (r for r in results if not r.success):  # the one line a person reads
            print(
                f"legsync: {failed.account_id}: FAILED, nothing changed: {failed.reason}",
                file=sys.stderr,
            )
        return
    for result in results:
        stream = sys.stdout if result.success else sys.stderr
        print(sync_summary(result), file=stream)


def _exit_code(results: Sequence[SyncResult]) -> int:
    if any(not r.success for r in results):
        return EXIT_FAILED
    if any(r.errors for r in results):
        return EXIT_FINDINGS
    return EXIT_OK


@contextmanager
def _events_to(target: str | None) -> Iterator[None]:
    """Write every published event as a JSON line while the block runs."""
    if target is None:
        yield
        return
    from legsync.application import legsync_signals

    from .output import event_record, write_json_line

    stream: IO[str]
    if target == "-":
        stream, close = sys.stdout, False
    else:
        try:
            stream, close = Path(target).open("a", encoding="utf-8"), True  # noqa: SIM115
        except OSError as error:
            raise UsageError(f"cannot open the events file {target}: {error.strerror}") from None

    def write(sender: object, event: Any, **extra: object) -> None:
        write_json_line(stream, event_record(event))

    signals = list(legsync_signals.values())
    for each in signals:
        each.connect(write, weak=False)
    try:
        yield
    finally:
        for each in signals:
            each.disconnect(write)
        if close:
            stream.close()


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM ask the loop to stop after the sync in flight."""

    def ask_to_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, ask_to_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            with suppress(ValueError):
                signal.signal(sig, handler)


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0 seconds")
    return seconds
