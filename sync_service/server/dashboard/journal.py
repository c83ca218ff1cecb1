"""The daily sales journal of one outlet: balanced double-entry lines per trading day."""

from __future__ import annotations

import uuid

from aiohttp import web

from sync_service.central.reports.choices import OutletRef, outlets
from sync_service.central.reports.common import NotInScope, Period
from sync_service.central.reports.journal import SalesJournal, sales_journal
from sync_service.server.dashboard.exports import Cell, Sheet, csv_response, xlsx_response
from sync_service.server.dashboard.params import outlet_param, period_param
from sync_service.server.dashboard.web import READ, Viewer, not_found, page, query, render

routes = web.RouteTableDef()
HEADER = ("Date", "Outlet", "Account", "Memo", "Debit (S$)", "Credit (S$)")


async def _journal(
    request: web.Request, viewer: Viewer
) -> tuple[list[OutletRef], SalesJournal | None, Period]:
    """The outlets to choose from and the chosen outlet's journal (the first outlet when none
    is chosen; None when the viewer has no outlet at all)."""
    period = period_param(request, default_days=7)
    choices = await query(request, outlets, viewer.scope)
    outlet_id: uuid.UUID | None = outlet_param(request, viewer)
    if outlet_id is None and choices:
        outlet_id = choices[0].outlet_id
    if outlet_id is None:
        return choices, None, period
    try:
        journal = await query(request, sales_journal, viewer.scope, period, outlet_id)
    except NotInScope:
        raise not_found("outlet") from None
    return choices, journal, period


def journal_sheet(journal: SalesJournal) -> Sheet:
    rows: list[list[Cell]] = []
    for day in journal.days:
        for line in day.lines:
            rows.append(
                [
                    day.business_date,
                    journal.outlet.code,
                    line.account,
                    line.memo,
                    line.debit or None,
                    line.credit or None,
                ]
            )
        rows.append(
            [day.business_date, journal.outlet.code, "Day total", "", day.debits, day.credits]
        )
    return Sheet(f"Journal {journal.outlet.code}", HEADER, rows)


def _filename(journal: SalesJournal, suffix: str) -> str:
    p = journal.period
    return f"sales-journal-{journal.outlet.code}-{p.start}-to-{p.end}.{suffix}"


@routes.get("/journal")
@page(READ)
async def journal_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    choices, journal, period = await _journal(request, viewer)
    return render(
        request,
        viewer,
        "journal.html",
        title="Sales journal",
        outlets=choices,
        journal=journal,
        period=period,
    )


@routes.get("/journal.csv")
@page(READ)
async def journal_csv(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    _, journal, _ = await _journal(request, viewer)
    if journal is None:
        raise not_found("outlet")
    return csv_response(journal_sheet(journal), _filename(journal, "csv"))


@routes.get("/journal.xlsx")
@page(READ)
async def journal_xlsx(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    _, journal, _ = await _journal(request, viewer)
    if journal is None:
        raise not_found("outlet")
    return await xlsx_response(request, [journal_sheet(journal)], _filename(journal, "xlsx"))
