"""Purchasing: suppliers and what they sell, purchase orders, reorder rules and the suggested
order. Head office's buyers (admins and analysts) see them; only an admin changes them.
Outlet managers do not: an order's prices and other outlets' orders are head office's.
"""

from __future__ import annotations

import uuid

from aiohttp import web

from sync_service.central.admin import AdminError
from sync_service.central.admin.purchasing import (
    STATUSES,
    cancel_order,
    company_name,
    draft_from_suggestions,
    get_order,
    get_supplier,
    link_product,
    list_orders,
    list_suppliers,
    order_csv,
    outlets,
    save_draft,
    save_supplier,
    send_order,
    set_reorder_rule,
    suggestions,
    supplied_products,
    unlink_product,
)
from sync_service.central.reports.purchase_order_pdf import purchase_order_pdf
from sync_service.server.dashboard.editing import (
    Done,
    change,
    form_fields,
    form_list,
    notice,
    path_id,
)
from sync_service.server.dashboard.exports import download
from sync_service.server.dashboard.web import (
    ADMIN,
    Viewer,
    bad_request,
    db,
    not_found,
    page,
    render,
)

routes = web.RouteTableDef()
BUYERS: frozenset[str] = frozenset({"admin", "analyst"})
ORDERS, SUPPLIERS, REORDER = "/ho/purchase-orders", "/ho/suppliers", "/ho/reorder"
NOTICES = {
    "saved": "Saved.",
    "sent": "The order was sent: download the PDF or CSV for the supplier. The outlet's tills "
    "receive against it after their next pull.",
    "cancelled": "The order was cancelled: the outlet's tills drop it with their next pull.",
    "linked": "The product was linked to the supplier.",
    "unlinked": "The product is no longer linked to the supplier.",
    "rule": "The reorder rule was saved.",
    "drafted": "Draft orders were made from the ticked suggestions: check and send them.",
}


# --- suppliers --------------------------------------------------------------------------------


