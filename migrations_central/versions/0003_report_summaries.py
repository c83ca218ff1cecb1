"""Summaries and indexes for the head-office dashboard; audit chain verification marks.

Revision ID: 0003_report_summaries
Revises: 0002_head_office_sessions
Create Date: 2026-11-21

A year of twenty outlets is millions of sale lines; summing them per page view would take
seconds. Ingest now keeps three summaries in the same transaction as the facts it adds:

- ``sales_by_hour``: per outlet, Singapore business date and hour: sales and refunds (count,
  total GST included, GST, cash rounding);
- ``sales_by_tax``: per outlet, date, tax code and rate: line amounts and GST of sales, and of
  refunds at the rate originally charged, dated when refunded;
- ``sales_by_tender``: per outlet, date and tender type: money taken (cash net of change) and
  paid back.

``audit_chain_check`` keeps, per till and epoch, how far the audit chain is verified (seq and
hash of the last good record) and the highest seq stored. A trigger moves the mark back to
just before any stored record that is changed or deleted, so tampering is found at the next
look without re-hashing the whole chain on every page view.

The upgrade fills the summaries from the facts already stored, and marks every existing chain
as verified up to nothing (the server re-hashes it in the background, a batch at a time). The
new indexes serve the sales explorer (newest first per outlet, till or cashier) and the audit
trail (newest first); ``(till_id, sold_at, sale_id)`` replaces the index on ``till_id`` alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003_report_summaries"
down_revision: str | Sequence[str] | None = "0002_head_office_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sgpos"
Col = sa.Column[Any]


def _money(name: str) -> Col:
    return sa.Column(name, sa.Numeric(14, 2), nullable=False)


def _key() -> list[Col]:
    return [
        sa.Column("outlet_id", sa.UUID(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
    ]


SALE_INDEXES = (
    ("sold_at", "sale_id"),
    ("outlet_id", "sold_at", "sale_id"),
    ("till_id", "sold_at", "sale_id"),
    ("cashier_id", "sold_at", "sale_id"),
)

# The hour is Singapore's (UTC+8 all year), as ingest computes it in Python.
FILL_SALES_BY_HOUR = """
INSERT INTO sgpos.sales_by_hour
SELECT outlet_id, business_date, hour,
       sum(sales_count), sum(sales_total), sum(sales_gst), sum(sales_rounding),
       sum(refund_count), sum(refund_total), sum(refund_gst), sum(refund_rounding)
FROM (
    SELECT outlet_id, business_date,
           extract(hour from (sold_at AT TIME ZONE 'UTC') + interval '8 hours')::smallint
               AS hour,
           1 AS sales_count, total AS sales_total, gst_total AS sales_gst,
           rounding AS sales_rounding,
           0 AS refund_count, 0 AS refund_total, 0 AS refund_gst, 0 AS refund_rounding
    FROM sgpos.sale
    UNION ALL
    SELECT outlet_id, business_date,
           extract(hour from (refunded_at AT TIME ZONE 'UTC') + interval '8 hours')::smallint,
           0, 0, 0, 0, 1, total, gst_total, rounding
    FROM sgpos.refund
) AS facts
GROUP BY outlet_id, business_date, hour
"""

FILL_SALES_BY_TAX = """
INSERT INTO sgpos.sales_by_tax
SELECT outlet_id, business_date, tax_code, gst_rate,
       sum(sales_amount), sum(sales_gst), sum(refund_amount), sum(refund_gst)
FROM (
    SELECT s.outlet_id, s.business_date, l.tax_code, l.gst_rate,
           l.amount AS sales_amount, l.gst AS sales_gst, 0 AS refund_amount, 0 AS refund_gst
    FROM sgpos.sale_line AS l JOIN sgpos.sale AS s ON s.sale_id = l.sale_id
    UNION ALL
    SELECT r.outlet_id, r.business_date, l.tax_code, l.gst_rate, 0, 0, l.amount, l.gst
    FROM sgpos.refund_line AS l JOIN sgpos.refund AS r ON r.refund_id = l.refund_id
) AS facts
GROUP BY outlet_id, business_date, tax_code, gst_rate
"""

FILL_SALES_BY_TENDER = """
INSERT INTO sgpos.sales_by_tender
SELECT outlet_id, business_date, tender_type, sum(sales_amount), sum(refund_amount)
FROM (
    SELECT s.outlet_id, s.business_date, t.type AS tender_type,
           t.amount AS sales_amount, 0 AS refund_amount
    FROM sgpos.tender AS t JOIN sgpos.sale AS s ON s.sale_id = t.document_id
    UNION ALL
    -- Change is given in cash, so cash taken is cash handed over less change.
    SELECT outlet_id, business_date, 'cash', -change, 0
    FROM sgpos.sale WHERE change <> 0
    UNION ALL
    SELECT r.outlet_id, r.business_date, t.type, 0, t.amount
    FROM sgpos.tender AS t JOIN sgpos.refund AS r ON r.refund_id = t.document_id
) AS facts
GROUP BY outlet_id, business_date, tender_type
"""

FILL_AUDIT_CHAIN_CHECK = """
INSERT INTO sgpos.audit_chain_check (till_id, epoch, verified_seq, verified_hash, head_seq)
SELECT till_id, epoch, 0, repeat('0', 64), max(seq)
FROM sgpos.audit_record
GROUP BY till_id, epoch
"""

REOPEN_AUDIT_CHAIN = """
CREATE FUNCTION sgpos.reopen_audit_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
-- A stored audit record changed or vanished: its chain is verified only up to the record
-- before it again, so the next look re-hashes from there and names the first broken link.
DECLARE
    moved record;
