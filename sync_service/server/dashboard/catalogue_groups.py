"""Categories and tax codes: every role reads them, an admin changes them."""

from __future__ import annotations

from aiohttp import web

from sync_service.central.admin.catalogue_view import categories, tax_codes
from sync_service.central.admin.categories import (
    create_category,
    delete_category,
    describe_tax_code,
    rename_category,
)
from sync_service.server.dashboard.editing import Done, change, form_fields, notice, path_id
from sync_service.server.dashboard.web import ADMIN, READ, Viewer, db, page, query, render

routes = web.RouteTableDef()
CATEGORIES = "/ho/catalogue/categories"
NOTICES = {
    "created": "The category was created.",
    "renamed": "The category was renamed. Tills receive the new name with their next pull.",
    "deleted": "The category was deleted.",
    "described": "The tax code's description was saved.",
}


@routes.get("/catalogue/categories")
@page(READ)
async def category_list(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await _categories_page(request, viewer)


async def _categories_page(
    request: web.Request, viewer: Viewer, problem: str | None = None
) -> web.Response:
    return render(
        request,
        viewer,
        "catalogue_categories.html",
        status=400 if problem else 200,
        title="Categories",
        groups=await query(request, categories),
        notice=notice(request, NOTICES),
        problem=problem,
    )


@routes.post("/catalogue/categories")
@page(ADMIN)
@change(_categories_page)
async def category_create(request: web.Request, viewer: Viewer) -> Done:
    form = await form_fields(request)
    await db(request, create_category, viewer.email, form.get("name", ""))
    return CATEGORIES, "created"


@routes.post("/catalogue/categories/{category_id}")
@page(ADMIN)
@change(_categories_page)
async def category_rename(request: web.Request, viewer: Viewer) -> Done:
    category_id = path_id(request, "category_id", "category")
    form = await form_fields(request)
    await db(request, rename_category, viewer.email, category_id, form.get("name", ""))
    return CATEGORIES, "renamed"


@routes.post("/catalogue/categories/{category_id}/delete")
@page(ADMIN)
@change(_categories_page)
async def category_delete(request: web.Request, viewer: Viewer) -> Done:
    await db(request, delete_category, viewer.email, path_id(request, "category_id", "category"))
    return CATEGORIES, "deleted"


@routes.get("/catalogue/tax-codes")
@page(READ)
async def tax_code_list(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await _tax_codes_page(request, viewer)


async def _tax_codes_page(
    request: web.Request, viewer: Viewer, problem: str | None = None
) -> web.Response:
    return render(
        request,
        viewer,
        "catalogue_tax_codes.html",
        status=400 if problem else 200,
        title="Tax codes",
        codes=await query(request, tax_codes),
        notice=notice(request, NOTICES),
        problem=problem,
    )


@routes.post("/catalogue/tax-codes/{code}")
@page(ADMIN)
@change(_tax_codes_page)
async def tax_code_describe(request: web.Request, viewer: Viewer) -> Done:
    form = await form_fields(request)
    code = request.match_info["code"][:4]
    await db(request, describe_tax_code, viewer.email, code, form.get("description", ""))
    return "/ho/catalogue/tax-codes", "described"
