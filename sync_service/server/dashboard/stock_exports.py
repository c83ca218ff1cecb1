"""Downloads of the stock pages' lists, as CSV or an Excel workbook: stock on hand (every row
the page's filters find, on all its pages), the valuation per outlet and one product's
movements; each sums to its page's totals. (The transfers download sits with its page.)"""

from __future__ import annotations

import uuid

from aiohttp import web
from sqlalchemy import Connection

from shared.gst import SINGAPORE
from sync_service.central.reports.common import NotInScope, ReportError, Scope
from sync_service.central.reports.stock import (
    MovementRow,
    OutletValuation,
    StockFilter,
    StockRow,
    stock_levels,
    stock_movements,
    stock_valuation,
)
from sync_service.server.dashboard.exports import Sheet, csv_response, xlsx_response
from sync_service.server.dashboard.stock import HISTORY, stock_filter
from sync_service.server.dashboard.web import READ, Viewer, bad_request, not_found, page, query

routes = web.RouteTableDef()
STOCK_EXPORT_PAGES = 200  # stock on hand downloads at most 200 pages of 500 rows


STOCK_HEADER = (
    "Outlet",
    "SKU",
    "Product",
    "On hand",
    "Cost per unit (S$)",
    "Value at cost (S$)",
    "Negative",
)


def _all_levels(conn: Connection, scope: Scope, wanted: StockFilter) -> list[StockRow]:
    """Every row of the filter, page by page (the page's own order and cursor)."""
    rows: list[StockRow] = []
    after = None
    for _ in range(STOCK_EXPORT_PAGES):
        found = stock_levels(conn, scope, wanted, after=after, limit=500)
        rows += found.rows
        after = found.next_cursor
        if after is None:
            return rows
    raise ReportError(
        f"more than {STOCK_EXPORT_PAGES * 500} rows: choose an outlet or search for products"
    )


def _stock_sheet(rows: list[StockRow]) -> Sheet:
    return Sheet(
        "Stock on hand",
        STOCK_HEADER,
        [
            (
                r.outlet_code,
                r.sku,
                r.name,
                r.quantity,
                r.unit_cost,
                r.value,
                "yes" if r.negative else None,
            )
            for r in rows
        ],
    )


async def _stock_export(request: web.Request, viewer: Viewer) -> Sheet:
    try:
        rows = await query(request, _all_levels, viewer.scope, stock_filter(request, viewer))
    except ReportError as exc:
        raise bad_request(str(exc)) from None
    return _stock_sheet(rows)


@routes.get("/stock.csv")
@page(READ)
async def stock_csv(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """Stock on hand, every row the filters find, valued at cost."""
    return csv_response(await _stock_export(request, viewer), "stock-on-hand.csv")


@routes.get("/stock.xlsx")
@page(READ)
async def stock_xlsx(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await xlsx_response(
        request, [await _stock_export(request, viewer)], "stock-on-hand.xlsx"
    )


VALUATION_HEADER = (
    "Outlet",
    "Name",
    "Products",
    "Units on hand",
    "Value at cost (S$)",
    "Negative products",
    "Products without a cost",
)


def _valuation_sheet(rows: list[OutletValuation]) -> Sheet:
    return Sheet(
        "Stock valuation",
        VALUATION_HEADER,
        [(r.code, r.name, r.products, r.quantity, r.value, r.negative, r.uncosted) for r in rows],
    )


@routes.get("/stock/valuation.csv")
@page(READ)
async def valuation_csv(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    rows = await query(request, stock_valuation, viewer.scope)
    return csv_response(_valuation_sheet(rows), "stock-valuation.csv")


@routes.get("/stock/valuation.xlsx")
@page(READ)
async def valuation_xlsx(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    rows = await query(request, stock_valuation, viewer.scope)
    return await xlsx_response(request, [_valuation_sheet(rows)], "stock-valuation.xlsx")


MOVEMENT_HEADER = (
    "When",
    "Till",
    "Reason",
    "Detail",
    "Reference",
    "Quantity",
    "Cost per unit (S$)",
    "On hand after",
    "Source",
)


def _movement_sheet(moves: list[MovementRow]) -> Sheet:
    return Sheet(
        "Movements",
        MOVEMENT_HEADER,
        [
            (
                m.moved_at.astimezone(SINGAPORE).strftime("%Y-%m-%d %H:%M"),
                m.till_code,
                m.reason,
                m.detail,
                m.reference,
                m.quantity,
                m.cost,
                m.balance_after,
                m.source,
            )
            for m in moves
        ],
    )


async def _movements_export(request: web.Request, viewer: Viewer) -> tuple[Sheet, str]:
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
    return _movement_sheet(moves), f"movements-{product_id}"


@routes.get("/stock/{outlet_id}/{product_id}/movements.csv")
@page(READ)
async def movements_csv(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """The rows of the movements page (the latest ones), as CSV."""
    sheet, name = await _movements_export(request, viewer)
    return csv_response(sheet, f"{name}.csv")


@routes.get("/stock/{outlet_id}/{product_id}/movements.xlsx")
@page(READ)
async def movements_xlsx(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    sheet, name = await _movements_export(request, viewer)
    return await xlsx_response(request, [sheet], f"{name}.xlsx")
