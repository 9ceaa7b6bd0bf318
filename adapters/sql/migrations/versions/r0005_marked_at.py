"""When each mark was taken: ``marked_at`` on ``portfolio_positions`` and ``portfolio_stock``.

``last_price`` is the last mark a sync with marks took; ``marked_at`` says when, so that a
P&L can tell a fresh price from an old one. Nullable: rows marked before this migration, and
rows never marked, have no known time (NULL). The downgrade drops the columns.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite")
TABLES = ("portfolio_positions", "portfolio_stock")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("marked_at", TIMESTAMP, nullable=True))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("marked_at")
