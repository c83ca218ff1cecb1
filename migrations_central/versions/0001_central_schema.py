"""Central schema: every table of schema sgpos, the master-data triggers, the tax codes.

Revision ID: 0001_central_schema
Revises:
Create Date: 2026-11-21

Everything is schema-qualified (``sgpos``); env.py creates the schema and keeps Alembic's own
table in it. The column helpers and the trigger functions are frozen here on purpose: a later
change to the models, or to what a trigger does, is a new revision (``CREATE OR REPLACE
FUNCTION`` there), never an edit of this one.

Every constraint name is wrapped in ``op.f()``: Alembic builds these tables with the models'
naming convention, which would otherwise turn ``ck_staff_role`` into ``ck_staff_ck_staff_role``.

Triggers on the master tables tills pull (outlet, category, product, barcode, staff and
staff_outlet) write two things in the editing transaction:

- ``change_log``: which entity changed, for the pull cursor. The pull reads each logged key's
  current state, so ``op`` is a hint; what matters is that every key a till may hold is logged.
  An update that moves a row to another key (a barcode re-keyed) therefore logs the old key as
  deleted as well as the new one as upserted. A staff member's outlets travel with the staff
  record, so staff_outlet rows log entity ``staff``.
- ``ho_audit``: who changed what, before and after, for head office's audit trail. The actor is
  the ``sgpos.actor`` setting of the editing transaction (``SET LOCAL sgpos.actor = '…'``), else
  the database role. Secret hashes never enter the audit.

An update that changes nothing writes neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_central_schema"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sgpos"
NOW = sa.text("now()")
# The writing transaction's id: rows of one transaction share it (see models.ChangeLog).
CURRENT_TXID = sa.text("pg_current_xact_id()::text::bigint")

Col = sa.Column[Any]


def ident(name: str, *, null: bool = False) -> Col:
    """A UUID minted on a till or at head office."""
    return sa.Column(name, sa.UUID(), nullable=null)


def serial(name: str) -> Col:
    """A BIGSERIAL key numbered by the database."""
    return sa.Column(name, sa.BigInteger(), autoincrement=True, nullable=False)


def text(name: str, length: int | None = None, *, null: bool = False) -> Col:
    return sa.Column(name, sa.String(length) if length else sa.Text(), nullable=null)


def integer(name: str, *, null: bool = False) -> Col:
    return sa.Column(name, sa.Integer(), nullable=null)


def bigint(name: str, *, null: bool = False, default: Any = None) -> Col:
    return sa.Column(name, sa.BigInteger(), nullable=null, server_default=default)


def money(name: str, *, null: bool = False) -> Col:
    return sa.Column(name, sa.Numeric(14, 2), nullable=null)


def quantity(name: str, *, null: bool = False) -> Col:
    """Decimal quantities: weighed goods to the gram."""
    return sa.Column(name, sa.Numeric(12, 3), nullable=null)


def rate(name: str) -> Col:
    """A percentage such as a GST rate (9.00) or a discount limit."""
    return sa.Column(name, sa.Numeric(5, 2), nullable=False)


def moment(name: str, *, null: bool = False, default: Any = None) -> Col:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=null, server_default=default)


def day(name: str) -> Col:
    return sa.Column(name, sa.Date(), nullable=False)


def flag(name: str) -> Col:
    return sa.Column(name, sa.Boolean(), nullable=False)


def jsonb(name: str, *, null: bool = False) -> Col:
    return sa.Column(name, postgresql.JSONB(), nullable=null)


def pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=op.f(f"pk_{table}"))


def uq(table: str, *columns: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*columns, name=op.f(f"uq_{table}_{'_'.join(columns)}"))


def check(table: str, name: str, condition: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(condition, name=op.f(f"ck_{table}_{name}"))


def fk(
    table: str, column: str, target: str, *, ondelete: str | None = None
) -> sa.ForeignKeyConstraint:
    parent, _ = target.split(".")
    name = op.f(f"fk_{table}_{column}_{parent}")
    return sa.ForeignKeyConstraint([column], [f"{SCHEMA}.{target}"], name=name, ondelete=ondelete)


def index(table: str, *columns: str) -> None:
    name = f"ix_{table}_{'_'.join(columns)}"
    op.create_index(op.f(name), table, list(columns), schema=SCHEMA)


def create_table(name: str, *items: sa.schema.SchemaItem) -> None:
    op.create_table(name, *items, schema=SCHEMA)


# Parents before children; downgrade drops them in reverse.
TABLES = (
    "company",
    "outlet",
    "tax_code",
    "category",
    "product",
    "price",
    "barcode",
    "staff",
    "staff_outlet",
    "change_log",
    "ho_audit",
    "till",
    "enrolment_code",
    "ho_user",
    "inbox",
    "quarantine",
    "sale",
    "sale_line",
    "tender",
    "refund",
    "refund_line",
    "shift",
    "cash_movement",
    "stock_movement",
    "stock_on_hand",
    "audit_record",
    "customer",
)

# The master tables tills pull: (table, the entity tills know its rows as, the key column).
MASTER_TABLES = (
    ("outlet", "outlet", "outlet_id"),
    ("category", "category", "category_id"),
    ("product", "product", "product_id"),
    ("barcode", "barcode", "code"),
    ("staff", "staff", "staff_id"),
    ("staff_outlet", "staff", "staff_id"),
)

TAX_CODES = (
    {"code": "SR", "description": "Standard-rated: GST at the rate in force on the supply date"},
    {"code": "ZR", "description": "Zero-rated: a taxable supply at 0% GST (exports)"},
    {
        "code": "ES",
        "description": (
            "Exempt: financial services, digital payment tokens, residential property, "
            "investment precious metals"
        ),
    },
    {"code": "OS", "description": "Out of scope: not a supply for GST purposes"},
)

RECORD_MASTER_CHANGE = """
CREATE FUNCTION sgpos.record_master_change() RETURNS trigger
LANGUAGE plpgsql AS $$
-- Arguments: the entity tills know the row as, and the column holding its key.
DECLARE
    old_key text;
    new_key text;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        old_key := to_jsonb(OLD) ->> TG_ARGV[1];
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_key := to_jsonb(NEW) ->> TG_ARGV[1];
    END IF;
    -- A deleted row, or the key an update moved the row away from: tills must drop it.
    IF old_key IS DISTINCT FROM new_key AND old_key IS NOT NULL THEN
        INSERT INTO sgpos.change_log (entity, key, op) VALUES (TG_ARGV[0], old_key, 'delete');
    END IF;
    IF new_key IS NOT NULL THEN
        INSERT INTO sgpos.change_log (entity, key, op) VALUES (TG_ARGV[0], new_key, 'upsert');
    END IF;
    RETURN NULL;
