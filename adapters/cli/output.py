"""How the command shows things: aligned tables for people, JSON for programs.

Decimals go out as strings in JSON, so nothing a program reads has been through a float.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from legsync.application import SyncResult
from legsync.domain import (
    OptionLeg,
    PositionEvent,
    PositionRemoved,
    ReconciliationFinding,
    StockEvent,
    StockPosition,
    StockPositionRemoved,
    StockPositionSynced,
    SyncRun,
    canonical_decimal,
)
from legsync.domain.pnl import Pnl

__all__ = [
    "dumps",
    "event_record",
    "leg_record",
    "mark_age",
    "pnl_record",
    "pnl_text",
    "render_table",
    "run_record",
    "safe_url",
    "signed_money",
    "stock_record",
    "sync_summary",
]


def leg_record(leg: OptionLeg) -> dict[str, Any]:
    """A leg under the store's column names (``portfolio_positions``)."""
    return {
        "id": leg.key.as_id(),
        "account_id": leg.account_id,
        "symbol": leg.symbol,
        "root": leg.root,
        "occ_symbol": leg.occ_symbol,
        "expiration": leg.expiration.isoformat(),
        "option_type": leg.option_type.value,
        "strike": canonical_decimal(leg.strike),
        "side": leg.side.value,
        "quantity": leg.quantity,
        "cost_basis_per_contract": _decimal(leg.cost_basis_per_contract),
        "last_price": _decimal(leg.last_price),
        "marked_at": _moment(leg.marked_at),
        "updated_at": leg.updated_at.isoformat(),
    }


def stock_record(position: StockPosition) -> dict[str, Any]:
    """A stock position under the store's column names (``portfolio_stock``)."""
    return {
        "account_id": position.account_id,
        "symbol": position.symbol,
        "quantity": canonical_decimal(position.quantity),
        "cost_basis_per_share": _decimal(position.cost_basis_per_share),
        "last_price": _decimal(position.last_price),
        "marked_at": _moment(position.marked_at),
        "updated_at": position.updated_at.isoformat(),
    }


def event_record(event: PositionEvent | StockEvent | ReconciliationFinding) -> dict[str, Any]:
    """One line of ``--events``: the signal's name, the leg after, and the leg before; for a
    finding, what was found and about which trades and leg."""
    if isinstance(event, ReconciliationFinding):
        return {
            "event": "reconciliation-finding",
            "occurred_at": event.occurred_at.isoformat(),
            "account_id": event.account_id,
            "kind": event.kind.value,
            "fails_check": event.kind.fails_check,
            "detail": event.detail,
            "trade_ids": list(event.trade_ids),
            "occ_symbol": event.occ_symbol,
            "side": event.side,
        }
    if isinstance(event, StockPositionRemoved):
        return {
            "event": "stock-position-removed",
            "occurred_at": event.occurred_at.isoformat(),
            "stock": stock_record(event.position),
        }
    if isinstance(event, StockPositionSynced):
        return {
            "event": "stock-position-synced",
            "occurred_at": event.occurred_at.isoformat(),
            "opened": event.previous is None,
            "stock": stock_record(event.position),
            "previous": None if event.previous is None else stock_record(event.previous),
        }
    if isinstance(event, PositionRemoved):
        return {
            "event": "position-removed",
            "occurred_at": event.occurred_at.isoformat(),
            "leg": leg_record(event.leg),
        }
    return {
        "event": "position-synced",
        "occurred_at": event.occurred_at.isoformat(),
        "opened": event.previous is None,
        "leg": leg_record(event.leg),
        "previous": None if event.previous is None else leg_record(event.previous),
    }


def run_record(run: SyncRun, last_success: SyncRun | None) -> dict[str, Any]:
    counts = run.counts
    return {
        "account_id": run.account_id,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat(),
        "success": run.success,
        "synced": counts.synced,
        "opened": counts.opened,
        "changed": counts.changed,
        "unchanged": counts.unchanged,
        "removed": counts.removed,
        "skipped": counts.skipped,
        "errors": counts.errors,
        "stock_synced": counts.stock_synced,
        "stock_opened": counts.stock_opened,
        "stock_changed": counts.stock_changed,
        "stock_unchanged": counts.stock_unchanged,
        "stock_removed": counts.stock_removed,
        "pruned": run.pruned,
        "error": run.error,
        "last_success_at": None if last_success is None else last_success.finished_at.isoformat(),
    }


