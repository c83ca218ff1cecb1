"""Open purchase orders pulled from head office, and the order line goods came in against.

Revision ID: 0008_purchasing
Revises: 0007_promotions
Create Date: 2026-12-05

``purchase_order`` holds each open order of this outlet as head office sent it; receiving
against one writes the order line on each ``stock_movement`` (``po_line_id``, nullable: every
movement before had none). Orders only come down to tills that ask for them, so the pull
cursor goes back to 0 and the next pull walks the master data again (idempotent upserts,
resumable), this time with the orders already sent.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_purchasing"
down_revision: str | Sequence[str] | None = "0007_promotions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "purchase_order",
        sa.Column("po_id", sa.String(36), nullable=False),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("supplier", sa.String(120), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("po_id", name=op.f("pk_purchase_order")),
    )
    # ADD COLUMN without a default: SQLite adds it in place, no rebuild of the ledger.
    with op.batch_alter_table("stock_movement") as batch:
        batch.add_column(sa.Column("po_line_id", sa.String(36), nullable=True))
    op.create_index(
        op.f("ix_stock_movement_po_line_id"), "stock_movement", ["po_line_id"], unique=False
    )
    op.execute("UPDATE sync_state SET pull_cursor = '0'")


def downgrade() -> None:
    op.drop_index(op.f("ix_stock_movement_po_line_id"), table_name="stock_movement")
    # SQLite (3.35+) drops a column in place; a batch rebuild would rewrite the ledger whole.
    op.execute("ALTER TABLE stock_movement DROP COLUMN po_line_id")
    op.drop_table("purchase_order")
