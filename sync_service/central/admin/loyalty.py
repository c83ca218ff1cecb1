"""The loyalty rules editor: each outlet's points scheme (earn rate, excluded categories,
redemption cap, expiry, tiers), saved on the outlet so tills receive it with the outlet's
settings at their next pull (the outlet table's master-change trigger), audited with who.

Category multipliers are kept as they are (they are not on the form yet).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, func, select, update

from shared.loyalty_wire import scheme_v1
from shared.protocol import LoyaltySchemeV1
from sync_service.central.admin.edits import (
    AdminError,
    FieldError,
    head_office_edit,
    record_edit,
)
from sync_service.central.models import Category, Outlet, PointsOverdrawn
from sync_service.central.reports.common import Scope

TIER_ROWS = 3  # tier lines on the form


@dataclass(frozen=True)
class OutletRules:
    outlet_id: uuid.UUID
    code: str
    name: str
    scheme: LoyaltySchemeV1 | None


@dataclass(frozen=True)
class CategoryChoice:
    category_id: uuid.UUID
    name: str


def loyalty_rules(conn: Connection, scope: Scope) -> list[OutletRules]:
    rows = conn.execute(
        select(Outlet.outlet_id, Outlet.code, Outlet.name, Outlet.loyalty)
        .where(scope.clause(Outlet.outlet_id))
        .order_by(Outlet.code)
    ).all()
    return [
        OutletRules(
            r.outlet_id,
            r.code,
            r.name,
            scheme_v1(r.loyalty) if r.loyalty else None,
        )
        for r in rows
    ]


def categories(conn: Connection) -> list[CategoryChoice]:
    rows = conn.execute(select(Category.category_id, Category.name).order_by(Category.name))
    return [CategoryChoice(r.category_id, r.name) for r in rows]


_LARGEST = Decimal(1_000_000_000)


def _number(field: str, value: str | None, *, default: str | None = None) -> Decimal | None:
    text = (value or "").strip() or default
    if text is None:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise FieldError(field, f"{text!r} is not a number") from None
    if not number.is_finite() or number < 0:
        raise FieldError(field, "give a number of 0 or more")
    # Bounded before anything is made of it: int() of 1e999999999999 would fill the memory.
    if number > _LARGEST:
        raise FieldError(field, f"{text[:20]!r} is too large: at most {_LARGEST:,}")
    return number


def _whole(field: str, value: str | None) -> int | None:
    number = _number(field, value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise FieldError(field, "give a whole number")
    return int(number)


def scheme_from_form(
    form: dict[str, str], excluded: list[str], keep: LoyaltySchemeV1 | None
) -> LoyaltySchemeV1:
    """The scheme as typed; FieldError names the first bad field."""
    tiers = []
    for n in range(1, TIER_ROWS + 1):
        name = (form.get(f"tier{n}_name") or "").strip()
        if not name:
            continue
        spend = _number(f"tier {n} spend", form.get(f"tier{n}_spend"), default="0")
        times = _number(f"tier {n} multiplier", form.get(f"tier{n}_multiplier"), default="1")
        tiers.append({"name": name, "min_spend": f"{spend:.2f}", "multiplier": str(times)})
    if len({t["name"] for t in tiers}) != len(tiers):
        raise FieldError("tiers", "two tiers have the same name")
    rate = _number("points per dollar", form.get("points_per_dollar"))
    if rate is None:
        raise FieldError("points per dollar", "give how many points a dollar earns (0 for none)")
    value = _number("point value", form.get("point_value"), default="0.01")
    data: dict[str, Any] = {
        "points_per_dollar": str(rate),
        "category_multipliers": keep.model_dump(mode="json")["category_multipliers"]
        if keep
        else [],
        "excluded_categories": sorted(set(excluded)),
        "point_value": f"{value:.2f}" if value is not None else "0.01",
        "redeem_max_percent": str(
            _number("cap (% of a sale)", form.get("redeem_max_percent"), default="100")
        ),
        "redeem_max_points": _whole("cap (points a sale)", form.get("redeem_max_points")),
        "expiry_months": _whole("expiry (months)", form.get("expiry_months")),
        "tiers": tiers,
    }
    try:
        scheme = scheme_v1(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]).replace("_", " ")
        raise FieldError(where, str(first["msg"]).lower()) from None
    if scheme.point_value <= 0:
        raise FieldError("point value", "a point must be worth more than $0.00")
    return scheme


def save_loyalty_rules(
    engine: Engine,
    actor: str,
    scope: Scope,
    outlet_id: uuid.UUID,
    form: dict[str, str],
    excluded: list[str],
) -> LoyaltySchemeV1:
    if not scope.allows(outlet_id):
        raise AdminError("no such outlet among those you may change")
    with head_office_edit(engine, actor) as conn:
        before = conn.scalar(
            select(Outlet.loyalty).where(Outlet.outlet_id == outlet_id).with_for_update()
        )
        known = {str(c) for c in conn.scalars(select(Category.category_id))}
        unknown = [c for c in excluded if c not in known]
        if unknown:
            raise FieldError("excluded categories", "a category chosen no longer exists")
        keep = scheme_v1(before) if before else None
        scheme = scheme_from_form(form, excluded, keep)
        after = scheme.model_dump(mode="json")
        found = conn.execute(
            update(Outlet).where(Outlet.outlet_id == outlet_id).values(loyalty=after)
        )
        # The outlet's audit trigger records before and after, with who.
        if found.rowcount != 1:
            raise AdminError("no such outlet: reload the page")
    return scheme


def settle_overdrawn(engine: Engine, actor: str, scope: Scope, entry_id: uuid.UUID) -> None:
    """Someone at head office has dealt with an over-redemption (spoken to the member, or
    written the points off): it leaves the report's open list; the ledger is unchanged."""
    with head_office_edit(engine, actor) as conn:
        found = conn.execute(
            select(PointsOverdrawn.outlet_id, PointsOverdrawn.settled_at)
            .where(PointsOverdrawn.entry_id == entry_id)
            .with_for_update()
        ).one_or_none()
        if found is None or not scope.allows(found.outlet_id):
            raise AdminError("no such over-redemption at the outlets you may see")
        if found.settled_at is not None:
            raise AdminError("this over-redemption was already settled")
        conn.execute(
            update(PointsOverdrawn)
            .where(PointsOverdrawn.entry_id == entry_id)
            .values(settled_at=func.now(), settled_by=actor[:120])
        )
        record_edit(
            conn,
            table="points_overdrawn",
            key=str(entry_id),
            op="update",
            before={"settled": False},
            after={"settled": True},
        )
