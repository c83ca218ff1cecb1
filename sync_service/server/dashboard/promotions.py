"""Promotions: every role sees them and previews a cart; an admin creates, edits and ends.

The preview prices a sample cart exactly as a till of the chosen outlet would at the chosen
moment (``admin.promotions.price_sample``: the same cart rules and promotion engine), with the
promotion being edited included even before it is saved.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from shared.gst import SINGAPORE
from shared.promotions import PromotionError
from sync_service.central.admin import AdminError, FieldError, fields
from sync_service.central.admin.promotions import (
    KINDS,
    end_promotion,
    form_values,
    get_promotion,
    list_promotions,
    parse_sample,
    price_sample,
    promotion_from_form,
    save_promotion,
)
from sync_service.central.reports.uplift import uplift_report
from sync_service.server.dashboard.editing import Done, change, form_fields, notice, path_id
from sync_service.server.dashboard.params import narrowed, outlet_param, period_param
from sync_service.server.dashboard.web import (
    ADMIN,
    READ,
    Viewer,
    dashboard,
    db,
    not_found,
    page,
    query,
    render,
)

routes = web.RouteTableDef()
LIST = "/ho/promotions"
NOTICES = {
    "saved": "The promotion was saved. Tills receive it with their next pull.",
    "ended": "The promotion has ended. Tills stop it with their next pull.",
}
SAMPLE = "SKU x3, one item a line"


@routes.get("/promotions")
@page(READ)
async def promotion_list(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    now = dashboard(request).clock()
    rows = await db(request, list_promotions, now)
    return render(
        request,
        viewer,
        "promotions_list.html",
        title="Promotions",
        promotions=rows,
        notice=notice(request, NOTICES),
        problem=None,
    )


@routes.get("/promotions/uplift")
@page(READ)
async def promotion_uplift(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """Each promotion's units, revenue and discount in the period, beside the days before."""
    outlet_id = outlet_param(request, viewer)
    period = period_param(request, default_days=28)
    report = await query(request, uplift_report, narrowed(viewer, outlet_id), period)
    return render(
        request,
        viewer,
        "promotions_uplift.html",
        title="Promotion uplift",
        report=report,
        period=period,
    )


async def _form_page(
    request: web.Request,
    viewer: Viewer,
    problem: str | None = None,
    *,
    typed: dict[str, str] | None = None,
    preview: Any = None,
    status: int | None = None,
) -> web.Response:
    promotion_id = request.match_info.get("promotion_id")
    return render(
        request,
        viewer,
        "promotion_form.html",
        status=status or (400 if problem else 200),
        title="Promotion",
        kinds=KINDS,
        promotion_id=promotion_id,
        typed=typed if typed is not None else await _typed(request),
        problem=problem,
        preview=preview,
        sample_hint=SAMPLE,
    )


async def _typed(request: web.Request) -> dict[str, str]:
    if request.method == "POST":
        return await form_fields(request)
    if "promotion_id" not in request.match_info:
        return {"kind": "percent_off"}
    promo = await db(request, get_promotion, path_id(request, "promotion_id", "promotion"))
    if promo is None:
        raise not_found("promotion")
    values = await db(request, form_values, promo)
    values["outlet"] = "ORC"
    return values


@routes.get("/promotions/new")
@page(ADMIN)
async def promotion_new(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await _form_page(request, viewer)


@routes.get("/promotions/{promotion_id}")
@page(READ)
async def promotion_edit(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await _form_page(request, viewer)


@routes.post("/promotions/new")
@page(ADMIN)
async def promotion_create(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await _save_or_preview(request, viewer)


@routes.post("/promotions/{promotion_id}")
@page(ADMIN)
async def promotion_update(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await _save_or_preview(request, viewer)


async def _save_or_preview(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    form = await form_fields(request)
    promotion_id = (
        path_id(request, "promotion_id", "promotion")
        if "promotion_id" in request.match_info
        else None
    )
    try:
        promo = await db(request, promotion_from_form, form, promotion_id)
        if form.get("action") == "preview":
            preview = await _preview(request, form, promo)
            return await _form_page(request, viewer, typed=form, preview=preview)
        await db(request, save_promotion, viewer.email, promo)
    except AdminError as exc:
        return await _form_page(request, viewer, str(exc), typed=form)
    raise web.HTTPSeeOther(f"{LIST}?done=saved")


async def _preview(request: web.Request, form: dict[str, str], promo: Any) -> Any:
    items = parse_sample(form.get("sample", ""))
    at = fields.moment("preview at", form.get("preview_at")) or dashboard(request).clock()
    outlet = (form.get("outlet") or "").strip().upper()
    if not outlet:
        raise FieldError("outlet", "give the code of the outlet whose till to price as")
    try:
        engine_promo = promo.to_promotion()
    except PromotionError as exc:
        raise FieldError("promotion", str(exc)) from None
    member = fields.flag("member", form.get("member"), default=False)
    totals = await db(
        request, price_sample, items, at, outlet, member=member, extra=(engine_promo,)
    )
    return {"totals": totals, "at": at.astimezone(SINGAPORE), "outlet": outlet}


async def _list_again(request: web.Request, viewer: Viewer, problem: str) -> web.Response:
    now = dashboard(request).clock()
    return render(
        request,
        viewer,
        "promotions_list.html",
        status=400,
        title="Promotions",
        promotions=await db(request, list_promotions, now),
        notice=None,
        problem=problem,
    )


@routes.post("/promotions/{promotion_id}/end")
@page(ADMIN)
@change(_list_again)
async def promotion_end(request: web.Request, viewer: Viewer) -> Done:
    promotion_id = path_id(request, "promotion_id", "promotion")
    now: datetime = dashboard(request).clock()
    await db(request, end_promotion, viewer.email, promotion_id, now)
    return LIST, "ended"
