"""Summaries for the sales breakdowns: per product and day, and per till, staff and hour.

Revision ID: 0019_sales_summary
Revises: 0018_variants
Create Date: 2026-12-05

The breakdowns by item, category, outlet, till, staff, hour, day, week and month summed the
sale lines of the period: about 5 s for a year on a million lines. Ingest now keeps, in the
transaction that stores the facts (``sync_service.central.summaries``):

- ``sales_by_item``: per outlet, business date and product: quantity, the sales holding the
  product, the sales it stands for in its category, amount, discount, GST, refunds, the cost
  of goods sold and the cost refunds gave back (each line's ``cost``, migration 0015_cost),
  and how many lines had no cost;
- ``sales_by_item_month``: ``sales_by_item`` per calendar month, for the whole months of a
  long period (a twentieth of the rows);
- ``sales_by_staff``: per outlet, business date, till, staff member and Singapore hour: the
  same figures, a sale on exactly one row, a refund on its own till and staff member's row.

The upgrade fills both from the facts already stored.

Not online-safe: a server of the previous release would keep storing sales without adding
them to the new summaries, so the figures would fall short for good. Stop head office's
servers, back up, migrate, start; tills keep selling meanwhile and catch up.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0019_sales_summary"
down_revision: str | Sequence[str] | None = "0018_variants"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

online_safe = False

SCHEMA = "sgpos"
Col = sa.Column[Any]

# A weighed line counts as one item; a sale counts once per product, and once per category
# on its first line of that category (no category being one of its own), as ingest does.
FILL_SALES_BY_ITEM = """
INSERT INTO sgpos.sales_by_item
    (outlet_id, business_date, product_id, category_id, quantity, sales, category_sales,
     amount, discount, gst, refund_amount, refund_gst, cost, refund_cost, uncosted)
SELECT f.outlet_id, f.business_date, f.product_id, p.category_id,
       sum(f.quantity), sum(f.sales), sum(f.category_sales), sum(f.amount), sum(f.discount),
       sum(f.gst), sum(f.refund_amount), sum(f.refund_gst), sum(f.cost), sum(f.refund_cost),
       sum(f.uncosted)
FROM (
    SELECT s.outlet_id, s.business_date, l.product_id,
           CASE WHEN l.weighed THEN 1 ELSE l.quantity END AS quantity,
           CASE WHEN l.position = min(l.position) OVER (PARTITION BY l.sale_id, l.product_id)
                THEN 1 ELSE 0 END AS sales,
           CASE WHEN l.position = min(l.position) OVER (PARTITION BY l.sale_id, c.category_id)
                THEN 1 ELSE 0 END AS category_sales,
           l.amount, l.line_discount + l.cart_discount AS discount, l.gst,
           0 AS refund_amount, 0 AS refund_gst, coalesce(l.cost, 0) AS cost, 0 AS refund_cost,
           CASE WHEN l.cost IS NULL THEN 1 ELSE 0 END AS uncosted
    FROM sgpos.sale AS s
    JOIN sgpos.sale_line AS l ON l.sale_id = s.sale_id
    LEFT JOIN sgpos.product AS c ON c.product_id = l.product_id
    UNION ALL
    SELECT r.outlet_id, r.business_date, rl.product_id, 0, 0, 0, 0, 0, 0, rl.amount, rl.gst,
           0, coalesce(rl.cost, 0), CASE WHEN rl.cost IS NULL THEN 1 ELSE 0 END
    FROM sgpos.refund AS r JOIN sgpos.refund_line AS rl ON rl.refund_id = r.refund_id
) AS f
LEFT JOIN sgpos.product AS p ON p.product_id = f.product_id
GROUP BY f.outlet_id, f.business_date, f.product_id, p.category_id
"""

# From the day rows just filled; the category of the month's first day, as ingest keeps it.
FILL_SALES_BY_ITEM_MONTH = """
INSERT INTO sgpos.sales_by_item_month
    (outlet_id, month, product_id, category_id, quantity, sales, category_sales,
     amount, discount, gst, refund_amount, refund_gst, cost, refund_cost, uncosted)
SELECT outlet_id, date_trunc('month', business_date)::date, product_id,
       (array_agg(category_id ORDER BY business_date))[1],
       sum(quantity), sum(sales), sum(category_sales), sum(amount), sum(discount), sum(gst),
       sum(refund_amount), sum(refund_gst), sum(cost), sum(refund_cost), sum(uncosted)
