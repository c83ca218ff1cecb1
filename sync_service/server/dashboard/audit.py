"""The audit trail (till records and head-office edits, filterable) and each till's chain."""

from __future__ import annotations

from typing import cast

from aiohttp import web

from sync_service.central.reports.audit import AuditFilter, Source, audit_trail
from sync_service.central.reports.chains import audit_chains
from sync_service.central.reports.choices import outlets, tills
from sync_service.central.reports.common import ReportError
from sync_service.central.reports.names import ids_in, names, receipts
from sync_service.server.dashboard.params import (
    cursor_param,
    date_param,
    int_param,
    outlet_param,
    page_links,
    text_param,
    uuid_param,
)
from sync_service.server.dashboard.web import (
    READ,
    Viewer,
    bad_request,
    not_found,
    page,
    query,
    render,
)

routes = web.RouteTableDef()
FILTERS = ("source", "outlet", "till", "action", "actor", "date_from", "date_to")
SOURCES = (("till", "Till records"), ("head_office", "Head-office edits"))


def _filter(request: web.Request, viewer: Viewer) -> AuditFilter:
    source = text_param(request, "source")
    if source is not None and source not in dict(SOURCES):
        raise bad_request("Choose the source from the list: till records or head-office edits.")
    try:
        return AuditFilter(
            source=cast(Source | None, source),
            outlet_id=outlet_param(request, viewer),
            till_id=uuid_param(request, "till"),
            action=text_param(request, "action"),
            actor=text_param(request, "actor"),
            date_from=date_param(request, "date_from"),
            date_to=date_param(request, "date_to"),
        )
    except ReportError as exc:
        raise bad_request(str(exc)) from None


@routes.get("/audit")
@page(READ)
async def audit_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    wanted = _filter(request, viewer)
    till_choices = await query(request, tills, viewer.scope)
    if wanted.till_id is not None and all(t.till_id != wanted.till_id for t in till_choices):
        raise not_found("till")
    try:
        found = await query(
            request,
            audit_trail,
            viewer.scope,
            wanted,
            after=cursor_param(request),
            limit=int_param(request, "size", 50, 1, 500),
        )
    except ReportError as exc:
        raise bad_request(str(exc)) from None
    ids = ids_in([v for e in found.rows for v in (e.subject, e.before, e.after)])
    subjects = [e.subject for e in found.rows if e.source == "till" and e.subject]
    named = await query(request, names, viewer.scope, ids)
    named.update(await query(request, receipts, viewer.scope, subjects))
    return render(
        request,
        viewer,
        "audit.html",
        names=named,
        title="Audit",
        wanted=wanted,
        found=found,
        chains=await query(request, audit_chains, viewer.scope),
        outlets=await query(request, outlets, viewer.scope),
        tills=till_choices,
        sources=SOURCES,
        **page_links(request, "/ho/audit", FILTERS, found.next_cursor),
    )
