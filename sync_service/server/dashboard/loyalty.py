"""Loyalty: the member report (every role, their outlets) and the rules editor (admins): earn
rate, excluded categories, redemption cap, expiry and tiers per outlet, delivered to the
outlet's tills with its settings at their next pull."""

from __future__ import annotations

from aiohttp import web

from sync_service.central.admin.loyalty import (
    TIER_ROWS,
    categories,
    loyalty_rules,
    save_loyalty_rules,
    settle_overdrawn,
)
from sync_service.central.reports.loyalty import member_report
from sync_service.server.dashboard.editing import (
    Done,
    change,
    form_fields,
    form_list,
    notice,
    path_id,
)
from sync_service.server.dashboard.web import ADMIN, READ, Viewer, db, page, query, render

routes = web.RouteTableDef()
NOTICES = {
    "saved": "The loyalty rules were saved. The outlet's tills receive them with their next pull.",
    "settled": "The over-redemption was marked as settled. The member's ledger is unchanged.",
}


@routes.get("/loyalty")
@page(READ)
async def loyalty_report(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await _report_page(request, viewer)


async def _report_page(
    request: web.Request, viewer: Viewer, problem: str | None = None
) -> web.Response:
    report = await query(request, member_report, viewer.scope)
    return render(
        request,
        viewer,
        "loyalty_report.html",
        status=400 if problem else 200,
        title="Loyalty",
        report=report,
        problem=problem,
        notice=notice(request, NOTICES),
    )


@routes.post("/loyalty/overdrawn/{entry_id}/settle")
@page(ADMIN)
@change(_report_page)
async def overdrawn_settle(request: web.Request, viewer: Viewer) -> Done:
    entry_id = path_id(request, "entry_id", "over-redemption")
    await db(request, settle_overdrawn, viewer.email, viewer.scope, entry_id)
    return "/ho/loyalty", "settled"


async def _rules_page(
    request: web.Request, viewer: Viewer, problem: str | None = None
) -> web.Response:
    return render(
        request,
        viewer,
        "loyalty_rules.html",
        status=400 if problem else 200,
        title="Loyalty rules",
        outlets=await query(request, loyalty_rules, viewer.scope),
        categories=await query(request, categories),
        tier_rows=TIER_ROWS,
        problem=problem,
        notice=notice(request, NOTICES),
    )


@routes.get("/loyalty/rules")
@page(READ)
async def loyalty_rules_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await _rules_page(request, viewer)


@routes.post("/loyalty/rules/{outlet_id}")
@page(ADMIN)
@change(_rules_page)
async def loyalty_rules_save(request: web.Request, viewer: Viewer) -> Done:
    outlet_id = path_id(request, "outlet_id", "outlet")
    form = await form_fields(request)
    excluded = await form_list(request, "excluded")
    await db(request, save_loyalty_rules, viewer.email, viewer.scope, outlet_id, form, excluded)
    return "/ho/loyalty/rules", "saved"