END
$$
"""

AUDIT_HEAD_OFFICE_EDIT = """
CREATE FUNCTION sgpos.audit_head_office_edit() RETURNS trigger
LANGUAGE plpgsql AS $$
-- Argument: the column holding the row's key.
DECLARE
    secrets CONSTANT text[] := ARRAY['pin_hash', 'password_hash', 'secret_hash'];
    before_row jsonb;
    after_row jsonb;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        before_row := to_jsonb(OLD) - secrets;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        after_row := to_jsonb(NEW) - secrets;
    END IF;
    INSERT INTO sgpos.ho_audit (table_name, key, op, before, after, changed_by)
    VALUES (
        TG_TABLE_NAME,
        coalesce(after_row, before_row) ->> TG_ARGV[0],
        lower(TG_OP),
        before_row,
        after_row,
        -- An over-long actor must not make the edit itself fail.
        left(coalesce(nullif(current_setting('sgpos.actor', true), ''), current_user), 120)
    );
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    create_master_data()
    create_change_tracking()
    create_tills_and_users()
    create_event_tables()
    create_sales_and_refunds()
    create_other_facts()
    op.bulk_insert(
        sa.table("tax_code", sa.column("code"), sa.column("description"), schema=SCHEMA),
        list(TAX_CODES),
    )
    create_triggers()


