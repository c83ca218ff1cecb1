"""Gift vouchers: batches (an admin issues a series and voids a voucher), what they owe
(liability by batch and outlet, expired unused) and the vouchers reconciliation flags.

Company-wide figures (a voucher sold at one outlet is spent at any), so head-office roles
only: an outlet manager sees their outlet's sales and redemptions in the sales pages.
"""

from __future__ import annotations

from datetime import date

from aiohttp import web
from sqlalchemy import Engine

from shared.gst import supply_date
from sync_service.central.admin import AdminError
from sync_service.central.admin.gift_vouchers import issue_batch, read_batch_form, void_voucher
from sync_service.central.reports.gift_vouchers import (
    MAX_FLAGS,
    Liability,
    VoucherFlag,
    flags,
    liability,
)
from sync_service.server.dashboard.editing import form_fields, notice
from sync_service.server.dashboard.web import ADMIN, Viewer, dashboard, db, page, render

routes = web.RouteTableDef()
HEAD_OFFICE: frozenset[str] = frozenset({"admin", "analyst"})
LIST = "/ho/vouchers"
NOTICES = {
    "issued": "The batch was issued. Tills can sell its vouchers after their next pull.",
    "voided": "The voucher was voided. Tills refuse it after their next pull.",
}


def _read(engine: Engine, today: date) -> Liability:
    with engine.connect() as conn:
        return liability(conn, today)


async def _batches_page(
    request: web.Request,
    viewer: Viewer,
    problem: str | None = None,
    typed: dict[str, str] | None = None,
) -> web.Response:
    today = supply_date(dashboard(request).clock())
    report = await db(request, _read, today)
    return render(
        request,
        viewer,
        "vouchers.html",
        status=400 if problem else 200,
        title="Gift vouchers",
        report=report,
        today=today,
        typed=typed or {},
        notice=notice(request, NOTICES),
        problem=problem,
    )


@routes.get("/vouchers")
@page(HEAD_OFFICE)
async def voucher_batches(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await _batches_page(request, viewer)


@routes.post("/vouchers")
@page(ADMIN)
async def voucher_batch_issue(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    form = await form_fields(request)
    today = supply_date(dashboard(request).clock())
    try:
        batch = read_batch_form(
            form.get("prefix", ""),
            form.get("count", ""),
            form.get("face_value", ""),
            form.get("expires_on", ""),
            form.get("note", ""),
            today,
        )
        await db(request, issue_batch, viewer.email, batch)
    except AdminError as exc:
        return await _batches_page(request, viewer, str(exc), form)
    raise web.HTTPSeeOther(f"{LIST}?done=issued")


@routes.post("/vouchers/void")
@page(ADMIN)
async def voucher_void(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    form = await form_fields(request)
    try:
        await db(request, void_voucher, viewer.email, form.get("serial", ""))
    except AdminError as exc:
        return await _batches_page(request, viewer, str(exc), form)
    raise web.HTTPSeeOther(f"{LIST}?done=voided")


@routes.get("/vouchers/liability")
@page(HEAD_OFFICE)
async def voucher_liability(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    today = supply_date(dashboard(request).clock())
    report = await db(request, _read, today)
    return render(
        request, viewer, "voucher_liability.html", title="Gift voucher liability", report=report
    )


def _flags(engine: Engine) -> tuple[tuple[VoucherFlag, ...], int]:
    with engine.connect() as conn:
        return flags(conn)


@routes.get("/vouchers/flags")
@page(HEAD_OFFICE)
async def voucher_flags(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    found, total = await db(request, _flags)
    return render(
        request,
        viewer,
        "voucher_flags.html",
        title="Gift voucher flags",
        flags=found,
        total=total,
        limit=MAX_FLAGS,
    )
