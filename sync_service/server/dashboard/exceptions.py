"""Discounts, price overrides, voids and refunds by staff member, with their approvers, and
each one in turn, with the counts and totals, as a page and as files."""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy import Connection

from sync_service.central.reports.choices import OutletRef, outlets
from sync_service.central.reports.common import Period, Scope
from sync_service.central.reports.exceptions import KINDS, ExceptionReport, exception_report
from sync_service.server.dashboard.exports import Cell, Sheet, csv_response, xlsx_response
from sync_service.server.dashboard.formats import local_time
from sync_service.server.dashboard.params import (
    narrowed,
    outlet_param,
    period_param,
    preset_links,
)
from sync_service.server.dashboard.web import READ, Viewer, page, query, render

routes = web.RouteTableDef()
PATH = "/ho/exceptions"
LABELS = {
    "discount": "Discounts",
    "override": "Price overrides",
    "void": "Voids",
    "refund": "Refunds",
}
EVENT_HEADER = (
    "When",
    "Kind",
    "Receipt",
    "Outlet",
    "Staff",
    "Approved by",
    "Amount (S$)",
    "Detail or reason",
)


def _read(
    conn: Connection, visible: Scope, scope: Scope, period: Period, everything: bool
) -> tuple[list[OutletRef], ExceptionReport]:
    limit = None if everything else 1000
    return outlets(conn, visible), exception_report(conn, scope, period, limit=limit)


async def _report(
    request: web.Request, viewer: Viewer, *, everything: bool = False
) -> tuple[list[OutletRef], ExceptionReport, object]:
    outlet_id = outlet_param(request, viewer)
    period = period_param(request, default_days=7)
    choices, report = await query(
        request, _read, viewer.scope, narrowed(viewer, outlet_id), period, everything
    )
    return choices, report, outlet_id


def events_sheet(report: ExceptionReport) -> Sheet:
    rows: list[list[Cell]] = [
        [
            local_time(e.at),
            e.kind,
            e.receipt_no,
            e.outlet_code,
            e.staff_name,
            e.approver_name,
            e.amount,
            e.detail,
        ]
        for e in report.events
    ]
    for kind in KINDS:
        rows.append(
            [
                None,
                f"Total {kind}s ({report.counts[kind]})",
                None,
                None,
                None,
                None,
                report.amounts[kind],
                None,
            ]
        )
    return Sheet(f"Exceptions {report.period.start}", EVENT_HEADER, rows)


def staff_sheet(report: ExceptionReport) -> Sheet:
    header = ["Staff"]
    for kind in KINDS:
        header += [f"{LABELS[kind]} (count)", f"{LABELS[kind]} (S$)"]
    header.append("Approvals given")
    rows: list[list[Cell]] = []
    for s in report.staff:
        row: list[Cell] = [s.staff_name]
        for kind in KINDS:
            row += [s.counts[kind], s.amounts[kind]]
        row.append(s.approved)
        rows.append(row)
    total: list[Cell] = ["Total"]
    for kind in KINDS:
        total += [report.counts[kind], report.amounts[kind]]
    total.append(report.approved)
    rows.append(total)
    return Sheet("By staff", header, rows)


def _filename(report: ExceptionReport, suffix: str) -> str:
    return f"exceptions-{report.period.start}-to-{report.period.end}.{suffix}"


@routes.get("/exceptions")
@page(READ)
async def exceptions_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    choices, report, outlet_id = await _report(request, viewer)
    period = report.period
    export = {
        **({"outlet": str(outlet_id)} if outlet_id else {}),
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
    }
    return render(
        request,
        viewer,
        "exceptions.html",
        title="Discounts, overrides, voids and refunds",
        outlets=choices,
        outlet_id=outlet_id,
        period=period,
        report=report,
        kinds=KINDS,
        labels=LABELS,
        presets=preset_links(request, PATH, ("outlet",), period),
        export_query=urlencode(export),
    )


@routes.get("/exceptions.csv")
@page(READ)
async def exceptions_csv(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    _, report, _ = await _report(request, viewer, everything=True)
    return csv_response(events_sheet(report), _filename(report, "csv"))


@routes.get("/exceptions.xlsx")
@page(READ)
async def exceptions_xlsx(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    _, report, _ = await _report(request, viewer, everything=True)
    return await xlsx_response(
        request, [staff_sheet(report), events_sheet(report)], _filename(report, "xlsx")
    )
