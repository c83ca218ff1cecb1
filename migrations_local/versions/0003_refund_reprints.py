"""Refund and void slips are reprinted like sale receipts, and listed by day.

Revision ID: 0003_refund_reprints
Revises: 0002_product_search
Create Date: 2026-12-05

A slip skipped at a missing printer had no way back to paper; a copy of a refund slip that
is not marked as a copy could be presented twice. The count starts at 0 for every refund
already in the store (none of them was ever reprinted).

The receipts screen lists today's and yesterday's slips beside the sales; without an index
on ``refunded_at`` that read every refund the till ever made. Refunds are rare, so the index
costs little at the counter.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_refund_reprints"
down_revision: str | Sequence[str] | None = "0002_product_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ADD COLUMN with a constant default: SQLite adds it in place, no rebuild of refund.
    with op.batch_alter_table("refund") as batch:
        batch.add_column(
            sa.Column("reprint_count", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_index(op.f("ix_refund_refunded_at"), "refund", ["refunded_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_refund_refunded_at"), table_name="refund")
    # SQLite (3.35+) drops the column in place; a batch rebuild would rewrite the table's
    # whole definition and leave the downgraded schema different from 0002's.
    op.execute("ALTER TABLE refund DROP COLUMN reprint_count")
