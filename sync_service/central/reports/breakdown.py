"""Sales broken down by one dimension: item, category, outlet, till, staff, hour, day, week or
month, with quantity, transactions, revenue, discount, GST, refunds, cost and margin per row.

Figures come from the summaries ingest keeps of the sale and refund lines, per product and
day and per till, staff member, day and hour (``sync_service.central.summaries``), so a
three-year period sums summary rows instead of millions of lines. Sales are dated by when
they were sold, refunds by when they were refunded (as in the GST report and the journal); a
refund is put on the row of the item, category, outlet and till it refunded, and on the staff
member who paid it out. Quantities are sold units; a weighed line counts as one item (its
kilograms are not units). A product counts in the category it had when the day's first sale
or refund of it reached head office; lines of products head office does not know fall under
"No category".

Cost is the cost of goods sold that head office booked on each sale line when it stored it
(the outlet's moving average then, ``sync_service.central.costing``), less the cost given back
by refunds (the sale's cost); margin is revenue excluding GST, net of refunds, less that cost.
A line with no cost (a product never received with a cost and without a catalogue cost price,
or stored before costs were kept) counts as costing nothing: ``uncosted`` says how many.

Goods only: a gift voucher sold is not a supply of goods (docs/customers.md), so its line, a
refund of it and a sale of nothing else count on no row and in no total here. The money taken
for it is in the takings (overview, tenders, daily trend) and in the voucher liability.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, text

from sync_service.central.reports.common import ZERO, Period, ReportError, Scope, dollars

# The dimension's name, as the page offers it.
DIMENSIONS: dict[str, str] = {
    "item": "Item",
    "category": "Category",
    "outlet": "Outlet",
    "till": "Till",
    "staff": "Staff",
    "hour": "Hour of day",
    "day": "Day",
    "week": "Week (from Monday)",
    "month": "Month",
}
ORDERS: dict[str, str] = {
    "top": "Top sellers first (revenue)",
    "bottom": "Bottom sellers first (revenue)",
    "quantity": "Most items first",
    "margin": "Highest margin first",
    "name": "By name, date or hour",
}
TIME_DIMENSIONS = frozenset({"hour", "day", "week", "month"})

# Per dimension: the summary it reads (``sales_by_item`` for products and categories,
# ``sales_by_staff`` for the rest, both kept by ingest: ``sync_service.central.summaries``),
# the row's key there, the column counting its transactions; then, after grouping, the joins
# that name each group and the key text and label they give it. Names are looked up once per
# row of the report, not once per summary row.
_KEYS: dict[str, tuple[str, str, str, str, str, str]] = {
    # dimension: (summary, key, transactions, join after grouping, key text, label)
    "item": (
        "sales_by_item",
        "b.product_id",
        "b.sales",
        "LEFT JOIN sgpos.product p ON p.product_id = g.k",
        "g.k::text",
        # A product no longer in the catalogue: the name its receipts printed.
        "coalesce(p.name, (SELECT x.name FROM sgpos.sale_line x WHERE x.product_id = g.k "
        "LIMIT 1), (SELECT y.name FROM sgpos.refund_line y WHERE y.product_id = g.k LIMIT 1))",
    ),
    "category": (
        "sales_by_item",
        "b.category_id",
        # Each sale once per category: on its first line of that category.
        "b.category_sales",
        "LEFT JOIN sgpos.category c ON c.category_id = g.k",
        "coalesce(g.k::text, '')",
        "coalesce(c.name, 'No category')",
    ),
    "outlet": (
        "sales_by_staff",
        "b.outlet_id",
        "b.sales",
        "LEFT JOIN sgpos.outlet o ON o.outlet_id = g.k",
        "g.k::text",
        "o.code || ' · ' || o.name",
    ),
    "till": (
        "sales_by_staff",
        "b.till_id",
        "b.sales",
        "LEFT JOIN sgpos.till t ON t.till_id = g.k "
        "LEFT JOIN sgpos.outlet o ON o.outlet_id = t.outlet_id",
        "g.k::text",
        "o.code || '-' || t.code",
    ),
    "staff": (
        "sales_by_staff",
        "b.cashier_id",
        "b.sales",
        "LEFT JOIN sgpos.staff st ON st.staff_id = g.k",
        "g.k::text",
        "st.display_name || ' (' || st.code || ')'",
    ),
    "hour": (
        "sales_by_staff",
        "b.hour",
        "b.sales",
        "",
        "lpad(g.k::text, 2, '0')",
        "lpad(g.k::text, 2, '0')",
    ),
    "day": ("sales_by_staff", "b.business_date", "b.sales", "", "g.k::text", "g.k::text"),
    "week": (
        "sales_by_staff",
        "date_trunc('week', b.business_date)::date",
        "b.sales",
        "",
        "g.k::text",
        "g.k::text",
    ),
    "month": (
        "sales_by_staff",
        "to_char(b.business_date, 'YYYY-MM')",
        "b.sales",
        "",
        "g.k",
        "g.k",
    ),
}
_ITEM_COLUMNS = (
    "outlet_id, product_id, category_id, quantity, sales, category_sales, amount, discount, "
    "gst, refund_amount, refund_gst, cost, refund_cost, uncosted"
)
# The days before the first whole month and after the last one: two date ranges of the
# (business_date, ...) key, so neither reads the days the months already hold.
_ITEMS = f"""(
    SELECT {_ITEM_COLUMNS} FROM sgpos.sales_by_item
     WHERE business_date >= :first AND business_date < least(:months_from, :last + 1)
    UNION ALL
    SELECT {_ITEM_COLUMNS} FROM sgpos.sales_by_item
     WHERE business_date >= greatest(:months_to, :first) AND business_date <= :last
       AND :months_from < :months_to
    UNION ALL
    SELECT {_ITEM_COLUMNS} FROM sgpos.sales_by_item_month
     WHERE month >= :months_from AND month < :months_to
) b WHERE true"""  # noqa: S608 - constants only


def _whole_months(period: Period) -> tuple[date, date]:
    """[first day of the first whole month, first day after the last one); when the period
    holds no whole calendar month, empty (equal ends) just after the period."""
    first = period.start
    if first.day != 1:
        first = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    after = (period.end + timedelta(days=1)).replace(day=1)
    if first < after:
        return first, after
    none = period.end + timedelta(days=1)
    return none, none


# Dimensions where a sale falls on exactly one row.
_ONE_ROW_PER_SALE = frozenset({"outlet", "till", "staff", "hour", "day", "week", "month"})

# Grouping and sorting a year's lines in memory rather than in temporary files.
REPORT_WORK_MEM = "64MB"


@dataclass(frozen=True)
class BreakdownRow:
    """One row. ``revenue`` is what customers paid for the lines, GST included, before cash
    rounding; ``discount`` the line and cart discounts given on them; ``refunds`` what was
    refunded (GST included) in the period; ``net`` = revenue less refunds."""

    key: str
    label: str
    quantity: Decimal
    transactions: int
    revenue: Decimal
    discount: Decimal
    gst: Decimal
    refunds: Decimal
    refund_gst: Decimal
    # Cost of goods sold on the row's sale lines, the cost its refunds gave back, and how many
    # of its lines had no cost.
    sold_cost: Decimal = ZERO
    refund_cost: Decimal = ZERO
    uncosted: int = 0

    @property
    def revenue_excl_gst(self) -> Decimal:
        return self.revenue - self.gst

    @property
    def net_excl_gst(self) -> Decimal:
        """Revenue excluding GST, net of refunds (excluding their GST)."""
        return self.revenue - self.gst - (self.refunds - self.refund_gst)

    @property
    def cost(self) -> Decimal:
        """Cost of goods sold, net of the cost refunds gave back."""
        return self.sold_cost - self.refund_cost

    @property
    def margin(self) -> Decimal:
        return self.net_excl_gst - self.cost

    @property
    def margin_percent(self) -> Decimal | None:
        """Margin as a percentage of revenue excluding GST (None without revenue)."""
        if self.net_excl_gst == 0:
            return None
        return (self.margin * 100 / self.net_excl_gst).quantize(Decimal("0.1"))

    @property
    def net(self) -> Decimal:
        return self.revenue - self.refunds

    @property
    def uuid(self) -> uuid.UUID | None:
        """The product, outlet, till or staff member the row is about (for links)."""
        try:
            return uuid.UUID(self.key)
        except ValueError:
            return None


@dataclass(frozen=True)
class Breakdown:
    """Every row of the period (``rows``, in the order asked for) and their sums (``total``:
    transactions counts each sale once even when its lines fall on several rows)."""

    period: Period
    dimension: str
    order: str
    rows: tuple[BreakdownRow, ...]
    total: BreakdownRow

    @property
    def count(self) -> int:
        return len(self.rows)


def _check(dimension: str, order: str) -> None:
    if dimension not in DIMENSIONS:
        raise ReportError(
            f"unknown breakdown {dimension!r}: choose one of " + ", ".join(DIMENSIONS)
        )
    if order not in ORDERS:
        raise ReportError(f"unknown order {order!r}: choose one of " + ", ".join(ORDERS))


def _scope_sql(scope: Scope, alias: str, params: dict[str, Any]) -> str:
    if scope.outlet_ids is None:
        return ""
    if not scope.outlet_ids:
        return "AND false"
    params["outlets"] = sorted(scope.outlet_ids)
    return f"AND {alias}.outlet_id = ANY(:outlets)"


def _sort_key(order: str, dimension: str) -> Any:
    if order == "top":
        return lambda r: (-r.revenue, r.label, r.key)
    if order == "bottom":
        return lambda r: (r.revenue, r.label, r.key)
    if order == "quantity":
        return lambda r: (-r.quantity, r.label, r.key)
    if order == "margin":
        return lambda r: (-r.margin, r.label, r.key)
    if dimension in TIME_DIMENSIONS:
        return lambda r: r.key
    return lambda r: (r.label.casefold(), r.key)


def sales_breakdown(
    conn: Connection,
    scope: Scope,
    period: Period,
    dimension: str = "item",
    order: str = "top",
) -> Breakdown:
    """Sales and refunds of ``period`` in ``scope`` grouped by ``dimension``, sorted by
    ``order`` (see ``DIMENSIONS`` and ``ORDERS``); ReportError for an unknown choice."""
    _check(dimension, order)
    params: dict[str, Any] = {"first": period.start, "last": period.end}
    summary, group_key, transactions, after, key, label = _KEYS[dimension]
    one_row = dimension in _ONE_ROW_PER_SALE
    # Sales are dated by when they were sold, refunds by when they were refunded: the summary
    # rows' business date is each fact's own. The SQL is put together only from the
    # constants above; every value is a bound parameter.
    if summary == "sales_by_item":
        # Whole calendar months from the month rollup, the days either side from day rows.
        params["months_from"], params["months_to"] = _whole_months(period)
        source = _ITEMS
    else:
        source = f"sgpos.{summary} b WHERE b.business_date BETWEEN :first AND :last"
    sql = f"""
        WITH g AS (
            SELECT {group_key} AS k, sum(b.quantity) AS quantity,
                   sum({transactions}) AS transactions, sum(b.amount) AS amount,
                   sum(b.discount) AS discount, sum(b.gst) AS gst,
                   sum(b.refund_amount) AS refund_amount, sum(b.refund_gst) AS refund_gst,
                   sum(b.cost) AS cost, sum(b.refund_cost) AS refund_cost,
                   sum(b.uncosted) AS uncosted
              FROM {source} {_scope_sql(scope, "b", params)}
             GROUP BY 1
        )
        SELECT {key}, {label}, g.quantity, g.transactions, g.amount, g.discount, g.gst,
               g.refund_amount, g.refund_gst, g.cost, g.refund_cost, g.uncosted
          FROM g {after}
        """  # noqa: S608
    conn.execute(text("SELECT set_config('work_mem', :mem, true)"), {"mem": REPORT_WORK_MEM})
    rows = conn.execute(text(sql), params).all()
    found = [
        BreakdownRow(
            key=k or "",
            label=f"{lbl}:00" if dimension == "hour" and lbl else lbl or f"Unknown {dimension}",
            quantity=Decimal(qty or 0),
            transactions=int(n or 0),
            revenue=dollars(amount),
            discount=dollars(discount),
            gst=dollars(gst),
            refunds=dollars(refunds),
            refund_gst=dollars(refund_gst),
            sold_cost=dollars(cost),
            refund_cost=dollars(refund_cost),
            uncosted=int(uncosted or 0),
        )
        for (
            k,
            lbl,
            qty,
            n,
            amount,
            discount,
            gst,
            refunds,
            refund_gst,
            cost,
            refund_cost,
            uncosted,
        ) in rows
    ]
    # Every sale once, even when its lines fall on several rows (a sale of two items).
    sold = sum(r.transactions for r in found) if one_row else _sales_count(conn, scope, period)
    total = BreakdownRow(
        "",
        "Total",
        sum((r.quantity for r in found), Decimal(0)),
        sold,
        sum((r.revenue for r in found), ZERO),
        sum((r.discount for r in found), ZERO),
        sum((r.gst for r in found), ZERO),
        sum((r.refunds for r in found), ZERO),
        sum((r.refund_gst for r in found), ZERO),
        sum((r.sold_cost for r in found), ZERO),
        sum((r.refund_cost for r in found), ZERO),
        sum(r.uncosted for r in found),
    )
    found.sort(key=_sort_key(order, dimension))
    return Breakdown(period, dimension, order, tuple(found), total)


def _sales_count(conn: Connection, scope: Scope, period: Period) -> int:
    params: dict[str, Any] = {"first": period.start, "last": period.end}
    where = _scope_sql(scope, "b", params)
    sql = (
        "SELECT coalesce(sum(b.sales), 0) FROM sgpos.sales_by_staff b "
        "WHERE b.business_date BETWEEN :first AND :last "
    )
    found = conn.execute(text(sql + where), params).scalar_one()
    return int(found)
