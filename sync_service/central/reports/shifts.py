"""Shifts and their cash drawers: float, expected and counted cash, variance and who approved
it, per till, with names instead of ids.

A shift belongs to the Singapore business date it was opened on. ``variance`` is counted less
expected, as the till computed it (a shortage is negative); a shift still open has no count.
A variance beyond the outlet's ``variance_limit`` (either way) is flagged for a look.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, text

from shared.gst import SINGAPORE
from sync_service.central.reports.common import ZERO, Period, Scope

MAX_ROWS = 1000  # on the page; the downloads hold every shift of the period


@dataclass(frozen=True)
class ShiftRow:
    shift_id: uuid.UUID
    outlet_id: uuid.UUID
    outlet_code: str
    till_id: uuid.UUID
    till_code: str
    opened_by: uuid.UUID | None
    opened_by_name: str | None
    opened_at: datetime | None
    closed_by: uuid.UUID | None
    closed_by_name: str | None
    closed_at: datetime | None
    opening_float: Decimal | None
    expected_cash: Decimal | None
    counted_cash: Decimal | None
    variance: Decimal | None
    approved_by: uuid.UUID | None
    approved_by_name: str | None
    sales_count: int | None
    sales_total: Decimal | None
    refunds_total: Decimal | None
    variance_limit: Decimal

    @property
    def business_date(self) -> date | None:
        return None if self.opened_at is None else self.opened_at.astimezone(SINGAPORE).date()

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def over_limit(self) -> bool:
        return self.variance is not None and abs(self.variance) > self.variance_limit


@dataclass(frozen=True)
class ShiftTotals:
    shifts: int
    open: int
    over_limit: int
    opening_float: Decimal
    expected_cash: Decimal
    counted_cash: Decimal
    variance: Decimal
    sales_total: Decimal


@dataclass(frozen=True)
class ShiftReport:
    """``rows``: the newest ``MAX_ROWS`` shifts at most (``complete`` False when more were
    left off); ``total``: over every shift of the period, shown or not."""

    period: Period
    rows: tuple[ShiftRow, ...]
    total: ShiftTotals

    @property
    def complete(self) -> bool:
        return len(self.rows) == self.total.shifts


_SHIFTS = """
SELECT sh.shift_id, sh.outlet_id, o.code, sh.till_id, t.code,
       sh.opened_by, ob.display_name, sh.opened_at,
       sh.closed_by, cb.display_name, sh.closed_at,
       sh.opening_float, sh.expected_cash, sh.counted_cash, sh.variance,
       sh.approved_by, ab.display_name, sh.sales_count, sh.sales_total, sh.refunds_total,
       o.variance_limit
  FROM sgpos.shift sh
  JOIN sgpos.outlet o ON o.outlet_id = sh.outlet_id
  JOIN sgpos.till t ON t.till_id = sh.till_id
  LEFT JOIN sgpos.staff ob ON ob.staff_id = sh.opened_by
  LEFT JOIN sgpos.staff cb ON cb.staff_id = sh.closed_by
  LEFT JOIN sgpos.staff ab ON ab.staff_id = sh.approved_by
 WHERE sh.opened_at >= :start AND sh.opened_at < :end {where}
 ORDER BY sh.opened_at DESC, sh.shift_id
 {limit}
"""

_TOTALS = """
SELECT count(*), count(*) FILTER (WHERE sh.closed_at IS NULL),
       count(*) FILTER (WHERE abs(sh.variance) > o.variance_limit),
       coalesce(sum(sh.opening_float), 0), coalesce(sum(sh.expected_cash), 0),
       coalesce(sum(sh.counted_cash), 0), coalesce(sum(sh.variance), 0),
       coalesce(sum(sh.sales_total), 0)
  FROM sgpos.shift sh JOIN sgpos.outlet o ON o.outlet_id = sh.outlet_id
 WHERE sh.opened_at >= :start AND sh.opened_at < :end {where}
"""


def shift_report(
    conn: Connection,
    scope: Scope,
    period: Period,
    *,
    till_id: uuid.UUID | None = None,
    limit: int | None = MAX_ROWS,
) -> ShiftReport:
    """Shifts opened in ``period`` at outlets in ``scope`` (one till's when ``till_id``),
    newest first; ``limit`` None for every one (the downloads)."""
    start, end = period.moments()
    params: dict[str, Any] = {"start": start, "end": end}
    where = []
    if scope.outlet_ids is not None:
        params["outlets"] = sorted(scope.outlet_ids)
        where.append("AND sh.outlet_id = ANY(:outlets)")
    if till_id is not None:
        params["till"] = till_id
        where.append("AND sh.till_id = :till")
    cond = " ".join(where)
    bound = "" if limit is None else "LIMIT :limit"
    if limit is not None:
        params["limit"] = limit
    found = conn.execute(text(_SHIFTS.format(where=cond, limit=bound)), params).all()
    n, still_open, over, floats, expected, counted, variance, sales = conn.execute(
        text(_TOTALS.format(where=cond)), params
    ).one()
    return ShiftReport(
        period=period,
        rows=tuple(ShiftRow(*r) for r in found),
        total=ShiftTotals(
            shifts=n,
            open=still_open,
            over_limit=over,
            opening_float=Decimal(floats) + ZERO,
            expected_cash=Decimal(expected) + ZERO,
            counted_cash=Decimal(counted) + ZERO,
            variance=Decimal(variance) + ZERO,
            sales_total=Decimal(sales) + ZERO,
        ),
    )
