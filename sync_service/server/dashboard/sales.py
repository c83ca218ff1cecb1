"""The sales explorer (filters, a page at a time) and one sale opened, receipt included."""

from __future__ import annotations

import uuid

from aiohttp import web

from sync_service.central.reports.choices import cashiers, outlets, tills
from sync_service.central.reports.common import ReportError
from sync_service.central.reports.sale_detail import sale_detail
from sync_service.central.reports.sales import TENDER_TYPES, SaleFilter, search_sales
from sync_service.server.dashboard.formats import tender
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
    return render(
        request,
        viewer,
        "sales.html",
        title="Sales",
        wanted=wanted,
        found=found,
        **page_links(request, "/ho/sales", (*FILTERS, "size"), found.next_cursor),
        outlets=await query(request, outlets, viewer.scope),
        tills=till_choices,
        cashiers=await query(request, cashiers, viewer.scope),
        tender_types=[(t, tender(t)) for t in sorted(TENDER_TYPES)],
        size=size,
        page_sizes=PAGE_SIZES,
    )


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
    return render(request, viewer, "sale.html", title=f"Sale {sale.receipt_no}", sale=sale)
