"""The member report: per outlet, members and the points issued, redeemed and expired, and
what is outstanding; and every over-redemption head office flagged (``central.points``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, select

from sync_service.central import models as m
from sync_service.central.reports.common import Scope


@dataclass(frozen=True)
class OutletPoints:
    code: str
    name: str
    members: int
    issued: int  # earned, less what refunds took back
    redeemed: int  # spent, less what refunds gave back
    expired: int
    outstanding: int  # the members' balances added up

    @property
    def check(self) -> bool:
        return self.issued - self.redeemed - self.expired == self.outstanding


@dataclass(frozen=True)
class Overdrawn:
    entry_id: uuid.UUID
    customer_id: uuid.UUID
    member_no: str | None
    name: str | None
    till_code: str
    short: int
    balance_after: int
    balance_now: int
    flagged_at: datetime


@dataclass(frozen=True)
class MemberReport:
    outlets: list[OutletPoints]
    overdrawn: list[Overdrawn]


def _sum(kinds: tuple[str, ...], sign: int = 1) -> Any:
    entry = m.LoyaltyEntry
    return func.coalesce(func.sum(case((entry.kind.in_(kinds), entry.points * sign), else_=0)), 0)


def member_report(conn: Connection, scope: Scope) -> MemberReport:
    entry, outlet, customer = m.LoyaltyEntry, m.Outlet, m.Customer
    members = (
        select(func.count())
        .where(customer.outlet_id == outlet.outlet_id, customer.member_no.is_not(None))
        .scalar_subquery()
    )
    rows = conn.execute(
        select(
            outlet.code,
            outlet.name,
            members.label("members"),
            _sum(("earned", "reversed")).label("issued"),
            _sum(("redeemed", "returned"), -1).label("redeemed"),
            _sum(("expired",), -1).label("expired"),
            func.coalesce(func.sum(entry.points), 0).label("outstanding"),
        )
        .select_from(outlet)
        .outerjoin(entry, entry.outlet_id == outlet.outlet_id)
        .where(scope.clause(outlet.outlet_id))
        .group_by(outlet.outlet_id, outlet.code, outlet.name)
        .order_by(outlet.code)
    ).all()
    balance = (
        select(func.coalesce(func.sum(entry.points), 0))
        .where(entry.customer_id == m.PointsOverdrawn.customer_id)
        .scalar_subquery()
    )
    flagged = conn.execute(
        select(
            m.PointsOverdrawn.entry_id,
            m.PointsOverdrawn.customer_id,
            customer.member_no,
            customer.name,
            m.Till.code,
            m.PointsOverdrawn.short,
            m.PointsOverdrawn.balance_after,
            balance.label("balance_now"),
            m.PointsOverdrawn.flagged_at,
        )
        .join(m.Till, m.Till.till_id == m.PointsOverdrawn.till_id)
        .outerjoin(customer, customer.customer_id == m.PointsOverdrawn.customer_id)
        .where(scope.clause(m.PointsOverdrawn.outlet_id), m.PointsOverdrawn.settled_at.is_(None))
        .order_by(m.PointsOverdrawn.flagged_at.desc())
        .limit(500)
    ).all()
    return MemberReport(
        [
            OutletPoints(
                r.code,
                r.name,
                int(r.members),
                int(r.issued),
                int(r.redeemed),
                int(r.expired),
                int(r.outstanding),
            )
            for r in rows
        ],
        [Overdrawn(*r) for r in flagged],
    )
