"""Members and business customers at the till: member number, consent purpose and who
recorded it, and the company, UEN and address a full tax invoice needs; members' points as a
ledger (``loyalty_entry``).

Revision ID: 0005_customers
Revises: 0004_stock
Create Date: 2026-12-05

Every column is nullable, so SQLite adds each in place (no rebuild of ``customer``); rows
recorded before have no member number and no business details, which is what they were.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_customers"
down_revision: str | Sequence[str] | None = "0004_stock"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("member_no", sa.String(24)),
    ("consent_purpose", sa.String(200)),
    ("consent_by", sa.String(36)),
    ("company_name", sa.String(120)),
    ("uen", sa.String(10)),
    ("address_lines", sa.JSON()),
    ("gst_reg_no", sa.String(20)),
)


def upgrade() -> None:
    with op.batch_alter_table("customer") as batch:
        for name, kind in _COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
    op.create_index(op.f("ix_customer_phone"), "customer", ["phone"])
    op.create_table(
        "loyalty_entry",
        sa.Column("entry_id", sa.String(36), nullable=False),
        sa.Column("customer_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("sale_id", sa.String(36), nullable=False),
        sa.Column("refund_id", sa.String(36), nullable=True),
        sa.Column("at", sa.String(32), nullable=False),  # UtcDateTime: ISO-8601 UTC text
        sa.Column("expires_on", sa.String(32), nullable=True),
        sa.CheckConstraint(
            "kind IN ('earned', 'redeemed', 'reversed')", name=op.f("ck_loyalty_entry_kind")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.customer_id"],
            name=op.f("fk_loyalty_entry_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["sale_id"], ["sale.sale_id"], name=op.f("fk_loyalty_entry_sale_id_sale")
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"], ["refund.refund_id"], name=op.f("fk_loyalty_entry_refund_id_refund")
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_loyalty_entry")),
    )
    op.create_index(op.f("ix_loyalty_entry_customer_id"), "loyalty_entry", ["customer_id"])
    op.create_index(op.f("ix_loyalty_entry_sale_id"), "loyalty_entry", ["sale_id"])
    op.create_index(
        "uq_loyalty_entry_kind_sale_refund",
        "loyalty_entry",
        ["kind", "sale_id", "refund_id"],
        unique=True,
    )
    # A unique index rather than a constraint: SQLite cannot add a constraint in place.
    op.create_index(op.f("ix_customer_member_no"), "customer", ["member_no"], unique=True)


def downgrade() -> None:
    op.drop_table("loyalty_entry")
    op.drop_index(op.f("ix_customer_member_no"), table_name="customer")
    op.drop_index(op.f("ix_customer_phone"), table_name="customer")
    # SQLite (3.35+) drops columns in place, leaving 0003's definition as it was.
    for name, _ in reversed(_COLUMNS):
        op.execute(f"ALTER TABLE customer DROP COLUMN {name}")
