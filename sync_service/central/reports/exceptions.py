"""Exceptions: discounts, price overrides, voids and refunds, per staff member and one by one,
with who approved each, in names.

- a **discount** is a sale with line or cart discounts (one per sale: their sum);
- an **override** is a sale line rung at a price other than the catalogue's when rung up
  (``unit_price <> list_price``); its amount is (list − charged) × quantity, negative when the
  price was raised;
- a **void** is a refund the till marked as a void; a **refund** every other refund.

Discounts and overrides are dated when sold and are the cashier's; voids and refunds are dated
when made and are the staff member's who made them. The approver of a discount or an
override is the manager recorded on its lines (a discount within the cashier's own limit has
none).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, text

from sync_service.central.reports.common import ZERO, Period, Scope, dollars

KINDS = ("discount", "override", "void", "refund")
MAX_ROWS = 1000  # events on the page; the downloads hold every one

_EVENTS = """
SELECT 'discount' AS kind, s.sold_at AS at, s.sale_id AS doc_id, s.receipt_no, s.outlet_id,
       s.cashier_id AS staff_id,
       (SELECT max(l.approved_by::text) FROM sgpos.sale_line l
         WHERE l.sale_id = s.sale_id AND l.approved_by IS NOT NULL)::uuid AS approver_id,
       s.discount_total AS amount, NULL::text AS detail
  FROM sgpos.sale s
 WHERE s.sold_at >= :start AND s.sold_at < :end AND s.discount_total <> 0 {sale_scope}
UNION ALL
SELECT 'override', s.sold_at, s.sale_id, s.receipt_no, s.outlet_id, s.cashier_id,
       l.approved_by, ((l.list_price - l.unit_price) * l.quantity)::numeric(12, 2),
       l.name || ': ' || l.list_price::text || ' → ' || l.unit_price::text
  FROM sgpos.sale s JOIN sgpos.sale_line l ON l.sale_id = s.sale_id
 WHERE s.sold_at >= :start AND s.sold_at < :end AND l.unit_price <> l.list_price
   {sale_scope}
UNION ALL
SELECT CASE WHEN r.is_void THEN 'void' ELSE 'refund' END, r.refunded_at, r.refund_id,
       r.receipt_no, r.outlet_id, r.cashier_id, r.approved_by, r.total, r.reason
  FROM sgpos.refund r
 WHERE r.business_date BETWEEN :first AND :last {refund_scope}
"""


@dataclass(frozen=True)
class ExceptionEvent:
    kind: str  # discount | override | void | refund
    at: datetime
    document_id: uuid.UUID  # the sale (discount, override) or the refund
    receipt_no: str
    outlet_code: str
    staff_id: uuid.UUID
    staff_name: str | None
    approver_id: uuid.UUID | None
    approver_name: str | None
    amount: Decimal
    detail: str | None  # an override's item and prices; a refund's or void's reason
    original_sale_id: uuid.UUID | None  # a refund's sale, for the link


@dataclass(frozen=True)
class StaffExceptions:
    """Per staff member: count and amount of each kind, and how many they approved."""

    staff_id: uuid.UUID
    staff_name: str | None
    counts: dict[str, int]
    amounts: dict[str, Decimal]
    approved: int


@dataclass(frozen=True)
class ExceptionReport:
    period: Period
    staff: tuple[StaffExceptions, ...]
    events: tuple[ExceptionEvent, ...]  # newest first, at most MAX_ROWS unless asked
    counts: dict[str, int]  # over every event of the period
    amounts: dict[str, Decimal]
    approved: int  # events with an approver

    @property
    def total_events(self) -> int:
        return sum(self.counts.values())

    @property
    def complete(self) -> bool:
        return len(self.events) == self.total_events


def _scope(scope: Scope, alias: str, params: dict[str, Any]) -> str:
    if scope.outlet_ids is None:
        return ""
    params["outlets"] = sorted(scope.outlet_ids)
    return f"AND {alias}.outlet_id = ANY(:outlets)"


def exception_report(
    conn: Connection, scope: Scope, period: Period, *, limit: int | None = MAX_ROWS
) -> ExceptionReport:
    """Discounts, overrides, voids and refunds of ``period`` in ``scope`` (see the module)."""
    start, end = period.moments()
    params: dict[str, Any] = {"start": start, "end": end, "first": period.start, "last": period.end}
    events_sql = _EVENTS.format(
        sale_scope=_scope(scope, "s", params), refund_scope=_scope(scope, "r", params)
    )
    named = f"""
        WITH e AS ({events_sql})
        SELECT e.kind, e.at, e.doc_id, e.receipt_no, o.code, e.staff_id, st.display_name,
               e.approver_id, ap.display_name, e.amount, e.detail, r.original_sale_id
          FROM e JOIN sgpos.outlet o ON o.outlet_id = e.outlet_id
          LEFT JOIN sgpos.staff st ON st.staff_id = e.staff_id
          LEFT JOIN sgpos.staff ap ON ap.staff_id = e.approver_id
          LEFT JOIN sgpos.refund r ON r.refund_id = e.doc_id AND e.kind IN ('void', 'refund')
    """  # noqa: S608 - only the constants above; every value is a bound parameter
    every = conn.execute(text(named + " ORDER BY e.at DESC, e.doc_id, e.kind"), params).all()
    events = [ExceptionEvent(*row) for row in every]
    counts = dict.fromkeys(KINDS, 0)
    amounts = dict.fromkeys(KINDS, ZERO)
    per_staff: dict[uuid.UUID, StaffExceptions] = {}
    approvals: dict[uuid.UUID, int] = {}
    names: dict[uuid.UUID, str | None] = {}
    for e in events:
        counts[e.kind] += 1
        amounts[e.kind] += dollars(e.amount)
        names[e.staff_id] = e.staff_name
        mine = per_staff.setdefault(
            e.staff_id,
            StaffExceptions(
                e.staff_id, e.staff_name, dict.fromkeys(KINDS, 0), dict.fromkeys(KINDS, ZERO), 0
            ),
        )
        mine.counts[e.kind] += 1
        mine.amounts[e.kind] += dollars(e.amount)
        if e.approver_id is not None:
            approvals[e.approver_id] = approvals.get(e.approver_id, 0) + 1
            names.setdefault(e.approver_id, e.approver_name)
    for approver in approvals:  # a manager who only approved still has a row
        per_staff.setdefault(
            approver,
            StaffExceptions(
                approver, names[approver], dict.fromkeys(KINDS, 0), dict.fromkeys(KINDS, ZERO), 0
            ),
        )
    ordered = sorted(per_staff.values(), key=_by_name)
    staff = tuple(
        StaffExceptions(s.staff_id, s.staff_name, s.counts, s.amounts, approvals.get(s.staff_id, 0))
        for s in ordered
    )
    shown = events if limit is None else events[:limit]
    return ExceptionReport(
        period=period,
        staff=staff,
        events=tuple(shown),
        counts=counts,
        amounts=amounts,
        approved=sum(approvals.values()),
    )


def _by_name(s: StaffExceptions) -> tuple[str, str]:
    return ((s.staff_name or "").casefold(), str(s.staff_id))
