"""Suppliers, what they sell, reorder rules, and purchase orders received against at the tills.

Revision ID: 0014_purchasing
Revises: 0013_promotions
Create Date: 2026-12-05

``supplier``, ``supplier_product`` (supplier SKU, pack size, last cost) and ``reorder_rule``
(per outlet and product) are head office's own: audited, never sent to tills. A
``purchase_order`` is master data: its writes take the master writers' lock (revision 0005)
and log a change for the pull (entity ``purchase_order``), so the outlet's tills get an order
when it is sent and drop it when it is received in full or cancelled. ``purchase_order_line``
keeps what the tills have received against each line.

``stock_movement.po_line_id`` names the order line goods were received against: a nullable
column without a default, added without rewriting the ledger, so safe while servers run.
The new tables are empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0014_purchasing"
down_revision: str | Sequence[str] | None = "0013_promotions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sgpos"


def _moment(name: str, *, now: bool = False) -> sa.Column[datetime]:
    if now:
        return sa.Column(
            name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        )
    return sa.Column(name, sa.DateTime(timezone=True), nullable=True)


def _audited(table: str, key: str) -> None:
    op.execute(
        f"CREATE TRIGGER audit_head_office_edit AFTER INSERT OR UPDATE OR DELETE "
        f"ON {SCHEMA}.{table} FOR EACH ROW "
        f"EXECUTE FUNCTION {SCHEMA}.audit_head_office_edit('{key}')"
    )


def upgrade() -> None:
    op.create_table(
        "supplier",
        sa.Column("supplier_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("uen", sa.String(10), nullable=True),
        sa.Column("contact", sa.String(200), nullable=True),
        sa.Column("payment_terms_days", sa.SmallInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _moment("updated_at", now=True),
        sa.CheckConstraint(
            "payment_terms_days BETWEEN 0 AND 365", name=op.f("ck_supplier_payment_terms_days")
        ),
        sa.PrimaryKeyConstraint("supplier_id", name=op.f("pk_supplier")),
        sa.UniqueConstraint("name", name=op.f("uq_supplier_name")),
        schema=SCHEMA,
    )
    op.create_table(
        "supplier_product",
        sa.Column("supplier_id", sa.UUID(), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column("supplier_sku", sa.String(40), nullable=True),
        sa.Column("pack_size", sa.Numeric(12, 3), nullable=False),
        sa.Column("last_cost", sa.Numeric(14, 2), nullable=True),
        sa.CheckConstraint("pack_size > 0", name=op.f("ck_supplier_product_pack_size_positive")),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["sgpos.supplier.supplier_id"],
            name=op.f("fk_supplier_product_supplier_id_supplier"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["sgpos.product.product_id"],
            name=op.f("fk_supplier_product_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("supplier_id", "product_id", name=op.f("pk_supplier_product")),
        schema=SCHEMA,
    )
    op.create_table(
        "reorder_rule",
        sa.Column("outlet_id", sa.UUID(), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column("reorder_point", sa.Numeric(12, 3), nullable=False),
        sa.Column("reorder_level", sa.Numeric(12, 3), nullable=False),
        sa.CheckConstraint(
            "reorder_point >= 0 AND reorder_level > reorder_point",
            name=op.f("ck_reorder_rule_levels_in_order"),
        ),
        sa.ForeignKeyConstraint(
            ["outlet_id"],
            ["sgpos.outlet.outlet_id"],
            name=op.f("fk_reorder_rule_outlet_id_outlet"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["sgpos.product.product_id"],
            name=op.f("fk_reorder_rule_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("outlet_id", "product_id", name=op.f("pk_reorder_rule")),
        schema=SCHEMA,
    )
    op.create_table(
        "purchase_order",
        sa.Column("po_id", sa.UUID(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.UUID(), nullable=False),
        sa.Column("outlet_id", sa.UUID(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("note", sa.String(200), nullable=True),
        sa.Column("created_by", sa.String(120), nullable=False),
        _moment("created_at", now=True),
        _moment("sent_at"),
        _moment("closed_at"),
        _moment("updated_at", now=True),
        sa.CheckConstraint(
            "status IN ('draft', 'sent', 'partial', 'received', 'cancelled')",
            name=op.f("ck_purchase_order_status"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["sgpos.supplier.supplier_id"],
            name=op.f("fk_purchase_order_supplier_id_supplier"),
        ),
        sa.ForeignKeyConstraint(
            ["outlet_id"],
            ["sgpos.outlet.outlet_id"],
            name=op.f("fk_purchase_order_outlet_id_outlet"),
        ),
        sa.PrimaryKeyConstraint("po_id", name=op.f("pk_purchase_order")),
        sa.UniqueConstraint("serial", name=op.f("uq_purchase_order_serial")),
        schema=SCHEMA,
    )
    op.create_table(
        "purchase_order_line",
        sa.Column("po_line_id", sa.UUID(), nullable=False),
        sa.Column("po_id", sa.UUID(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column("quantity", sa.Numeric(12, 3), nullable=False),
        sa.Column("pack_size", sa.Numeric(12, 3), nullable=False),
        sa.Column("unit_cost", sa.Numeric(14, 2), nullable=True),
        sa.Column("received", sa.Numeric(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_purchase_order_line_quantity_positive")),
        sa.CheckConstraint("pack_size > 0", name=op.f("ck_purchase_order_line_pack_size_positive")),
        sa.ForeignKeyConstraint(
            ["po_id"],
            ["sgpos.purchase_order.po_id"],
            name=op.f("fk_purchase_order_line_po_id_purchase_order"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["sgpos.product.product_id"],
            name=op.f("fk_purchase_order_line_product_id_product"),
        ),
        sa.PrimaryKeyConstraint("po_line_id", name=op.f("pk_purchase_order_line")),
        schema=SCHEMA,
    )
    op.create_index(
        op.f("ix_purchase_order_line_po_id"), "purchase_order_line", ["po_id"], schema=SCHEMA
    )
    op.add_column("stock_movement", sa.Column("po_line_id", sa.UUID()), schema=SCHEMA)
    op.execute(
        f"CREATE TRIGGER order_master_writes BEFORE INSERT OR UPDATE OR DELETE "
        f"ON {SCHEMA}.purchase_order FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {SCHEMA}.order_master_writes()"
    )
    op.execute(
        f"CREATE TRIGGER record_master_change AFTER INSERT OR UPDATE OR DELETE "
        f"ON {SCHEMA}.purchase_order FOR EACH ROW "
        f"EXECUTE FUNCTION {SCHEMA}.record_master_change('purchase_order', 'po_id')"
    )
    _audited("supplier", "supplier_id")
    _audited("purchase_order", "po_id")


def downgrade() -> None:
    op.drop_column("stock_movement", "po_line_id", schema=SCHEMA)
    for table in (
        "purchase_order_line",
        "purchase_order",
        "reorder_rule",
        "supplier_product",
        "supplier",
    ):
        op.drop_table(table, schema=SCHEMA)
    # The revision before knows no 'purchase_order' entity; a pull would fail on one logged.
    op.execute(f"DELETE FROM {SCHEMA}.change_log WHERE entity = 'purchase_order'")  # noqa: S608
