"""Members and business customers: member number, consent purpose and who recorded it, and
the company, UEN and address of a full tax invoice; the outlet's points scheme and members'
points as a ledger (``loyalty_entry``).

Revision ID: 0011_customers
Revises: 0010_stock
Create Date: 2026-12-05

Safe while servers run: nullable columns are added without rewriting the table, and the
unique index on member numbers is built on a table whose rows all have none yet. Customers
recorded before read as having no member number and no business details, which is what their
tills' events said (the fields did not exist).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011_customers"
down_revision: str | Sequence[str] | None = "0010_stock"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sgpos"
_COLUMNS = (
    ("member_no", sa.String(24)),
    ("consent_purpose", sa.String(200)),
    ("consent_by", sa.UUID()),
    ("company_name", sa.String(120)),
    ("uen", sa.String(10)),
    ("address_lines", postgresql.JSONB()),
    ("gst_reg_no", sa.String(20)),
    ("anonymised_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    for name, kind in _COLUMNS:
        op.add_column("customer", sa.Column(name, kind, nullable=True), schema=SCHEMA)
    op.create_index(
        op.f("ix_customer_member_no"), "customer", ["member_no"], unique=True, schema=SCHEMA
    )
    op.add_column("outlet", sa.Column("loyalty", postgresql.JSONB(), nullable=True), schema=SCHEMA)
    op.create_table(
        "loyalty_entry",
        sa.Column("entry_id", sa.UUID(), nullable=False),
        sa.Column("till_id", sa.UUID(), nullable=False),
        sa.Column("outlet_id", sa.UUID(), nullable=False),
        sa.Column("customer_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("sale_id", sa.UUID(), nullable=False),
        sa.Column("refund_id", sa.UUID(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('earned', 'redeemed', 'reversed')", name=op.f("ck_loyalty_entry_kind")
        ),
        sa.ForeignKeyConstraint(
            ["till_id"], ["sgpos.till.till_id"], name=op.f("fk_loyalty_entry_till_id_till")
        ),
        sa.ForeignKeyConstraint(
            ["outlet_id"],
            ["sgpos.outlet.outlet_id"],
            name=op.f("fk_loyalty_entry_outlet_id_outlet"),
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_loyalty_entry")),
        schema=SCHEMA,
    )
    op.create_index(
        op.f("ix_loyalty_entry_customer_id"), "loyalty_entry", ["customer_id"], schema=SCHEMA
    )


def downgrade() -> None:
    op.drop_table("loyalty_entry", schema=SCHEMA)
    op.drop_column("outlet", "loyalty", schema=SCHEMA)
    op.drop_index(op.f("ix_customer_member_no"), table_name="customer", schema=SCHEMA)
    for name, _ in reversed(_COLUMNS):
        op.drop_column("customer", name, schema=SCHEMA)
