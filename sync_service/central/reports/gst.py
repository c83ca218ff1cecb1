"""The GST report: the figures a GST F5 return needs, per outlet and in total.

Values of supplies are GST-exclusive (line amount less its GST). A refund is adjusted in the
period it was made, at the rate and GST originally charged on the sale (IRAS general guide
para 12.2), so a sale rung at 8% in 2023 and refunded in 2024 reduces the 2024 figures by 8%,
never 9%. Cash rounding is not part of any supply. Outlets that are not GST-registered charge
no GST and are listed but left out of the return's totals.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, func, select

from sync_service.central import models as m
from sync_service.central.reports.choices import OutletRef, outlets
from sync_service.central.reports.common import ZERO, Period, Scope, dollars, table

BY_TAX = table(m.SalesByTax)
CODE_ORDER = {"SR": 0, "ZR": 1, "ES": 2, "OS": 3}


@dataclass(frozen=True)
class GstLine:
    """Supplies of one tax code at one rate. ``*_value`` exclude GST; ``net_*`` = sales less
    refunds (refunds at the rate originally charged)."""

    tax_code: str  # SR | ZR | ES | OS
    gst_rate: Decimal  # percent
    sales_value: Decimal
    sales_gst: Decimal
    refunds_value: Decimal
    refunds_gst: Decimal

    @property
    def net_value(self) -> Decimal:
        return self.sales_value - self.refunds_value

    @property
    def net_gst(self) -> Decimal:
        return self.sales_gst - self.refunds_gst


@dataclass(frozen=True)
class GstBoxes:
    """GST F5 boxes (net of refunds): box 1 standard-rated supplies, box 2 zero-rated,
    box 3 exempt, box 4 = 1 + 2 + 3, box 6 output tax due. ``out_of_scope``: OS supplies,
    in no box. ``refunds_value`` / ``refunds_gst``: how much of the above refunds took off."""

    box1_standard_rated: Decimal
    box2_zero_rated: Decimal
    box3_exempt: Decimal
    box6_output_tax: Decimal
    out_of_scope: Decimal
    refunds_value: Decimal
    refunds_gst: Decimal

    @property
    def box4_total_supplies(self) -> Decimal:
        return self.box1_standard_rated + self.box2_zero_rated + self.box3_exempt


@dataclass(frozen=True)
class OutletGst:
    """One outlet's ``boxes`` and the ``lines`` (per tax code and rate) they add up from."""

    outlet: OutletRef
    boxes: GstBoxes
    lines: tuple[GstLine, ...]


@dataclass(frozen=True)
class GstReport:
    """``outlets``: every outlet in scope by code; ``total`` and ``lines``: over the
    GST-registered ones only (an unregistered outlet owes no GST and files no return)."""

    period: Period
    outlets: tuple[OutletGst, ...]
    total: GstBoxes
    lines: tuple[GstLine, ...]


def _boxes(lines: list[GstLine]) -> GstBoxes:
    def net(code: str) -> Decimal:
        return sum((x.net_value for x in lines if x.tax_code == code), ZERO)

    return GstBoxes(
        box1_standard_rated=net("SR"),
        box2_zero_rated=net("ZR"),
        box3_exempt=net("ES"),
        box6_output_tax=sum((x.net_gst for x in lines), ZERO),
        out_of_scope=net("OS"),
        refunds_value=sum((x.refunds_value for x in lines), ZERO),
        refunds_gst=sum((x.refunds_gst for x in lines), ZERO),
    )


def _merge(lines: list[GstLine]) -> list[GstLine]:
    sums: dict[tuple[str, Decimal], list[Decimal]] = defaultdict(lambda: [ZERO] * 4)
    for x in lines:
        s = sums[(x.tax_code, x.gst_rate)]
        s[0] += x.sales_value
        s[1] += x.sales_gst
        s[2] += x.refunds_value
        s[3] += x.refunds_gst
    return [
        GstLine(code, rate, *s)
        for (code, rate), s in sorted(
            sums.items(), key=lambda kv: (CODE_ORDER.get(kv[0][0], 9), kv[0])
        )
    ]


def gst_report(conn: Connection, scope: Scope, period: Period) -> GstReport:
    """GST F5 figures for ``period`` per outlet in scope and in total (see ``GstBoxes``)."""
    refs = outlets(conn, scope)
    per_outlet: dict[uuid.UUID, list[GstLine]] = {ref.outlet_id: [] for ref in refs}
    rows = conn.execute(
        select(
            BY_TAX.c.outlet_id,
            BY_TAX.c.tax_code,
            BY_TAX.c.gst_rate,
            func.sum(BY_TAX.c.sales_amount),
            func.sum(BY_TAX.c.sales_gst),
            func.sum(BY_TAX.c.refund_amount),
            func.sum(BY_TAX.c.refund_gst),
        )
        .where(
            BY_TAX.c.business_date.between(period.start, period.end),
            scope.clause(BY_TAX.c.outlet_id),
        )
        .group_by(BY_TAX.c.outlet_id, BY_TAX.c.tax_code, BY_TAX.c.gst_rate)
    )
    for outlet_id, code, rate, amount, gst, r_amount, r_gst in rows:
        if outlet_id not in per_outlet:
            continue
        sales_gst, refunds_gst = dollars(gst), dollars(r_gst)
        per_outlet[outlet_id].append(
            GstLine(
                tax_code=code,
                gst_rate=rate,
                sales_value=dollars(amount) - sales_gst,
                sales_gst=sales_gst,
                refunds_value=dollars(r_amount) - refunds_gst,
                refunds_gst=refunds_gst,
            )
        )
    outlet_reports = []
    registered: list[GstLine] = []
    for ref in refs:
        lines = _merge(per_outlet[ref.outlet_id])
        outlet_reports.append(OutletGst(ref, _boxes(lines), tuple(lines)))
        if ref.gst_registered:
            registered += lines
    total_lines = _merge(registered)
    return GstReport(
        period=period,
        outlets=tuple(outlet_reports),
        total=_boxes(total_lines),
        lines=tuple(total_lines),
    )
