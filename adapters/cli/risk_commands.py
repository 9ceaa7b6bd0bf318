"""``legsync risk``: the mirrored legs and shares as structures, what each can make and lose at
expiry, its unrealised P&L, and totals; optionally a payoff diagram per structure.

It reads the store and writes nothing to it. A figure nobody can say is printed as
"unknown" (``null`` in JSON, its name in ``unknown``), one without a limit as "unbounded"
(``null``, not in ``unknown``), so the two are never confused.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import EXIT_OK, CommandFailed, UsageError
from .help import command_parser

if TYPE_CHECKING:
    from legsync.application.risk import (
        AccountRisk,
        RiskReport,
        RiskTotals,
        StructureReport,
        UnderlyingRisk,
    )
    from legsync.domain.risk import StructureRisk
    from legsync.domain.structures import Structure

__all__ = ["diagram_name", "legs_text", "register"]


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    risk = command_parser(
        commands,
        "risk",
        [common],
        "Show the mirrored legs and shares as structures with their risk at expiry, P&L and"
        " totals; writes nothing.",
        "legsync risk --symbol SPX",
        "legsync risk --account-id VA00000000 --json",
        "legsync risk --plot diagrams",
    )
    risk.add_argument("--account-id", dest="account_id", metavar="ID", help="one account")
    risk.add_argument(
        "--symbol",
        type=_symbol,
        metavar="ROOT",
        help="one underlying, by its symbol or a root (SPX and SPXW both mean SPX)",
    )
    risk.add_argument("--json", action="store_true", help="print the report as JSON")
    risk.add_argument(
        "--plot",
        type=Path,
        metavar="DIR",
        help="also draw each structure's payoff at expiry as a PNG in DIR (created if missing;"
        " needs the plot extra: pip install 'legsync[plot]')",
    )
    risk.set_defaults(handler=run_risk)


def run_risk(args: argparse.Namespace) -> int:
    from legsync.application.risk import UnknownAccount

    from .runtime import Runtime

    if args.plot is not None:  # before anything is read or drawn
        _require_plotting()
        _writable_directory(args.plot)
    runtime = Runtime.from_args(args)
    with runtime:
        try:
            report = runtime.risk_service().report(args.account_id, args.symbol)
        except UnknownAccount as unknown:
            raise UsageError(str(unknown)) from None
    diagrams = {} if args.plot is None else _draw(report, args.plot)
    if args.json:
        from .output import dumps

        print(dumps(report_record(report, diagrams)))
    else:
        print(report_text(report))
        if args.plot is not None:
            print(f"{len(diagrams)} payoff diagram(s) written to {args.plot}")
    return EXIT_OK


# --- JSON ---------------------------------------------------------------------------------------


def report_record(report: RiskReport, diagrams: dict[int, str] | None = None) -> dict[str, Any]:
    """The report as JSON-ready data: money as decimal strings (through ``dumps``), ``null``
    for a figure that is unbounded or unknown, and ``unknown`` naming the unknown ones."""
    drawn = diagrams or {}
    return {
        "as_of": report.as_of,
        "symbol": report.symbol,
        "accounts": [
            {
                "account_id": account.account_id,
                "structures": [
                    _structure_record(item, drawn.get(id(item))) for item in account.structures
                ],
                "underlyings": [
                    {
                        "symbol": underlying.symbol,
                        "last_price": underlying.last_price,
                        "totals": _totals_record(underlying.totals),
                    }
                    for underlying in account.underlyings
                ],
                "totals": _totals_record(account.totals),
            }
            for account in report.accounts
        ],
    }


def _structure_record(item: StructureReport, diagram: str | None) -> dict[str, Any]:
    from .output import pnl_record

    structure, risk = item.structure, item.risk
    stock = structure.stock
    return {
        "kind": structure.kind.value,
        "symbol": structure.symbol,
        "root": structure.root,
        "quantity": structure.quantity,
        "legs": [
            {
                "occ_symbol": part.leg.occ_symbol,
                "side": part.leg.side.value,
                "contracts": part.contracts,
                "expiration": part.leg.expiration,
                "option_type": part.leg.option_type.value,
                "strike": part.leg.strike,
            }
            for part in structure.parts
        ],
        "stock": None
        if stock is None
        else {"symbol": stock.position.symbol, "side": stock.side.value, "shares": stock.shares},
        "expirations": list(structure.expirations),
        "days_to_expiry": item.days_to_expiry,
        "net_premium": risk.net_premium,
        "max_profit": risk.max_profit,
        "max_loss": risk.max_loss,
        "breakevens": None if "breakevens" in risk.unknown else list(risk.breakevens),
        "unknown": list(risk.unknown),
        "notes": list(risk.notes),
        **pnl_record(item.pnl),
        "diagram": diagram,
    }


def _totals_record(totals: RiskTotals) -> dict[str, Any]:
    from .output import pnl_record

    return {
        "structures": totals.structures,
        "net_premium": totals.net_premium,
        "max_loss": totals.max_loss,
        "unknown": list(totals.unknown),
        **pnl_record(totals.pnl),
    }


# --- the table ----------------------------------------------------------------------------------

_HEADERS = (
    "symbol",
    "kind",
    "qty",
    "legs",
    "premium",
    "max profit",
    "max loss",
    "breakevens",
    "DTE",
    "P&L",
    "marks",
)


def report_text(report: RiskReport) -> str:
    from .output import render_table

    if not report.accounts:
        return "nothing to report: no legs or stock mirrored"
    when = report.as_of.strftime("%Y-%m-%d %H:%M UTC")
    blocks = []
    for account in report.accounts:
        title = f"account {account.account_id}: risk at expiry, as of {when}"
        if report.symbol is not None:
            title += f", {report.symbol} only"
        if not account.structures:
            blocks.append(f"{title}\n  no legs or stock" + (" on it" if report.symbol else ""))
            continue
        rows: list[Sequence[object]] = []
        for underlying in account.underlyings:
            rows.extend(_structure_row(item, report.as_of) for item in underlying.structures)
            if len(underlying.structures) > 1:  # one structure is its own total
                rows.append(
                    _total_row(underlying.symbol, underlying.totals, report.as_of, underlying)
                )
        rows.append(_total_row("all", account.totals, report.as_of))
        table = render_table(_HEADERS, rows, numeric=("qty", "max profit", "max loss", "DTE"))
        blocks.append("\n".join([title, table, *_notes(account)]))
    return "\n\n".join(blocks)


def _structure_row(item: StructureReport, now: datetime) -> tuple[object, ...]:
    from .output import mark_age, pnl_text

    structure, risk = item.structure, item.risk
    return (
        structure.symbol,
        structure.kind.value,
        structure.quantity,
        legs_text(structure),
        premium_text(risk.net_premium),
        figure_text(risk, "max_profit"),
        figure_text(risk, "max_loss"),
        _breakevens_text(risk),
        item.days_to_expiry,
        pnl_text(item.pnl),
        mark_age(item.pnl, now),
    )


def _total_row(
    symbol: str, totals: RiskTotals, now: datetime, underlying: UnderlyingRisk | None = None
) -> tuple[object, ...]:
    from .output import mark_age, pnl_text

    what = f"{totals.structures} structure(s)"
    if underlying is not None and underlying.last_price is not None:
        what += f", last {_money(underlying.last_price)}"
    return (
        symbol,
        "total",
        "",
        what,
        premium_text(totals.net_premium),
        "",
        figure_text(totals, "max_loss"),
        "",
        "",
        pnl_text(totals.pnl),
        mark_age(totals.pnl, now),
    )


def _notes(account: AccountRisk) -> list[str]:
    lines = []
    for item in account.structures:
        for note in item.risk.notes:
            lines.append(f"  note: {item.structure.symbol} {item.structure.kind.value}: {note}")
    if not account.totals.pnl.complete:
        lines.append(
            "  P&L incomplete: a leg or shares have no mark or no cost basis"
            " (--json lists which; legsync sync --marks, or --quotes-file offline, records marks)"
        )
    return lines


def legs_text(structure: Structure) -> str:
    """The structure in a line: ``+100 sh -1 200C 2027-01-15``, each expiration after its
    legs, the root first when it is not the underlying (``SPXW +1 6800C 2027-03-31``)."""
    from legsync.domain import canonical_decimal

    words = []
    if structure.stock is not None:
        shares = canonical_decimal(structure.stock.shares)
        words.append(f"{_sign(structure.stock.side.sign)}{shares} sh")
    if structure.parts and structure.root != structure.symbol:
        words.append(structure.root)
    for expiration, parts in groupby(structure.parts, key=lambda p: p.leg.expiration):
        for part in parts:
            letter = part.leg.option_type.value[0].upper()
            words.append(
                f"{_sign(part.leg.side.sign)}{part.contracts}"
                f" {canonical_decimal(part.leg.strike)}{letter}"
            )
        words.append(expiration.isoformat())
    return " ".join(words)


def premium_text(net_premium: Decimal | None) -> str:
    """Cash that opened it: ``credit 246`` received, ``debit 150`` paid."""
    if net_premium is None:
        return "unknown"
    if net_premium > 0:
        return f"credit {_money(net_premium)}"
    if net_premium < 0:
        return f"debit {_money(-net_premium)}"
    return "0"


def figure_text(risk: StructureRisk | RiskTotals, name: str) -> str:
    """A max profit or max loss as a person reads it: the amount, unbounded or unknown."""
    value = getattr(risk, name)
    if value is not None:
        return _money(value)
    return "unknown" if name in risk.unknown else "unbounded"


def _breakevens_text(risk: StructureRisk) -> str:
    if "breakevens" in risk.unknown:
        return "unknown"
    return ", ".join(_money(b) for b in risk.breakevens) or "none"


def _money(value: Decimal) -> str:
    from legsync.domain import canonical_decimal

    return canonical_decimal(value)


def _sign(sign: int) -> str:
    return "+" if sign > 0 else "-"


# --- diagrams -----------------------------------------------------------------------------------


def diagram_name(account_id: str, symbol: str, index: int, kind: str) -> str:
    """``<account>-<symbol>-<index>-<kind>.png`` in safe characters (``BRK/B`` is ``BRK_B``);
    ``index`` counts the underlying's structures from 1, in the report's order."""
    name = f"{account_id}-{symbol}-{index}-{kind}"
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name) + ".png"


def _draw(report: RiskReport, directory: Path) -> dict[int, str]:
    """Write one PNG per structure whose payoff is known; a note on stderr for the others.
    Returns the file names by ``id()`` of the structure's report."""
    from legsync.adapters.plot import PayoffPicture, write_payoff_png
    from legsync.application.risk import NoPayoff

    written: dict[int, str] = {}
    for account in report.accounts:
        for underlying in account.underlyings:
            for index, item in enumerate(underlying.structures, 1):
                structure = item.structure
                what = f"{account.account_id} {structure.symbol} {structure.kind.value}"
                try:
                    points = item.payoff_curve(underlying.last_price)
                except NoPayoff as why:
                    print(f"legsync: no payoff diagram for {what}: {why}", file=sys.stderr)
                    continue
                name = diagram_name(
                    account.account_id, structure.symbol, index, structure.kind.value
                )
                picture = PayoffPicture(
                    title=f"{what} x{structure.quantity}\n{legs_text(structure)}",
                    points=points,
                    breakevens=item.risk.breakevens,
                    profit_text=figure_text(item.risk, "max_profit"),
                    loss_text=figure_text(item.risk, "max_loss"),
                    last_price=underlying.last_price,
                )
                try:
                    write_payoff_png(picture, directory / name)
                except OSError as error:
                    raise CommandFailed(
                        f"cannot write {directory / name}: {error.strerror or error}"
                    ) from None
                written[id(item)] = name
    return written


def _require_plotting() -> None:
    from legsync.adapters.plot import PlotUnavailable, require_matplotlib

    try:
        require_matplotlib()
    except PlotUnavailable as missing:
        raise UsageError(str(missing)) from None


def _writable_directory(path: Path) -> None:
    """``--plot DIR`` is a directory legsync can write in (made if missing), or one line."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"--plot {path}: not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as error:
        raise UsageError(f"--plot {path}: cannot write there: {error.strerror or error}") from None


def _symbol(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("a symbol is needed, got an empty one")
    return text.strip().upper()
