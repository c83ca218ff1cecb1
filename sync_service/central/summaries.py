"""The dashboard's summaries, moved by exactly what one push adds.

Projections call ``add_sale`` / ``add_refund`` only for facts whose insert succeeded in this
transaction (a duplicate or a conflicting fact is never added), and ``flush`` writes every
touched summary row once, in key order, in the same transaction. Key order matters: two
pushes of the same outlet lock the same rows, and locking them in one order means they queue
instead of deadlocking.

``sales_by_item`` and ``sales_by_staff`` (migration 0019) carry what the sales breakdowns
show (quantity, transactions, revenue, discount, GST, refunds, and the cost of goods sold and
given back by refunds with the count of lines without a cost) per product and day, and per
till, staff member, day and hour, so a year's breakdown sums a few hundred thousand rows at
most instead of millions of sale lines.

Those two count goods only. A gift voucher sold is money taken for a promise, not a supply of
goods (docs/customers.md): its line (``voucher_serial`` set) and a refund line naming it stay
out of ``sales_by_item`` and ``sales_by_staff``, and a sale with no other line is no
transaction there (migration 0021 filled both again from the facts by this rule, for the
days an earlier release summed vouchers in). The takings summaries (``sales_by_hour``,
``sales_by_tax`` and ``sales_by_tender``) count every line and every sale: the money was taken.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, text

from shared.gst import SINGAPORE
from shared.protocol import RefundCompletedV1, SaleCompletedV1, SaleLineV1
from sync_service.central import models as m
from sync_service.central.bulk import bulk_insert


def _t(model: type[m.Base]) -> Table:
    t = model.__table__
    assert isinstance(t, Table)
    return t


BY_HOUR, BY_TAX, BY_TENDER = _t(m.SalesByHour), _t(m.SalesByTax), _t(m.SalesByTender)
BY_ITEM, BY_STAFF = _t(m.SalesByItem), _t(m.SalesByStaff)
BY_ITEM_MONTH = _t(m.SalesByItemMonth)
_HOUR_SUMS = (
    "sales_count",
    "sales_total",
    "sales_gst",
    "sales_rounding",
    "refund_count",
    "refund_total",
    "refund_gst",
    "refund_rounding",
)
_TAX_SUMS = ("sales_amount", "sales_gst", "refund_amount", "refund_gst")
_TENDER_SUMS = ("sales_amount", "refund_amount")
_ITEM_SUMS = (
    "quantity",
    "sales",
    "category_sales",
    "amount",
    "discount",
    "gst",
    "refund_amount",
    "refund_gst",
    "cost",
    "refund_cost",
    "uncosted",
)
_STAFF_SUMS = (
    "quantity",
    "sales",
    "amount",
    "discount",
    "gst",
    "refund_amount",
    "refund_gst",
    "cost",
    "refund_cost",
    "uncosted",
)

HourKey = tuple[uuid.UUID, date, int]
TaxKey = tuple[uuid.UUID, date, str, Decimal]
TenderKey = tuple[uuid.UUID, date, str]
ItemKey = tuple[uuid.UUID, date, uuid.UUID]
StaffKey = tuple[uuid.UUID, date, uuid.UUID, uuid.UUID, int]


def is_goods(line: SaleLineV1) -> bool:
    """Whether a sale line supplied goods: every line but a gift voucher sold."""
    return line.voucher_serial is None


def _zeros(n: int) -> list[Decimal]:
    return [Decimal(0)] * n


@dataclass
class SummaryDeltas:
    """What this push adds to each summary row."""

    by_hour: dict[HourKey, list[Decimal]] = field(default_factory=lambda: defaultdict(_hours))
    by_tax: dict[TaxKey, list[Decimal]] = field(default_factory=lambda: defaultdict(_taxes))
    by_tender: dict[TenderKey, list[Decimal]] = field(default_factory=lambda: defaultdict(_tenders))
    by_item: dict[ItemKey, list[Decimal]] = field(default_factory=lambda: defaultdict(_items))
    by_staff: dict[StaffKey, list[Decimal]] = field(default_factory=lambda: defaultdict(_staff))
    # Per sale, its products in line order: which product stands for the sale in each category
    # is known only once the categories are read, at flush.
    sold_products: list[tuple[uuid.UUID, date, list[uuid.UUID]]] = field(default_factory=list)

    def add_sale(
        self,
        outlet_id: uuid.UUID,
        till_id: uuid.UUID,
        sale: SaleCompletedV1,
        costs: Sequence[Decimal | None],
    ) -> None:
        """``costs``: each line's cost of goods sold as stored on it (None: not costed)."""
        local = sale.sold_at.astimezone(SINGAPORE)
        day = local.date()
        goods = [
            (line, cost) for line, cost in zip(sale.lines, costs, strict=True) if is_goods(line)
        ]
        # A sale of vouchers alone is on no staff row, not even one of zeros (the breakdowns
        # by staff and hour would list it as a line of nothing); it adds to no figure below.
        staff = _staff()
        if goods:
            staff = self.by_staff[(outlet_id, day, till_id, sale.cashier_id, local.hour)]
            staff[1] += 1
        seen: set[uuid.UUID] = set()
        for line, cost in goods:
            # A weighed line is one item: its kilograms are not units.
            quantity = Decimal(1) if line.weighed else line.quantity
            discount = line.line_discount + line.cart_discount
            item = self.by_item[(outlet_id, day, line.product_id)]
            item[0] += quantity
            if line.product_id not in seen:
                seen.add(line.product_id)
                item[1] += 1
            item[3] += line.amount
            item[4] += discount
            item[5] += line.gst
            staff[0] += quantity
            staff[2] += line.amount
            staff[3] += discount
            staff[4] += line.gst
            if cost is None:
                item[10] += 1
                staff[9] += 1
            else:
                item[8] += cost
                staff[7] += cost
        self.sold_products.append((outlet_id, day, [line.product_id for line, _ in goods]))
        hour = self.by_hour[(outlet_id, day, local.hour)]
        hour[0] += 1
        hour[1] += sale.total
        hour[2] += sale.gst_total
        hour[3] += sale.rounding
        for line in sale.lines:
            tax = self.by_tax[(outlet_id, day, line.tax_code, line.gst_rate)]
            tax[0] += line.amount
            tax[1] += line.gst
        for tender in sale.tenders:
            self.by_tender[(outlet_id, day, tender.type)][0] += tender.amount
        if sale.change:
            # Change is given in cash: cash taken is what was handed over less change.
            self.by_tender[(outlet_id, day, "cash")][0] -= sale.change

    def add_refund(
        self,
        outlet_id: uuid.UUID,
        till_id: uuid.UUID,
        refund: RefundCompletedV1,
        costs: Sequence[Decimal | None],
        voucher_lines: Set[uuid.UUID] = frozenset(),
    ) -> None:
        """``costs``: the cost each line gave back, as stored on it (None: not costed);
        ``voucher_lines``: the sale lines among those it names that sold a gift voucher."""
        local = refund.refunded_at.astimezone(SINGAPORE)
        day = local.date()
        # A voucher's line is not goods given back (a till refuses it; one may send it anyway).
        goods = [
            (line, cost)
            for line, cost in zip(refund.lines, costs, strict=True)
            if line.line_id is None or line.line_id not in voucher_lines
        ]
        staff = _staff()  # a refund of nothing else is on no staff row
        if goods:
            staff = self.by_staff[(outlet_id, day, till_id, refund.cashier_id, local.hour)]
        for line, cost in goods:
            item = self.by_item[(outlet_id, day, line.product_id)]
            item[6] += line.amount
            item[7] += line.gst
            staff[5] += line.amount
            staff[6] += line.gst
            if cost is None:
                item[10] += 1
                staff[9] += 1
            else:
                item[9] += cost
                staff[8] += cost
        hour = self.by_hour[(outlet_id, day, local.hour)]
        hour[4] += 1
        hour[5] += refund.total
        hour[6] += refund.gst_total
        hour[7] += refund.rounding
        for line in refund.lines:
            # At the rate originally charged: the line carries it from the sale.
            tax = self.by_tax[(outlet_id, day, line.tax_code, line.gst_rate)]
            tax[2] += line.amount
            tax[3] += line.gst
        for tender in refund.tenders:
            self.by_tender[(outlet_id, day, tender.type)][1] += tender.amount

    def flush(self, conn: Connection) -> None:
        _upsert(conn, BY_HOUR, ("outlet_id", "business_date", "hour"), _HOUR_SUMS, self.by_hour)
        _upsert(
            conn,
            BY_TAX,
            ("outlet_id", "business_date", "tax_code", "gst_rate"),
            _TAX_SUMS,
            self.by_tax,
        )
        _upsert(
            conn,
            BY_TENDER,
            ("outlet_id", "business_date", "tender_type"),
            _TENDER_SUMS,
            self.by_tender,
        )
        categories = self._credit_categories(conn)
        _upsert(
            conn,
            BY_ITEM,
            ("outlet_id", "business_date", "product_id"),
            _ITEM_SUMS,
            self.by_item,
            # Kept from the row's first fact: a product moved to another category later in
            # the day stays where the day's earlier sales put it.
            extra=lambda key: {"category_id": categories.get(key[2])},
        )
        # The same figures per calendar month: a product's day row and its month row are
        # added to by the same deltas, so the two always agree.
        by_month: dict[ItemKey, list[Decimal]] = defaultdict(_items)
        for (outlet_id, day, product_id), values in self.by_item.items():
            month = by_month[(outlet_id, day.replace(day=1), product_id)]
            for i, v in enumerate(values):
                month[i] += v
        _upsert(
            conn,
            BY_ITEM_MONTH,
            ("outlet_id", "month", "product_id"),
            _ITEM_SUMS,
            by_month,
            extra=lambda key: {"category_id": categories.get(key[2])},
        )
        _upsert(
            conn,
            BY_STAFF,
            ("outlet_id", "business_date", "till_id", "cashier_id", "hour"),
            _STAFF_SUMS,
            self.by_staff,
        )
        self.by_hour.clear()
        self.by_tax.clear()
        self.by_tender.clear()
        self.by_item.clear()
        self.by_staff.clear()
        self.sold_products.clear()

    def _credit_categories(self, conn: Connection) -> dict[uuid.UUID, uuid.UUID | None]:
        """Each product's category now; and, per sale, one transaction to the first product
        of each of its categories (no category is a category of its own)."""
        products = sorted({key[2] for key in self.by_item}, key=lambda p: p.int)
        if not products:
            return {}
        found = conn.execute(
            text("SELECT product_id, category_id FROM sgpos.product WHERE product_id = ANY(:ids)"),
            {"ids": products},
        ).all()
        categories: dict[uuid.UUID, uuid.UUID | None] = {p: None for p in products}
        categories.update({p: c for p, c in found})
        for outlet_id, day, sold in self.sold_products:
            credited: set[uuid.UUID | None] = set()
            for product_id in sold:
                category = categories[product_id]
                if category not in credited:
                    credited.add(category)
                    self.by_item[(outlet_id, day, product_id)][2] += 1
        return categories


