"""The sales explorer (filters, a page at a time) and one sale opened, receipt included."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy import Connection

from sync_service.central.reports.choices import cashiers, outlets, tills
from sync_service.central.reports.common import ReportError, Scope
from sync_service.central.reports.names import ids_in, names
from sync_service.central.reports.sale_detail import sale_detail
from sync_service.central.reports.sales import (
    TENDER_TYPES,
    SaleFilter,
    SaleRow,
    SaleTotals,
    sale_totals,
    search_sales,
)
from sync_service.server.dashboard.exports import Cell, Sheet, csv_response, xlsx_response
from sync_service.server.dashboard.formats import local_time, tender
from sync_service.server.dashboard.params import (
    cursor_param,
    date_param,
    int_param,
    outlet_param,
    page_links,
    text_param,
    uuid_param,
)
from sync_service.server.dashboard.web import (
    READ,
    Viewer,
    bad_request,
    not_found,
    page,
    query,
    render,
)

routes = web.RouteTableDef()
FILTERS = ("outlet", "till", "cashier", "date_from", "date_to", "receipt_no", "tender")
PAGE_SIZES = (25, 50, 100, 200)
MAX_EXPORT = 50_000  # sales in one download; the total row still counts every one
SALES_HEADER = (
    "Receipt",
    "Sold at",
    "Business date",
    "Outlet",
    "Till",
    "Cashier",
    "Paid by",
    "Total (S$)",
    "GST (S$)",
    "Refunded (S$)",
)


def _filter(request: web.Request, viewer: Viewer) -> SaleFilter:
    tender_type = text_param(request, "tender")
    if tender_type is not None and tender_type not in TENDER_TYPES:
        raise bad_request(
            "Choose the payment type from the list: " + ", ".join(sorted(TENDER_TYPES)) + "."
        )
    try:
        return SaleFilter(
            outlet_id=outlet_param(request, viewer),
            till_id=uuid_param(request, "till"),
            cashier_id=uuid_param(request, "cashier"),
            date_from=date_param(request, "date_from"),
            date_to=date_param(request, "date_to"),
            receipt_no=text_param(request, "receipt_no"),
            tender_type=tender_type,
        )
    except ReportError as exc:
        raise bad_request(str(exc)) from None


@routes.get("/sales")
@page(READ)
async def sales_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    wanted = _filter(request, viewer)
    size = int_param(request, "size", 50, 1, max(PAGE_SIZES))
    till_choices = await query(request, tills, viewer.scope)
    if wanted.till_id is not None and all(t.till_id != wanted.till_id for t in till_choices):
        raise not_found("till")
    try:
        found = await query(
            request,
            search_sales,
            viewer.scope,
            wanted,
            after=cursor_param(request),
            limit=size,
        )
    except ReportError as exc:
        raise bad_request(str(exc)) from None
    kept = {k: v for k in FILTERS if (v := request.query.get(k, "").strip())}
    return render(
        request,
        viewer,
        "sales.html",
        title="Sales",
        wanted=wanted,
        found=found,
        totals=await query(request, sale_totals, viewer.scope, wanted),
        export_query=urlencode(kept),
        **page_links(request, "/ho/sales", (*FILTERS, "size"), found.next_cursor),
        outlets=await query(request, outlets, viewer.scope),
        tills=till_choices,
        cashiers=await query(request, cashiers, viewer.scope),
        tender_types=[(t, tender(t)) for t in sorted(TENDER_TYPES)],
        size=size,
        page_sizes=PAGE_SIZES,
    )


def _every_sale(
    conn: Connection, scope: Scope, wanted: SaleFilter
) -> tuple[list[SaleRow], SaleTotals]:
    """The sales a download holds (at most ``MAX_EXPORT``) and the totals of all of them."""
    rows: list[SaleRow] = []
    after = None
    while len(rows) < MAX_EXPORT:
        found = search_sales(conn, scope, wanted, after=after, limit=500)
        rows += found.rows
        after = found.next_cursor
        if after is None:
            break
    return rows[:MAX_EXPORT], sale_totals(conn, scope, wanted)


def sales_sheet(rows: list[SaleRow], totals: SaleTotals) -> Sheet:
    body: list[list[Cell]] = [
        [
            s.receipt_no,
            local_time(s.sold_at),
            s.business_date,
            s.outlet_code,
            f"{s.outlet_code}-{s.till_code}",
            s.cashier_name,
            ", ".join(tender(t) for t in s.tender_types),
            s.total,
            s.gst_total,
            s.refunded or None,
        ]
        for s in rows
    ]
    label = f"Total of {totals.count} sales"
    if len(rows) < totals.count:
        label += f" (the first {len(rows)} are listed: narrow the filters for the rest)"
    body.append([label, None, None, None, None, None, None, totals.total, totals.gst_total, None])
    return Sheet("Sales", SALES_HEADER, body)


async def _download(request: web.Request, viewer: Viewer) -> Sheet:
    wanted = _filter(request, viewer)
    try:
        rows, totals = await query(request, _every_sale, viewer.scope, wanted)
    except ReportError as exc:
        raise bad_request(str(exc)) from None
    return sales_sheet(rows, totals)


@routes.get("/sales.csv")
@page(READ)
async def sales_csv(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return csv_response(await _download(request, viewer), "sales.csv")


@routes.get("/sales.xlsx")
@page(READ)
async def sales_xlsx(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await xlsx_response(request, [await _download(request, viewer)], "sales.xlsx")


@routes.get("/sales/{sale_id}")
@page(READ)
async def sale_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    try:
        sale_id = uuid.UUID(request.match_info["sale_id"])
    except ValueError:
        raise not_found("sale") from None
    sale = await query(request, sale_detail, viewer.scope, sale_id)
    if sale is None:
        raise not_found("sale")
    approvers = ids_in([line.approved_by for line in sale.lines])
    return render(
        request,
        viewer,
        "sale.html",
        title=f"Sale {sale.receipt_no}",
        sale=sale,
        names=await query(request, names, viewer.scope, approvers),
    )
