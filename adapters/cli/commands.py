"""The commands behind ``legsync``: each wires what it needs from settings and runs a use case."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import IO, Any

from legsync.application import SyncResult, position_removed, position_synced
from legsync.domain import PositionEvent, underlying_for_root

from .app import EXIT_FAILED, EXIT_OK, EXIT_ROW_ERRORS, CommandFailed, UsageError
from .output import (
    dumps,
    event_record,
    leg_record,
    render_table,
    run_record,
    sync_summary,
    write_json_line,
)
from .runtime import Runtime

__all__ = ["run"]


def run(args: argparse.Namespace) -> int:
    handler: Callable[[argparse.Namespace], int] = {
        "sync": sync,
        "watch": watch,
        "positions": positions,
        "status": status,
        "db": database,
    }.get(args.command, _reconciliation)
    return handler(args)


def _reconciliation(args: argparse.Namespace) -> int:
    from .trade_commands import run_reconciliation

    return run_reconciliation(args)


# --- sync and watch --------------------------------------------------------------------------


def sync(args: argparse.Namespace) -> int:
    runtime = Runtime.from_args(args)
    with runtime, _events_to(args.events):
        accounts = runtime.accounts(args)
        service = runtime.sync_service()
        results = service.sync_accounts(accounts, dry_run=args.dry_run, marks=args.marks)
    _print_results(results, as_json=args.json)
    return _exit_code(results)


def watch(args: argparse.Namespace) -> int:
    from legsync.application.watch import WatchLoop

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
            marks=args.marks,
        )
        reports = loop.run(max_cycles=args.max_cycles)
    last = reports[-1].results if reports else ()
    return _exit_code(last)


def _print_results(results: Sequence[SyncResult], *, as_json: bool) -> None:
    if as_json:
        if len(results) == 1:
            print(dumps(results[0].to_dict()))
        else:
            print(dumps({"accounts": [r.to_dict() for r in results]}))
        return
    for result in results:
        stream = sys.stdout if result.success else sys.stderr
        print(sync_summary(result), file=stream)


def _exit_code(results: Sequence[SyncResult]) -> int:
    if any(not r.success for r in results):
        return EXIT_FAILED
    if any(r.errors for r in results):
        return EXIT_ROW_ERRORS
    return EXIT_OK


@contextmanager
def _events_to(target: str | None) -> Iterator[None]:
    """Write every published event as a JSON line while the block runs."""
    if target is None:
        yield
        return
    stream: IO[str]
    if target == "-":
        stream, close = sys.stdout, False
    else:
        try:
            stream, close = Path(target).open("a", encoding="utf-8"), True  # noqa: SIM115
        except OSError as error:
            raise UsageError(f"cannot open the events file {target}: {error.strerror}") from None

    def write(sender: object, event: PositionEvent, **extra: Any) -> None:
        write_json_line(stream, event_record(event))

    position_synced.connect(write, weak=False)
    position_removed.connect(write, weak=False)
    try:
        yield
    finally:
        position_synced.disconnect(write)
        position_removed.disconnect(write)
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


# --- reading the mirror ----------------------------------------------------------------------


def positions(args: argparse.Namespace) -> int:
    runtime = Runtime.from_args(args)
    with runtime, runtime.unit_of_work() as uow:
        if args.symbol:
            # Users type roots and lower case too: spxw means the SPX legs.
            underlying = underlying_for_root(args.symbol.strip().upper())
            accounts = [args.account_id] if args.account_id else uow.positions.accounts()
            legs = [
                leg
                for account in accounts
                for leg in uow.positions.legs_for_symbol(account, underlying, args.expiration)
            ]
        else:
            legs = [
                leg
                for leg in uow.positions.all_legs(args.account_id)
                if args.expiration in (None, leg.expiration)
            ]
    if args.json:
        print(dumps([leg_record(leg) for leg in legs]))
        return EXIT_OK
    if not legs:
        print("no legs mirrored" + (" for that filter" if args.symbol or args.account_id else ""))
        return EXIT_OK
    headers = (
        "account",
        "symbol",
        "occ_symbol",
        "expiration",
        "type",
        "strike",
        "side",
        "qty",
        "cost/contract",
        "last",
        "updated_at (UTC)",
    )
    rows = [
        (
            leg.account_id,
            leg.symbol,
            leg.occ_symbol,
            leg.expiration.isoformat(),
            leg.option_type.value,
            leg.strike,
            leg.side.value,
            leg.quantity,
            leg.cost_basis_per_contract,
            leg.last_price,
            leg.updated_at,
        )
        for leg in legs
    ]
    print(render_table(headers, rows, numeric=("strike", "qty", "cost/contract", "last")))
    return EXIT_OK


def status(args: argparse.Namespace) -> int:
    runtime = Runtime.from_args(args)
    with runtime, runtime.unit_of_work() as uow:
        runs = [
            (run, uow.sync_runs.last_successful_run(run.account_id))
            for run in uow.sync_runs.latest_runs()
        ]
    if args.json:
        print(dumps([run_record(run, good) for run, good in runs]))
        return EXIT_OK
    if not runs:
        print("no sync has run yet")
        return EXIT_OK
    headers = (
        "account",
        "last sync (UTC)",
        "result",
        "legs",
        "opened",
        "changed",
        "removed",
        "last success (UTC)",
        "last error",
    )
    rows = [
        (
            run.account_id,
            run.finished_at,
            "ok" if run.success and not run.errors else ("row errors" if run.success else "FAILED"),
            run.synced,
            run.opened,
            run.changed,
            run.removed,
            None if good is None else good.finished_at,
            run.error,
        )
        for run, good in runs
    ]
    print(render_table(headers, rows, numeric=("legs", "opened", "changed", "removed")))
    return EXIT_OK


def database(args: argparse.Namespace) -> int:
    runtime = Runtime.from_args(args, open_store=False)
    message = runtime.migrate(args.db_command, getattr(args, "revision", None))
    print(message)
    return EXIT_OK


__all__ += ["CommandFailed"]