def _hours() -> list[Decimal]:
    return _zeros(len(_HOUR_SUMS))


def _taxes() -> list[Decimal]:
    return _zeros(len(_TAX_SUMS))


def _tenders() -> list[Decimal]:
    return _zeros(len(_TENDER_SUMS))


def _items() -> list[Decimal]:
    return _zeros(len(_ITEM_SUMS))


def _staff() -> list[Decimal]:
    return _zeros(len(_STAFF_SUMS))


def _upsert(
    conn: Connection,
    table: Table,
    keys: tuple[str, ...],
    sums: tuple[str, ...],
    deltas: dict[tuple[object, ...], list[Decimal]]
    | dict[HourKey, list[Decimal]]
    | dict[TaxKey, list[Decimal]]
    | dict[TenderKey, list[Decimal]]
    | dict[ItemKey, list[Decimal]]
    | dict[StaffKey, list[Decimal]],
    extra: Callable[[Any], dict[str, object]] | None = None,
) -> None:
    if not deltas:
        return
    rows = [
        {
            **dict(zip(keys, key, strict=True)),
            **dict(zip(sums, values, strict=True)),
            **(extra(key) if extra else {}),
        }
        for key, values in sorted(deltas.items(), key=lambda kv: tuple(map(str, kv[0])))
    ]
    adds = ", ".join(f"{c} = {table.name}.{c} + EXCLUDED.{c}" for c in sums)
    bulk_insert(conn, table, rows, on_conflict=f"({', '.join(keys)}) DO UPDATE SET {adds}")


