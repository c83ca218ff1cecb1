"""The GST report: a period's GST F5 boxes per outlet and in total, on screen and as files."""

from __future__ import annotations

from aiohttp import web

from sync_service.central.reports.common import Period, ReportError
from sync_service.central.reports.gst import GstBoxes, GstReport, gst_report
from sync_service.central.reports.gst_f5 import F5Worksheet, Quarter, f5_worksheet
from sync_service.server.dashboard.exports import Cell, Sheet, csv_response, xlsx_response
from sync_service.server.dashboard.params import period_param, preset_links
from sync_service.server.dashboard.web import (
    READ,
    Viewer,
    bad_request,
    dashboard,
    page,
    query,
    render,
)

routes = web.RouteTableDef()
# The boxes of IRAS form GST F5 that a retailer's sales fill, with the form's own wording.
BOXES = (
    ("1", "Total value of standard-rated supplies", "box1_standard_rated"),
    ("2", "Total value of zero-rated supplies", "box2_zero_rated"),
    ("3", "Total value of exempt supplies", "box3_exempt"),
    ("4", "Total value of (1) + (2) + (3)", "box4_total_supplies"),
    ("6", "Output tax due", "box6_output_tax"),
)
HEADER = ("Outlet", "GST registration", "Box", "Description", "Amount (S$)")


def _box_rows(label: str, reg_no: str | None, boxes: GstBoxes) -> list[list[Cell]]:
    rows: list[list[Cell]] = [
        [label, reg_no, box, text, getattr(boxes, name)] for box, text, name in BOXES
    ]
    rows.append([label, reg_no, "", "Out-of-scope supplies (in no box)", boxes.out_of_scope])
    rows.append([label, reg_no, "", "Refunds taken off box 4 (excl. GST)", boxes.refunds_value])
    rows.append([label, reg_no, "", "GST refunded, taken off box 6", boxes.refunds_gst])
    return rows


def gst_sheet(report: GstReport) -> Sheet:
    """Total first (every GST-registered outlet), then each outlet."""
    rows = _box_rows("All GST-registered outlets", None, report.total)
    for o in report.outlets:
        label = f"{o.outlet.code} {o.outlet.name}"
        if o.outlet.gst_registered:
            rows += _box_rows(label, o.outlet.gst_reg_no, o.boxes)
        else:  # it files no return: figures here would only be copied into one by mistake
            rows.append([label, None, "", "Not GST-registered: no GST charged, no return", None])
    return Sheet(f"GST F5 {report.period.start}", HEADER, rows)


def _lines_sheet(report: GstReport) -> Sheet:
    rows: list[list[Cell]] = []
    for o in report.outlets:
        for x in o.lines:
            rows.append(
                [
                    o.outlet.code,
                    x.tax_code,
                    x.gst_rate,
                    x.sales_value,
                    x.sales_gst,
                    x.refunds_value,
                    x.refunds_gst,
                    x.net_value,
                    x.net_gst,
                ]
            )
    header = (
        "Outlet",
        "Tax code",
        "Rate %",
        "Sales excl. GST",
        "GST on sales",
        "Refunds excl. GST",
        "GST on refunds",
        "Net excl. GST",
        "Net GST",
    )
    return Sheet("By tax code", header, rows)


def _filename(period: Period, suffix: str) -> str:
    return f"gst-f5-{period.start}-to-{period.end}.{suffix}"


@routes.get("/gst")
@page(READ)
async def gst_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    period = period_param(request, default_days=_days_this_quarter(request))
    report = await query(request, gst_report, viewer.scope, period)
    return render(
        request,
        viewer,
        "gst.html",
        title="GST report",
        report=report,
        period=period,
        boxes=BOXES,
        presets=preset_links(request, "/ho/gst", (), period),
    )


@routes.get("/gst.csv")
@page(READ)
async def gst_csv(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    period = period_param(request, default_days=_days_this_quarter(request))
    report = await query(request, gst_report, viewer.scope, period)
    return csv_response(gst_sheet(report), _filename(period, "csv"))


@routes.get("/gst.xlsx")
@page(READ)
async def gst_xlsx(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    period = period_param(request, default_days=_days_this_quarter(request))
    report = await query(request, gst_report, viewer.scope, period)
    return await xlsx_response(
        request, [gst_sheet(report), _lines_sheet(report)], _filename(period, "xlsx")
    )


def _days_this_quarter(request: web.Request) -> int:
    """By default the quarter so far: GST returns are filed per quarter."""
    today = dashboard(request).today()
    first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    return (today - first).days + 1


# --- the F5 worksheet: a quarter's return per GST registration ------------------------------

F5_HEADER = ("GST registration", "Outlets", "Box", "Description", "Amount (S$)", "Note")


def _quarter(request: web.Request) -> Quarter:
    raw = request.query.get("quarter", "").strip()
    if not raw:  # by default the last whole quarter: the one being filed
        return Quarter.of(dashboard(request).today()).previous()
    try:
        return Quarter.parse(raw)
    except ReportError as exc:
        raise bad_request(str(exc)) from None


def f5_sheet(worksheet: F5Worksheet) -> Sheet:
    """One row per box per return; a box the POS cannot know is an empty cell."""
    rows: list[list[Cell]] = []
    for ret in worksheet.returns:
        outlets = " ".join(ret.outlets)
        rows += [
            [ret.gst_reg_no, outlets, str(b.number), b.description, b.amount, b.note]
            for b in ret.boxes
        ]
    for code in worksheet.unregistered:
        rows.append([None, code, "", "Not GST-registered: no GST charged, no return", None, ""])
    return Sheet(f"GST F5 {worksheet.quarter}", F5_HEADER, rows)


@routes.get("/gst/f5")
@page(READ)
async def f5_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    quarter = _quarter(request)
    worksheet = await query(request, f5_worksheet, viewer.scope, quarter)
    recent = [Quarter.of(dashboard(request).today())]
    for _ in range(7):
        recent.append(recent[-1].previous())
    return render(
        request,
        viewer,
        "gst_f5.html",
        title=f"GST F5 worksheet {quarter}",
        worksheet=worksheet,
        quarter=quarter,
        recent=recent,
    )


@routes.get("/gst/f5.csv")
@page(READ)
async def f5_csv(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    quarter = _quarter(request)
    worksheet = await query(request, f5_worksheet, viewer.scope, quarter)
    return csv_response(f5_sheet(worksheet), f"gst-f5-worksheet-{quarter}.csv")


@routes.get("/gst/f5.xlsx")
@page(READ)
async def f5_xlsx(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    quarter = _quarter(request)
    worksheet = await query(request, f5_worksheet, viewer.scope, quarter)
    return await xlsx_response(request, [f5_sheet(worksheet)], f"gst-f5-worksheet-{quarter}.xlsx")
