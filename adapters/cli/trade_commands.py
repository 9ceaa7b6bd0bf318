"""``legsync trades list|show|add|manage|unmanage|import|exit-quantity|close``: the trades.

These read the mirror and change trades only; none of them touches a position.
"""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from .errors import EXIT_FAILED, EXIT_OK, CommandFailed, UsageError
from .help import command_parser
from .options import max_age_option

if TYPE_CHECKING:
    from legsync.application.trades import ImportReport, TradeView
    from legsync.domain import Trade, TradeEnvelope, TradeLeg

__all__ = ["register"]


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    trades = commands.add_parser(
        "trades",
        help="the engine's trades and the managed switch",
        description="The engine's trades: list, record, import, the managed switch, exit sizes.",
    )
    actions = trades.add_subparsers(dest="trades_command", metavar="ACTION", required=True)
    json_option = argparse.ArgumentParser(add_help=False)
    json_option.add_argument("--json", action="store_true", help="print the result as JSON")

    listing = command_parser(
        actions,
        "list",
        [common, json_option],
        "List the open trades, managed or not (--all: closed ones too).",
        "legsync trades list --account-id VA00000000 --json",
    )
    listing.add_argument("--all", action="store_true", help="include closed trades")
    listing.add_argument("--account-id", dest="account_id", metavar="ID", help="one account")
    listing.set_defaults(handler=run_list)

    add = command_parser(
        actions,
        "add",
        [common, json_option],
        "Record a trade opened by hand: origin MANUAL, unmanaged unless --managed.",
        "legsync trades add --account-id VA00000000 --leg short:SPY270319P00540000"
        " --leg long:SPY270319P00530000 --quantity 2",
    )
    add.add_argument(
        "--account-id", dest="account_id", metavar="ID", required=True, help="its account"
    )
    add.add_argument(
        "--leg",
        dest="legs",
        action="append",
        required=True,
        type=trade_leg,
        metavar="SIDE:SYMBOL[:RATIO]",
        help="a leg, e.g. short:SPY270319P00540000 (repeat for each leg)",
    )
    add.add_argument("--quantity", type=whole, default=1, help="spreads (default 1)")
    add.add_argument(
        "--entry-price", type=decimal, metavar="PRICE", help="per share, signed (credit positive)"
    )
    add.add_argument("--managed", action="store_true", help="let the engine monitor and exit it")
    add.set_defaults(handler=run_add)

    for name, verb in (("manage", "Let the engine manage"), ("unmanage", "Make the engine ignore")):
        switch = command_parser(
            actions,
            name,
            [common, json_option],
            f"{verb} one trade, or every open trade on an underlying.",
            f"legsync trades {name} 7",
            f"legsync trades {name} --symbol SPX --account-id VA00000000",
        )
        target = switch.add_mutually_exclusive_group(required=True)
        target.add_argument("trade_id", nargs="?", type=whole, help="a trade id")
        target.add_argument("--symbol", help="every open trade on this underlying (or root)")
        switch.add_argument("--account-id", dest="account_id", metavar="ID", help="one account")
        switch.set_defaults(handler=run_switch, managed=name == "manage")

    imports = command_parser(
        actions,
        "import",
        [common, json_option, max_age_option()],
        "Store the broker legs no trade claims as unmanaged IMPORTED trades, one per structure.",
        "legsync trades import --account-id VA00000000 --dry-run",
    )
    imports.add_argument("--account-id", dest="account_id", metavar="ID", help="one account")
    imports.add_argument("--dry-run", action="store_true", help="show what would be imported")
    imports.set_defaults(handler=run_import)

    exits = command_parser(
        actions,
        "exit-quantity",
        [common, json_option, max_age_option()],
        "How many spreads of a trade the engine may close now (0 unless it is safe).",
        "legsync trades exit-quantity 7 --max-age 5m",
    )
    exits.add_argument("trade_id", type=whole, help="a trade id")
    exits.set_defaults(handler=run_exit_quantity)

    show = command_parser(
        actions,
        "show",
        [common, json_option],
        "Show one trade, open or closed, with everything recorded of it.",
        "legsync trades show 7 --json",
    )
    show.add_argument("trade_id", type=whole, help="a trade id")
    show.set_defaults(handler=run_show)

    close = command_parser(
        actions,
        "close",
        [common, json_option, max_age_option()],
        "Record that a trade is over: closed_at now and a reason. The row stays, and nothing at"
        " the broker changes; a trade whose legs the broker still holds is refused.",
        "legsync trades close 7 --reason 'expired worthless'",
        "legsync trades close --phantoms --account-id VA00000000 --reason 'legs gone' --yes",
    )
    which = close.add_mutually_exclusive_group(required=True)
    which.add_argument("trade_id", nargs="?", type=whole, help="a trade id")
    which.add_argument(
        "--phantoms", action="store_true", help="every phantom of --account-id (check's list)"
    )
    close.add_argument("--account-id", dest="account_id", metavar="ID", help="with --phantoms")
    close.add_argument("--reason", required=True, help="why it is over, kept with the trade")
    close.add_argument(
        "--force", action="store_true", help="close it even if the broker may still hold legs"
    )
    close.add_argument("--yes", action="store_true", help="close the phantoms without asking")
    close.set_defaults(handler=run_close)


