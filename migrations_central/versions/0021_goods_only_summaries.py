"""The breakdown summaries filled again from the facts, goods only.

Revision ID: 0021_goods_only_summaries
Revises: 0020_member_pull
Create Date: 2026-12-05

Ingest now adds goods only to ``sales_by_item``, ``sales_by_item_month`` and
``sales_by_staff`` (``sync_service.central.summaries.is_goods``): a gift voucher sold is not a
supply of goods, so its line, a refund line naming it and a sale of nothing but vouchers stay
out of them. Earlier releases summed vouchers in (revision 0019's fill did too): under the
voucher's batch as a product in the item rows, and mixed into the till, staff and hour rows,
so the breakdowns of those days still counted them. This revision empties the three tables
and fills them again from the sale and refund lines under the goods rule: the rows a fresh
ingest of the same events makes, figures, transactions, cost, refund cost and uncosted lines
alike. A product's rows are under the category it has now, as a fresh ingest would put them
(ingest keeps the category a product had at a day's first fact; a product moved since then
counts in its new category for its earlier days too).

The statements below are the one definition of that fill: ``bench/dashboard_data.py`` runs
them for its generated year, narrowed to one outlet and a few days at a time through the
``{sales}``, ``{refunds}`` and ``{items}`` conditions (here: every fact). They are a frozen
copy of the rule, not an import of it, so this revision runs the same whatever the code
around it becomes.

Time, the whole upgrade in one transaction on the shared development machine, on data sets
of ``bench.dashboard_data``: 1.9 s for 198,000 sale lines (2 outlets, 100 days, 66,000 sales,
674 refunds); 31 s for 2 million (4 outlets, a year, 5,000 products: 2 million item rows).

Not online-safe: a server of the previous release would go on adding vouchers to the rows
just filled, and ``TRUNCATE`` holds the three tables for the whole fill, so a report waits.
Stop head office's servers, back up, migrate, start the new release; tills keep selling
meanwhile and catch up.

Downgrade changes nothing: a fill cannot be undone meaningfully, and the previous release
reads goods-only rows as they are (it would add the vouchers it ingests from then on).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0021_goods_only_summaries"
down_revision: str | Sequence[str] | None = "0020_member_pull"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

online_safe = False

# The facts every statement reads here: all of them.
EVERY = {"sales": "true", "refunds": "true", "items": "true"}

# A line is goods unless it sold a gift voucher; a refund line is goods unless it names such a
# line (a till refuses that refund; one may send it anyway). A weighed line counts as one
# item. A sale counts once per product and once per category on its first goods line of that
# category (no category being one of its own), as ingest credits it. ``{sales}`` narrows the
# sales (alias ``s``) and ``{refunds}`` the refunds (alias ``r``) read.
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
    WHERE l.voucher_serial IS NULL AND ({sales})
    UNION ALL
    SELECT r.outlet_id, r.business_date, rl.product_id, 0, 0, 0, 0, 0, 0, rl.amount, rl.gst,
           0, coalesce(rl.cost, 0), CASE WHEN rl.cost IS NULL THEN 1 ELSE 0 END
    FROM sgpos.refund AS r JOIN sgpos.refund_line AS rl ON rl.refund_id = r.refund_id
    WHERE NOT EXISTS (SELECT 1 FROM sgpos.sale_line AS v
                       WHERE v.line_id = rl.line_id AND v.voucher_serial IS NOT NULL)
      AND ({refunds})
) AS f
LEFT JOIN sgpos.product AS p ON p.product_id = f.product_id
GROUP BY f.outlet_id, f.business_date, f.product_id, p.category_id
"""

# From the day rows just filled (``{items}`` narrows them); the category of the month's first
# day, as ingest keeps it.
FILL_SALES_BY_ITEM_MONTH = """
INSERT INTO sgpos.sales_by_item_month
    (outlet_id, month, product_id, category_id, quantity, sales, category_sales,
     amount, discount, gst, refund_amount, refund_gst, cost, refund_cost, uncosted)
SELECT outlet_id, date_trunc('month', business_date)::date, product_id,
       (array_agg(category_id ORDER BY business_date))[1],
       sum(quantity), sum(sales), sum(category_sales), sum(amount), sum(discount), sum(gst),
       sum(refund_amount), sum(refund_gst), sum(cost), sum(refund_cost), sum(uncosted)
FROM sgpos.sales_by_item
WHERE {items}
GROUP BY 1, 2, 3
"""

# A sale is one transaction on the row of its till, staff member and Singapore hour, counted
# on its first goods line; a sale or refund of vouchers alone is on no row.
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
           CASE WHEN l.position = min(l.position) OVER (PARTITION BY l.sale_id)
                THEN 1 ELSE 0 END AS sales,
           l.amount, l.line_discount + l.cart_discount AS discount, l.gst,
           0 AS refund_amount, 0 AS refund_gst, coalesce(l.cost, 0) AS cost, 0 AS refund_cost,
           CASE WHEN l.cost IS NULL THEN 1 ELSE 0 END AS uncosted
    FROM sgpos.sale AS s JOIN sgpos.sale_line AS l ON l.sale_id = s.sale_id
    WHERE l.voucher_serial IS NULL AND ({sales})
    UNION ALL
    SELECT r.outlet_id, r.business_date, r.till_id, r.cashier_id,
           extract(hour FROM r.refunded_at AT TIME ZONE 'Asia/Singapore')::smallint,
           0, 0, 0, 0, 0, rl.amount, rl.gst, 0, coalesce(rl.cost, 0),
           CASE WHEN rl.cost IS NULL THEN 1 ELSE 0 END
    FROM sgpos.refund AS r JOIN sgpos.refund_line AS rl ON rl.refund_id = r.refund_id
    WHERE NOT EXISTS (SELECT 1 FROM sgpos.sale_line AS v
                       WHERE v.line_id = rl.line_id AND v.voucher_serial IS NOT NULL)
      AND ({refunds})
) AS facts
GROUP BY outlet_id, business_date, till_id, cashier_id, hour
"""


def upgrade() -> None:
    op.execute("TRUNCATE sgpos.sales_by_item, sgpos.sales_by_item_month, sgpos.sales_by_staff")
    op.execute(FILL_SALES_BY_ITEM.format_map(EVERY))
    op.execute(FILL_SALES_BY_ITEM_MONTH.format_map(EVERY))
    op.execute(FILL_SALES_BY_STAFF.format_map(EVERY))


def downgrade() -> None:
    # Nothing to undo: the rows stay goods only (see the module's docstring).
    pass
