"""Customer pages: members and business customers, their consent, purchases and points, and
a PDPA access request answered as a JSON file of everything kept about one customer.

Admins and analysts see every outlet's customers; an outlet manager their own outlet's.
"""

from __future__ import annotations

import json

from aiohttp import web

from sync_service.central.admin.customers import anonymise_customer
from sync_service.central.admin.edits import AdminError
from sync_service.central.reports.customers import customer_detail, list_customers, personal_data
from sync_service.central.reports.names import names
from sync_service.server.dashboard.editing import Done, change, form_fields, notice, path_id
from sync_service.server.dashboard.params import text_param
from sync_service.server.dashboard.web import (
    ADMIN,
    READ,
    Viewer,
    db,
    not_found,
    page,
    query,
    render,
)

routes = web.RouteTableDef()
NOTICES = {
    "anonymised": "The customer's personal data was erased. Their purchases and points stay, "
    "under an anonymous id.",
}


@routes.get("/customers")
@page(READ)
async def customers_list(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    wanted = text_param(request, "q") or ""
    found = await query(request, list_customers, viewer.scope, wanted)
    return render(
        request, viewer, "customers_list.html", title="Customers", customers=found, wanted=wanted
    )


@routes.get("/customers/{customer_id}")
@page(READ)
async def customer_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await _customer_page(request, viewer)


async def _customer_page(
    request: web.Request, viewer: Viewer, problem: str | None = None
) -> web.Response:
    customer_id = path_id(request, "customer_id", "customer")
    detail = await query(request, customer_detail, viewer.scope, customer_id)
    if detail is None:
        raise not_found("customer")
    # Who recorded the consent, by name (the staff record), not by id.
    who = [detail.consent_by] if detail.consent_by else []
    return render(
        request,
        viewer,
        "customer.html",
        # By member number, not name: a tab's title lands in the browser's history.
        title=f"Customer {detail.row.member_no or ''}".strip(),
        status=400 if problem else 200,
        c=detail,
        names=await query(request, names, viewer.scope, who),
        problem=problem,
        notice=notice(request, NOTICES),
    )


@routes.post("/customers/{customer_id}/anonymise")
@page(ADMIN)
@change(_customer_page)
async def customer_anonymise(request: web.Request, viewer: Viewer) -> Done:
    """PDPA erasure on the customer's request; the box must be ticked, as a second thought."""
    customer_id = path_id(request, "customer_id", "customer")
    form = await form_fields(request)
    if not form.get("confirm"):
        raise AdminError("tick the box to confirm the customer asked for their data to be erased")
    await db(request, anonymise_customer, viewer.email, viewer.scope, customer_id)
    return f"/ho/customers/{customer_id}", "anonymised"


@routes.get("/customers/{customer_id}/export")
@page(READ)
async def customer_export(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """PDPA access request: everything kept about the customer, as a file to hand over."""
    customer_id = path_id(request, "customer_id", "customer")
    detail = await query(request, customer_detail, viewer.scope, customer_id)
    if detail is None:
        raise not_found("customer")
    name = detail.row.member_no or str(customer_id)
    return web.Response(
        text=json.dumps(personal_data(detail), indent=2, ensure_ascii=False),
        content_type="application/json",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="customer-{name}.json"'},
    )
