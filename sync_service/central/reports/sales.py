"""The sales explorer: sales newest first, filtered, a page at a time.

Paging is by key (the last row's ``(sold_at, sale_id)``), not by offset, so page 500 costs
what page 1 costs and a sale arriving meanwhile never shifts a row onto two pages.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    exists,
    func,
    literal,
    select,
    tuple_,
    union_all,
)

from shared.receipt import ReceiptNumber, ReceiptNumberError
from sync_service.central import models as m
from sync_service.central.reports.common import (
    ReportError,
    Scope,
    cursor_moment,
    cursor_uuid,
    decode_cursor,
    dollars,
    encode_cursor,
    page_limit,
    sgt_midnight,
    table,
)

SALE, TENDER, REFUND = table(m.Sale), table(m.Tender), table(m.Refund)
BY_HOUR = table(m.SalesByHour)
OUTLET, TILL, STAFF = table(m.Outlet), table(m.Till), table(m.Staff)
TENDER_TYPES = frozenset({"cash", "nets", "card", "paynow", "voucher", "points", "gift"})


@dataclass(frozen=True)
class SaleFilter:
    """Every field optional. Dates are Singapore business dates, inclusive. ``receipt_no``
    matches a sale's own number, or the number of a refund made against it, in any case and
    spacing. ``tender_type``: cash, nets, card, paynow or voucher."""

    outlet_id: uuid.UUID | None = None
    till_id: uuid.UUID | None = None
    cashier_id: uuid.UUID | None = None
    date_from: date | None = None
    date_to: date | None = None
    receipt_no: str | None = None
    tender_type: str | None = None

    def __post_init__(self) -> None:
        if self.tender_type is not None and self.tender_type not in TENDER_TYPES:
            raise ReportError(
                f"unknown payment type {self.tender_type!r}: choose one of "
                + ", ".join(sorted(TENDER_TYPES))
            )
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise ReportError("the 'to' date is before the 'from' date: swap them")


@dataclass(frozen=True)
class SaleRow:
    """One sale in the list. ``total`` is GST included before cash rounding; ``paid`` what the
    customer paid (total + rounding); ``refunded`` the sum of refunds against it."""

    sale_id: uuid.UUID
    receipt_no: str
    sold_at: datetime
    business_date: date
    outlet_id: uuid.UUID
    outlet_code: str
    till_id: uuid.UUID
    till_code: str
    cashier_id: uuid.UUID
    cashier_name: str | None
    total: Decimal
    gst_total: Decimal
    rounding: Decimal
    tender_types: tuple[str, ...]
    refunded: Decimal

    @property
    def paid(self) -> Decimal:
        return self.total + self.rounding


@dataclass(frozen=True)
class SalePage:
    """``rows`` newest first; ``next_cursor`` for the following page, None on the last."""

    rows: tuple[SaleRow, ...]
    next_cursor: str | None


def _receipt_numbers(text: str) -> list[str]:
    """The number as typed (spaces dropped, upper case) and, when it parses, its canonical
    spelling: "orc-t01-123" finds ORC-T01-000123, and a stored number padded otherwise is
    still found as typed."""
    typed = "".join(text.split()).upper()[:40]
    try:
        return sorted({typed, str(ReceiptNumber.parse(text))})
    except ReceiptNumberError:
        return [typed]


def _conditions(scope: Scope, f: SaleFilter) -> list[ColumnElement[bool]]:
    """The WHERE conditions of a sale search (every value a bound parameter)."""
    conditions = [scope.clause(SALE.c.outlet_id)]
    if f.outlet_id is not None:
        conditions.append(SALE.c.outlet_id == f.outlet_id)
    if f.till_id is not None:
        conditions.append(SALE.c.till_id == f.till_id)
    if f.cashier_id is not None:
        conditions.append(SALE.c.cashier_id == f.cashier_id)
    # Business dates as moments, so the (…, sold_at) indexes serve the range.
    if f.date_from is not None:
        conditions.append(SALE.c.sold_at >= sgt_midnight(f.date_from))
    if f.date_to is not None:
        conditions.append(SALE.c.sold_at < sgt_midnight(f.date_to + timedelta(days=1)))
    if f.receipt_no is not None and f.receipt_no.strip():
        numbers = _receipt_numbers(f.receipt_no)
        # A union of two index lookups; an OR across the two tables made the planner scan.
        conditions.append(
            SALE.c.sale_id.in_(
                union_all(
                    select(SALE.c.sale_id).where(SALE.c.receipt_no.in_(numbers)),
                    select(REFUND.c.original_sale_id).where(REFUND.c.receipt_no.in_(numbers)),
                )
            )
        )
    if f.tender_type is not None:
        conditions.append(
            exists().where(TENDER.c.document_id == SALE.c.sale_id, TENDER.c.type == f.tender_type)
        )
    return conditions


def search_sales(
    conn: Connection, scope: Scope, f: SaleFilter, *, after: str | None, limit: int = 50
) -> SalePage:
    """Sales in scope matching ``f``, newest first; ``after`` is a previous page's
    ``next_cursor``. Every filter value is a bound parameter."""
    limit = page_limit(limit)
    conditions = _conditions(scope, f)
    if after is not None:
        at, sale_id = decode_cursor(after, 2)
        conditions.append(
            tuple_(SALE.c.sold_at, SALE.c.sale_id)
            < tuple_(literal(cursor_moment(at)), literal(cursor_uuid(sale_id)))
        )
    page = (
        select(SALE)
        .where(and_(*conditions))
        .order_by(SALE.c.sold_at.desc(), SALE.c.sale_id.desc())
        .limit(limit + 1)
        .subquery("page")
    )
    tender_types = (
        select(TENDER.c.type)
        .where(TENDER.c.document_id == page.c.sale_id)
        .order_by(TENDER.c.position)
        .correlate(page)
    )

    refunded = (
        select(func.coalesce(func.sum(REFUND.c.total), 0))
        .where(REFUND.c.original_sale_id == page.c.sale_id)
        .correlate(page)
        .scalar_subquery()
    )
    rows = conn.execute(
        select(
            page.c.sale_id,
            page.c.receipt_no,
            page.c.sold_at,
            page.c.business_date,
            page.c.outlet_id,
            OUTLET.c.code,
            page.c.till_id,
            TILL.c.code,
            page.c.cashier_id,
            STAFF.c.display_name,
            page.c.total,
            page.c.gst_total,
            page.c.rounding,
            func.array(tender_types.scalar_subquery()),
            refunded,
        )
        .select_from(page)
        .join(OUTLET, OUTLET.c.outlet_id == page.c.outlet_id)
        .join(TILL, TILL.c.till_id == page.c.till_id)
        .outerjoin(STAFF, STAFF.c.staff_id == page.c.cashier_id)
        .order_by(page.c.sold_at.desc(), page.c.sale_id.desc())
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    result = tuple(
        SaleRow(
            sale_id=r[0],
            receipt_no=r[1],
            sold_at=r[2],
            business_date=r[3],
            outlet_id=r[4],
            outlet_code=r[5],
            till_id=r[6],
            till_code=r[7],
            cashier_id=r[8],
            cashier_name=r[9],
            total=dollars(r[10]),
            gst_total=dollars(r[11]),
            rounding=dollars(r[12]),
            tender_types=tuple(dict.fromkeys(r[13] or ())),
            refunded=dollars(r[14]),
        )
        for r in rows
    )
    last = result[-1] if more and result else None
    return SalePage(
        rows=result,
        next_cursor=encode_cursor(last.sold_at, last.sale_id) if last else None,
    )


@dataclass(frozen=True)
class SaleTotals:
    """Every sale a search finds, on all its pages: how many, their totals (GST included,
    before cash rounding) and their GST."""

    count: int
    total: Decimal
    gst_total: Decimal


def sale_totals(conn: Connection, scope: Scope, f: SaleFilter) -> SaleTotals:
    """The count and sums of every sale ``search_sales`` would page through for ``f``.

    Filtered by outlet and dates only, they come from the hourly summary (a year of every
    outlet in milliseconds); a till, cashier, receipt or payment filter counts the sales
    themselves through the same indexes the list uses."""
    if f.till_id is None and f.cashier_id is None and not f.receipt_no and not f.tender_type:
        conditions = [scope.clause(BY_HOUR.c.outlet_id)]
        if f.outlet_id is not None:
            conditions.append(BY_HOUR.c.outlet_id == f.outlet_id)
        if f.date_from is not None:
            conditions.append(BY_HOUR.c.business_date >= f.date_from)
        if f.date_to is not None:
            conditions.append(BY_HOUR.c.business_date <= f.date_to)
        n, total, gst = conn.execute(
            select(
                func.sum(BY_HOUR.c.sales_count),
                func.sum(BY_HOUR.c.sales_total),
                func.sum(BY_HOUR.c.sales_gst),
            ).where(and_(*conditions))
        ).one()
    else:
        n, total, gst = conn.execute(
            select(func.count(), func.sum(SALE.c.total), func.sum(SALE.c.gst_total)).where(
                and_(*_conditions(scope, f))
            )
        ).one()
    return SaleTotals(int(n or 0), dollars(total), dollars(gst))