BEGIN
    FOR moved IN
        SELECT OLD.till_id AS till_id, OLD.epoch AS epoch, OLD.seq AS seq
        UNION ALL
        SELECT NEW.till_id, NEW.epoch, NEW.seq WHERE TG_OP = 'UPDATE'
    LOOP
        UPDATE sgpos.audit_chain_check AS c
           SET verified_seq = moved.seq - 1,
               verified_hash = coalesce(
                   (SELECT r.hash FROM sgpos.audit_record AS r
                     WHERE r.till_id = moved.till_id AND r.epoch = moved.epoch
                       AND r.seq = moved.seq - 1),
                   repeat('0', 64)),
               verified_at = now()
         WHERE c.till_id = moved.till_id AND c.epoch = moved.epoch
           AND c.verified_seq >= moved.seq;
    END LOOP;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "sales_by_hour",
        *_key(),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("sales_count", sa.Integer(), nullable=False),
        _money("sales_total"),
        _money("sales_gst"),
        _money("sales_rounding"),
        sa.Column("refund_count", sa.Integer(), nullable=False),
        _money("refund_total"),
        _money("refund_gst"),
        _money("refund_rounding"),
        sa.PrimaryKeyConstraint(
            "outlet_id", "business_date", "hour", name=op.f("pk_sales_by_hour")
        ),
        schema=SCHEMA,
    )
    op.create_table(
        "sales_by_tax",
        *_key(),
        sa.Column("tax_code", sa.String(2), nullable=False),
        sa.Column("gst_rate", sa.Numeric(5, 2), nullable=False),
        _money("sales_amount"),
        _money("sales_gst"),
        _money("refund_amount"),
        _money("refund_gst"),
        sa.PrimaryKeyConstraint(
            "outlet_id", "business_date", "tax_code", "gst_rate", name=op.f("pk_sales_by_tax")
        ),
        schema=SCHEMA,
    )
    op.create_table(
        "sales_by_tender",
        *_key(),
        sa.Column("tender_type", sa.String(10), nullable=False),
        _money("sales_amount"),
        _money("refund_amount"),
        sa.PrimaryKeyConstraint(
            "outlet_id", "business_date", "tender_type", name=op.f("pk_sales_by_tender")
        ),
        schema=SCHEMA,
    )
    op.create_table(
        "audit_chain_check",
        sa.Column("till_id", sa.UUID(), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("verified_seq", sa.BigInteger(), nullable=False),
        sa.Column("verified_hash", sa.String(64), nullable=False),
        sa.Column("head_seq", sa.BigInteger(), nullable=False),
        sa.Column(
            "verified_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
        sa.PrimaryKeyConstraint("till_id", "epoch", name=op.f("pk_audit_chain_check")),
        schema=SCHEMA,
    )
    op.drop_index(op.f("ix_sale_till_id"), table_name="sale", schema=SCHEMA)
    for columns in SALE_INDEXES:
        op.create_index(op.f(f"ix_sale_{'_'.join(columns)}"), "sale", list(columns), schema=SCHEMA)
    op.create_index(
        op.f("ix_audit_record_occurred_at"), "audit_record", ["occurred_at"], schema=SCHEMA
    )
    for statement in (
        FILL_SALES_BY_HOUR,
        FILL_SALES_BY_TAX,
        FILL_SALES_BY_TENDER,
        FILL_AUDIT_CHAIN_CHECK,
        REOPEN_AUDIT_CHAIN,
    ):
        op.execute(statement)
    op.execute(
        f"CREATE TRIGGER reopen_audit_chain AFTER UPDATE OR DELETE ON {SCHEMA}.audit_record "
        f"FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.reopen_audit_chain()"
    )


def downgrade() -> None:
    op.execute(f"DROP TRIGGER reopen_audit_chain ON {SCHEMA}.audit_record")
    op.execute(f"DROP FUNCTION {SCHEMA}.reopen_audit_chain()")
    op.drop_index(op.f("ix_audit_record_occurred_at"), table_name="audit_record", schema=SCHEMA)
    for columns in SALE_INDEXES:
        op.drop_index(op.f(f"ix_sale_{'_'.join(columns)}"), table_name="sale", schema=SCHEMA)
    op.create_index(op.f("ix_sale_till_id"), "sale", ["till_id"], schema=SCHEMA)
    for table in ("audit_chain_check", "sales_by_tender", "sales_by_tax", "sales_by_hour"):
        op.drop_table(table, schema=SCHEMA)
