"""Separate positions from trades: ``portfolio_positions``, ``sync_runs``, and the trades'
``origin`` and ``managed`` columns.

Existing trades get ``origin='ENGINE'`` and ``managed=1`` (the engine created and managed them
all before the switch existed); no row or value is lost. The downgrade drops the two new
tables and the two columns, and with them whatever they held.

Revision ID: 0002
Revises: 0001
Create Date: 2024-06-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

MONEY = sa.Numeric().with_variant(sa.Text(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite")
DAY = sa.Date().with_variant(sa.Text(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "portfolio_positions",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("account_id", sa.Text(), nullable=False),
        sa.Column("symbol", sa.Text(), nullable=False),
        sa.Column("root", sa.Text(), nullable=False),
        sa.Column("occ_symbol", sa.Text(), nullable=False),
        sa.Column("expiration", DAY, nullable=False),
        sa.Column("option_type", sa.Text(), nullable=False),
        sa.Column("strike", MONEY, nullable=False),
        sa.Column("side", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("cost_basis_per_contract", MONEY, nullable=True),
        sa.Column("last_price", MONEY, nullable=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_portfolio_positions"),
        sa.CheckConstraint(
            "option_type IN ('call', 'put')", name="ck_portfolio_positions_option_type"
        ),
        sa.CheckConstraint("side IN ('long', 'short')", name="ck_portfolio_positions_side"),
        sa.CheckConstraint("quantity >= 0", name="ck_portfolio_positions_quantity"),
    )
    op.create_index(
        "uq_portfolio_positions_leg",
        "portfolio_positions",
        ["account_id", "root", "expiration", "option_type", "strike", "side"],
        unique=True,
    )
    op.create_index(
        "ix_portfolio_positions_account_symbol",
        "portfolio_positions",
        ["account_id", "symbol", "expiration"],
    )
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Text(), nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("synced", sa.Integer(), nullable=False),
        sa.Column("opened", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("pruned", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sync_runs"),
    )
    op.create_index("ix_sync_runs_account_id_id", "sync_runs", ["account_id", "id"])
    with op.batch_alter_table("trades") as batch:
        batch.add_column(
            sa.Column("origin", sa.Text(), server_default=sa.text("'ENGINE'"), nullable=False)
        )
        batch.add_column(
            sa.Column("managed", sa.SmallInteger(), server_default=sa.text("1"), nullable=True)
        )
        batch.create_check_constraint("ck_trades_managed", "managed IN (0, 1)")


def downgrade() -> None:
    with op.batch_alter_table("trades") as batch:
        batch.drop_constraint("ck_trades_managed", type_="check")
        batch.drop_column("managed")
        batch.drop_column("origin")
    op.drop_index("ix_sync_runs_account_id_id", table_name="sync_runs")
    op.drop_table("sync_runs")
    op.drop_index("ix_portfolio_positions_account_symbol", table_name="portfolio_positions")
    op.drop_index("uq_portfolio_positions_leg", table_name="portfolio_positions")
    op.drop_table("portfolio_positions")
