"""Stock on hand per outlet and product (negative flagged), its value at cost per outlet, one
product's movements and the transfers between outlets; each list downloads as CSV or XLSX."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy import Connection, select

from shared.gst import SINGAPORE
from sync_service.central.models import Product
from sync_service.central.reports.choices import outlet, outlets
from sync_service.central.reports.common import NotInScope, ReportError
from sync_service.central.reports.names import ids_in, names
from sync_service.central.reports.stock import (
    StockFilter,
    TransferRow,
    stock_levels,
    stock_movements,
    stock_totals,
    stock_valuation,
    transfers,
)
from sync_service.server.dashboard.exports import Sheet, csv_response, xlsx_response
from sync_service.server.dashboard.params import (
    cursor_param,
    int_param,
    outlet_param,
    page_links,
    text_param,
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
FILTERS = ("outlet", "q", "negative", "low", "reorder")
LOW_STOCK_AT = 5  # the low-stock link's level: the daily summary's default (low_stock_at)
HISTORY = 200  # movements shown for one product; older ones are in the ledger export
EXPORT_ROWS = 500  # the latest transfer lines in one download (the reports' page limit)


def stock_filter(request: web.Request, viewer: Viewer) -> StockFilter:
    return StockFilter(
        outlet_id=outlet_param(request, viewer),
        search=text_param(request, "q"),
        negative_only=request.query.get("negative") == "1",
        at_most=_low_param(request),
        at_reorder_point=request.query.get("reorder") == "1",
    )


def _low_param(request: web.Request) -> Decimal | None:
    """The low-stock level: rows at or below it (units, or kilograms for a weighed product)."""
    value = text_param(request, "low")
    if value is None:
        return None
    try:
        level = Decimal(value)
    except InvalidOperation:
        level = Decimal(-1)
    if not level.is_finite() or not 0 <= level <= 1_000_000 or level != level.quantize(_MILLI):
        raise bad_request(
            f"The low-stock level {value[:20]!r} is not a quantity: give units (such as 5) "
            "or kilograms to three places (such as 0.5), from 0 to 1000000."
        )
    return level


_MILLI = Decimal("0.001")


@routes.get("/stock")
@page(READ)
async def stock_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    try:
        wanted = stock_filter(request, viewer)
        totals = await query(request, stock_totals, viewer.scope, wanted)
        found = await query(
            request,
            stock_levels,
            viewer.scope,
            wanted,
            after=cursor_param(request),
            limit=int_param(request, "size", 100, 1, 500),
        )
    except ReportError as exc:
        raise bad_request(str(exc)) from None
    return render(
        request,
        viewer,
        "stock.html",
        title="Stock",
        wanted=wanted,
        low_stock_at=LOW_STOCK_AT,
        found=found,
        totals=totals,
        outlets=await query(request, outlets, viewer.scope),
        export_query=urlencode({k: request.query[k] for k in FILTERS if request.query.get(k)}),
        **page_links(request, "/ho/stock", FILTERS, found.next_cursor),
    )


@routes.get("/stock/valuation")
@page(READ)
async def valuation_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """Stock at cost per outlet: on hand x moving average cost."""
    rows = await query(request, stock_valuation, viewer.scope)
    return render(
        request,
        viewer,
        "stock_valuation.html",
        title="Stock valuation",
        rows=rows,
        total=sum((r.value for r in rows), Decimal(0)),
        units=sum((r.quantity for r in rows), Decimal(0)),
    )


@routes.get("/stock/transfers")
@page(READ)
async def transfers_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """Transfers between outlets: in transit, received, and the differences to look into."""
    rows = await query(request, transfers, viewer.scope, limit=HISTORY)
    in_transit = sum((r.value_in_transit for r in rows), Decimal(0))
    return render(
        request,
        viewer,
        "stock_transfers.html",
        title="Transfers",
        rows=rows,
        in_transit=in_transit,
        history=HISTORY,
    )


TRANSFER_HEADER = (
    "Transfer",
    "From",
    "To",
    "Dispatched",
    "Product",
    "Sent",
    "Received",
    "In transit",
    "Cost per unit",
    "Value in transit",
    "Status",
)


def _transfer_sheet(rows: list[TransferRow]) -> Sheet:
    return Sheet(
        "Transfers",
        TRANSFER_HEADER,
        [
            (
                r.transfer_no,
                r.from_code,
                r.to_code,
                r.dispatched_at.astimezone(SINGAPORE).strftime("%Y-%m-%d %H:%M")
                if r.dispatched_at
                else None,
                r.name,
                r.sent,
                r.received,
                r.in_transit,
                r.unit_cost,
                r.value_in_transit,
                r.status,
            )
            for r in rows
        ],
    )


@routes.get("/stock/transfers.csv")
@page(READ)
async def transfers_csv(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """The transfers page as CSV, for the stock controller."""
    rows = await query(request, transfers, viewer.scope, limit=EXPORT_ROWS)
    return csv_response(_transfer_sheet(rows), "transfers.csv")


@routes.get("/stock/transfers.xlsx")
@page(READ)
async def transfers_xlsx(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """The transfers page as an Excel workbook."""
    rows = await query(request, transfers, viewer.scope, limit=EXPORT_ROWS)
    return await xlsx_response(request, [_transfer_sheet(rows)], "transfers.xlsx")


@routes.get("/stock/{outlet_id}/{product_id}")
@page(READ)
async def movements_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    try:
        outlet_id = uuid.UUID(request.match_info["outlet_id"])
        product_id = uuid.UUID(request.match_info["product_id"])
    except ValueError:
        raise not_found("product at this outlet") from None
    if not viewer.may_see(outlet_id):
        raise not_found("product at this outlet")
    try:
        moves = await query(
            request, stock_movements, viewer.scope, outlet_id, product_id, limit=HISTORY
        )
    except NotInScope:
        raise not_found("product at this outlet") from None
    where = await query(request, outlet, viewer.scope, outlet_id)
    if where is None:
        raise not_found("product at this outlet")
    name = await query(request, product_name, product_id)
    sources = await query(request, names, viewer.scope, ids_in([m.source for m in moves]))
    return render(
        request,
        viewer,
        "stock_movements.html",
        title="Stock movements",
        moves=moves,
        outlet=where,
        product_name=name,
        on_hand=moves[0].balance_after if moves else None,
        moved=sum((m.quantity for m in moves), Decimal(0)),
        history=HISTORY,
        names=sources,
        product_id=product_id,
    )


def product_name(conn: Connection, product_id: uuid.UUID) -> str | None:
    """The catalogue's name for a product (the catalogue is the same for every outlet)."""
    return conn.scalar(select(Product.name).where(Product.product_id == product_id))
