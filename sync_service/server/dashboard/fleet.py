"""The fleet page: every till's health, its quarantined and refused events, enrolment codes,
replacement and revocation.

Admins, analysts and outlet managers (their own outlet's tills) read it; only an admin creates
or revokes enrolment codes, replaces and revokes tills. A new code is shown once, on the page
that created it, and is not kept anywhere in clear.
"""

from __future__ import annotations

import uuid

from aiohttp import web
from sqlalchemy import Connection

from shared.text import whole_number
from sync_service.central.admin import AdminError, FieldError
from sync_service.central.admin.enrolment import (
    create_code,
    recent_codes,
    replacement_code,
    revoke_code,
    revoke_till,
)
from sync_service.central.admin.fleet import (
    QuarantinedEvent,
    fleet,
    quarantined_events,
    refused_events,
)
from sync_service.central.admin.quarantine import (
    Resolution,
    SideBySide,
    conflicting_record,
    discard,
    request_resend,
    resolutions,
)
from sync_service.central.admin.quarantine_accept import accept_as_new_receipt
from sync_service.central.reports.choices import outlets
from sync_service.central.reports.common import Scope
from sync_service.server.dashboard.editing import Done, change, form_fields, notice, path_id
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
NOTICES = {
    "code-revoked": "The enrolment code was revoked: it can no longer enrol a till.",
    "till-revoked": "The till was revoked: it can no longer sync. A new enrolment code brings "
    "it back.",
    "quarantine-discarded": "The event was discarded: it stays on record, resolved, and no "
    "longer counts against the till.",
    "quarantine-resend": "The till is asked to send the event again: it learns it at its next "
    "pull, and what it sends is checked like any event.",
    "quarantine-accepted": "The event was accepted under a new receipt number and is counted "
    "in the reports from now on.",
}


@routes.get("/fleet")
@page(READ)
async def fleet_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await _fleet_page(request, viewer)


async def _fleet_page(
    request: web.Request, viewer: Viewer, problem: str | None = None
) -> web.Response:
    """The fleet; after a refusal, with the reason and the code form as it was typed."""
    now = dashboard(request).clock()
    typed = await form_fields(request) if problem else {}
    return render(
        request,
        viewer,
        "fleet_list.html",
        status=400 if problem else 200,
        title="Fleet",
        tills=await query(request, fleet, viewer.scope, now),
        codes=await query(request, recent_codes, viewer.scope, now),
        outlets=await query(request, outlets, viewer.scope),
        now=now,
        typed=typed,
        notice=notice(request, NOTICES),
        problem=problem,
    )


def _event_details(
    conn: Connection, scope: Scope, till_code: str, events: list[QuarantinedEvent]
) -> tuple[dict[int, SideBySide], dict[int, Resolution]]:
    """Each event's conflicting stored record, and how resolved events were resolved."""
    sides = {}
    for e in events:
        side = conflicting_record(conn, scope, till_code, e.payload)
        if side is not None:
            sides[e.quarantine_id] = side
    return sides, resolutions(conn, [e.quarantine_id for e in events])


async def _till_page(
    request: web.Request, viewer: Viewer, problem: str | None = None
) -> web.Response:
    till_id = path_id(request, "till_id", "till")
    now = dashboard(request).clock()
    found = await query(request, fleet, viewer.scope, now, till_id=till_id)
    events = await query(request, quarantined_events, viewer.scope, till_id)
    refused = await query(request, refused_events, viewer.scope, till_id)
    if not found or events is None or refused is None:
        raise not_found("till")
    till_code = f"{found[0].outlet_code}-{found[0].till_code}"
    sides, resolved = await query(request, _event_details, viewer.scope, till_code, events)
    response = render(
        request,
        viewer,
        "fleet_till.html",
        title=f"Till {found[0].outlet_code} {found[0].till_code}",
        till=found[0],
        events=events,
        sides=sides,
        resolved=resolved,
        refused=refused,
        now=now,
        notice=notice(request, NOTICES),
        problem=problem,
    )
    if problem:
        response.set_status(400)
    return response


@routes.get("/fleet/tills/{till_id}")
@page(READ)
async def till_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await _till_page(request, viewer)