def create_master_data() -> None:
    create_table("company", ident("company_id"), text("name", 120), pk("company", "company_id"))
    create_table(
        "outlet",
        ident("outlet_id"),
        ident("company_id"),
        text("code", 8),
        text("name", 120),
        jsonb("address_lines"),
        text("gst_reg_no", 20, null=True),
        text("gst_rounding", 5),
        text("cash_rounding", 7),
        rate("discount_limit_percent"),
        money("variance_limit"),
        text("paynow_uen", 20, null=True),
        jsonb("receipt_footer"),
        pk("outlet", "outlet_id"),
        uq("outlet", "code"),
        fk("outlet", "company_id", "company.company_id"),
    )
    create_table("tax_code", text("code", 2), text("description", 120), pk("tax_code", "code"))
    create_table("category", ident("category_id"), text("name", 120), pk("category", "category_id"))
    create_table(
        "product",
        ident("product_id"),
        text("sku", 120),
        text("name", 120),
        money("price"),
        text("tax_code", 2),
        ident("category_id", null=True),
        flag("weighed"),
        flag("active"),
        pk("product", "product_id"),
        uq("product", "sku"),
        fk("product", "tax_code", "tax_code.code"),
        fk("product", "category_id", "category.category_id", ondelete="SET NULL"),
        check("product", "price_not_negative", "price >= 0"),
    )
    create_table(
        "price",
        ident("product_id"),
        moment("effective_from"),
        money("price"),
        text("created_by", 120),
        moment("created_at", default=NOW),
        pk("price", "product_id", "effective_from"),
        fk("price", "product_id", "product.product_id", ondelete="CASCADE"),
        check("price", "price_not_negative", "price >= 0"),
    )
    create_table(
        "barcode",
        text("code", 48),
        ident("product_id"),
        pk("barcode", "code"),
        fk("barcode", "product_id", "product.product_id", ondelete="CASCADE"),
    )
    index("barcode", "product_id")
    create_table(
        "staff",
        ident("staff_id"),
        text("code", 12),
        text("display_name", 120),
        text("role", 16),
        text("pin_hash", 200),
        flag("active"),
        pk("staff", "staff_id"),
        uq("staff", "code"),
        check("staff", "role", "role IN ('cashier', 'supervisor', 'manager')"),
    )
    create_table(
        "staff_outlet",
        ident("staff_id"),
        ident("outlet_id"),
        pk("staff_outlet", "staff_id", "outlet_id"),
        fk("staff_outlet", "staff_id", "staff.staff_id", ondelete="CASCADE"),
        fk("staff_outlet", "outlet_id", "outlet.outlet_id", ondelete="CASCADE"),
    )


def create_change_tracking() -> None:
    create_table(
        "change_log",
        serial("change_id"),
        bigint("txid", default=CURRENT_TXID),
        text("entity", 16),
        text("key", 120),
        text("op", 6),
        moment("changed_at", default=NOW),
        pk("change_log", "change_id"),
    )
    index("change_log", "txid", "change_id")  # the pull walks (txid, change_id)
    create_table(
        "ho_audit",
        serial("audit_id"),
        text("table_name", 40),
        text("key", 120),
        text("op", 6),
        jsonb("before", null=True),
        jsonb("after", null=True),
        text("changed_by", 120),
        moment("changed_at", default=NOW),
        pk("ho_audit", "audit_id"),
    )
    index("ho_audit", "changed_at")


def create_tills_and_users() -> None:
    create_table(
        "till",
        ident("till_id"),
        ident("outlet_id"),
        text("code", 8),
        text("secret_hash", 64),
        text("status", 10),
        moment("enrolled_at", default=NOW),
        moment("revoked_at", null=True),
        moment("last_seen_at", null=True),
        text("app_version", 40, null=True),
        text("store_revision", 60, null=True),
        integer("backlog", null=True),
        moment("oldest_pending_at", null=True),
        integer("clock_skew_s", null=True),
        pk("till", "till_id"),
        uq("till", "outlet_id", "code"),
        fk("till", "outlet_id", "outlet.outlet_id"),
        check("till", "status", "status IN ('active', 'revoked')"),
    )
    create_table(
        "enrolment_code",
        text("code_hash", 64),
        ident("outlet_id"),
        text("till_code", 8),
        text("created_by", 120),
        moment("created_at", default=NOW),
        moment("expires_at"),
        moment("used_at", null=True),
        ident("till_id", null=True),
        moment("revoked_at", null=True),
        pk("enrolment_code", "code_hash"),
        fk("enrolment_code", "outlet_id", "outlet.outlet_id"),
    )
    create_table(
        "ho_user",
        ident("user_id"),
        text("email", 254),
        text("password_hash", 200),
        text("role", 16),
        ident("outlet_id", null=True),
        flag("active"),
        moment("created_at", default=NOW),
        pk("ho_user", "user_id"),
        uq("ho_user", "email"),
        fk("ho_user", "outlet_id", "outlet.outlet_id"),
        check("ho_user", "role", "role IN ('admin', 'analyst', 'outlet_manager')"),
    )


