"""Reconciliation and trade commands: ``check`` and ``trades list|add|manage|unmanage|import``.

These read the mirror and change trades only; none of them touches a position.
``check`` exits 0 when every account was judged and nothing was found, 3 when it found
phantom or partial trades or expired legs, and 1 when an account's mirror is stale (its last
sync failed, was incomplete or never ran), since nothing about it could be judged.
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from legsync.domain import InvalidOccSymbol, Side, Trade, TradeLeg, parse_occ_symbol

from .app import EXIT_FAILED, EXIT_OK, EXIT_ROW_ERRORS, CommandFailed, UsageError
from .output import dumps, render_table

__all__ = ["add_reconciliation_commands", "run_reconciliation"]


def add_reconciliation_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    check = commands.add_parser(
        "check",
        parents=[common],
        help="report phantom and partial trades and expired legs (changes nothing)",
    )
    check.add_argument("--account-id", dest="account_id", metavar="ID")
    check.add_argument(
        "--max-age",
        type=_minutes,
        metavar="MINUTES",
        help="also count a mirror as stale when its last good sync is older than this",
    )
    check.add_argument("--json", action="store_true")

    trades = commands.add_parser("trades", help="the engine's trades and the managed switch")
    actions = trades.add_subparsers(dest="trades_command", metavar="ACTION")
    actions.required = True

    listing = actions.add_parser("list", parents=[common], help="open trades (--all: closed too)")
    listing.add_argument("--all", action="store_true", help="include closed trades")
    listing.add_argument("--account-id", dest="account_id", metavar="ID")
    listing.add_argument("--json", action="store_true")

    add = actions.add_parser(
        "add",
        parents=[common],
        help="record a trade opened by hand (origin MANUAL, unmanaged unless --managed)",
    )
    add.add_argument("--account-id", dest="account_id", metavar="ID", required=True)
    add.add_argument(
        "--leg",
        dest="legs",
        action="append",
        required=True,
        type=_trade_leg,
        metavar="SIDE:SYMBOL[:RATIO]",
        help="a leg, e.g. short:SPY270319P00540000 (repeat for each leg)",
    )
    add.add_argument("--quantity", type=_whole, default=1, help="spreads (default 1)")
    add.add_argument("--entry-price", type=_decimal, metavar="PRICE", help="per share, signed")
    add.add_argument("--managed", action="store_true", help="let the engine monitor and exit it")
    add.add_argument("--json", action="store_true")

    for name, verb in (("manage", "let the engine manage"), ("unmanage", "make the engine ignore")):
        switch = actions.add_parser(name, parents=[common], help=f"{verb} a trade or a symbol")
        target = switch.add_mutually_exclusive_group(required=True)
        target.add_argument("trade_id", nargs="?", type=_whole, help="a trade id")
        target.add_argument("--symbol", help="every open trade on this underlying")
        switch.add_argument("--account-id", dest="account_id", metavar="ID")
        switch.add_argument("--json", action="store_true")

    imports = actions.add_parser(
        "import",
        parents=[common],
        help="store broker legs no trade claims as unmanaged IMPORTED trades",
    )
    imports.add_argument("--account-id", dest="account_id", metavar="ID")
    imports.add_argument("--dry-run", action="store_true", help="show what would be imported")
    imports.add_argument("--json", action="store_true")

    exits = actions.add_parser(
        "exit-quantity", parents=[common], help="how many spreads of a trade may be closed now"
    )
    exits.add_argument("trade_id", type=_whole)
    exits.add_argument("--json", action="store_true")


def run_reconciliation(args: argparse.Namespace) -> int:
    from legsync.ports import TradeNotFound

    from .runtime import Runtime

    runtime = Runtime.from_args(args)
    try:
        with runtime:
            if args.command == "check":
                return _check(runtime, args)
            if args.command == "trades":
                return _trades(runtime, args)
    except TradeNotFound as missing:
        raise CommandFailed(str(missing)) from None
    raise UsageError(f"unknown command {args.command!r}")


def _check(runtime: Any, args: argparse.Namespace) -> int:
    from legsync.application.reconcile import ReconcileService

    report = ReconcileService(runtime.store(), runtime.clock(), max_age=args.max_age).check(
        args.account_id
    )
    if args.json:
        print(dumps(report.to_dict()))
    else:
        print(_check_text(report))
    if report.stale:
        return EXIT_FAILED
    return EXIT_OK if report.clean else EXIT_ROW_ERRORS


def _check_text(report: Any) -> str:
    if not report.accounts:
        return "nothing to check: no legs, syncs or open managed trades yet"
    lines = []
    for account in report.accounts:
        if not account.judged:
            lines.append(
                f"{account.account_id}: STALE mirror, nothing judged: {account.mirror.reason}"
            )
            continue
        verdict = "clean" if account.clean else "findings"
        judged = f"{account.trades_judged} managed open trade(s) judged"
        lines.append(f"{account.account_id}: {verdict} ({judged})")
        for label, findings in (("phantom", account.phantoms), ("partial", account.partials)):
            for finding in findings:
                reasons = "; ".join(finding.reasons)
                lines.append(
                    f"  {label} trade {finding.trade.id} ({finding.trade.symbol}): {reasons}"
                )
        for claim in account.overclaimed:
            lines.append(f"  claimed twice: {claim.reason}")
        for leg in account.expired:
            lines.append(f"  expired leg: {leg.side.value} {leg.quantity} {leg.occ_symbol}")
    return "\n".join(lines)


def _trades(runtime: Any, args: argparse.Namespace) -> int:
    from legsync.application.trades import InvalidTrade, TradeService

    service = TradeService(runtime.store(), runtime.clock())
    action = args.trades_command
    if action == "list":
        trades = service.list_trades(account_id=args.account_id, include_closed=args.all)
        _print_trades(trades, as_json=args.json)
        return EXIT_OK
    if action == "add":
        try:
            trade = service.add_manual(
                args.account_id,
                args.legs,
                args.quantity,
                managed=args.managed,
                entry_price=args.entry_price,
            )
        except InvalidTrade as invalid:
            raise UsageError(str(invalid)) from None
        _print_trades([trade], as_json=args.json)
        return EXIT_OK
    if action in ("manage", "unmanage"):
        managed = action == "manage"
        if args.trade_id is not None:
            trades = [service.set_managed(args.trade_id, managed)]
        else:
            try:
                switched = service.set_managed_for_symbol(
                    args.symbol, managed, account_id=args.account_id
                )
            except ValueError as invalid:
                raise UsageError(str(invalid)) from None
            if not switched.trades:
                raise CommandFailed(f"no open trade on {switched.symbol}")
            trades = list(switched.trades)
        _print_trades(trades, as_json=args.json)
        return EXIT_OK
    if action == "import":
        return _import(service, args)
    if action == "exit-quantity":
        from legsync.application.reconcile import ReconcileService

        spreads = ReconcileService(runtime.store(), runtime.clock()).exit_quantity(args.trade_id)
        print(
            dumps({"trade_id": args.trade_id, "exit_quantity": spreads}) if args.json else spreads
        )
        return EXIT_OK
    raise UsageError(f"unknown trades action {action!r}")


def _import(service: Any, args: argparse.Namespace) -> int:
    report = service.import_trades(args.account_id, dry_run=args.dry_run)
    if args.json:
        print(
            dumps(
                {
                    "dry_run": report.dry_run,
                    "imported": [
                        {"kind": item.kind.value, **_trade_record(item.trade)}
                        for item in report.imported
                    ],
                    "skipped": [
                        {"account_id": a.account_id, "reason": a.mirror.reason}
                        for a in report.skipped
                    ],
                }
            )
        )
    else:
        verb = "would import" if report.dry_run else "imported"
        print(f"{verb} {len(report.imported)} trade(s), unmanaged")
        for item in report.imported:
            legs = ", ".join(_leg_text(leg) for leg in item.trade.legs)
            ident = "" if item.trade.id is None else f"trade {item.trade.id}: "
            print(f"  {ident}{item.kind.value} x{item.trade.quantity} {item.trade.symbol}: {legs}")
        for account in report.skipped:
            print(f"  skipped {account.account_id}: {account.mirror.reason}")
    return EXIT_FAILED if report.skipped else EXIT_OK


def _print_trades(trades: list[Trade], *, as_json: bool) -> None:
    if as_json:
        print(dumps([_trade_record(trade) for trade in trades]))
        return
    if not trades:
        print("no trades")
        return
    headers = ("id", "account", "symbol", "qty", "status", "origin", "managed", "legs")
    rows = [
        (
            trade.id,
            trade.account_id,
            trade.symbol,
            trade.quantity,
            trade.status.value,
            trade.origin.value,
            "yes" if trade.is_managed else "no",
            ", ".join(_leg_text(leg) for leg in trade.legs),
        )
        for trade in trades
    ]
    print(render_table(headers, rows, numeric=("id", "qty")))


def _trade_record(trade: Trade) -> dict[str, object]:
    return {
        "id": trade.id,
        "account_id": trade.account_id,
        "symbol": trade.symbol,
        "quantity": trade.quantity,
        "status": trade.status.value,
        "origin": trade.origin.value,
        "managed": trade.managed,
        "entry_price": trade.entry_price,
        "opened_at": trade.opened_at,
        "closed_at": trade.closed_at,
        "legs": [
            {"occ_symbol": leg.occ.format(), "side": leg.side.value, "ratio": leg.ratio}
            for leg in trade.legs
        ],
    }


def _leg_text(leg: TradeLeg) -> str:
    ratio = f"x{leg.ratio}" if leg.ratio != 1 else ""
    return f"{leg.side.value} {leg.occ.format()}{ratio}"


def _trade_leg(text: str) -> TradeLeg:
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not SIDE:SYMBOL[:RATIO], e.g. short:SPY270319P00540000"
        )
    side_text, symbol = parts[0].strip().lower(), parts[1].strip()
    try:
        side = Side(side_text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"side {parts[0]!r} must be long or short") from None
    try:
        occ = parse_occ_symbol(symbol)
    except InvalidOccSymbol as invalid:
        raise argparse.ArgumentTypeError(str(invalid)) from None
    ratio = _whole(parts[2]) if len(parts) == 3 else 1
    return TradeLeg(occ, side, ratio)


def _whole(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be a whole number of at least 1")
    return int(text)


def _minutes(text: str) -> timedelta:
    try:
        minutes = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of minutes") from None
    if not minutes > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0 minutes")
    return timedelta(minutes=minutes)


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value
