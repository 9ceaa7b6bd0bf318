"""The tables as typed SQLAlchemy rows, and the explicit mapping to and from the domain.

Rows are adapter classes: the domain never sees them, and nothing maps them implicitly. The
schema itself is created only by the Alembic migrations; this metadata describes the same
schema so that queries are typed (a test checks the two agree).

Table and column names are a public contract: other tools read these tables.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from legsync.domain import (
    OccSymbol,
    OptionLeg,
    OptionType,
    Origin,
    Side,
    SyncRun,
    Trade,
    TradeLeg,
    TradeStatus,
    parse_occ_symbol,
)

from .types import ExactDecimal, IsoDate, UtcTimestamp

__all__ = [
    "Base",
    "PositionRow",
    "SyncRunRow",
    "TradeRow",
    "legs_from_json",
    "legs_to_json",
    "position_values",
    "run_from_row",
    "run_to_row",
    "trade_from_row",
    "trade_values",
]


class Base(DeclarativeBase):
    """legsync's tables; every index and constraint is named explicitly, as in the
    migrations."""

    metadata = MetaData()


class PositionRow(Base):
    """``portfolio_positions``: one row per leg.

    ``id`` is :meth:`LegKey.as_id`, a deterministic text of the leg's key, so that other
    tools can address a leg with one column; the unique index on the key's six columns is what
    the upsert conflicts on.
    """

    __tablename__ = "portfolio_positions"
    __table_args__ = (
        Index(
            "uq_portfolio_positions_leg",
            "account_id",
            "root",
            "expiration",
            "option_type",
            "strike",
            "side",
            unique=True,
        ),
        Index("ix_portfolio_positions_account_symbol", "account_id", "symbol", "expiration"),
        CheckConstraint(
            "option_type IN ('call', 'put')", name="ck_portfolio_positions_option_type"
        ),
        CheckConstraint("side IN ('long', 'short')", name="ck_portfolio_positions_side"),
        CheckConstraint("quantity >= 0", name="ck_portfolio_positions_quantity"),
    )

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    account_id: Mapped[str] = mapped_column(Text)
    symbol: Mapped[str] = mapped_column(Text)
    root: Mapped[str] = mapped_column(Text)
    occ_symbol: Mapped[str] = mapped_column(Text)
    expiration: Mapped[date] = mapped_column(IsoDate)
    option_type: Mapped[str] = mapped_column(Text)
    strike: Mapped[Decimal] = mapped_column(ExactDecimal)
    side: Mapped[str] = mapped_column(Text)
    quantity: Mapped[int] = mapped_column(Integer)
    cost_basis_per_contract: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    last_price: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    updated_at: Mapped[datetime] = mapped_column(UtcTimestamp)


class TradeRow(Base):
    """``trades``: the engine's trades.

    ``legs`` is JSON text, a list of ``{"occ_symbol", "side", "ratio"}`` objects in the
    trade's order: a trade's legs are read and written whole, never queried one by one, and
    JSON text reads the same on SQLite and PostgreSQL. ``managed`` is 1, 0 or NULL (legacy
    rows, which count as managed).
    """

    __tablename__ = "trades"
    __table_args__ = (
        Index("ix_trades_status_account", "status", "account_id"),
        CheckConstraint("managed IN (0, 1)", name="ck_trades_managed"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(Text)
    symbol: Mapped[str] = mapped_column(Text)
    legs: Mapped[str] = mapped_column(Text)
    quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(Text, server_default=text("'open'"))
    opened_at: Mapped[datetime | None] = mapped_column(UtcTimestamp)
    closed_at: Mapped[datetime | None] = mapped_column(UtcTimestamp)
    entry_price: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    broker_order_id: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(Text, server_default=text("'ENGINE'"))
    managed: Mapped[int | None] = mapped_column(SmallInteger, server_default=text("1"))


class SyncRunRow(Base):
    """``sync_runs``: one row per sync attempt, successful or not."""

    __tablename__ = "sync_runs"
    __table_args__ = (Index("ix_sync_runs_account_id_id", "account_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UtcTimestamp)
    finished_at: Mapped[datetime] = mapped_column(UtcTimestamp)
    success: Mapped[bool] = mapped_column(Boolean)
    synced: Mapped[int] = mapped_column(Integer)
    opened: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    removed: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[int] = mapped_column(Integer)
    errors: Mapped[int] = mapped_column(Integer)
    pruned: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)


# --- positions --------------------------------------------------------------------------------


def position_values(leg: OptionLeg) -> dict[str, Any]:
    """The column values of a leg's row, for the bulk upsert (no ORM object per leg)."""
    root, expiration, option_type, strike = leg.occ
    return {
        "id": leg.key.as_id(),
        "account_id": leg.account_id,
        "symbol": leg.symbol,
        "root": root,
        "occ_symbol": leg.occ.format(),
        "expiration": expiration,
        "option_type": option_type.value,
        "strike": strike,
        "side": leg.side.value,
        "quantity": leg.quantity,
        "cost_basis_per_contract": leg.cost_basis_per_contract,
        "last_price": leg.last_price,
        "updated_at": leg.updated_at,
    }