def dumps(value: object) -> str:
    return json.dumps(value, default=_json_default, separators=(",", ":"))


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return canonical_decimal(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else canonical_decimal(value)


def _moment(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def render_table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], numeric: Iterable[str] = ()
) -> str:
    """An aligned plain-text table; columns named in ``numeric`` are right-aligned."""
    right = set(numeric)
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        parts = [
            value.rjust(width) if header in right else value.ljust(width)
            for value, width, header in zip(values, widths, headers, strict=True)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in cells)])


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, Decimal):
        return canonical_decimal(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def sync_summary(result: SyncResult) -> str:
    """A few lines a person reads after ``legsync sync``."""
    who = result.account_id
    if not result.success:
        return f"{who}: FAILED, nothing changed: {result.reason}"
    verb = "would sync" if result.dry_run else "synced"
    counts = result.counts
    lines = [
        f"{who}: {verb} {counts.synced} leg(s): {counts.opened} opened, {counts.changed} changed,"
        f" {counts.unchanged} unchanged, {counts.removed} removed"
    ]
    if counts.stock_synced or counts.stock_removed:
        lines.append(
            f"  and {counts.stock_synced} stock position(s): {counts.stock_opened} opened,"
            f" {counts.stock_changed} changed, {counts.stock_unchanged} unchanged,"
            f" {counts.stock_removed} removed"
        )
    if result.dry_run:
        lines.append("  dry run: nothing was written")
        for event in result.events:
            lines.append(f"  {_planned(event)}")
        for stock_event in result.stock_events:
            lines.append(f"  {_planned_stock(stock_event)}")
    for error in result.errors:
        lines.append(f"  error: {error.symbol}: {error.reason}")
    if result.prune_skipped_reason:
        lines.append(f"  not pruned: {result.prune_skipped_reason}")
    for warning in result.warnings:
        lines.append(f"  warning: {warning}")
    return "\n".join(lines)


def _planned(event: PositionEvent) -> str:
    leg = event.leg
    what = f"{leg.side.value} {leg.quantity} {leg.occ_symbol}"
    if isinstance(event, PositionRemoved):
        return f"remove {what}"
    if event.previous is None:
        return f"open   {what}"
    return f"change {what} (was {event.previous.side.value} {event.previous.quantity})"


def _planned_stock(event: StockEvent) -> str:
    position = event.position
    what = f"{canonical_decimal(position.quantity)} shares of {position.symbol}"
    if isinstance(event, StockPositionRemoved):
        return f"remove {what}"
    if event.previous is None:
        return f"open   {what}"
    return f"change {what} (was {canonical_decimal(event.previous.quantity)})"


def write_json_line(stream: IO[str], record: Mapping[str, Any]) -> None:
    stream.write(dumps(record) + "\n")
    stream.flush()


def safe_url(url: str) -> str:
    """A database URL without its password."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    return f"{scheme}{sep}{credentials.split(':', 1)[0]}:***@{host}"


def pnl_record(pnl: Pnl) -> dict[str, Any]:
    """An unrealised P&L for JSON: ``unrealized_pnl`` null when incomplete, with what is
    known, what is missing and the oldest mark's time."""
    return {
        "unrealized_pnl": pnl.amount,
        "pnl_known": pnl.known,
        "pnl_complete": pnl.complete,
        "pnl_missing": list(pnl.missing),
        "oldest_mark_at": pnl.oldest_mark_at,
    }


def pnl_text(pnl: Pnl) -> str:
    if pnl.complete:
        return signed_money(pnl.known)
    if not pnl.known:
        return "incomplete"
    return f"incomplete ({signed_money(pnl.known)} known)"


def mark_age(pnl: Pnl, now: datetime) -> str:
    """How old the oldest mark behind a P&L is: ``45s``, ``12m``, ``3h``, ``2d``."""
    if pnl.oldest_mark_at is None:
        return "unknown"
    seconds = max(int((now - pnl.oldest_mark_at).total_seconds()), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} old"
    return f"{seconds}s old"


def signed_money(value: Decimal) -> str:
    return f"+{canonical_decimal(value)}" if value > 0 else canonical_decimal(value)
