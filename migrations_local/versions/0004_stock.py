"""Stock documents made at the till: goods received, adjustments, stocktakes and transfers.

Revision ID: 0004_stock
Revises: 0003_refund_reprints
Create Date: 2026-12-05

Until now only sales and refunds moved stock. A delivery, a write-off, a count or a transfer
is a *stock document* (who, when, the supplier's or transfer's reference, who approved it)
whose movements sit in the existing ``stock_movement`` ledger, linked by ``document_id`` and
carrying the unit cost of goods received and the reason of an adjustment (``detail``). A
stocktake keeps its blind count per product while it is open, with the moment each product
was first scanned: the variance is taken against the ledger at that moment (docs/stock.md).

Every new column is nullable: the movements of sales and refunds already stored carry none.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_stock"
down_revision: str | Sequence[str] | None = "0003_refund_reprints"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stock_document",
        sa.Column("document_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("reference", sa.String(200), nullable=True),
        sa.Column("other_outlet", sa.String(8), nullable=True),
        sa.Column("scope", sa.String(200), nullable=True),
        sa.Column("staff_id", sa.String(36), nullable=False),
        sa.Column("approved_by", sa.String(36), nullable=True),
        sa.Column("started_at", sa.String(32), nullable=False),
        sa.Column("finished_at", sa.String(32), nullable=True),
        sa.CheckConstraint(
            "kind IN ('receipt', 'adjustment', 'count', 'transfer_out', 'transfer_in')",
            name=op.f("ck_stock_document_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('counting', 'done', 'cancelled')", name=op.f("ck_stock_document_status")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.staff_id"], name=op.f("fk_stock_document_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_stock_document")),
        sa.UniqueConstraint("number", name=op.f("uq_stock_document_number")),
    )
    op.create_index(op.f("ix_stock_document_status"), "stock_document", ["status"])
    op.create_table(
        "stock_count",
        sa.Column("document_id", sa.String(36), nullable=False),
        sa.Column("product_id", sa.String(36), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("first_scanned_at", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["stock_document.document_id"],
            name=op.f("fk_stock_count_document_id_stock_document"),
        ),
        sa.PrimaryKeyConstraint("document_id", "product_id", name=op.f("pk_stock_count")),
    )
    # ADD COLUMN without a default: SQLite adds it in place, no rebuild of the ledger.
    with op.batch_alter_table("stock_movement") as batch:
        batch.add_column(sa.Column("document_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("unit_cost", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("detail", sa.String(16), nullable=True))
    op.create_index(op.f("ix_stock_movement_document_id"), "stock_movement", ["document_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_stock_movement_document_id"), table_name="stock_movement")
    # SQLite (3.35+) drops columns in place; a batch rebuild would rewrite the ledger.
    for column in ("detail", "unit_cost", "document_id"):
        op.execute(f"ALTER TABLE stock_movement DROP COLUMN {column}")
    op.drop_table("stock_count")
    op.drop_index(op.f("ix_stock_document_status"), table_name="stock_document")
    op.drop_table("stock_document")
