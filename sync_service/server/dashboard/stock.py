"""Stock on hand per outlet and product (negative flagged) and one product's movements."""

from __future__ import annotations

import uuid

from aiohttp import web
from sqlalchemy import Connection, select

from sync_service.central.models import Product
from sync_service.central.reports.choices import outlet, outlets
from sync_service.central.reports.common import NotInScope, ReportError
from sync_service.central.reports.stock import StockFilter, stock_levels, stock_movements
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
FILTERS = ("outlet", "q", "negative")
HISTORY = 200  # movements shown for one product; older ones are in the ledger export


@routes.get("/stock")
@page(READ)
async def stock_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    try:
        wanted = StockFilter(
            outlet_id=outlet_param(request, viewer),
            search=text_param(request, "q"),
            negative_only=request.query.get("negative") == "1",
        )
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
        found=found,
        outlets=await query(request, outlets, viewer.scope),
        **page_links(request, "/ho/stock", FILTERS, found.next_cursor),
    )


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
    return render(
        request,
        viewer,
        "stock_movements.html",
        title="Stock movements",
        moves=moves,
        outlet=where,
        product_name=name,
        on_hand=moves[0].balance_after if moves else None,
        history=HISTORY,
    )


def product_name(conn: Connection, product_id: uuid.UUID) -> str | None:
    """The catalogue's name for a product (the catalogue is the same for every outlet)."""
    return conn.scalar(select(Product.name).where(Product.product_id == product_id))
