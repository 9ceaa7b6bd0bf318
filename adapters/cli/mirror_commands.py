"""``legsync positions``, ``legsync stock`` and ``legsync status``: what the mirror holds, and
when it last synced."""

from __future__ import annotations

import argparse
from datetime import date

from .errors import EXIT_OK
from .help import command_parser

__all__ = ["register"]


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    positions = command_parser(
        commands,
        "positions",
        [common],
        "Show the mirrored legs, one row per leg, as the store holds them.",
        "legsync positions --symbol SPX --expiration 2027-03-19",
    )
    positions.add_argument("--symbol", help="an underlying or root (SPX and SPXW both mean SPX)")
    positions.add_argument(
        "--expiration", type=iso_date, metavar="YYYY-MM-DD", help="only legs of this expiration"
    )
    positions.add_argument("--account-id", dest="account_id", metavar="ID", help="one account")
    positions.add_argument("--json", action="store_true", help="JSON with the store's columns")
    positions.set_defaults(handler=run_positions)

    stock = command_parser(
        commands,
        "stock",
        [common],
        "Show the mirrored stock positions, one row per account and symbol.",
        "legsync stock --account-id VA000001 --json",
    )
    stock.add_argument("--account-id", dest="account_id", metavar="ID", help="one account")
    stock.add_argument("--json", action="store_true", help="JSON with the store's columns")
    stock.set_defaults(handler=run_stock)

    status = command_parser(
        commands,
        "status",
        [common],
        "Show the last sync of every account, and its last successful one.",
        "legsync status --json",
    )
    status.add_argument("--json", action="store_true", help="print the runs as JSON")
    status.set_defaults(handler=run_status)


def run_positions(args: argparse.Namespace) -> int:
    from legsync.domain import underlying_for_root

    from .output import dumps, leg_record, render_table
    from .runtime import Runtime

    runtime = Runtime.from_args(args)
    with runtime, runtime.store()() as uow:
        if args.symbol:
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


def run_stock(args: argparse.Namespace) -> int:
    from .output import dumps, render_table, stock_record
    from .runtime import Runtime

    runtime = Runtime.from_args(args)
    with runtime, runtime.store()() as uow:
        positions = uow.positions.stock(args.account_id)
    if args.json:
        print(dumps([stock_record(position) for position in positions]))
        return EXIT_OK
    if not positions:
        print("no stock mirrored" + (" for that account" if args.account_id else ""))
        return EXIT_OK
    headers = ("account", "symbol", "side", "qty", "cost/share", "last", "updated_at (UTC)")
    rows = [
        (
            p.account_id,
            p.symbol,
            p.side.value,
            p.quantity,
            p.cost_basis_per_share,
            p.last_price,
            p.updated_at,
        )
        for p in positions
    ]
    print(render_table(headers, rows, numeric=("qty", "cost/share", "last")))
    return EXIT_OK


def run_status(args: argparse.Namespace) -> int:
    from .output import dumps, render_table, run_record
    from .runtime import Runtime

    runtime = Runtime.from_args(args)
    with runtime, runtime.store()() as uow:
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
            "ok"
            if run.success and not run.counts.errors
            else ("row errors" if run.success else "FAILED"),
            run.counts.synced,
            run.counts.opened,
            run.counts.changed,
            run.counts.removed,
            None if good is None else good.finished_at,
            run.error,
        )
        for run, good in runs
    ]
    print(render_table(headers, rows, numeric=("legs", "opened", "changed", "removed")))
    return EXIT_OK


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2027-03-19") from None