def create_event_tables() -> None:
    create_table(
        "inbox",
        ident("till_id"),
        integer("epoch"),
        bigint("seq"),
        ident("event_id"),
        text("kind", 40),
        text("payload_sha256", 64),
        text("outcome", 12),
        moment("occurred_at"),
        moment("received_at", default=NOW),
        pk("inbox", "till_id", "epoch", "seq"),
        uq("inbox", "event_id"),
        check("inbox", "outcome", "outcome IN ('applied', 'quarantined')"),
    )
    create_table(
        "quarantine",
        serial("quarantine_id"),
        ident("till_id"),
        integer("epoch"),
        bigint("seq"),
        ident("event_id"),
        text("kind", 40),
        text("reason"),
        jsonb("payload"),
        text("payload_sha256", 64),
        moment("received_at", default=NOW),
        moment("resolved_at", null=True),
        pk("quarantine", "quarantine_id"),
        # The same bad event sent again is one quarantine entry, not one per retry.
        uq("quarantine", "till_id", "epoch", "seq", "payload_sha256"),
    )
    index("quarantine", "till_id")


def create_sales_and_refunds() -> None:
    create_table(
        "sale",
        ident("sale_id"),
        ident("till_id"),
        ident("outlet_id"),
        text("receipt_no", 40),
        ident("shift_id"),
        ident("cashier_id"),
        moment("sold_at"),
        day("business_date"),
        money("subtotal"),
        money("discount_total"),
        money("total"),
        money("gst_total"),
        money("rounding"),
        money("change"),
        ident("customer_id", null=True),
        pk("sale", "sale_id"),
        uq("sale", "receipt_no"),
        fk("sale", "till_id", "till.till_id"),
        fk("sale", "outlet_id", "outlet.outlet_id"),
    )
    index("sale", "till_id")
    index("sale", "outlet_id", "business_date")
    create_table(
        "sale_line",
        ident("line_id"),
        ident("sale_id"),
        integer("position"),
        ident("product_id"),
        text("sku", 120),
        text("name", 120),
        quantity("quantity"),
        money("unit_price"),
        money("list_price"),
        money("line_discount"),
        money("cart_discount"),
        money("amount"),
        text("tax_code", 2),
        rate("gst_rate"),
        money("gst"),
        ident("approved_by", null=True),
        pk("sale_line", "line_id"),
        fk("sale_line", "sale_id", "sale.sale_id"),
    )
    index("sale_line", "sale_id")
    index("sale_line", "product_id")
    create_table(
        "tender",
        ident("document_id"),
        integer("position"),
        text("document_kind", 6),
        text("type", 10),
        money("amount"),
        text("reference", 200, null=True),
        text("card_last4", 4, null=True),
        ident("confirmed_by", null=True),
        pk("tender", "document_id", "position"),
        check("tender", "document_kind", "document_kind IN ('sale', 'refund')"),
    )
    create_table(
        "refund",
        ident("refund_id"),
        ident("till_id"),
        ident("outlet_id"),
        text("receipt_no", 40),
        ident("original_sale_id", null=True),
        text("original_receipt_no", 40, null=True),
        flag("is_void"),
        text("reason", 200),
        ident("shift_id"),
        ident("cashier_id"),
        ident("approved_by", null=True),
        moment("refunded_at"),
        day("business_date"),
        money("total"),
        money("gst_total"),
        money("rounding"),
        pk("refund", "refund_id"),
        uq("refund", "receipt_no"),
        fk("refund", "till_id", "till.till_id"),
        fk("refund", "outlet_id", "outlet.outlet_id"),
    )
    index("refund", "till_id")
    index("refund", "original_sale_id")
    index("refund", "outlet_id", "business_date")
    create_table(
        "refund_line",
        ident("refund_id"),
        integer("position"),
        ident("line_id", null=True),
        ident("product_id"),
        text("name", 120),
        quantity("quantity"),
        money("amount"),
        money("gst"),
        rate("gst_rate"),
        text("tax_code", 2),
        pk("refund_line", "refund_id", "position"),
        fk("refund_line", "refund_id", "refund.refund_id"),
    )


