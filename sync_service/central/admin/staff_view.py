"""Reading till staff for the dashboard. Admins and analysts see everyone; an outlet manager
sees the staff who may sign in at their outlet. No page ever receives a PIN hash: only
whether a PIN is set."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, exists, func, or_, select

from sync_service.central.admin.catalogue_view import like_pattern
from sync_service.central.admin.staff import pin_is_set
from sync_service.central.models import Outlet, Staff, StaffOutlet
from sync_service.central.reports.common import Scope

MAX_ROWS = 500


@dataclass(frozen=True)
class StaffRow:
    staff_id: uuid.UUID
    code: str
    display_name: str
    role: str
    active: bool
    pin_set: bool
    outlet_ids: frozenset[uuid.UUID]
    outlet_codes: tuple[str, ...]


def list_staff(conn: Connection, scope: Scope, text: str = "") -> list[StaffRow]:
    wanted = text.strip()[:120]
    query = select(Staff.staff_id)
    if scope.outlet_ids is not None:
        at_outlet = StaffOutlet.staff_id == Staff.staff_id, scope.clause(StaffOutlet.outlet_id)
        query = query.where(exists().where(*at_outlet))
    if wanted:
        query = query.where(
            or_(
                Staff.display_name.ilike(like_pattern(wanted), escape="\\"),
                Staff.code == wanted.upper(),
            )
        )
    ids = conn.scalars(query.order_by(Staff.display_name, Staff.code).limit(MAX_ROWS)).all()
    return _rows(conn, scope, list(ids))


def staff_member(conn: Connection, scope: Scope, staff_id: uuid.UUID) -> StaffRow | None:
    """One staff member, or None when missing or not at the viewer's outlet."""
    found = [row for row in _rows(conn, scope, [staff_id]) if _visible(row, scope)]
    return found[0] if found else None


def _visible(row: StaffRow, scope: Scope) -> bool:
    return scope.outlet_ids is None or bool(row.outlet_ids)


def _rows(conn: Connection, scope: Scope, ids: list[uuid.UUID]) -> list[StaffRow]:
    """The rows, each listing only the outlets the viewer may see: an outlet manager is not
    told where else a person works."""
    if not ids:
        return []
    outlets = (
        select(
            StaffOutlet.staff_id,
            func.array_agg(Outlet.outlet_id).label("ids"),
            func.array_agg(Outlet.code).label("codes"),
        )
        .join(Outlet, Outlet.outlet_id == StaffOutlet.outlet_id)
        .where(StaffOutlet.staff_id.in_(ids), scope.clause(StaffOutlet.outlet_id))
        .group_by(StaffOutlet.staff_id)
        .subquery()
    )
    rows = conn.execute(
        select(
            Staff.staff_id,
            Staff.code,
            Staff.display_name,
            Staff.role,
            Staff.active,
            Staff.pin_hash,
            outlets.c.ids,
            outlets.c.codes,
        )
        .outerjoin(outlets, outlets.c.staff_id == Staff.staff_id)
        .where(Staff.staff_id.in_(ids))
        .order_by(Staff.display_name, Staff.code)
    ).all()
    return [
        StaffRow(
            staff_id=r.staff_id,
            code=r.code,
            display_name=r.display_name,
            role=r.role,
            active=r.active,
            pin_set=pin_is_set(r.pin_hash),
            outlet_ids=frozenset(uuid.UUID(str(i)) for i in (r.ids or [])),
            outlet_codes=tuple(sorted(r.codes or [])),
        )
        for r in rows
    ]