# --- trades -----------------------------------------------------------------------------------


def legs_to_json(legs: tuple[TradeLeg, ...]) -> str:
    return json.dumps(
        [
            {"occ_symbol": leg.occ.format(), "side": leg.side.value, "ratio": leg.ratio}
            for leg in legs
        ],
        separators=(",", ":"),
    )


def legs_from_json(text_: str) -> tuple[TradeLeg, ...]:
    return tuple(
        TradeLeg(
            parse_occ_symbol(item["occ_symbol"]), Side(item["side"]), int(item.get("ratio", 1))
        )
        for item in json.loads(text_)
    )


def trade_values(trade: Trade) -> dict[str, Any]:
    """The column values of a trade's row, every column explicit.

    A values dict rather than a ``TradeRow``: the ORM leaves a None out of an INSERT when the
    column has a server default, and ``managed`` must be stored NULL when it is None.
    """
    values: dict[str, Any] = {
        "account_id": trade.account_id,
        "symbol": trade.symbol,
        "legs": legs_to_json(trade.legs),
        "quantity": trade.quantity,
        "status": trade.status.value,
        "origin": trade.origin.value,
        "managed": None if trade.managed is None else int(trade.managed),
        "opened_at": trade.opened_at,
        "closed_at": trade.closed_at,
        "entry_price": trade.entry_price,
        "broker_order_id": trade.broker_order_id,
    }
    if trade.id is not None:
        values["id"] = trade.id
    return values


def trade_from_row(row: TradeRow) -> Trade:
    return Trade(
        id=row.id,
        account_id=row.account_id,
        symbol=row.symbol,
        legs=legs_from_json(row.legs),
        quantity=row.quantity,
        status=TradeStatus(row.status),
        origin=Origin(row.origin),
        managed=None if row.managed is None else bool(row.managed),
        opened_at=row.opened_at,
        closed_at=row.closed_at,
        entry_price=row.entry_price,
        broker_order_id=row.broker_order_id,
    )


# --- sync runs --------------------------------------------------------------------------------


def run_to_row(run: SyncRun) -> SyncRunRow:
    return SyncRunRow(
        account_id=run.account_id,
        started_at=run.started_at,
        finished_at=run.finished_at,
        success=run.success,
        synced=run.synced,
        opened=run.opened,
        changed=run.changed,
        unchanged=run.unchanged,
        removed=run.removed,
        skipped=run.skipped,
        errors=run.errors,
        pruned=run.pruned,
        error=run.error,
    )


def run_from_row(row: SyncRunRow) -> SyncRun:
    return SyncRun(
        account_id=row.account_id,
        started_at=row.started_at,
        finished_at=row.finished_at,
        success=bool(row.success),
        synced=row.synced,
        opened=row.opened,
        changed=row.changed,
        unchanged=row.unchanged,
        removed=row.removed,
        skipped=row.skipped,
        errors=row.errors,
        pruned=bool(row.pruned),
        error=row.error,
        id=row.id,
    )


def occ_from_parts(root: str, expiration: date, option_type: str, strike: Decimal) -> OccSymbol:
    """An OCC symbol from trusted stored parts, without a round trip through the parser."""
    return tuple.__new__(OccSymbol, (root, expiration, OptionType(option_type), strike))
