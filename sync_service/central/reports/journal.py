"""The daily sales journal for the accountant: one balanced double-entry per outlet and day.

Debits: money taken per tender account (cash net of change; the shop's own gift vouchers
taken reduce what it owes on them), sales returns (refunds excluding GST), GST given back on
refunds (at the rate originally charged), and cash rounding given away. Credits: sales revenue
excluding GST, GST output tax, gift vouchers sold (a liability until redeemed, not revenue: the
sale line of a voucher is out of scope of GST), money paid back per tender account, and cash
rounding gained. Each day's debits equal its credits to the cent, because
every sale's tenders less change are its lines plus its rounding, and every refund's payout
is its lines plus its rounding.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, Connection, Table, func, select

from sync_service.central import models as m
from sync_service.central.reports.choices import OutletRef, outlet
from sync_service.central.reports.common import ZERO, NotInScope, Period, Scope, dollars, table

BY_HOUR, BY_TAX, BY_TENDER = table(m.SalesByHour), table(m.SalesByTax), table(m.SalesByTender)
SALE, LINE = table(m.Sale), table(m.SaleLine)

TENDER_ACCOUNTS = {
    "cash": "Cash in drawers",
    "nets": "NETS clearing",
    "card": "Card clearing",
    "paynow": "PayNow clearing",
    "voucher": "Vouchers redeemed",
    # Points spent: the shop's own promise to its members paid out, not money received.
    "points": "Loyalty points redeemed",
    "gift": "Gift vouchers outstanding",
}
GIFT_VOUCHERS = TENDER_ACCOUNTS["gift"]
SALES_REVENUE = "Sales revenue"
SALES_RETURNS = "Sales returns (refunds)"
GST_OUTPUT = "GST output tax"
ROUNDING = "Cash rounding"


@dataclass(frozen=True)
class JournalLine:
    """One posting: exactly one of ``debit`` and ``credit`` is non-zero."""

    account: str
    memo: str
    debit: Decimal
    credit: Decimal


@dataclass(frozen=True)
class JournalDay:
    """One business day's entry; ``balanced`` is debits == credits to the cent."""

    business_date: date
    lines: tuple[JournalLine, ...]

    @property
    def debits(self) -> Decimal:
        return sum((x.debit for x in self.lines), ZERO)

    @property
    def credits(self) -> Decimal:
        return sum((x.credit for x in self.lines), ZERO)

    @property
    def balanced(self) -> bool:
        return self.debits == self.credits


@dataclass(frozen=True)
class SalesJournal:
    """``days``: every day of the period with trading, in date order (days without any sale
    or refund have no entry); ``debits``/``credits``: over the whole period."""

    outlet: OutletRef
    period: Period
    days: tuple[JournalDay, ...]

    @property
    def debits(self) -> Decimal:
        return sum((d.debits for d in self.days), ZERO)

    @property
    def credits(self) -> Decimal:
        return sum((d.credits for d in self.days), ZERO)