@routes.post("/fleet/tills/{till_id}/quarantine/{quarantine_id}/discard")
@page(ADMIN)
@change(_till_page)
async def quarantine_discard(request: web.Request, viewer: Viewer) -> Done:
    """Discard a quarantined event with a reason: resolved, audited, never applied."""
    till_id = path_id(request, "till_id", "till")
    raw = request.match_info["quarantine_id"]
    number = whole_number(raw)
    if number is None:
        raise not_found("quarantined event")
    form = await form_fields(request)
    await db(
        request,
        discard,
        viewer.email,
        till_id,
        number,
        form.get("reason", ""),
        now=dashboard(request).clock(),
    )
    return f"/ho/fleet/tills/{till_id}", "quarantine-discarded"


@routes.post("/fleet/codes")
@page(ADMIN)
async def code_create(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    form = await form_fields(request)
    try:
        try:
            outlet_id = uuid.UUID(form.get("outlet_id", ""))
        except ValueError:
            raise FieldError("outlet", "choose the outlet from the list") from None
        fresh = await db(
            request,
            create_code,
            viewer.email,
            outlet_id=outlet_id,
            till_code=form.get("till_code", ""),
            now=dashboard(request).clock(),
        )
    except AdminError as exc:
        return await _fleet_page(request, viewer, str(exc))
    # Shown here once, not redirected to: the code is never stored in clear to show it again.
    return render(request, viewer, "fleet_code.html", title="Enrolment code", fresh=fresh)


@routes.post("/fleet/tills/{till_id}/replace")
@page(ADMIN)
async def till_replace(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """A code to put a new machine in place of this enrolled till (shown once, like any code)."""
    till_id = path_id(request, "till_id", "till")
    try:
        fresh = await db(
            request, replacement_code, viewer.email, till_id, now=dashboard(request).clock()
        )
    except AdminError as exc:
        return await _fleet_page(request, viewer, str(exc))
    return render(request, viewer, "fleet_code.html", title="Replacement code", fresh=fresh)


@routes.post("/fleet/codes/revoke")
@page(ADMIN)
@change(_fleet_page)
async def code_revoke(request: web.Request, viewer: Viewer) -> Done:
    form = await form_fields(request)
    code_hash = form.get("code_hash", "")[:64]
    await db(request, revoke_code, viewer.email, code_hash, now=dashboard(request).clock())
    return "/ho/fleet", "code-revoked"


@routes.post("/fleet/tills/{till_id}/revoke")
@page(ADMIN)
@change(_fleet_page)
async def till_revoke(request: web.Request, viewer: Viewer) -> Done:
    till_id = path_id(request, "till_id", "till")
    await db(request, revoke_till, viewer.email, till_id, now=dashboard(request).clock())
    return "/ho/fleet", "till-revoked"


@routes.post("/fleet/tills/{till_id}/quarantine/{quarantine_id}/accept")
@page(ADMIN)
@change(_till_page)
async def quarantine_accept(request: web.Request, viewer: Viewer) -> Done:
    """Store a quarantined sale or refund under a new receipt number: applied, audited."""
    till_id = path_id(request, "till_id", "till")
    raw = request.match_info["quarantine_id"]
    number = whole_number(raw)
    if number is None:
        raise not_found("quarantined event")
    await db(
        request,
        accept_as_new_receipt,
        viewer.email,
        till_id,
        number,
        now=dashboard(request).clock(),
    )
    return f"/ho/fleet/tills/{till_id}", "quarantine-accepted"


@routes.post("/fleet/tills/{till_id}/quarantine/{quarantine_id}/resend")
@page(ADMIN)
@change(_till_page)
async def quarantine_resend(request: web.Request, viewer: Viewer) -> Done:
    """Ask the till to send a quarantined event's record again: resolved here, audited."""
    till_id = path_id(request, "till_id", "till")
    raw = request.match_info["quarantine_id"]
    number = whole_number(raw)
    if number is None:
        raise not_found("quarantined event")
    await db(request, request_resend, viewer.email, till_id, number, now=dashboard(request).clock())
    return f"/ho/fleet/tills/{till_id}", "quarantine-resend"
