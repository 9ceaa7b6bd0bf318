"""legsync's tables as SQLAlchemy Core ``Table``s: the metadata every statement is built on.

Core only, no ORM: the store needs nothing more, and importing ``sqlalchemy.orm`` costs a small
sync a sixth of its start-up (``docs/performance.md``).

The schema itself is created only by the Alembic migrations; this metadata describes the same
schema (a test checks the two agree). Every index and constraint is named explicitly, as in the
migrations. Table and column names are a public contract: other tools read these tables.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    text,
)

from .types import ExactDecimal, IsoDate, UtcTimestamp

__all__ = ["METADATA", "POSITIONS", "STOCK", "SYNC_RUNS", "TRADES"]

METADATA = MetaData()

POSITIONS = Table(
    "portfolio_positions",
    METADATA,
    # id is LegKey.as_id(), a deterministic text of the leg's key, so that other tools can
    # address a leg with one column; the upsert conflicts on the unique index of the key.
    Column("id", Text, primary_key=True),
    Column("account_id", Text, nullable=False),
    Column("symbol", Text, nullable=False),
    Column("root", Text, nullable=False),
    Column("occ_symbol", Text, nullable=False),
    Column("expiration", IsoDate, nullable=False),
    Column("option_type", Text, nullable=False),
    Column("strike", ExactDecimal, nullable=False),
    Column("side", Text, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("cost_basis_per_contract", ExactDecimal, nullable=True),
    Column("last_price", ExactDecimal, nullable=True),
    Column("updated_at", UtcTimestamp, nullable=False),
    # When last_price was taken; NULL when unknown (never marked, or before migration 0005).
    Column("marked_at", UtcTimestamp, nullable=True),
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
    CheckConstraint("option_type IN ('call', 'put')", name="ck_portfolio_positions_option_type"),
    CheckConstraint("side IN ('long', 'short')", name="ck_portfolio_positions_side"),
    CheckConstraint("quantity >= 0", name="ck_portfolio_positions_quantity"),
)
"""``portfolio_positions``: one row per leg."""

TRADES = Table(
    "trades",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("account_id", Text, nullable=False),
    Column("symbol", Text, nullable=False),
    # JSON text, a list of {"occ_symbol", "side", "ratio"} objects in the trade's order: a
    # trade's legs are read and written whole, and JSON text reads the same on both databases.
    Column("legs", Text, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("status", Text, nullable=False, server_default=text("'open'")),
    Column("opened_at", UtcTimestamp, nullable=True),
    Column("closed_at", UtcTimestamp, nullable=True),
    Column("close_reason", Text, nullable=True),
    # JSON text: the structure's kind and risk figures, computed once when the trade was
    # recorded (see legsync.domain.TradeEnvelope); NULL for trades recorded before.
    Column("envelope", Text, nullable=True),
    Column("entry_price", ExactDecimal, nullable=True),
    Column("broker_order_id", Text, nullable=True),
    Column("origin", Text, nullable=False, server_default=text("'ENGINE'")),
    # 1, 0 or NULL (legacy rows, which count as managed).
    Column("managed", SmallInteger, nullable=True, server_default=text("1")),
    Index("ix_trades_status_account", "status", "account_id"),
    CheckConstraint("managed IN (0, 1)", name="ck_trades_managed"),
)
"""``trades``: the engine's trades."""

SYNC_RUNS = Table(
    "sync_runs",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("account_id", Text, nullable=False),
    Column("started_at", UtcTimestamp, nullable=False),
    Column("finished_at", UtcTimestamp, nullable=False),
    Column("success", Boolean, nullable=False),
    Column("synced", Integer, nullable=False),
    Column("opened", Integer, nullable=False),
    Column("changed", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("removed", Integer, nullable=False),
    Column("skipped", Integer, nullable=False),
    Column("errors", Integer, nullable=False),
    Column("pruned", Boolean, nullable=False),
    Column("error", Text, nullable=True),
    Column("stock_opened", Integer, nullable=False, server_default=text("0")),
    Column("stock_changed", Integer, nullable=False, server_default=text("0")),
    Column("stock_unchanged", Integer, nullable=False, server_default=text("0")),
    Column("stock_removed", Integer, nullable=False, server_default=text("0")),
    Index("ix_sync_runs_account_id_id", "account_id", "id"),
)
"""``sync_runs``: one row per sync attempt, successful or not."""

STOCK = Table(
    "portfolio_stock",
    METADATA,
    Column("account_id", Text, nullable=False),
    Column("symbol", Text, nullable=False),
    # Signed by side: positive long, negative short. Shares may be fractional, hence a decimal.
    Column("quantity", ExactDecimal, nullable=False),
    Column("cost_basis_per_share", ExactDecimal, nullable=True),
    Column("last_price", ExactDecimal, nullable=True),
    Column("updated_at", UtcTimestamp, nullable=False),
    Column("marked_at", UtcTimestamp, nullable=True),  # as portfolio_positions.marked_at
    PrimaryKeyConstraint("account_id", "symbol", name="pk_portfolio_stock"),
)
"""``portfolio_stock``: one row per account and symbol of shares held."""
