"""The overview: today and a chosen period, per outlet and in total, with the day's shape."""

from __future__ import annotations

from datetime import date

from aiohttp import web
from sqlalchemy import Connection

from sync_service.central.reports.choices import OutletRef, outlets
from sync_service.central.reports.common import Period, Scope
from sync_service.central.reports.overview import Overview, overview
from sync_service.server.dashboard.charts import hour_bars, share_bar
from sync_service.server.dashboard.formats import tender
from sync_service.server.dashboard.params import narrowed, outlet_param, period_param, preset_links
from sync_service.server.dashboard.web import READ, Viewer, dashboard, page, query, render

routes = web.RouteTableDef()


def _figures(
    conn: Connection, visible: Scope, scope: Scope, period: Period, today: date
) -> tuple[list[OutletRef], Overview, Overview]:
    """The outlet choices, the period and today, from one snapshot: today's figures never
    include a push the period's do not (or the other way round)."""
    return (
        outlets(conn, visible),
        overview(conn, scope, period),
        overview(conn, scope, Period.day(today)),
    )


@routes.get("/")
@page(READ)
async def overview_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    outlet_id = outlet_param(request, viewer)
    period = period_param(request, default_days=7)
    scope = narrowed(viewer, outlet_id)
    today = dashboard(request).today()
    choices, chosen, now = await query(request, _figures, viewer.scope, scope, period, today)
    figures = chosen.total
    return render(
        request,
        viewer,
        "overview.html",
        presets=preset_links(request, "/ho/", ("outlet",), period),
        title="Overview",
        outlets=choices,
        outlet_id=outlet_id,
        period=period,
        today=now,
        chosen=chosen,
        hour_chart=hour_bars(
            [h.sales for h in figures.by_hour],
            label=f"Sales by hour, {period.start} to {period.end}",
        ),
        tender_chart=share_bar(
            [(tender(t.tender_type), t.net) for t in figures.tenders],
            label=f"Tender mix, {period.start} to {period.end}",
        ),
    )
