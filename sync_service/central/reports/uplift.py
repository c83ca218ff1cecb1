"""Promotion uplift: per promotion, what it sold and gave away in its period, beside the same
products over the same number of days just before (docs/promotions.md).

For each promotion that saved something on a sale line in the chosen period (Singapore
business dates, inclusive), within the viewer's outlets:

- its **window** is the chosen period narrowed to the promotion's own dates (the SGT dates of
  ``starts_at`` and of the last moment before ``ends_at``);
- **units**, **revenue** and **discount** are the quantity, the amount paid (GST included) and
  the promotion's own saving over the sale lines it saved on, sold in the window;
- **before**: the units and revenue of every sale line of the same products (those the
  promotion saved on in the window) in the equal number of days just before the window,
  promoted or not. ``uplift`` is units minus units before.

Every figure is net of refunds of those lines: a refund line names the sale line it gives
back (``refund_line.line_id``, a refund of that sale), whenever it was made. Units less the
units given back; revenue less the money given back; the promotion's discount less the share
of it the returned units carried (each unit of a line carries an equal share of what the
promotion saved on it, rounded to the cent per line).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Connection, and_, func, select, true
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.elements import SQLColumnExpression
from sqlalchemy.sql.selectable import LateralFromClause

from shared.gst import SINGAPORE
from sync_service.central import models as m
from sync_service.central.reports.common import Period, Scope, dollars


@dataclass(frozen=True)
class UpliftRow:
    promotion_id: uuid.UUID
    name: str
    kind: str
    start: date  # the window, inclusive
    end: date
    units: Decimal
    revenue: Decimal
    discount: Decimal
    before_start: date
    before_end: date
    units_before: Decimal
    revenue_before: Decimal

    @property
    def uplift(self) -> Decimal:
        return self.units - self.units_before


@dataclass(frozen=True)
class UpliftReport:
    period: Period
    rows: list[UpliftRow]


def _sgt_date(moment: datetime | None) -> date | None:
    return None if moment is None else moment.astimezone(SINGAPORE).date()


def window(period: Period, starts_at: datetime | None, ends_at: datetime | None) -> Period | None:
    """The chosen period narrowed to a promotion's own dates; None if they do not meet."""
    start = max(period.start, _sgt_date(starts_at) or period.start)
    last = _sgt_date(ends_at - timedelta(microseconds=1)) if ends_at is not None else None
    end = min(period.end, last or period.end)
    return Period(start, end) if start <= end else None


def uplift_report(conn: Connection, scope: Scope, period: Period) -> UpliftReport:
    lp, p = m.SaleLinePromotion, m.Promotion
    promos = conn.execute(
        select(p.promotion_id, p.name, p.kind, p.starts_at, p.ends_at)
        .where(
            p.promotion_id.in_(
                select(lp.promotion_id)
                .where(lp.business_date.between(period.start, period.end))
                .where(scope.clause(lp.outlet_id))
                .distinct()
            )
        )
        .order_by(p.name, p.promotion_id)
    ).all()
    rows = []
    for promotion_id, name, kind, starts_at, ends_at in promos:
        span = window(period, starts_at, ends_at)
        if span is None:
            continue
        rows.append(_row(conn, scope, promotion_id, name, kind, span))
    return UpliftReport(period, [r for r in rows if r is not None])


def _given_back() -> LateralFromClause:
    """Per sale line (``sale_line`` of the outer query), the quantity and money refunds of its
    sale gave back on it; reached through the refund's sale (indexed), matched by line."""
    line, refund, back = m.SaleLine, m.Refund, m.RefundLine
    return (
        select(
            func.coalesce(func.sum(back.quantity), 0).label("quantity"),
            func.coalesce(func.sum(back.amount), 0).label("amount"),
        )
        .select_from(back)
        .join(refund, refund.refund_id == back.refund_id)
        .where(refund.original_sale_id == line.sale_id, back.line_id == line.line_id)
        .lateral("given_back")
    )


def _kept_share(
    saved: SQLColumnExpression[Decimal], given_back: LateralFromClause
) -> ColumnElement[Decimal]:
    """What a line's saving comes to on the units kept, to the cent."""
    line = m.SaleLine
    kept = line.quantity - given_back.c.quantity
    return func.round(saved * kept / func.nullif(line.quantity, 0), 2)


def _row(
    conn: Connection, scope: Scope, promotion_id: uuid.UUID, name: str, kind: str, span: Period
) -> UpliftRow | None:
    lp, line, sale = m.SaleLinePromotion, m.SaleLine, m.Sale
    back = _given_back()
    during = conn.execute(
        select(
            func.sum(line.quantity - back.c.quantity),
            func.sum(line.amount - back.c.amount),
            func.sum(_kept_share(lp.amount, back)),
            func.count(),
        )
        .select_from(lp)
        .join(line, line.line_id == lp.line_id)
        .join(back, true())
        .where(
            lp.promotion_id == promotion_id,
            lp.business_date.between(span.start, span.end),
            scope.clause(lp.outlet_id),
        )
    ).one()
    if not during[3]:
        return None
    products = (
        select(line.product_id)
        .select_from(lp)
        .join(line, line.line_id == lp.line_id)
        .where(
            lp.promotion_id == promotion_id,
            lp.business_date.between(span.start, span.end),
            scope.clause(lp.outlet_id),
        )
        .distinct()
    )
    before_end = span.start - timedelta(days=1)
    before_start = span.start - timedelta(days=span.days)
    before = conn.execute(
        select(func.sum(line.quantity - back.c.quantity), func.sum(line.amount - back.c.amount))
        .select_from(line)
        .join(sale, sale.sale_id == line.sale_id)
        .join(back, true())
        .where(
            and_(
                sale.business_date.between(before_start, before_end),
                scope.clause(sale.outlet_id),
                line.product_id.in_(products),
            )
        )
    ).one()
    return UpliftRow(
        promotion_id=promotion_id,
        name=name,
        kind=kind,
        start=span.start,
        end=span.end,
        units=Decimal(during[0] or 0),
        revenue=dollars(during[1]),
        discount=dollars(during[2]),
        before_start=before_start,
        before_end=before_end,
        units_before=Decimal(before[0] or 0),
        revenue_before=dollars(before[1]),
    )
