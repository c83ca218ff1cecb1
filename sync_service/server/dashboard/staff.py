"""Staff pages: who may sign in at the tills, in which role and where; PINs set, never shown.

Admins and analysts see everyone; an outlet manager sees the staff of their own outlet (a
person working at several outlets shows with all of them). Only an admin changes anything.
"""

from __future__ import annotations

import uuid

from aiohttp import web

from sync_service.central.admin import FieldError, fields
from sync_service.central.admin.staff import StaffDetails, create_staff, set_pin, update_staff
from sync_service.central.admin.staff_view import list_staff, staff_member
from sync_service.central.reports.choices import outlets
from sync_service.server.dashboard.editing import (
    Done,
    change,
    form_fields,
    form_list,
    notice,
    path_id,
)
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
    "created": "The staff member was added. Tills at their outlets receive them with their "
    "next pull.",
    "created-no-pin": "The staff member was added without a PIN: set one before they can sign in.",
    "saved": "The changes were saved. Tills receive them with their next pull.",
    "pin": "The PIN was set. Tills receive it with their next pull; the old PIN stops working "
    "then.",
}


async def _details(request: web.Request) -> StaffDetails:
    form = await form_fields(request)
    try:
        chosen = frozenset(uuid.UUID(o) for o in await form_list(request, "outlet"))
    except ValueError:
        raise FieldError("outlets", "choose the outlets from the list") from None
    if not chosen:
        raise FieldError("outlets", "choose at least one outlet this person works at")
    return StaffDetails(
        display_name=fields.name("name", form.get("display_name")),
        role=fields.till_role("till role", form.get("role")),
        active=bool(form.get("active")),
        outlet_ids=chosen,
    )


@routes.get("/staff")
@page(READ)
async def staff_list(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await _list_page(request, viewer)


async def _list_page(
    request: web.Request, viewer: Viewer, problem: str | None = None
) -> web.Response:
    """Everyone in scope; after a refused new member, with what was typed (never the PIN)."""
    typed = await form_fields(request) if problem else {}
    typed.pop("pin", None)
    wanted = text_param(request, "q") or ""
    people = await query(request, list_staff, viewer.scope, wanted)
    choices = await query(request, outlets, viewer.scope)
    return render(
        request,
        viewer,
        "staff_list.html",
        status=400 if problem else 200,
        title="Staff",
        wanted=wanted,
        people=people,
        outlets=choices,
        typed=typed,
        roles=fields.TILL_ROLES,
        notice=notice(request, NOTICES),
        problem=problem,
    )


@routes.post("/staff")
@page(ADMIN)
@change(_list_page)
async def staff_create(request: web.Request, viewer: Viewer) -> Done:
    form = await form_fields(request)
    pin = form.get("pin") or None
    details = await _details(request)
    staff_id = await db(
        request, create_staff, viewer.email, code=form.get("code", ""), details=details, pin=pin
    )
    return f"/ho/staff/{staff_id}", "created" if pin else "created-no-pin"


@routes.get("/staff/{staff_id}")
@page(READ)
async def staff_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await _member_page(request, viewer)


def _staff_id(request: web.Request) -> uuid.UUID:
    return path_id(request, "staff_id", "staff member")


async def _member_page(
    request: web.Request, viewer: Viewer, problem: str | None = None
) -> web.Response:
    person = await query(request, staff_member, viewer.scope, _staff_id(request))
    if person is None:
        raise not_found("staff member")
    return render(
        request,
        viewer,
        "staff_member.html",
        status=400 if problem else 200,
        title=person.display_name,
        person=person,
        outlets=await query(request, outlets, viewer.scope),
        roles=fields.TILL_ROLES,
        notice=notice(request, NOTICES),
        problem=problem,
    )


@routes.post("/staff/{staff_id}")
@page(ADMIN)
@change(_member_page)
async def staff_save(request: web.Request, viewer: Viewer) -> Done:
    staff_id = _staff_id(request)
    await db(request, update_staff, viewer.email, staff_id, await _details(request))
    return f"/ho/staff/{staff_id}", "saved"


@routes.post("/staff/{staff_id}/pin")
@page(ADMIN)
@change(_member_page)
async def staff_pin(request: web.Request, viewer: Viewer) -> Done:
    staff_id = _staff_id(request)
    form = await form_fields(request)
    if form.get("pin", "") != form.get("pin_again", ""):
        raise FieldError("PIN", "the two PINs differ; type the same PIN twice")
    await db(request, set_pin, viewer.email, staff_id, form.get("pin", ""))
    return f"/ho/staff/{staff_id}", "pin"