class _Day:
    def __init__(self) -> None:
        self.tender_in: dict[str, Decimal] = defaultdict(Decimal)
        self.tender_out: dict[str, Decimal] = defaultdict(Decimal)
        self.revenue = ZERO
        self.gst = ZERO
        self.returns = ZERO
        self.returns_gst = ZERO
        self.sales_rounding = ZERO
        self.refund_rounding = ZERO
        self.vouchers_sold = ZERO

    def lines(self) -> tuple[JournalLine, ...]:
        out: list[JournalLine] = []

        def post(account: str, memo: str, amount: Decimal) -> None:
            # A negative amount on one side is a positive one on the other.
            if amount > 0:
                out.append(JournalLine(account, memo, amount, ZERO))
            elif amount < 0:
                out.append(JournalLine(account, memo, ZERO, -amount))

        kinds = [k for k in TENDER_ACCOUNTS if k in self.tender_in or k in self.tender_out]
        kinds += sorted((set(self.tender_in) | set(self.tender_out)) - set(TENDER_ACCOUNTS))
        for kind in kinds:
            memo = "gift vouchers redeemed" if kind == "gift" else "takings"
            post(TENDER_ACCOUNTS.get(kind, kind), memo, self.tender_in.get(kind, ZERO))
        # A gift voucher's sale line is counted with the sales (out of scope, no GST); it is
        # what the shop owes the holder, so it moves from revenue to the liability.
        post(SALES_REVENUE, "sales excluding GST", -(self.revenue - self.vouchers_sold))
        post(GIFT_VOUCHERS, "gift vouchers sold", -self.vouchers_sold)
        post(GST_OUTPUT, "GST on sales", -self.gst)
        post(ROUNDING, "cash rounding on sales", -self.sales_rounding)
        post(SALES_RETURNS, "refunds excluding GST", self.returns)
        post(GST_OUTPUT, "GST on refunds, at the rates originally charged", self.returns_gst)
        post(ROUNDING, "cash rounding on refunds", self.refund_rounding)
        for kind in kinds:
            post(
                TENDER_ACCOUNTS.get(kind, kind),
                "refunds paid out",
                -self.tender_out.get(kind, ZERO),
            )
        return tuple(out)


def sales_journal(
    conn: Connection, scope: Scope, period: Period, outlet_id: uuid.UUID
) -> SalesJournal:
    """The outlet's journal for ``period``, one ``JournalDay`` per trading day.

    Raises NotInScope when the outlet does not exist or is outside ``scope``."""
    ref = outlet(conn, scope, outlet_id)
    if ref is None:
        raise NotInScope("no such outlet, or not one you may see")
    days: dict[date, _Day] = defaultdict(_Day)

    def where(t: Table) -> tuple[ColumnElement[bool], ...]:
        c = t.c
        return (
            c.outlet_id == outlet_id,
            scope.clause(c.outlet_id),
            c.business_date.between(period.start, period.end),
        )

    for day, kind, sales, refunds in conn.execute(
        select(
            BY_TENDER.c.business_date,
            BY_TENDER.c.tender_type,
            BY_TENDER.c.sales_amount,
            BY_TENDER.c.refund_amount,
        ).where(*where(BY_TENDER))
    ):
        days[day].tender_in[kind] += dollars(sales)
        days[day].tender_out[kind] += dollars(refunds)
    for day, amount, gst, r_amount, r_gst in conn.execute(
        select(
            BY_TAX.c.business_date,
            func.sum(BY_TAX.c.sales_amount),
            func.sum(BY_TAX.c.sales_gst),
            func.sum(BY_TAX.c.refund_amount),
            func.sum(BY_TAX.c.refund_gst),
        )
        .where(*where(BY_TAX))
        .group_by(BY_TAX.c.business_date)
    ):
        d = days[day]
        d.gst, d.returns_gst = dollars(gst), dollars(r_gst)
        d.revenue, d.returns = dollars(amount) - d.gst, dollars(r_amount) - d.returns_gst
    for day, rounding, r_rounding in conn.execute(
        select(
            BY_HOUR.c.business_date,
            func.sum(BY_HOUR.c.sales_rounding),
            func.sum(BY_HOUR.c.refund_rounding),
        )
        .where(*where(BY_HOUR))
        .group_by(BY_HOUR.c.business_date)
    ):
        days[day].sales_rounding = dollars(rounding)
        days[day].refund_rounding = dollars(r_rounding)
    for day, sold in conn.execute(
        select(SALE.c.business_date, func.sum(LINE.c.amount))
        .join(LINE, LINE.c.sale_id == SALE.c.sale_id)
        .where(*where(SALE), LINE.c.voucher_serial.is_not(None))
        .group_by(SALE.c.business_date)
    ):
        days[day].vouchers_sold = dollars(sold)
    return SalesJournal(
        outlet=ref,
        period=period,
        days=tuple(JournalDay(day, days[day].lines()) for day in sorted(days)),
    )
