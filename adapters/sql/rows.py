"""The tables as typed ORM rows, for code that wants them; and a leg's column values.

Nothing on a sync's path uses these classes: the store runs Core statements on the tables of
:mod:`legsync.adapters.sql.tables`, which spares a command the import of ``sqlalchemy.orm``.
The rows are mapped onto those same ``Table`` objects, so ``Base.metadata`` is
:data:`~legsync.adapters.sql.tables.METADATA` and there is one description of the schema.
The domain never sees a row, and nothing maps them to domain values implicitly.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import FromClause
from sqlalchemy.orm import DeclarativeBase, Mapped

from legsync.domain import OccSymbol, OptionLeg, OptionType

from .tables import METADATA, POSITIONS, SYNC_RUNS, TRADES

__all__ = [
    "Base",
    "PositionRow",
    "SyncRunRow",
    "TradeRow",
    "occ_from_parts",
    "position_values",
]


class Base(DeclarativeBase):
    """legsync's tables (:mod:`legsync.adapters.sql.tables`) as mapped classes."""

    metadata = METADATA


class PositionRow(Base):
    """``portfolio_positions``: one row per leg (see :data:`~.tables.POSITIONS`)."""

    __table__: ClassVar[FromClause] = POSITIONS

    id: Mapped[str]
    account_id: Mapped[str]
    symbol: Mapped[str]
    root: Mapped[str]
    occ_symbol: Mapped[str]
    expiration: Mapped[date]
    option_type: Mapped[str]
    strike: Mapped[Decimal]
    side: Mapped[str]
    quantity: Mapped[int]
    cost_basis_per_contract: Mapped[Decimal | None]
    last_price: Mapped[Decimal | None]
    updated_at: Mapped[datetime]


class TradeRow(Base):
    """``trades``: the engine's trades (see :data:`~.tables.TRADES`)."""

    __table__: ClassVar[FromClause] = TRADES

    id: Mapped[int]
    account_id: Mapped[str]
    symbol: Mapped[str]
    legs: Mapped[str]
    quantity: Mapped[int]
    status: Mapped[str]
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    entry_price: Mapped[Decimal | None]
    broker_order_id: Mapped[str | None]
    origin: Mapped[str]
    managed: Mapped[int | None]


class SyncRunRow(Base):
    """``sync_runs``: one row per sync attempt (see :data:`~.tables.SYNC_RUNS`)."""

    __table__: ClassVar[FromClause] = SYNC_RUNS

    id: Mapped[int]
    account_id: Mapped[str]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    success: Mapped[bool]
    synced: Mapped[int]
    opened: Mapped[int]
    changed: Mapped[int]
    unchanged: Mapped[int]
    removed: Mapped[int]
    skipped: Mapped[int]
    errors: Mapped[int]
    pruned: Mapped[bool]
    error: Mapped[str | None]


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


def occ_from_parts(root: str, expiration: date, option_type: str, strike: Decimal) -> OccSymbol:
    """An OCC symbol from trusted stored parts, without a round trip through the parser."""
    return tuple.__new__(OccSymbol, (root, expiration, OptionType(option_type), strike))
