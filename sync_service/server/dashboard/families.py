"""Product families and packs at head office (docs/variants.md): every role may look; they
are created and changed by the families CSV import (an admin's)."""

from __future__ import annotations

from aiohttp import web

from sync_service.central.admin.variants_view import families
from sync_service.central.admin.variants_view import family as one_family
from sync_service.server.dashboard.web import READ, Viewer, page, query, render

routes = web.RouteTableDef()


@routes.get("/catalogue/families")
@page(READ)
async def family_list(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    wanted = request.query.get("family", "").strip()[:120]
    if wanted:
        found = await query(request, one_family, wanted)
        if found is None:
            raise web.HTTPNotFound(text=f"No family is called {wanted!r}.")
        return render(request, viewer, "catalogue_family.html", title=found.family, family=found)
    return render(
        request,
        viewer,
        "catalogue_families.html",
        title="Families and packs",
        found=await query(request, families),
    )
