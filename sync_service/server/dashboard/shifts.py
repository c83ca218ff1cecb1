"""Shifts and cash drawers: float, expected and counted cash, variance and approver per shift,
with the count and totals, as a page and as files."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy import Connection

from sync_service.central.reports.choices import OutletRef, TillRef, outlets, tills
from sync_service.central.reports.common import Period, Scope
from sync_service.central.reports.shifts import ShiftReport, shift_report
from sync_service.server.dashboard.exports import Cell, Sheet, csv_response, xlsx_response
from sync_service.server.dashboard.formats import local_time
from sync_service.server.dashboard.params import (
    narrowed,
    outlet_param,
    period_param,
    preset_links,
    uuid_param,
)
from sync_service.server.dashboard.web import READ, Viewer, page, query, render

routes = web.RouteTableDef()
PATH = "/ho/shifts"
HEADER = (
    "Outlet",
    "Till",
    "Opened by",
    "Opened at",
    "Closed by",
    "Closed at",
    "Float (S$)",
    "Expected cash (S$)",
    "Counted cash (S$)",
    "Variance (S$)",
    "Approved by",
    "Sales",
    "Sales total (S$)",
)


def _read(
    conn: Connection,
    visible: Scope,
    scope: Scope,
    period: Period,
    till_id: uuid.UUID | None,
    limit: int | None,
) -> tuple[list[OutletRef], list[TillRef], ShiftReport]:
    return (
        outlets(conn, visible),
        tills(conn, visible),
        shift_report(conn, scope, period, till_id=till_id, limit=limit),
    )


async def _report(
    request: web.Request, viewer: Viewer, *, everything: bool = False
) -> tuple[list[OutletRef], list[TillRef], ShiftReport, uuid.UUID | None, uuid.UUID | None]:
    outlet_id = outlet_param(request, viewer)
    till_id = uuid_param(request, "till")
    period = period_param(request, default_days=7)
    limit = None if everything else 1000
    choices, till_choices, report = await query(
        request, _read, viewer.scope, narrowed(viewer, outlet_id), period, till_id, limit
    )
    return choices, till_choices, report, outlet_id, till_id


def shifts_sheet(report: ShiftReport) -> Sheet:
    rows: list[list[Cell]] = [
        [
            s.outlet_code,
            f"{s.outlet_code}-{s.till_code}",
            s.opened_by_name,
            local_time(s.opened_at),
            s.closed_by_name,
            local_time(s.closed_at) if s.closed_at else "still open",
            s.opening_float,
            s.expected_cash,
            s.counted_cash,
            s.variance,
            s.approved_by_name,
            s.sales_count,
            s.sales_total,
        ]
        for s in report.rows
    ]
    t = report.total
    rows.append(
        [
            "Total",
            f"{t.shifts} shifts",
            None,
            None,
            None,
            f"{t.open} still open" if t.open else None,
            t.opening_float,
            t.expected_cash,
            t.counted_cash,
            t.variance,
            None,
            None,
            t.sales_total,
        ]
    )
    return Sheet(f"Shifts {report.period.start}", HEADER, rows)


def _filename(report: ShiftReport, suffix: str) -> str:
    return f"shifts-{report.period.start}-to-{report.period.end}.{suffix}"


@routes.get("/shifts")
@page(READ)
async def shifts_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    choices, till_choices, report, outlet_id, till_id = await _report(request, viewer)
    period = report.period
    export = {
        **({"outlet": str(outlet_id)} if outlet_id else {}),
        **({"till": str(till_id)} if till_id else {}),
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
    }
    return render(
        request,
        viewer,
        "shifts.html",
        title="Shifts and cash",
        outlets=choices,
        tills=till_choices,
        outlet_id=outlet_id,
        till_id=till_id,
        period=period,
        report=report,
        presets=preset_links(request, PATH, ("outlet", "till"), period),
        export_query=urlencode(export),
    )


@routes.get("/shifts.csv")
@page(READ)
async def shifts_csv(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    _, _, report, _, _ = await _report(request, viewer, everything=True)
    return csv_response(shifts_sheet(report), _filename(report, "csv"))


@routes.get("/shifts.xlsx")
@page(READ)
async def shifts_xlsx(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    _, _, report, _, _ = await _report(request, viewer, everything=True)
    return await xlsx_response(request, [shifts_sheet(report)], _filename(report, "xlsx"))
