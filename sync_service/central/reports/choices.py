"""The outlets, tills and cashiers a viewer may pick from in a filter."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, exists, select

from sync_service.central import models as m
from sync_service.central.reports.common import Scope, table

OUTLET, TILL, STAFF, STAFF_OUTLET = (
    table(m.Outlet),
    table(m.Till),
    table(m.Staff),
    table(m.StaffOutlet),
)


@dataclass(frozen=True)
class OutletRef:
    outlet_id: uuid.UUID
    code: str
    name: str
    gst_reg_no: str | None  # None: not GST-registered, so no GST figures are owed

    @property
    def gst_registered(self) -> bool:
        return self.gst_reg_no is not None


@dataclass(frozen=True)
class TillRef:
    till_id: uuid.UUID
    outlet_id: uuid.UUID
    outlet_code: str
    code: str
    status: str  # active | revoked


@dataclass(frozen=True)
class StaffRef:
    staff_id: uuid.UUID
    code: str
    display_name: str


def outlets(conn: Connection, scope: Scope) -> list[OutletRef]:
    """Outlets in scope, by code: ``outlet_id, code, name, gst_reg_no``."""
    rows = conn.execute(
        select(OUTLET.c.outlet_id, OUTLET.c.code, OUTLET.c.name, OUTLET.c.gst_reg_no)
        .where(scope.clause(OUTLET.c.outlet_id))
        .order_by(OUTLET.c.code)
    )
    return [OutletRef(*r) for r in rows]


def outlet(conn: Connection, scope: Scope, outlet_id: uuid.UUID) -> OutletRef | None:
    """One outlet, or None when it does not exist or is outside the scope."""
    row = conn.execute(
        select(OUTLET.c.outlet_id, OUTLET.c.code, OUTLET.c.name, OUTLET.c.gst_reg_no).where(
            OUTLET.c.outlet_id == outlet_id, scope.clause(OUTLET.c.outlet_id)
        )
    ).first()
    return OutletRef(*row) if row else None


def tills(conn: Connection, scope: Scope) -> list[TillRef]:
    """Tills of outlets in scope, by outlet code and till code:
    ``till_id, outlet_id, outlet_code, code, status``."""
    rows = conn.execute(
        select(TILL.c.till_id, TILL.c.outlet_id, OUTLET.c.code, TILL.c.code, TILL.c.status)
        .join(OUTLET, OUTLET.c.outlet_id == TILL.c.outlet_id)
        .where(scope.clause(TILL.c.outlet_id))
        .order_by(OUTLET.c.code, TILL.c.code)
    )
    return [TillRef(*r) for r in rows]


def cashiers(conn: Connection, scope: Scope) -> list[StaffRef]:
    """Staff assigned to an outlet in scope (every staff member for an unlimited scope), by
    name: ``staff_id, code, display_name``."""
    query = select(STAFF.c.staff_id, STAFF.c.code, STAFF.c.display_name)
    if scope.outlet_ids is not None:
        query = query.where(
            exists().where(
                STAFF_OUTLET.c.staff_id == STAFF.c.staff_id,
                scope.clause(STAFF_OUTLET.c.outlet_id),
            )
        )
    rows = conn.execute(query.order_by(STAFF.c.display_name, STAFF.c.code))
    return [StaffRef(*r) for r in rows]
