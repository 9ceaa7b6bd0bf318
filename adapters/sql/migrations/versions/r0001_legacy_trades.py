"""The legacy schema: the engine's ``trades`` table, before positions were separated.

Databases the engine created before legsync have exactly this table and no Alembic version;
:func:`legsync.adapters.sql.migrations.upgrade` recognises them and stamps them at this
revision instead of creating the table again.

Revision ID: 0001
Revises:
Create Date: 2024-06-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

# Frozen copies of the column types (a migration never follows later code): text on SQLite,
# native types on PostgreSQL; see docs/adr/0002-exact-decimals-in-the-store.md.
MONEY = sa.Numeric().with_variant(sa.Text(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "trades",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Text(), nullable=False),
        sa.Column("symbol", sa.Text(), nullable=False),
        sa.Column("legs", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'open'"), nullable=False),
        sa.Column("opened_at", TIMESTAMP, nullable=True),
        sa.Column("closed_at", TIMESTAMP, nullable=True),
        sa.Column("entry_price", MONEY, nullable=True),
        sa.Column("broker_order_id", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_trades"),
    )
    op.create_index("ix_trades_status_account", "trades", ["status", "account_id"])


def downgrade() -> None:
    op.drop_index("ix_trades_status_account", table_name="trades")
    op.drop_table("trades")
