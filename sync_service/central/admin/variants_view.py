"""Reading families and packs for the dashboard (docs/variants.md): every role may look."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, func, select

from shared.money import round_cents
from sync_service.central.models import Barcode, Product, ProductVariant


@dataclass(frozen=True)
class FamilyRow:
    family: str
    variants: int
    option_names: list[str]
    lowest: Decimal
    highest: Decimal


@dataclass(frozen=True)
class PackRow:
    product_id: uuid.UUID
    sku: str
    name: str
    price: Decimal
    unit_id: uuid.UUID
    unit_sku: str
    unit_name: str
    units: int
    unit_price: Decimal  # the unit's own price
    per_unit: Decimal  # the pack's price per unit, to the cent


@dataclass(frozen=True)
class VariantRow:
    product_id: uuid.UUID
    sku: str
    name: str
    price: Decimal
    active: bool
    options: dict[str, str]
    barcodes: list[str]


@dataclass(frozen=True)
class Families:
    families: list[FamilyRow]
    packs: list[PackRow]


@dataclass(frozen=True)
class Family:
    family: str
    option_names: list[str]
    variants: list[VariantRow]
    packs: list[PackRow]  # packs of this family's variants


def families(conn: Connection) -> Families:
    v, p = ProductVariant, Product
    rows = conn.execute(
        select(v.family, v.options, p.price)
        .join(p, p.product_id == v.product_id)
        .where(v.family.is_not(None))
        .order_by(v.family)
    ).tuples()
    grouped: dict[str, list[tuple[dict[str, str], Decimal]]] = {}
    for family, options, price in rows:
        grouped.setdefault(str(family), []).append((dict(options), price))
    out = [
        FamilyRow(
            family=name,
            variants=len(members),
            option_names=list(members[0][0]),
            lowest=min(price for _, price in members),
            highest=max(price for _, price in members),
        )
        for name, members in grouped.items()
    ]
    return Families(out, packs(conn))


def packs(conn: Connection, unit_ids: list[uuid.UUID] | None = None) -> list[PackRow]:
    v, p = ProductVariant, Product
    unit = Product.__table__.alias("unit")
    stmt = (
        select(
            p.product_id,
            p.sku,
            p.name,
            p.price,
            unit.c.product_id,
            unit.c.sku,
            unit.c.name,
            v.pack_units,
            unit.c.price,
        )
        .join(v, v.product_id == p.product_id)
        .join(unit, unit.c.product_id == v.pack_of)
        .order_by(p.name)
    )
    if unit_ids is not None:
        stmt = stmt.where(v.pack_of.in_(unit_ids))
    return [
        PackRow(pid, sku, name, price, uid, usku, uname, units, uprice, round_cents(price / units))
        for pid, sku, name, price, uid, usku, uname, units, uprice in conn.execute(stmt).tuples()
    ]


def family(conn: Connection, name: str) -> Family | None:
    v, p, b = ProductVariant, Product, Barcode
    rows = conn.execute(
        select(p.product_id, p.sku, p.name, p.price, p.active, v.options)
        .join(v, v.product_id == p.product_id)
        .where(func.lower(v.family) == name.lower())
        .order_by(p.name, p.sku)
    ).tuples()
    variants = []
    for pid, sku, pname, price, active, options in rows:
        variants.append(VariantRow(pid, sku, pname, price, active, dict(options), []))
    if not variants:
        return None
    codes: dict[uuid.UUID, list[str]] = {}
    for code, pid in conn.execute(
        select(b.code, b.product_id)
        .where(b.product_id.in_([x.product_id for x in variants]))
        .order_by(b.code)
    ).tuples():
        codes.setdefault(pid, []).append(code)
    for x in variants:
        x.barcodes.extend(codes.get(x.product_id, []))
    stored_name = conn.execute(
        select(v.family).where(func.lower(v.family) == name.lower()).limit(1)
    ).scalar_one()
    return Family(
        family=str(stored_name),
        option_names=list(variants[0].options),
        variants=variants,
        packs=packs(conn, [x.product_id for x in variants]),
    )