def create_other_facts() -> None:
    create_table(
        "shift",
        ident("shift_id"),
        ident("till_id"),
        ident("outlet_id"),
        ident("opened_by", null=True),
        moment("opened_at", null=True),
        money("opening_float", null=True),
        ident("closed_by", null=True),
        moment("closed_at", null=True),
        money("expected_cash", null=True),
        money("counted_cash", null=True),
        money("variance", null=True),
        jsonb("counted", null=True),
        ident("approved_by", null=True),
        integer("sales_count", null=True),
        money("sales_total", null=True),
        money("refunds_total", null=True),
        money("gst_total", null=True),
        jsonb("tenders", null=True),
        pk("shift", "shift_id"),
        fk("shift", "till_id", "till.till_id"),
        fk("shift", "outlet_id", "outlet.outlet_id"),
    )
    index("shift", "till_id")
    create_table(
        "cash_movement",
        ident("movement_id"),
        ident("till_id"),
        ident("shift_id"),
        ident("staff_id"),
        text("direction", 3),
        money("amount"),
        text("reason", 120),
        moment("moved_at"),
        pk("cash_movement", "movement_id"),
        fk("cash_movement", "till_id", "till.till_id"),
    )
    index("cash_movement", "shift_id")
    create_table(
        "stock_movement",
        serial("movement_id"),
        ident("outlet_id"),
        ident("product_id"),
        quantity("quantity"),
        text("reason", 16),
        text("source", 80),
        ident("till_id", null=True),
        moment("moved_at"),
        pk("stock_movement", "movement_id"),
        # Keys each movement to the fact that caused it, so a resent event counts once.
        uq("stock_movement", "reason", "source"),
        fk("stock_movement", "outlet_id", "outlet.outlet_id"),
    )
    index("stock_movement", "outlet_id", "product_id")
    create_table(
        "stock_on_hand",
        ident("outlet_id"),
        ident("product_id"),
        quantity("quantity"),
        pk("stock_on_hand", "outlet_id", "product_id"),
        fk("stock_on_hand", "outlet_id", "outlet.outlet_id"),
    )
    create_table(
        "audit_record",
        ident("till_id"),
        integer("epoch"),
        bigint("seq"),
        text("occurred_at", 40),
        text("actor", 36, null=True),
        text("action", 120),
        text("subject", 200, null=True),
        jsonb("before", null=True),
        jsonb("after", null=True),
        text("prev_hash", 64),
        text("hash", 64),
        pk("audit_record", "till_id", "epoch", "seq"),
    )
    index("audit_record", "action")
    create_table(
        "customer",
        ident("customer_id"),
        text("name", 120, null=True),
        text("phone", 16, null=True),
        text("email", 254, null=True),
        flag("consent_contact"),
        flag("consent_marketing"),
        moment("consent_at", null=True),
        moment("withdrawn_at", null=True),
        moment("updated_at", default=NOW),
        pk("customer", "customer_id"),
    )


def create_triggers() -> None:
    op.execute(RECORD_MASTER_CHANGE)
    op.execute(AUDIT_HEAD_OFFICE_EDIT)
    for table, entity, key in MASTER_TABLES:
        op.execute(
            f"CREATE TRIGGER record_master_change AFTER INSERT OR UPDATE OR DELETE "
            f"ON {SCHEMA}.{table} FOR EACH ROW "
            f"EXECUTE FUNCTION {SCHEMA}.record_master_change('{entity}', '{key}')"
        )
        op.execute(
            f"CREATE TRIGGER audit_head_office_edit AFTER INSERT OR UPDATE OR DELETE "
            f"ON {SCHEMA}.{table} FOR EACH ROW "
            f"EXECUTE FUNCTION {SCHEMA}.audit_head_office_edit('{key}')"
        )


def downgrade() -> None:
    for table, _entity, _key in MASTER_TABLES:
        op.execute(f"DROP TRIGGER audit_head_office_edit ON {SCHEMA}.{table}")
        op.execute(f"DROP TRIGGER record_master_change ON {SCHEMA}.{table}")
    op.execute(f"DROP FUNCTION {SCHEMA}.audit_head_office_edit()")
    op.execute(f"DROP FUNCTION {SCHEMA}.record_master_change()")
    # Dropping a table drops its indexes too.
    for table in reversed(TABLES):
        op.drop_table(table, schema=SCHEMA)