FROM sgpos.sales_by_item
GROUP BY 1, 2, 3
"""

FILL_SALES_BY_STAFF = """
INSERT INTO sgpos.sales_by_staff
    (outlet_id, business_date, till_id, cashier_id, hour, quantity, sales, amount, discount,
     gst, refund_amount, refund_gst, cost, refund_cost, uncosted)
SELECT outlet_id, business_date, till_id, cashier_id, hour, sum(quantity), sum(sales),
       sum(amount), sum(discount), sum(gst), sum(refund_amount), sum(refund_gst), sum(cost),
       sum(refund_cost), sum(uncosted)
FROM (
    SELECT s.outlet_id, s.business_date, s.till_id, s.cashier_id,
           extract(hour FROM s.sold_at AT TIME ZONE 'Asia/Singapore')::smallint AS hour,
           CASE WHEN l.weighed THEN 1 ELSE l.quantity END AS quantity,
           CASE WHEN l.position = 0 THEN 1 ELSE 0 END AS sales,
           l.amount, l.line_discount + l.cart_discount AS discount, l.gst,
           0 AS refund_amount, 0 AS refund_gst, coalesce(l.cost, 0) AS cost, 0 AS refund_cost,
           CASE WHEN l.cost IS NULL THEN 1 ELSE 0 END AS uncosted
    FROM sgpos.sale AS s JOIN sgpos.sale_line AS l ON l.sale_id = s.sale_id
    UNION ALL
    SELECT r.outlet_id, r.business_date, r.till_id, r.cashier_id,
           extract(hour FROM r.refunded_at AT TIME ZONE 'Asia/Singapore')::smallint,
           0, 0, 0, 0, 0, rl.amount, rl.gst, 0, coalesce(rl.cost, 0),
           CASE WHEN rl.cost IS NULL THEN 1 ELSE 0 END
    FROM sgpos.refund AS r JOIN sgpos.refund_line AS rl ON rl.refund_id = r.refund_id
) AS facts
GROUP BY outlet_id, business_date, till_id, cashier_id, hour
"""


def _sum(name: str) -> Col:
    return sa.Column(name, sa.Numeric(), nullable=False)


def _figures() -> list[Col]:
    return [
        _sum("amount"),
        _sum("discount"),
        _sum("gst"),
        _sum("refund_amount"),
        _sum("refund_gst"),
        _sum("cost"),
        _sum("refund_cost"),
        sa.Column("uncosted", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "sales_by_item",
        sa.Column("outlet_id", sa.UUID(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column("category_id", sa.UUID(), nullable=True),
        _sum("quantity"),
        sa.Column("sales", sa.Integer(), nullable=False),
        sa.Column("category_sales", sa.Integer(), nullable=False),
        *_figures(),
        # Date first: a report's period is a range of dates over every outlet or a few.
        sa.PrimaryKeyConstraint(
            "business_date", "outlet_id", "product_id", name=op.f("pk_sales_by_item")
        ),
        schema=SCHEMA,
    )
    op.create_table(
        "sales_by_item_month",
        sa.Column("outlet_id", sa.UUID(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column("category_id", sa.UUID(), nullable=True),
        _sum("quantity"),
        sa.Column("sales", sa.Integer(), nullable=False),
        sa.Column("category_sales", sa.Integer(), nullable=False),
        *_figures(),
        sa.PrimaryKeyConstraint(
            "month", "outlet_id", "product_id", name=op.f("pk_sales_by_item_month")
        ),
        schema=SCHEMA,
    )
    op.create_table(
        "sales_by_staff",
        sa.Column("outlet_id", sa.UUID(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("till_id", sa.UUID(), nullable=False),
        sa.Column("cashier_id", sa.UUID(), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        _sum("quantity"),
        sa.Column("sales", sa.Integer(), nullable=False),
        *_figures(),
        sa.PrimaryKeyConstraint(
            "business_date",
            "outlet_id",
            "till_id",
            "cashier_id",
            "hour",
            name=op.f("pk_sales_by_staff"),
        ),
        schema=SCHEMA,
    )
    op.execute(FILL_SALES_BY_ITEM)
    op.execute(FILL_SALES_BY_ITEM_MONTH)
    op.execute(FILL_SALES_BY_STAFF)


def downgrade() -> None:
    op.drop_table("sales_by_staff", schema=SCHEMA)
    op.drop_table("sales_by_item_month", schema=SCHEMA)
    op.drop_table("sales_by_item", schema=SCHEMA)