def run_list(args: argparse.Namespace) -> int:
    from .runtime import Runtime

    with Runtime.from_args(args) as runtime:
        trades = runtime.trade_service().list_trades(
            account_id=args.account_id, include_closed=args.all
        )
    print_trades(trades, as_json=args.json)
    return EXIT_OK


def run_add(args: argparse.Namespace) -> int:
    from .runtime import Runtime

    with Runtime.from_args(args) as runtime:
        trade = runtime.trade_service().add_manual(
            args.account_id,
            args.legs,
            args.quantity,
            managed=args.managed,
            entry_price=args.entry_price,
        )
    print_trades([trade], as_json=args.json)
    return EXIT_OK


def run_switch(args: argparse.Namespace) -> int:
    from .runtime import Runtime

    with Runtime.from_args(args) as runtime:
        service = runtime.trade_service()
        if args.trade_id is not None:
            trades = [service.set_managed(args.trade_id, args.managed)]
        else:
            switched = service.set_managed_for_symbol(
                args.symbol, args.managed, account_id=args.account_id
            )
            if not switched.trades:
                raise CommandFailed(f"no open trade on {switched.symbol}")
            trades = list(switched.trades)
    print_trades(trades, as_json=args.json)
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    from .runtime import Runtime

    with Runtime.from_args(args) as runtime:
        report = runtime.trade_service().import_trades(args.account_id, dry_run=args.dry_run)
    _print_import(report, as_json=args.json)
    return EXIT_FAILED if report.skipped else EXIT_OK


def run_exit_quantity(args: argparse.Namespace) -> int:
    from .output import dumps
    from .runtime import Runtime

    with Runtime.from_args(args) as runtime:
        spreads = runtime.reconcile_service().exit_quantity(args.trade_id)
    print(dumps({"trade_id": args.trade_id, "exit_quantity": spreads}) if args.json else spreads)
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    from legsync.domain import canonical_decimal

    from .output import dumps, mark_age, pnl_text
    from .runtime import Runtime

    with Runtime.from_args(args) as runtime:
        view = runtime.trade_service().view(args.trade_id)
    trade = view.trade
    record = view_record(view)
    if args.json:
        print(dumps(record))
        return EXIT_OK
    record["legs"] = ", ".join(leg_text(leg) for leg in trade.legs)
    for name in ("pnl_known", "pnl_complete", "oldest_mark_at", "pnl_missing"):
        record.pop(name)
    if view.pnl is not None:
        record["unrealized_pnl"] = pnl_text(view.pnl)
        record["marks"] = mark_age(view.pnl, runtime.clock().now())
    record["pnl_missing"] = "; ".join(view_missing(view)) or None
    record.pop("envelope")
    envelope = trade.envelope
    if envelope is not None:
        record.update({name: _figure(trade, name) for name in ("max_profit", "max_loss")})
        record["breakevens"] = ", ".join(map(canonical_decimal, envelope.breakevens)) or "-"
        for name in ("entry_price", "net_premium", "width"):
            record[name] = "unknown" if name in envelope.unknown else getattr(envelope, name)
        credit = envelope.is_credit
        record["premium"] = "unknown" if credit is None else ("credit" if credit else "debit")
    width = max(len(name) for name in record)
    for name, value in record.items():
        print(f"{name.ljust(width)}  {'-' if value is None else value}")
    return EXIT_OK


def run_close(args: argparse.Namespace) -> int:
    from .runtime import Runtime

    if args.phantoms and not args.account_id:
        raise UsageError("--phantoms closes the phantoms of one account: add --account-id ID")
    with Runtime.from_args(args) as runtime:
        service = runtime.trade_service()
        if not args.phantoms:
            closed = [service.close(args.trade_id, args.reason, force=args.force)]
        else:
            found = service.phantoms(args.account_id)
            if found and not args.yes:
                _confirm(
                    f"close {len(found)} phantom trade(s) of {args.account_id}: "
                    f"{', '.join(str(t.id) for t in found)}?"
                )
            ids = {t.id for t in found if t.id is not None}
            closed = list(service.close_phantoms(args.account_id, args.reason, only=ids))
    print_trades(closed, as_json=args.json)
    return EXIT_OK


def _confirm(question: str) -> None:
    if not sys.stdin.isatty():
        raise UsageError(f"{question} Not asked without a terminal: pass --yes to confirm")
    if input(f"{question} [y/N] ").strip().lower() not in ("y", "yes"):
        raise CommandFailed("nothing closed")