@routes.get("/suppliers")
@page(BUYERS)
async def supplier_list(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await _suppliers_page(request, viewer, None)


async def _suppliers_page(
    request: web.Request, viewer: Viewer, problem: str | None, typed: dict[str, str] | None = None
) -> web.Response:
    return render(
        request,
        viewer,
        "suppliers.html",
        status=400 if problem else 200,
        title="Suppliers",
        suppliers=await db(request, list_suppliers),
        notice=notice(request, NOTICES),
        problem=problem,
        typed=typed or {"payment_terms_days": "30"},
    )


async def _again_suppliers(request: web.Request, viewer: Viewer, problem: str) -> web.Response:
    return await _suppliers_page(request, viewer, problem, await form_fields(request))


@routes.post("/suppliers/new")
@page(ADMIN)
@change(_again_suppliers)
async def supplier_create(request: web.Request, viewer: Viewer) -> Done:
    supplier_id = await db(request, save_supplier, viewer.email, None, await form_fields(request))
    return f"{SUPPLIERS}/{supplier_id}", "saved"


@routes.get("/suppliers/{supplier_id}")
@page(BUYERS)
async def supplier_view(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await _supplier_page(request, viewer, None)


async def _supplier_page(
    request: web.Request, viewer: Viewer, problem: str | None, typed: dict[str, str] | None = None
) -> web.Response:
    supplier_id = path_id(request, "supplier_id", "supplier")
    supplier = await db(request, get_supplier, supplier_id)
    if supplier is None:
        raise not_found("supplier")
    values = typed or {
        "name": supplier.name,
        "uen": supplier.uen or "",
        "contact": supplier.contact or "",
        "payment_terms_days": str(supplier.payment_terms_days),
        "active": "yes" if supplier.active else "no",
    }
    return render(
        request,
        viewer,
        "supplier.html",
        status=400 if problem else 200,
        title=supplier.name,
        supplier=supplier,
        products=await db(request, supplied_products, supplier_id),
        notice=notice(request, NOTICES),
        problem=problem,
        typed=values,
    )


async def _again_supplier(request: web.Request, viewer: Viewer, problem: str) -> web.Response:
    form = await form_fields(request)
    return await _supplier_page(request, viewer, problem, form if "name" in form else None)


@routes.post("/suppliers/{supplier_id}")
@page(ADMIN)
@change(_again_supplier)
async def supplier_update(request: web.Request, viewer: Viewer) -> Done:
    supplier_id = path_id(request, "supplier_id", "supplier")
    await db(request, save_supplier, viewer.email, supplier_id, await form_fields(request))
    return f"{SUPPLIERS}/{supplier_id}", "saved"


@routes.post("/suppliers/{supplier_id}/products")
@page(ADMIN)
@change(_again_supplier)
async def supplier_link(request: web.Request, viewer: Viewer) -> Done:
    supplier_id = path_id(request, "supplier_id", "supplier")
    await db(request, link_product, viewer.email, supplier_id, await form_fields(request))
    return f"{SUPPLIERS}/{supplier_id}", "linked"


@routes.post("/suppliers/{supplier_id}/products/{product_id}/remove")
@page(ADMIN)
@change(_again_supplier)
async def supplier_unlink(request: web.Request, viewer: Viewer) -> Done:
    supplier_id = path_id(request, "supplier_id", "supplier")
    product_id = path_id(request, "product_id", "product")
    await db(request, unlink_product, viewer.email, supplier_id, product_id)
    return f"{SUPPLIERS}/{supplier_id}", "unlinked"


# --- purchase orders --------------------------------------------------------------------------


@routes.get("/purchase-orders")
@page(BUYERS)
async def order_list(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    status = request.query.get("status", "")
    if status and status not in STATUSES:
        raise not_found("order status")
    return render(
        request,
        viewer,
        "purchase_orders.html",
        title="Purchase orders",
        orders=await db(request, list_orders, status or None),
        statuses=STATUSES,
        wanted_status=status,
        notice=notice(request, NOTICES),
    )


async def _order_form(
    request: web.Request,
    viewer: Viewer,
    problem: str | None,
    typed: dict[str, str] | None = None,
) -> web.Response:
    po_id = request.match_info.get("po_id")
    order = None
    if po_id is not None:
        order = await db(request, get_order, path_id(request, "po_id", "purchase order"))
        if order is None:
            raise not_found("purchase order")
    if typed is None:
        typed = {"outlet": request.query.get("outlet", "")}
        if order is not None:
            typed = {
                "supplier": order.supplier,
                "outlet": order.outlet_code,
                "note": order.note or "",
                "lines": "\n".join(f"{ln.sku} {ln.quantity.normalize():f}" for ln in order.lines),
            }
    return render(
        request,
        viewer,
        "purchase_order.html",
        status=400 if problem else 200,
        title=order.number if order else "New purchase order",
        order=order,
        typed=typed,
        suppliers=[s for s in await db(request, list_suppliers) if s.active],
        outlets=await db(request, outlets),
        notice=notice(request, NOTICES),
        problem=problem,
    )


async def _again_order(request: web.Request, viewer: Viewer, problem: str) -> web.Response:
    form = await form_fields(request)
    return await _order_form(request, viewer, problem, form if "lines" in form else None)


@routes.get("/purchase-orders/new")
@page(ADMIN)
async def order_new(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await _order_form(request, viewer, None)


@routes.post("/purchase-orders/new")
@page(ADMIN)
@change(_again_order)
async def order_create(request: web.Request, viewer: Viewer) -> Done:
    po_id = await db(request, save_draft, viewer.email, None, await form_fields(request))
    return f"{ORDERS}/{po_id}", "saved"


@routes.get("/purchase-orders/{po_id}")
@page(BUYERS)
async def order_view(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await _order_form(request, viewer, None)


@routes.post("/purchase-orders/{po_id}")
@page(ADMIN)
@change(_again_order)
async def order_update(request: web.Request, viewer: Viewer) -> Done:
    po_id = path_id(request, "po_id", "purchase order")
    await db(request, save_draft, viewer.email, po_id, await form_fields(request))
    return f"{ORDERS}/{po_id}", "saved"


@routes.post("/purchase-orders/{po_id}/send")
@page(ADMIN)
@change(_again_order)
async def order_send(request: web.Request, viewer: Viewer) -> Done:
    po_id = path_id(request, "po_id", "purchase order")
    await db(request, send_order, viewer.email, po_id)
    return f"{ORDERS}/{po_id}", "sent"


@routes.post("/purchase-orders/{po_id}/cancel")
@page(ADMIN)
@change(_again_order)
async def order_cancel(request: web.Request, viewer: Viewer) -> Done:
    po_id = path_id(request, "po_id", "purchase order")
    await db(request, cancel_order, viewer.email, po_id)
    return f"{ORDERS}/{po_id}", "cancelled"


@routes.get("/purchase-orders/{po_id}/pdf")
@page(BUYERS)
async def order_pdf(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    order = await db(request, get_order, path_id(request, "po_id", "purchase order"))
    if order is None:
        raise not_found("purchase order")
    company = await db(request, company_name)
    body = await db(request, lambda _engine: purchase_order_pdf(order, company))
    return download(body, f"{order.number}.pdf", "application/pdf")


@routes.get("/purchase-orders/{po_id}/csv")
@page(BUYERS)
async def order_csv_download(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    order = await db(request, get_order, path_id(request, "po_id", "purchase order"))
    if order is None:
        raise not_found("purchase order")
    response = download(order_csv(order).encode(), f"{order.number}.csv", "text/csv")
    response.charset = "utf-8"
    return response


# --- reorder rules and the suggested order -----------------------------------------------------


@routes.get("/reorder")
@page(BUYERS)
async def reorder_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await _reorder_page(request, viewer, None)


async def _reorder_page(request: web.Request, viewer: Viewer, problem: str | None) -> web.Response:
    shops = await db(request, outlets)
    code = request.query.get("outlet", "") or (shops[0][0] if shops else "")
    if code and code not in {c for c, _ in shops}:
        raise bad_request(f"No outlet has the code {code[:8]!r}: choose one from the list.")
    rows = await db(request, suggestions, code) if code else []
    return render(
        request,
        viewer,
        "reorder.html",
        status=400 if problem else 200,
        title="Suggested order",
        outlets=shops,
        outlet=code,
        rows=rows,
        notice=notice(request, NOTICES),
        problem=problem,
    )


@routes.post("/reorder/rule")
@page(ADMIN)
@change(_reorder_page)
async def reorder_rule(request: web.Request, viewer: Viewer) -> Done:
    code = request.query.get("outlet", "")
    await db(request, set_reorder_rule, viewer.email, code, await form_fields(request))
    return f"{REORDER}?outlet={code}", "rule"


@routes.post("/reorder/order")
@page(ADMIN)
@change(_reorder_page)
async def reorder_draft(request: web.Request, viewer: Viewer) -> Done:
    code = request.query.get("outlet", "")
    ticked = []
    for value in await form_list(request, "product"):
        try:
            ticked.append(uuid.UUID(value))
        except ValueError:
            raise AdminError("a ticked suggestion is not a product; reload the page") from None
    made = await db(request, draft_from_suggestions, viewer.email, code, ticked)
    if len(made) == 1:
        return f"{ORDERS}/{made[0]}", "drafted"
    return f"{ORDERS}?status=draft", "drafted"
