"""Catalogue pages: find products, open one, change its details, price and barcodes.

Every head-office role reads the catalogue (prices are the same at every outlet and managers
need to check them); only an admin changes it. Categories, tax codes and the CSV import live
in their own modules and are served from here (``routes`` covers them all).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from aiohttp import web

from shared.text import whole_number
from sync_service.central.admin import fields
from sync_service.central.admin.barcodes import add_barcode, remove_barcode
from sync_service.central.admin.catalogue_view import (
    categories,
    product_detail,
    search_products,
    tax_codes,
)
from sync_service.central.admin.prices import cancel_price, set_price
from sync_service.central.admin.products import create_product, parse_details, update_product
from sync_service.server.dashboard import catalogue_groups, families, imports
from sync_service.server.dashboard.editing import Done, change, form_fields, notice, path_id
from sync_service.server.dashboard.params import text_param
from sync_service.server.dashboard.web import (
    ADMIN,
    READ,
    Viewer,
    bad_request,
    dashboard,
    db,
    not_found,
    page,
    query,
    render,
)

product_routes = web.RouteTableDef()
NOTICES = {
    "created": "The product was created. Tills receive it with their next pull.",
    "saved": "The product was saved. Tills receive the change with their next pull.",
    "price-now": "The new price is in force now; tills receive it with their next pull.",
    "price-later": "The price is scheduled: it becomes the tills' price at its date and time.",
    "price-cancelled": "The scheduled price was withdrawn.",
    "barcode-added": "The barcode was added.",
    "barcode-removed": "The barcode was removed.",
}


def _page_number(request: web.Request) -> int:
    number = whole_number(text_param(request, "page") or "1")
    if number is None or not 1 <= number <= 100_000:
        raise bad_request("The page number must be a whole number from 1.")
    return number


@product_routes.get("/catalogue")
@page(READ)
async def product_list(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    wanted = text_param(request, "q") or ""
    found = await query(
        request, search_products, wanted, dashboard(request).clock(), page=_page_number(request)
    )
    return render(
        request, viewer, "catalogue_list.html", title="Catalogue", wanted=wanted, found=found
    )


@product_routes.get("/catalogue/new")
@page(ADMIN)
async def new_product_form(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await _new_form(request, viewer)


async def _new_form(
    request: web.Request, viewer: Viewer, problem: str | None = None
) -> web.Response:
    """The new-product form; after a refusal, with what was typed and the reason."""
    typed = await form_fields(request) if problem else {}
    groups = await query(request, categories)
    codes = await query(request, tax_codes)
    return render(
        request,
        viewer,
        "catalogue_new.html",
        status=400 if problem else 200,
        title="New product",
        typed=typed,
        groups=groups,
        codes=codes,
        problem=problem,
    )


@product_routes.post("/catalogue/new")
@page(ADMIN)
@change(_new_form)
async def create(request: web.Request, viewer: Viewer) -> Done:
    form = await form_fields(request)
    details = parse_details(form)
    price = fields.price("price", form.get("price"))
    product_id = await db(
        request,
        create_product,
        viewer.email,
        sku=form.get("sku", ""),
        details=details,
        price=price,
        now=dashboard(request).clock(),
    )
    return _product_url(product_id), "created"


def _product_id(request: web.Request) -> uuid.UUID:
    return path_id(request, "product_id", "product")


def _product_url(product_id: uuid.UUID) -> str:
    return f"/ho/catalogue/products/{product_id}"


@product_routes.get("/catalogue/products/{product_id}")
@page(READ)
async def product(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await _product_page(request, viewer)


async def _product_page(
    request: web.Request, viewer: Viewer, problem: str | None = None
) -> web.Response:
    now = dashboard(request).clock()
    detail = await query(request, product_detail, _product_id(request), now)
    if detail is None:
        raise not_found("product")
    groups = await query(request, categories) if viewer.is_admin else []
    codes = await query(request, tax_codes) if viewer.is_admin else []
    return render(
        request,
        viewer,
        "catalogue_product.html",
        status=400 if problem else 200,
        title=detail.name,
        product=detail,
        groups=groups,
        codes=codes,
        notice=notice(request, NOTICES),
        problem=problem,
    )


@product_routes.post("/catalogue/products/{product_id}")
@page(ADMIN)
@change(_product_page)
async def save(request: web.Request, viewer: Viewer) -> Done:
    product_id = _product_id(request)
    form = await form_fields(request)
    await db(request, update_product, viewer.email, product_id, parse_details(form))
    return _product_url(product_id), "saved"


@product_routes.post("/catalogue/products/{product_id}/price")
@page(ADMIN)
@change(_product_page)
async def change_price(request: web.Request, viewer: Viewer) -> Done:
    product_id = _product_id(request)
    form = await form_fields(request)
    price = fields.price("price", form.get("price"))
    when = fields.moment("effective from", form.get("effective_from"))
    now = dashboard(request).clock()
    result = await db(request, set_price, viewer.email, product_id, price, when, now=now)
    return _product_url(product_id), "price-now" if result.applied_now else "price-later"


@product_routes.post("/catalogue/products/{product_id}/price/cancel")
@page(ADMIN)
@change(_product_page)
async def withdraw_price(request: web.Request, viewer: Viewer) -> Done:
    product_id = _product_id(request)
    form = await form_fields(request)
    try:
        start = datetime.fromisoformat(form.get("effective_from", ""))
    except ValueError:
        start = None
    # The page lists each start with its offset; anything else (digits alone read as a naive
    # date) is not one of them, and could not even be compared with the time now.
    if start is None or start.tzinfo is None:
        raise bad_request("That scheduled price is not one this page listed.")
    now = dashboard(request).clock()
    await db(request, cancel_price, viewer.email, product_id, start, now=now)
    return _product_url(product_id), "price-cancelled"


@product_routes.post("/catalogue/products/{product_id}/barcodes")
@page(ADMIN)
@change(_product_page)
async def barcode_add(request: web.Request, viewer: Viewer) -> Done:
    product_id = _product_id(request)
    form = await form_fields(request)
    await db(request, add_barcode, viewer.email, product_id, form.get("barcode", ""))
    return _product_url(product_id), "barcode-added"


@product_routes.post("/catalogue/products/{product_id}/barcodes/remove")
@page(ADMIN)
@change(_product_page)
async def barcode_remove(request: web.Request, viewer: Viewer) -> Done:
    product_id = _product_id(request)
    form = await form_fields(request)
    await db(request, remove_barcode, viewer.email, product_id, form.get("barcode", ""))
    return _product_url(product_id), "barcode-removed"


routes = [*product_routes, *catalogue_groups.routes, *families.routes, *imports.routes]
