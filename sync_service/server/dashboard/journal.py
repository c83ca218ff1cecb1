"""The daily sales journal of one outlet: balanced double-entry lines per trading day."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from aiohttp import web

from sync_service.central.reports.accounting import QBO_HEADER, XERO_HEADER, qbo_rows, xero_rows
from sync_service.central.reports.choices import OutletRef, outlets
from sync_service.central.reports.common import NotInScope, Period, ReportError
from sync_service.central.reports.journal import SalesJournal, sales_journal
from sync_service.server.dashboard.exports import Cell, Sheet, csv_response, xlsx_response
from sync_service.server.dashboard.params import outlet_param, period_param, preset_links
from sync_service.server.dashboard.web import (
    READ,
    Viewer,
    bad_request,
    dashboard,
    not_found,
    page,
    query,
    render,
)

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
        presets=preset_links(request, "/ho/journal", ("outlet",), period),
        title="Sales journal",
        outlets=choices,
        journal=journal,
        period=period,
    )


async def _download(request: web.Request, viewer: Viewer) -> SalesJournal:
    """The chosen outlet's journal for a download; 404 when the viewer has no outlet."""
    _, journal, _ = await _journal(request, viewer)
    if journal is None:
        raise not_found("outlet")
    return journal


@routes.get("/journal.csv")
@page(READ)
async def journal_csv(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    journal = await _download(request, viewer)
    return csv_response(journal_sheet(journal), _filename(journal, "csv"))


async def _books_csv(
    request: web.Request,
    viewer: Viewer,
    rows_of: Callable[[SalesJournal, Any], list[list[Cell]]],
    header: tuple[str, ...],
    suffix: str,
) -> web.StreamResponse:
    """The journal as an accounting package imports it, accounts mapped in the settings."""
    journal = await _download(request, viewer)
    try:
        rows = rows_of(journal, dashboard(request).accounts)
    except ReportError as exc:
        raise bad_request(str(exc).capitalize() + ".") from None
    return csv_response(Sheet("Journal", header, rows), _filename(journal, suffix))


@routes.get("/journal.xero.csv")
@page(READ)
async def journal_xero(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """Manual journals for Xero's import (account codes from the server's settings)."""
    return await _books_csv(request, viewer, xero_rows, XERO_HEADER, "xero.csv")


@routes.get("/journal.qbo.csv")
@page(READ)
async def journal_qbo(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """Journal entries for QuickBooks Online's import (account names from the settings)."""
    return await _books_csv(request, viewer, qbo_rows, QBO_HEADER, "quickbooks.csv")


@routes.get("/journal.xlsx")
@page(READ)
async def journal_xlsx(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    journal = await _download(request, viewer)
    return await xlsx_response(request, [journal_sheet(journal)], _filename(journal, "xlsx"))
