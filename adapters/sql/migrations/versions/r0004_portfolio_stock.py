"""Shares are mirrored beside the legs: ``portfolio_stock``, and stock counts in ``sync_runs``.

One row per account and symbol; the quantity is signed (negative for a short) and may be
fractional, so it is a decimal, not an integer like a leg's contracts. Existing sync runs
count no stock (0). The downgrade drops the table and the counts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

MONEY = sa.Numeric().with_variant(sa.Text(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite")
STOCK_COUNTS = ("stock_opened", "stock_changed", "stock_unchanged", "stock_removed")


def upgrade() -> None:
    op.create_table(
        "portfolio_stock",
        sa.Column("account_id", sa.Text(), nullable=False),
        sa.Column("symbol", sa.Text(), nullable=False),
        sa.Column("quantity", MONEY, nullable=False),
        sa.Column("cost_basis_per_share", MONEY, nullable=True),
        sa.Column("last_price", MONEY, nullable=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("account_id", "symbol", name="pk_portfolio_stock"),
    )
    with op.batch_alter_table("sync_runs") as batch:
        for name in STOCK_COUNTS:
            batch.add_column(
                sa.Column(name, sa.Integer(), server_default=sa.text("0"), nullable=False)
            )


def downgrade() -> None:
    with op.batch_alter_table("sync_runs") as batch:
        for name in reversed(STOCK_COUNTS):
            batch.drop_column(name)
    op.drop_table("portfolio_stock")
