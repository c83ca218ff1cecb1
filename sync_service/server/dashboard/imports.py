"""CSV import of products, families and packs, or staff: check the file (dry run), or import it
all or nothing.

Both buttons send the file; "Check" never writes, "Import" checks again inside its transaction
and writes every row or none. The page lists each rejected row with its column and reason.
Admins only: an import changes what every till sells and who may sign in.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.web_request import FileField

from sync_service.central.admin import AdminError
from sync_service.central.admin.csv_import import MAX_BYTES, MAX_ROWS, ImportRefused, ImportReport
from sync_service.central.admin.family_import import OPTIONAL as FAMILY_OPTIONAL
from sync_service.central.admin.family_import import REQUIRED as FAMILY_REQUIRED
from sync_service.central.admin.family_import import import_families
from sync_service.central.admin.product_import import OPTIONAL as PRODUCT_OPTIONAL
from sync_service.central.admin.product_import import REQUIRED as PRODUCT_REQUIRED
from sync_service.central.admin.product_import import import_products
from sync_service.central.admin.staff_import import OPTIONAL as STAFF_OPTIONAL
from sync_service.central.admin.staff_import import REQUIRED as STAFF_REQUIRED
from sync_service.central.admin.staff_import import import_staff
from sync_service.server.dashboard.web import (
    ADMIN,
    Viewer,
    bad_request,
    dashboard,
    db,
    page,
    render,
)

routes = web.RouteTableDef()
IMPORTERS = {"products": import_products, "families": import_families, "staff": import_staff}
COLUMNS = {
    "products": (PRODUCT_REQUIRED, PRODUCT_OPTIONAL),
    "families": (FAMILY_REQUIRED, FAMILY_OPTIONAL),
    "staff": (STAFF_REQUIRED, STAFF_OPTIONAL),
}


@routes.get("/catalogue/import")
@page(ADMIN)
async def import_form(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    kind = request.query.get("kind", "products")
    return _page(request, viewer, kind if kind in IMPORTERS else "products")


def _page(
    request: web.Request,
    viewer: Viewer,
    kind: str,
    *,
    report: ImportReport | None = None,
    checked: bool = False,
    problem: str | None = None,
    status: int = 200,
) -> web.Response:
    return render(
        request,
        viewer,
        "catalogue_import.html",
        status=status,
        title="Import from CSV",
        kind=kind,
        columns=COLUMNS,
        report=report,
        checked=checked,
        problem=problem,
        max_mib=MAX_BYTES // 1024 // 1024,
        max_rows=MAX_ROWS,
    )


@routes.post("/catalogue/import")
@page(ADMIN)
async def run_import(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    form = await request.post()
    kind = form.get("kind")
    if not isinstance(kind, str) or kind not in IMPORTERS:
        raise bad_request("Choose what the file holds: products, families and packs, or staff.")
    upload = form.get("file")
    if not isinstance(upload, FileField) or not upload.filename:
        return _page(request, viewer, kind, problem="Choose a CSV file to send.", status=400)
    # Reading one byte past the limit is enough to know the file is too large.
    data = upload.file.read(MAX_BYTES + 1)
    dry_run = form.get("action") != "import"
    importer = IMPORTERS[kind]
    try:
        report = await db(
            request, importer, viewer.email, data, now=dashboard(request).clock(), dry_run=dry_run
        )
    except ImportRefused as refused:
        return _page(request, viewer, kind, report=refused.report, problem=str(refused), status=400)
    except AdminError as exc:
        return _page(request, viewer, kind, problem=str(exc), status=400)
    return _page(request, viewer, kind, report=report, checked=dry_run)