def _print_import(report: ImportReport, *, as_json: bool) -> None:
    from .output import dumps

    if as_json:
        print(
            dumps(
                {
                    "dry_run": report.dry_run,
                    "imported": [
                        {**trade_record(item.trade), "kind": item.kind.value}
                        for item in report.imported
                    ],
                    "skipped": [
                        {"account_id": a.account_id, "reason": a.mirror.reason}
                        for a in report.skipped
                    ],
                }
            )
        )
        for account in report.skipped:
            print(
                f"legsync: skipped {account.account_id}: {account.mirror.reason}", file=sys.stderr
            )
        return
    verb = "would import" if report.dry_run else "imported"
    print(f"{verb} {len(report.imported)} trade(s), unmanaged")
    for item in report.imported:
        legs = ", ".join(leg_text(leg) for leg in item.trade.legs)
        ident = "" if item.trade.id is None else f"trade {item.trade.id}: "
        print(f"  {ident}{item.kind.value} x{item.trade.quantity} {item.trade.symbol}: {legs}")
    for account in report.skipped:
        print(f"  skipped {account.account_id}: {account.mirror.reason}")


def print_trades(trades: list[Trade], *, as_json: bool) -> None:
    from .output import dumps, render_table

    if as_json:
        print(dumps([trade_record(trade) for trade in trades]))
        return
    if not trades:
        print("no trades")
        return
    headers = (
        "id", "account", "symbol", "kind", "qty", "max loss", "status", "origin", "managed", "legs"
    )  # fmt: skip
    rows = [
        (
            trade.id,
            trade.account_id,
            trade.symbol,
            "-" if trade.envelope is None else trade.envelope.kind,
            trade.quantity,
            _figure(trade, "max_loss"),
            trade.status.value,
            trade.origin.value,
            "yes" if trade.is_managed else "no",
            ", ".join(leg_text(leg) for leg in trade.legs),
        )
        for trade in trades
    ]
    print(render_table(headers, rows, numeric=("id", "qty", "max loss")))


def _figure(trade: Trade, name: str) -> str:
    """A risk figure as a person reads it: the amount, "unbounded", or "unknown"."""
    from legsync.domain import canonical_decimal

    envelope = trade.envelope
    if envelope is None or name in envelope.unknown:
        return "unknown"
    value = getattr(envelope, name)
    return "unbounded" if value is None else canonical_decimal(value)


def trade_record(trade: Trade) -> dict[str, object]:
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
        "close_reason": trade.close_reason,
        "kind": None if trade.envelope is None else trade.envelope.kind,
        "envelope": None if trade.envelope is None else envelope_record(trade.envelope),
        "legs": [
            {"occ_symbol": leg.occ.format(), "side": leg.side.value, "ratio": leg.ratio}
            for leg in trade.legs
        ],
    }


_CLOSED = "the trade is closed: nothing of it is open to mark"


def view_record(view: TradeView) -> dict[str, object]:
    """A trade with its unrealised P&L (``null`` when incomplete, ``pnl_missing`` saying
    why) and the state of the mirror it was read from."""
    from .output import pnl_record

    record = trade_record(view.trade)
    record["mirror"] = view.mirror.value
    if view.pnl is None:
        record.update(unrealized_pnl=None, pnl_known=None, pnl_complete=False)
        record.update(pnl_missing=[_CLOSED], oldest_mark_at=None)
    else:
        record.update(pnl_record(view.pnl))
    return record


def view_missing(view: TradeView) -> tuple[str, ...]:
    return (_CLOSED,) if view.pnl is None else view.pnl.missing


def envelope_record(envelope: TradeEnvelope) -> dict[str, object]:
    """Money as decimal strings, ``null`` for an unbounded figure (``unknown`` names the
    figures nobody can say)."""
    return {
        "kind": envelope.kind,
        "entry_price": envelope.entry_price,
        "net_premium": envelope.net_premium,
        "credit": envelope.is_credit,
        "width": envelope.width,
        "max_profit": envelope.max_profit,
        "max_loss": envelope.max_loss,
        "breakevens": list(envelope.breakevens),
        "unknown": list(envelope.unknown),
    }


def leg_text(leg: TradeLeg) -> str:
    ratio = f"x{leg.ratio}" if leg.ratio != 1 else ""
    return f"{leg.side.value} {leg.occ.format()}{ratio}"


def trade_leg(text: str) -> TradeLeg:
    from legsync.domain import InvalidOccSymbol, Side, TradeLeg, parse_occ_symbol

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
    ratio = whole(parts[2]) if len(parts) == 3 else 1
    return TradeLeg(occ, side, ratio)


def whole(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be a whole number of at least 1")
    return int(text)


def decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value
