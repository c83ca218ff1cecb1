"""The daily trend: each day's sales in a period beside the same days a week and a year
earlier, from the hourly summary (so three years answer as fast as one day).

"A year earlier" is 364 days back: the same weekday, which is what a shop compares (a Monday
with a Monday). Sales are GST included, before cash rounding, dated when sold; refunds are
shown on their own line (dated when made), so net = sales − refunds as on the overview.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Connection, func, select

from sync_service.central import models as m
from sync_service.central.reports.common import ZERO, Period, Scope, dollars, table

BY_HOUR = table(m.SalesByHour)
COMPARISONS = (("last week", 7), ("last year", 364))


@dataclass(frozen=True)
class TrendDay:
    business_date: date
    sales: Decimal
    refunds: Decimal
    transactions: int

    @property
    def net(self) -> Decimal:
        return self.sales - self.refunds


@dataclass(frozen=True)
class TrendSeries:
    """One line of the chart: ``days`` holds every day of ``period`` (zero when closed)."""

    label: str  # "this period", "last week", "last year"
    period: Period
    days: tuple[TrendDay, ...]

    @property
    def sales(self) -> Decimal:
        return sum((d.sales for d in self.days), ZERO)

    @property
    def net(self) -> Decimal:
        return sum((d.net for d in self.days), ZERO)

    @property
    def transactions(self) -> int:
        return sum(d.transactions for d in self.days)


@dataclass(frozen=True)
class Trend:
    current: TrendSeries
    earlier: tuple[TrendSeries, ...]  # the same days a week and a year before

    def change(self, series: TrendSeries) -> Decimal | None:
        """The current period's sales against ``series`` in percent; None when it sold
        nothing."""
        if not series.sales:
            return None
        return ((self.current.sales - series.sales) * 100 / series.sales).quantize(Decimal("0.1"))


def _series(conn: Connection, scope: Scope, label: str, period: Period) -> TrendSeries:
    rows = conn.execute(
        select(
            BY_HOUR.c.business_date,
            func.sum(BY_HOUR.c.sales_total),
            func.sum(BY_HOUR.c.refund_total),
            func.sum(BY_HOUR.c.sales_count),
        )
        .where(
            BY_HOUR.c.business_date.between(period.start, period.end),
            scope.clause(BY_HOUR.c.outlet_id),
        )
        .group_by(BY_HOUR.c.business_date)
    )
    found = {d: (dollars(s), dollars(r), int(n or 0)) for d, s, r, n in rows}
    days = []
    for i in range(period.days):
        d = period.start + timedelta(days=i)
        sales, refunds, n = found.get(d, (ZERO, ZERO, 0))
        days.append(TrendDay(d, sales, refunds, n))
    return TrendSeries(label, period, tuple(days))


def daily_trend(conn: Connection, scope: Scope, period: Period) -> Trend:
    """``period`` day by day, and the same days a week and 364 days before."""
    earlier = tuple(
        _series(
            conn,
            scope,
            label,
            Period(period.start - timedelta(days=back), period.end - timedelta(days=back)),
        )
        for label, back in COMPARISONS
    )
    return Trend(_series(conn, scope, "this period", period), earlier)
