"""An outlet's end-of-day summary for the owner's inbox: sales, tenders, the cash drawers'
variances, refunds and voids, and the products running low."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, text

from sync_service.central.reports.choices import OutletRef, outlet
from sync_service.central.reports.common import NotInScope, Period, Scope
from sync_service.central.reports.exceptions import ExceptionEvent, exception_report
from sync_service.central.reports.overview import OutletFigures, overview
from sync_service.central.reports.shifts import ShiftRow, shift_report

LOW_STOCK_ROWS = 20


@dataclass(frozen=True)
class LowStock:
    product_id: uuid.UUID
    sku: str
    name: str
    on_hand: Decimal


@dataclass(frozen=True)
class DailySummary:
    outlet: OutletRef
    day: date
    figures: OutletFigures
    shifts: tuple[ShiftRow, ...]
    refunds: tuple[ExceptionEvent, ...]  # refunds and voids made that day
    low_stock: tuple[LowStock, ...]  # at most LOW_STOCK_ROWS, lowest first

    @property
    def variance(self) -> Decimal:
        return sum((s.variance or Decimal(0) for s in self.shifts), Decimal("0.00"))


def daily_summary(
    conn: Connection, outlet_id: uuid.UUID, day: date, *, low_stock_at: Decimal
) -> DailySummary:
    """``day``'s summary of one outlet; low stock is on hand at or below ``low_stock_at``."""
    scope = Scope.outlet(outlet_id)
    ref = outlet(conn, scope, outlet_id)
    if ref is None:
        raise NotInScope("no such outlet")
    period = Period.day(day)
    figures = overview(conn, scope, period).total
    shifts = shift_report(conn, scope, period, limit=None).rows
    paid_back = tuple(
        e
        for e in exception_report(conn, scope, period, limit=None).events
        if e.kind in ("refund", "void")
    )
    low = conn.execute(
        text(
            "SELECT h.product_id, p.sku, p.name, h.quantity FROM sgpos.stock_on_hand h "
            "JOIN sgpos.product p ON p.product_id = h.product_id "
            "WHERE h.outlet_id = :o AND h.quantity <= :at AND p.active "
            "ORDER BY h.quantity, p.name LIMIT :n"
        ),
        {"o": outlet_id, "at": low_stock_at, "n": LOW_STOCK_ROWS},
    ).all()
    return DailySummary(ref, day, figures, shifts, paid_back, tuple(LowStock(*row) for row in low))
