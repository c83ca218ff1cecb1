"""The overview: per outlet and in total, what sold, how it was paid and when.

Figures come from the summary tables ingest keeps in the same transaction as the facts
(``sales_by_hour`` and ``sales_by_tender``), so a year across every outlet is a few thousand
rows, not millions of sale lines.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Connection, func, select

from sync_service.central import models as m
from sync_service.central.reports.choices import OutletRef, outlets
from sync_service.central.reports.common import CENT, ZERO, Period, Scope, dollars, table

BY_HOUR, BY_TENDER = table(m.SalesByHour), table(m.SalesByTender)
TENDER_ORDER = ("cash", "nets", "card", "paynow", "voucher", "points", "gift")


@dataclass(frozen=True)
class TenderTotal:
    """One way of paying: ``sales`` received (cash net of change given), ``refunds`` paid
    back, ``net`` = sales - refunds."""

    tender_type: str  # cash | nets | card | paynow | voucher
    sales: Decimal
    refunds: Decimal

    @property
    def net(self) -> Decimal:
        return self.sales - self.refunds


@dataclass(frozen=True)
class HourTotal:
    """Sales rung in one hour of the Singapore day (0..23) over the whole period."""

    hour: int
    sales: Decimal
    transactions: int


@dataclass(frozen=True)
class OutletFigures:
    """One outlet's figures for the period (``outlet`` is None on the total row).

    ``sales``: goods sold, GST included, before cash rounding (sum of sale totals);
    ``transactions``: number of sales; ``average_basket`` = sales / transactions;
    ``refunds`` / ``refund_count``: refunds and voids paid back, GST included, before rounding;
    ``net_sales`` = sales - refunds; ``gst`` = GST on sales less GST on refunds (at the rates
    originally charged); ``rounding``: cash rounding on sales less that on refunds (what the
    drawers hold beyond the goods); ``tenders``: per tender type; ``by_hour``: 24 entries.
    """

    outlet: OutletRef | None
    sales: Decimal
    transactions: int
    refunds: Decimal
    refund_count: int
    gst: Decimal
    rounding: Decimal
    tenders: tuple[TenderTotal, ...]
    by_hour: tuple[HourTotal, ...]

    @property
    def net_sales(self) -> Decimal:
        return self.sales - self.refunds

    @property
    def average_basket(self) -> Decimal:
        if not self.transactions:
            return ZERO
        return (self.sales / self.transactions).quantize(CENT)

    @property
    def takings(self) -> Decimal:
        """Money actually taken in less money paid back: the sum of net tenders."""
        return self.net_sales + self.rounding


@dataclass(frozen=True)
class Overview:
    """``outlets``: one row per outlet in scope (by code, including outlets with no sales);
    ``total``: the same figures over all of them."""

    period: Period
    outlets: tuple[OutletFigures, ...]
    total: OutletFigures


def _pair() -> list[Decimal]:
    return [ZERO, ZERO]


@dataclass
class _Sums:
    sales: Decimal = ZERO
    transactions: int = 0
    refunds: Decimal = ZERO
    refund_count: int = 0
    gst: Decimal = ZERO
    rounding: Decimal = ZERO
    tenders: dict[str, list[Decimal]] = field(
        default_factory=lambda: defaultdict(lambda: [ZERO, ZERO])
    )
    hours: dict[int, list[Decimal]] = field(
        default_factory=lambda: defaultdict(lambda: [ZERO, ZERO])
    )

    def add(self, other: _Sums) -> None:
        self.sales += other.sales
        self.transactions += other.transactions
        self.refunds += other.refunds
        self.refund_count += other.refund_count
        self.gst += other.gst
        self.rounding += other.rounding
        for kind, (s, r) in other.tenders.items():
            self.tenders[kind][0] += s
            self.tenders[kind][1] += r
        for hour, (amount, count) in other.hours.items():
            self.hours[hour][0] += amount
            self.hours[hour][1] += count

    def figures(self, outlet: OutletRef | None) -> OutletFigures:
        kinds = [k for k in TENDER_ORDER if k in self.tenders] + sorted(
            set(self.tenders) - set(TENDER_ORDER)
        )
        return OutletFigures(
            outlet=outlet,
            sales=self.sales,
            transactions=self.transactions,
            refunds=self.refunds,
            refund_count=self.refund_count,
            gst=self.gst,
            rounding=self.rounding,
            tenders=tuple(TenderTotal(k, self.tenders[k][0], self.tenders[k][1]) for k in kinds),
            by_hour=tuple(
                HourTotal(
                    h,
                    self.hours[h][0] if h in self.hours else ZERO,
                    int(self.hours[h][1]) if h in self.hours else 0,
                )
                for h in range(24)
            ),
        )


def overview(conn: Connection, scope: Scope, period: Period) -> Overview:
    """Per outlet in scope and in total for ``period``; see ``OutletFigures`` for each field."""
    refs = outlets(conn, scope)
    sums: dict[uuid.UUID, _Sums] = {ref.outlet_id: _Sums() for ref in refs}
    in_period = (BY_HOUR.c.business_date.between(period.start, period.end),)
    hourly = conn.execute(
        select(
            BY_HOUR.c.outlet_id,
            BY_HOUR.c.hour,
            func.sum(BY_HOUR.c.sales_count),
            func.sum(BY_HOUR.c.sales_total),
            func.sum(BY_HOUR.c.sales_gst),
            func.sum(BY_HOUR.c.sales_rounding),
            func.sum(BY_HOUR.c.refund_count),
            func.sum(BY_HOUR.c.refund_total),
            func.sum(BY_HOUR.c.refund_gst),
            func.sum(BY_HOUR.c.refund_rounding),
        )
        .where(*in_period, scope.clause(BY_HOUR.c.outlet_id))
        .group_by(BY_HOUR.c.outlet_id, BY_HOUR.c.hour)
    )
    for outlet_id, hour, n, total, gst, rnd, rn, rtotal, rgst, rrnd in hourly:
        s = sums.get(outlet_id)
        if s is None:  # an outlet deleted since: nothing to show it under
            continue
        s.transactions += int(n)
        s.sales += dollars(total)
        s.gst += dollars(gst) - dollars(rgst)
        s.rounding += dollars(rnd) - dollars(rrnd)
        s.refund_count += int(rn)
        s.refunds += dollars(rtotal)
        if n:
            s.hours[int(hour)] = [dollars(total), Decimal(int(n))]
    tenders = conn.execute(
        select(
            BY_TENDER.c.outlet_id,
            BY_TENDER.c.tender_type,
            func.sum(BY_TENDER.c.sales_amount),
            func.sum(BY_TENDER.c.refund_amount),
        )
        .where(
            BY_TENDER.c.business_date.between(period.start, period.end),
            scope.clause(BY_TENDER.c.outlet_id),
        )
        .group_by(BY_TENDER.c.outlet_id, BY_TENDER.c.tender_type)
    )
    for outlet_id, kind, sales, refunds in tenders:
        if outlet_id in sums:
            sums[outlet_id].tenders[kind] = [dollars(sales), dollars(refunds)]
    total = _Sums()
    for s in sums.values():
        total.add(s)
    return Overview(
        period=period,
        outlets=tuple(sums[ref.outlet_id].figures(ref) for ref in refs),
        total=total.figures(None),
    )