# The cost columns again from the lines (after ``sgpos-central recost`` rewrote their costs):
# the facts' sums per summary key, dated and placed exactly as ingest places them, goods only
# (``is_goods``: a gift voucher's line, and a refund line naming one, are left out).
_LINE_COSTS = """
SELECT s.outlet_id, s.business_date, s.till_id, s.cashier_id, l.product_id,
       extract(hour FROM s.sold_at AT TIME ZONE 'Asia/Singapore')::smallint AS hour,
       coalesce(l.cost, 0) AS cost, 0 AS refund_cost,
       CASE WHEN l.cost IS NULL THEN 1 ELSE 0 END AS uncosted
  FROM sgpos.sale AS s JOIN sgpos.sale_line AS l ON l.sale_id = s.sale_id
 WHERE l.voucher_serial IS NULL
UNION ALL
SELECT r.outlet_id, r.business_date, r.till_id, r.cashier_id, rl.product_id,
       extract(hour FROM r.refunded_at AT TIME ZONE 'Asia/Singapore')::smallint,
       0, coalesce(rl.cost, 0), CASE WHEN rl.cost IS NULL THEN 1 ELSE 0 END
  FROM sgpos.refund AS r JOIN sgpos.refund_line AS rl ON rl.refund_id = r.refund_id
 WHERE NOT EXISTS (SELECT 1 FROM sgpos.sale_line AS v
                    WHERE v.line_id = rl.line_id AND v.voucher_serial IS NOT NULL)
"""
_RECOST_SUMMARIES = (
    "UPDATE sgpos.sales_by_item SET cost = 0, refund_cost = 0, uncosted = 0",
    f"""UPDATE sgpos.sales_by_item b
           SET cost = f.cost, refund_cost = f.refund_cost, uncosted = f.uncosted
          FROM (SELECT outlet_id, business_date, product_id, sum(cost) AS cost,
                       sum(refund_cost) AS refund_cost, sum(uncosted) AS uncosted
                  FROM ({_LINE_COSTS}) x GROUP BY 1, 2, 3) f
         WHERE b.business_date = f.business_date AND b.outlet_id = f.outlet_id
           AND b.product_id = f.product_id""",  # noqa: S608 - constants only
    "UPDATE sgpos.sales_by_item_month SET cost = 0, refund_cost = 0, uncosted = 0",
    """UPDATE sgpos.sales_by_item_month b
           SET cost = f.cost, refund_cost = f.refund_cost, uncosted = f.uncosted
          FROM (SELECT outlet_id, date_trunc('month', business_date)::date AS month, product_id,
                       sum(cost) AS cost, sum(refund_cost) AS refund_cost,
                       sum(uncosted) AS uncosted
                  FROM sgpos.sales_by_item GROUP BY 1, 2, 3) f
         WHERE b.month = f.month AND b.outlet_id = f.outlet_id AND b.product_id = f.product_id""",
    "UPDATE sgpos.sales_by_staff SET cost = 0, refund_cost = 0, uncosted = 0",
    f"""UPDATE sgpos.sales_by_staff b
           SET cost = f.cost, refund_cost = f.refund_cost, uncosted = f.uncosted
          FROM (SELECT outlet_id, business_date, till_id, cashier_id, hour, sum(cost) AS cost,
                       sum(refund_cost) AS refund_cost, sum(uncosted) AS uncosted
                  FROM ({_LINE_COSTS}) x GROUP BY 1, 2, 3, 4, 5) f
         WHERE b.business_date = f.business_date AND b.outlet_id = f.outlet_id
           AND b.till_id = f.till_id AND b.cashier_id = f.cashier_id
           AND b.hour = f.hour""",  # noqa: S608 - constants only
)


def recost_summaries(conn: Connection) -> None:
    """Set the summaries' cost, refund cost and uncosted count to the sums of the lines'
    costs as they are stored now. ``costing.recost`` calls it in its transaction, after it
    rewrote every line's cost; the other figures are left as they are."""
    for statement in _RECOST_SUMMARIES:
        conn.execute(text(statement))
