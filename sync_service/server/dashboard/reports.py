"""Sales reports: a period's sales by item, category, outlet, till, staff, hour, day, week or
month, top or bottom sellers first, with the count and totals, as a page and as files."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy import Connection

from sync_service.central.reports.breakdown import (
    DIMENSIONS,
    ORDERS,
    TIME_DIMENSIONS,
    Breakdown,
    sales_breakdown,
)
from sync_service.central.reports.choices import OutletRef, outlets
from sync_service.central.reports.common import Period, ReportError, Scope
from sync_service.central.reports.trend import Trend, daily_trend
from sync_service.server.dashboard.charts import trend_lines
from sync_service.server.dashboard.exports import Cell, Sheet, csv_response, xlsx_response
from sync_service.server.dashboard.params import (
    narrowed,
    outlet_param,
    period_param,
    preset_links,
    text_param,
)
from sync_service.server.dashboard.web import READ, Viewer, bad_request, page, query, render

routes = web.RouteTableDef()
PATH = "/ho/reports"
HEADER = (
    "Key",
    "Name",
    "Items",
    "Transactions",
    "Revenue incl. GST (S$)",
    "Discount (S$)",
    "GST (S$)",
    "Revenue excl. GST (S$)",
    "Refunds incl. GST (S$)",
    "Net of refunds (S$)",
    "Cost of goods sold (S$)",
    "Margin (S$)",
    "Margin %",
)


def _choices(request: web.Request) -> tuple[str, str]:
    by = text_param(request, "by") or "item"
    order = text_param(request, "order") or ("name" if by in TIME_DIMENSIONS else "top")
    if by not in DIMENSIONS:
        raise bad_request(f"Show sales by one of: {', '.join(DIMENSIONS.values()).lower()}.")
    if order not in ORDERS:
        raise bad_request("Choose the order from the list: " + ", ".join(ORDERS.values()) + ".")
    return by, order


def _read(
    conn: Connection, visible: Scope, scope: Scope, period: Period, by: str, order: str
) -> tuple[list[OutletRef], Breakdown, Trend]:
    return (
        outlets(conn, visible),
        sales_breakdown(conn, scope, period, by, order),
        daily_trend(conn, scope, period),
    )


async def _report(
    request: web.Request, viewer: Viewer
) -> tuple[list[OutletRef], Breakdown, Trend, Any, Period]:
    outlet_id = outlet_param(request, viewer)
    period = period_param(request, default_days=7)
    by, order = _choices(request)
    try:
        choices, report, trend = await query(
            request, _read, viewer.scope, narrowed(viewer, outlet_id), period, by, order
        )
    except ReportError as exc:
        raise bad_request(str(exc)) from None
    return choices, report, trend, outlet_id, period


def breakdown_sheet(report: Breakdown) -> Sheet:
    """Every row, then the total row: the file sums to the page's totals."""
    rows: list[list[Cell]] = [_cells(r.key, r.label, r) for r in report.rows]
    rows.append(_cells("", "Total", report.total))
    title = f"Sales by {report.dimension} {report.period.start}"
    return Sheet(title, HEADER, rows)


def _cells(key: str, label: str, r: Any) -> list[Cell]:
    return [
        key,
        label,
        r.quantity,
        r.transactions,
        r.revenue,
        r.discount,
        r.gst,
        r.revenue_excl_gst,
        r.refunds,
        r.net,
        r.cost,
        r.margin,
        r.margin_percent,
    ]


def _filename(report: Breakdown, suffix: str) -> str:
    p = report.period
    return f"sales-by-{report.dimension}-{p.start}-to-{p.end}.{suffix}"


@routes.get("/reports")
@page(READ)
async def reports_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    choices, report, trend, outlet_id, period = await _report(request, viewer)
    return render(
        request,
        viewer,
        "reports.html",
        title=f"Sales by {DIMENSIONS[report.dimension].lower()}",
        outlets=choices,
        outlet_id=outlet_id,
        period=period,
        report=report,
        trend=trend,
        trend_chart=trend_lines(
            [(trend.current.label, [d.sales for d in trend.current.days])]
            + [(s.label, [d.sales for d in s.days]) for s in trend.earlier],
            [d.business_date.strftime("%d %b") for d in trend.current.days],
            label=f"Sales per day, {period.start} to {period.end}, against last week and last year",
        ),
        dimensions=DIMENSIONS,
        orders=ORDERS,
        presets=preset_links(request, PATH, ("by", "order", "outlet"), period),
        export_query=urlencode(
            {
                "by": report.dimension,
                "order": report.order,
                **({"outlet": str(outlet_id)} if outlet_id else {}),
                "from": period.start.isoformat(),
                "to": period.end.isoformat(),
            }
        ),
    )


@routes.get("/reports.csv")
@page(READ)
async def reports_csv(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    _, report, _, _, _ = await _report(request, viewer)
    return csv_response(breakdown_sheet(report), _filename(report, "csv"))


@routes.get("/reports.xlsx")
@page(READ)
async def reports_xlsx(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    _, report, _, _, _ = await _report(request, viewer)
    return await xlsx_response(request, [breakdown_sheet(report)], _filename(report, "xlsx"))
