"""A closed trade says why (``trades.close_reason``); a trade keeps its risk (``trades.envelope``).

Closing a trade (``legsync trades close``) records when (``closed_at``) and why; it never
deletes the row. Recording a trade stores its structure's kind and risk figures as JSON text
(read and written whole, like ``legs``). Existing trades get NULL in both. The downgrade drops
both columns.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("trades") as batch:
        batch.add_column(sa.Column("close_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("envelope", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("trades") as batch:
        batch.drop_column("envelope")
        batch.drop_column("close_reason")
