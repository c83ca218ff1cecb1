"""Initial schema: every table of the till's store except the product search index.

Revision ID: 0001_initial_schema
Revises:
Create Date: 2026-11-20

The column helpers spell out how values are stored (money as integer cents, quantities as
integer thousandths, rates as basis points, moments as UTC text; see till.store.types) and are
frozen here on purpose: a later change to the models must not rewrite history.

Every name is wrapped in ``op.f()``: Alembic builds these tables with the models' naming
convention, which would otherwise turn ``ck_staff_role`` into ``ck_staff_ck_staff_role``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial_schema"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Col = sa.Column[Any]


def ident(name: str, *, null: bool = False) -> Col:
    """A UUID minted on the till or at head office."""
    return sa.Column(name, sa.String(36), nullable=null)


def text(name: str, length: int, *, null: bool = False) -> Col:
    return sa.Column(name, sa.String(length), nullable=null)


def integer(name: str, *, null: bool = False) -> Col:
    return sa.Column(name, sa.Integer(), nullable=null)


cents = milli = basis_points = integer  # Cents, Milli, BasisPoints: all stored as INTEGER


def moment(name: str, *, null: bool = False) -> Col:
    """UtcDateTime: ISO-8601 UTC text, which sorts in time order."""
    return sa.Column(name, sa.String(32), nullable=null)


def flag(name: str) -> Col:
    return sa.Column(name, sa.Boolean(), nullable=False)


def json(name: str, *, null: bool = False) -> Col:
    return sa.Column(name, sa.JSON(), nullable=null)


def pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=op.f(f"pk_{table}"))


def uq(table: str, column: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(column, name=op.f(f"uq_{table}_{column}"))


def check(table: str, name: str, condition: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(condition, name=op.f(f"ck_{table}_{name}"))


def fk(
    table: str, column: str, target: str, *, ondelete: str | None = None
) -> sa.ForeignKeyConstraint:
    parent, _ = target.split(".")
    name = op.f(f"fk_{table}_{column}_{parent}")
    return sa.ForeignKeyConstraint([column], [target], name=name, ondelete=ondelete)


def index(table: str, *columns: str, name: str | None = None, unique: bool = False) -> None:
    name = name or f"ix_{table}_{'_'.join(columns)}"
    op.create_index(op.f(name), table, list(columns), unique=unique)


# Parents before children; downgrade drops them in reverse.
TABLES = (
    "outlet",
    "category",
    "product",
    "barcode",
    "staff",
    "till_identity",
    "counter",
    "customer",
    "shift",
    "sale",
    "sale_line",
    "refund",
    "refund_line",
    "payment",
    "cash_movement",
    "stock_movement",
    "audit_record",
    "parked_cart",
    "outbox",
    "sync_state",
)


def upgrade() -> None:
    create_master_data()
    create_till_tables()
    create_sales_and_refunds()
    create_other_facts()
    create_sync_tables()


def create_master_data() -> None:
    op.create_table(
        "outlet",
        ident("outlet_id"),
        text("code", 8),
        text("name", 120),
        json("settings"),
        pk("outlet", "outlet_id"),
        uq("outlet", "code"),
    )
    op.create_table(
        "category",
        ident("category_id"),
        text("name", 120),
        pk("category", "category_id"),
    )
    op.create_table(
        "product",
        # INTEGER PRIMARY KEY: the stable rowid the search index (0002) points at.
        integer("product_no"),
        ident("product_id"),
        text("sku", 120),
        text("name", 120),
        cents("price"),
        text("tax_code", 2),
        ident("category_id", null=True),
        flag("weighed"),
        flag("active"),
        pk("product", "product_no"),
        uq("product", "product_id"),
        uq("product", "sku"),
        fk("product", "category_id", "category.category_id", ondelete="SET NULL"),
        check("product", "tax_code", "tax_code IN ('SR', 'ZR', 'ES', 'OS')"),
    )
    op.create_table(
        "barcode",
        text("code", 48),
        ident("product_id"),
        pk("barcode", "code"),
        fk("barcode", "product_id", "product.product_id", ondelete="CASCADE"),
    )
    index("barcode", "product_id")
    op.create_table(
        "staff",
        ident("staff_id"),
        text("code", 12),
        text("display_name", 120),
        text("role", 16),
        text("pin_hash", 200),
        flag("active"),
        integer("failed_attempts"),
        moment("locked_until", null=True),
        pk("staff", "staff_id"),
        uq("staff", "code"),
        check("staff", "role", "role IN ('cashier', 'supervisor', 'manager')"),
    )


def create_till_tables() -> None:
    op.create_table(
        "till_identity",
        integer("singleton"),
        ident("till_id"),
        text("till_code", 8),
        ident("outlet_id"),
        integer("epoch"),
        text("central_url", 300, null=True),
        moment("enrolled_at", null=True),
        pk("till_identity", "singleton"),
        check("till_identity", "singleton", "singleton = 1"),
    )
    op.create_table(
        "counter",
        text("name", 40),
        integer("value"),
        pk("counter", "name"),
    )
    op.create_table(
        "customer",
        ident("customer_id"),
        text("name", 120, null=True),
        text("phone", 16, null=True),
        text("email", 254, null=True),
        flag("consent_contact"),
        flag("consent_marketing"),
        moment("consent_at", null=True),
        moment("withdrawn_at", null=True),
        pk("customer", "customer_id"),
    )
    op.create_table(
        "shift",
        ident("shift_id"),
        ident("opened_by"),
        moment("opened_at"),
        cents("opening_float"),
        ident("closed_by", null=True),
        moment("closed_at", null=True),
        cents("expected_cash", null=True),
        cents("counted_cash", null=True),
        json("counted", null=True),
        ident("approved_by", null=True),
        pk("shift", "shift_id"),
        fk("shift", "opened_by", "staff.staff_id"),
        fk("shift", "closed_by", "staff.staff_id"),
        fk("shift", "approved_by", "staff.staff_id"),
    )


def create_sales_and_refunds() -> None:
    op.create_table(
        "sale",
        ident("sale_id"),
        text("receipt_no", 40),
        ident("shift_id"),
        ident("cashier_id"),
        moment("sold_at"),
        cents("subtotal"),
        cents("discount_total"),
        cents("total"),
        cents("gst_total"),
        cents("rounding"),
        cents("change"),
        ident("customer_id", null=True),
        integer("reprint_count"),
        pk("sale", "sale_id"),
        uq("sale", "receipt_no"),
        fk("sale", "shift_id", "shift.shift_id"),
        fk("sale", "cashier_id", "staff.staff_id"),
        fk("sale", "customer_id", "customer.customer_id"),
    )
    index("sale", "shift_id")
    index("sale", "sold_at")
    op.create_table(
        "sale_line",
        ident("line_id"),
        ident("sale_id"),
        integer("position"),
        ident("product_id"),  # no FK: a product may later leave the catalogue
        text("sku", 120),
        text("name", 120),
        milli("quantity"),
        cents("unit_price"),
        cents("list_price"),
        cents("line_discount"),
        cents("cart_discount"),
        cents("amount"),
        text("tax_code", 2),
        basis_points("gst_rate"),
        cents("gst"),
        flag("weighed"),
        ident("approved_by", null=True),
        pk("sale_line", "line_id"),
        fk("sale_line", "sale_id", "sale.sale_id"),
    )
    index("sale_line", "sale_id")
    op.create_table(
        "refund",
        ident("refund_id"),
        text("receipt_no", 40),
        ident("original_sale_id", null=True),
        flag("is_void"),
        text("reason", 200),
        ident("shift_id"),
        ident("cashier_id"),
        ident("approved_by", null=True),
        moment("refunded_at"),
        cents("total"),
        cents("gst_total"),
        cents("rounding"),
        pk("refund", "refund_id"),
        uq("refund", "receipt_no"),
        fk("refund", "original_sale_id", "sale.sale_id"),
        fk("refund", "shift_id", "shift.shift_id"),
        fk("refund", "cashier_id", "staff.staff_id"),
    )
    index("refund", "original_sale_id")
    index("refund", "shift_id")
    op.create_table(
        "refund_line",
        ident("refund_line_id"),
        ident("refund_id"),
        ident("sale_line_id", null=True),
        ident("product_id"),
        text("name", 120),
        milli("quantity"),
        cents("amount"),
        cents("gst"),
        basis_points("gst_rate"),
        text("tax_code", 2),
        pk("refund_line", "refund_line_id"),
        fk("refund_line", "refund_id", "refund.refund_id"),
        fk("refund_line", "sale_line_id", "sale_line.line_id"),
    )
    index("refund_line", "refund_id")
    index("refund_line", "sale_line_id")
    op.create_table(
        "payment",
        ident("payment_id"),
        ident("sale_id", null=True),
        ident("refund_id", null=True),
        integer("position"),
        text("type", 10),
        cents("amount"),
        text("reference", 200, null=True),
        text("card_last4", 4, null=True),
        ident("confirmed_by", null=True),
        pk("payment", "payment_id"),
        fk("payment", "sale_id", "sale.sale_id"),
        fk("payment", "refund_id", "refund.refund_id"),
        check("payment", "one_owner", "(sale_id IS NULL) <> (refund_id IS NULL)"),
        check("payment", "payment_type", "type IN ('cash', 'nets', 'card', 'paynow', 'voucher')"),
    )
    index("payment", "sale_id")
    index("payment", "refund_id")


def create_other_facts() -> None:
    op.create_table(
        "cash_movement",
        ident("movement_id"),
        ident("shift_id"),
        ident("staff_id"),
        text("direction", 3),
        cents("amount"),
        text("reason", 120),
        moment("moved_at"),
        pk("cash_movement", "movement_id"),
        fk("cash_movement", "shift_id", "shift.shift_id"),
        fk("cash_movement", "staff_id", "staff.staff_id"),
        check("cash_movement", "direction", "direction IN ('in', 'out')"),
    )
    index("cash_movement", "shift_id")
    op.create_table(
        "stock_movement",
        ident("movement_id"),
        ident("product_id"),
        milli("quantity"),
        text("reason", 16),
        ident("source_id"),
        moment("moved_at"),
        pk("stock_movement", "movement_id"),
        check(
            "stock_movement",
            "reason",
            "reason IN ('sale', 'refund', 'received', 'adjusted', 'transfer')",
        ),
    )
    index("stock_movement", "product_id")
    # A movement is counted once however often its source is replayed.
    index(
        "stock_movement", "reason", "source_id", name="uq_stock_movement_reason_source", unique=True
    )
    op.create_table(
        "audit_record",
        ident("till_id"),
        integer("epoch"),
        integer("seq"),
        text("occurred_at", 40),
        text("actor", 36, null=True),
        text("action", 120),
        text("subject", 200, null=True),
        json("before"),
        json("after"),
        text("prev_hash", 64),
        text("hash", 64),
        pk("audit_record", "epoch", "seq"),
        uq("audit_record", "hash"),
    )
    index("audit_record", "action")
    op.create_table(
        "parked_cart",
        ident("parked_id"),
        moment("parked_at"),
        ident("parked_by"),
        text("label", 60),
        json("cart"),
        pk("parked_cart", "parked_id"),
        fk("parked_cart", "parked_by", "staff.staff_id"),
    )


def create_sync_tables() -> None:
    op.create_table(
        "outbox",
        integer("epoch"),
        integer("seq"),
        ident("event_id"),
        text("kind", 40),
        integer("schema_version"),
        moment("occurred_at"),
        sa.Column("payload", sa.Text(), nullable=False),
        text("payload_sha256", 64),
        integer("attempts"),
        text("last_error", 500, null=True),
        moment("acked_at", null=True),
        text("outcome", 16, null=True),
        text("outcome_reason", 200, null=True),
        pk("outbox", "epoch", "seq"),
        uq("outbox", "event_id"),
    )
    op.create_table(
        "sync_state",
        integer("singleton"),
        text("pull_cursor", 100),
        integer("acked_epoch"),
        integer("acked_seq"),
        moment("prices_as_of", null=True),
        moment("last_push_at", null=True),
        moment("last_pull_at", null=True),
        text("last_error", 500, null=True),
        moment("last_error_at", null=True),
        pk("sync_state", "singleton"),
        check("sync_state", "singleton", "singleton = 1"),
    )


def downgrade() -> None:
    # Dropping a table drops its indexes too.
    for table in reversed(TABLES):
        op.drop_table(table)
