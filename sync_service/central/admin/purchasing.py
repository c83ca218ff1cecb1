"""Suppliers, what they sell, reorder rules and purchase orders at head office.

A purchase order is a draft while head office edits it; **sent** puts it on the pull of its
outlet's tills (they receive against it); the tills' deliveries make it **partial** and then
**received** (closed, ``sync_service.central.projections``); **cancelled** takes it off the
tills. Only a draft's lines can be edited. Every write is a head-office edit (audited, under
the master writers' lock), and numbers ``PO-000001`` are drawn under that lock, so gap-free.

The suggested order of an outlet: for each product with a reorder rule there, on hand plus on
order (ordered and not yet received on its open and draft orders) against the reorder point;
at or below it, order up to the reorder level, rounded up to whole packs of the supplier who
sells it cheapest (docs/stock.md).
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from sqlalchemy import Connection, Engine, and_, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert

from shared.customers import UEN_PATTERN
from shared.money import ZERO
from shared.purchase_wire import OPEN_STATUSES
from shared.text import whole_number
from sync_service.central.admin import fields
from sync_service.central.admin.edits import AdminError, FieldError, head_office_edit
from sync_service.central.models import (
    Company,
    Outlet,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    ReorderRule,
    StockOnHand,
    Supplier,
    SupplierProduct,
)

STATUSES = ("draft", "sent", "partial", "received", "cancelled")
ON_ORDER_STATUSES = ("draft", *OPEN_STATUSES)
MAX_LINES = 500
MAX_UNITS = Decimal(100_000)
_UEN = re.compile(UEN_PATTERN)
_QTY = re.compile(r"^\s*(\d+(?:\.\d{1,3})?)\s*(?:[xX×*]\s*(\d+(?:\.\d{1,3})?))?\s*$")


def po_number(serial: int) -> str:
    return f"PO-{serial:06d}"


# --- parsing what was typed -------------------------------------------------------------------


def quantity(field_name: str, value: str | None, *, allow_zero: bool = False) -> Decimal:
    text = (value or "").strip()
    if not text:
        raise FieldError(field_name, "missing; give a number of units, such as 24")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise FieldError(
            field_name, f"{text[:30]!r} is not a number of units, such as 24"
        ) from None
    if not number.is_finite() or number < 0 or (number == 0 and not allow_zero):
        raise FieldError(field_name, f"{text[:30]} must be more than zero")
    if number > MAX_UNITS or number != number.quantize(Decimal("0.001")):
        raise FieldError(field_name, f"{text[:30]}: at most {MAX_UNITS:,} units, 3 decimals")
    return number


def cost(field_name: str, value: str | None) -> Decimal | None:
    text = (value or "").strip().lstrip("$")
    return None if not text else fields.price(field_name, text)


def supplier_fields(form: dict[str, str]) -> dict[str, object]:
    uen = (form.get("uen") or "").strip().upper() or None
    if uen is not None and not _UEN.fullmatch(uen):
        raise FieldError("uen", f"{uen[:20]!r} is not a UEN, such as 201912345K or T09LL0001B")
    terms = (form.get("payment_terms_days") or "30").strip()
    days = whole_number(terms)
    if days is None or days > 365:
        raise FieldError("payment terms", f"{terms[:10]!r}: give days of credit, 0 to 365")
    contact = (form.get("contact") or "").strip()
    if len(contact) > 200:
        raise FieldError("contact", "too long: at most 200 characters")
    return {
        "name": fields.name("name", form.get("name")),
        "uen": uen,
        "contact": contact or None,
        "payment_terms_days": int(terms),
        "active": fields.flag("active", form.get("active"), default=True),
    }


def parse_lines(text: str) -> list[tuple[str, str]]:
    """``SKU quantity`` a line, the quantity in units (``48``) or packs x units (``2x24``)."""
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        words = raw.split()
        if not words:
            continue
        if len(words) != 2:
            raise FieldError(
                "lines", f"line {number}: write a SKU and a quantity, such as 'SKU-1 24'"
            )
        out.append((words[0], words[1]))
    if not out:
        raise FieldError("lines", "add at least one line: a SKU and a quantity")
    if len(out) > MAX_LINES:
        raise FieldError("lines", f"at most {MAX_LINES} lines on one order")
    return out


def _units(number: int, typed: str) -> Decimal:
    match = _QTY.fullmatch(typed)
    if match is None:
        raise FieldError(
            "lines", f"line {number}: {typed[:20]!r} is not units (24) or packs (2x24)"
        )
    units = Decimal(match[1]) * (Decimal(match[2]) if match[2] else 1)
    if units <= 0 or units > MAX_UNITS:
        raise FieldError(
            "lines", f"line {number}: {typed[:20]} must be 0.001 to {MAX_UNITS:,} units"
        )
    return units


# --- suppliers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupplierRow:
    supplier_id: uuid.UUID
    name: str
    uen: str | None
    contact: str | None
    payment_terms_days: int
    active: bool
    products: int


@dataclass(frozen=True)
class SuppliedProduct:
    product_id: uuid.UUID
    sku: str
    name: str
    supplier_sku: str | None
    pack_size: Decimal
    last_cost: Decimal | None


def list_suppliers(engine: Engine) -> list[SupplierRow]:
    s, sp = Supplier, SupplierProduct
    count = select(func.count()).where(sp.supplier_id == s.supplier_id).scalar_subquery()
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                s.supplier_id, s.name, s.uen, s.contact, s.payment_terms_days, s.active, count
            ).order_by(s.name)
        )
        return [SupplierRow(*r) for r in rows]


def get_supplier(engine: Engine, supplier_id: uuid.UUID) -> SupplierRow | None:
    return next((s for s in list_suppliers(engine) if s.supplier_id == supplier_id), None)


def supplied_products(engine: Engine, supplier_id: uuid.UUID) -> list[SuppliedProduct]:
    sp, p = SupplierProduct, Product
    with engine.connect() as conn:
        rows = conn.execute(
            select(p.product_id, p.sku, p.name, sp.supplier_sku, sp.pack_size, sp.last_cost)
            .join(p, p.product_id == sp.product_id)
            .where(sp.supplier_id == supplier_id)
            .order_by(p.sku)
        )
        return [SuppliedProduct(*r) for r in rows]


def save_supplier(
    engine: Engine, actor: str, supplier_id: uuid.UUID | None, form: dict[str, str]
) -> uuid.UUID:
    values = supplier_fields(form)
    with head_office_edit(engine, actor) as conn:
        clash = conn.scalar(
            select(Supplier.supplier_id).where(
                func.lower(Supplier.name) == str(values["name"]).lower()
            )
        )
        if clash is not None and clash != supplier_id:
            raise FieldError("name", f"{values['name']!r} is already a supplier")
        if supplier_id is None:
            supplier_id = uuid.uuid4()
            conn.execute(insert(Supplier).values(supplier_id=supplier_id, **values))
        else:
            done = conn.execute(
                update(Supplier)
                .where(Supplier.supplier_id == supplier_id)
                .values(updated_at=func.now(), **values)
            )
            if done.rowcount == 0:
                raise AdminError("that supplier no longer exists; reload the suppliers page")
    return supplier_id


def _product_by_sku(conn: Connection, field_name: str, sku: str) -> uuid.UUID:
    found = conn.scalar(select(Product.product_id).where(Product.sku == sku.strip()))
    if found is None:
        raise FieldError(field_name, f"no product has SKU {sku.strip()[:40]!r}")
    return found


def link_product(engine: Engine, actor: str, supplier_id: uuid.UUID, form: dict[str, str]) -> None:
    """The supplier sells this product: their SKU, units a pack, the last cost per unit."""
    supplier_sku = (form.get("supplier_sku") or "").strip() or None
    if supplier_sku is not None and len(supplier_sku) > 40:
        raise FieldError("supplier SKU", "too long: at most 40 characters")
    pack = quantity("pack size", form.get("pack_size") or "1")
    last = cost("last cost", form.get("last_cost"))
    with head_office_edit(engine, actor) as conn:
        if (
            conn.scalar(select(Supplier.supplier_id).where(Supplier.supplier_id == supplier_id))
            is None
        ):
            raise AdminError("that supplier no longer exists; reload the suppliers page")
        product_id = _product_by_sku(conn, "SKU", form.get("sku") or "")
        values = {"supplier_sku": supplier_sku, "pack_size": pack, "last_cost": last}
        conn.execute(
            insert(SupplierProduct)
            .values(supplier_id=supplier_id, product_id=product_id, **values)
            .on_conflict_do_update(index_elements=["supplier_id", "product_id"], set_=values)
        )


def unlink_product(
    engine: Engine, actor: str, supplier_id: uuid.UUID, product_id: uuid.UUID
) -> None:
    with head_office_edit(engine, actor) as conn:
        conn.execute(
            delete(SupplierProduct).where(
                SupplierProduct.supplier_id == supplier_id,
                SupplierProduct.product_id == product_id,
            )
        )


# --- reorder rules ----------------------------------------------------------------------------


def outlet_by_code(conn: Connection, code: str) -> tuple[uuid.UUID, str]:
    row = conn.execute(
        select(Outlet.outlet_id, Outlet.name).where(Outlet.code == code.strip().upper())
    ).first()
    if row is None:
        raise FieldError("outlet", f"no outlet has code {code.strip()[:8]!r}")
    return row[0], row[1]


def company_name(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.scalar(select(Company.name).limit(1)) or "SG-POS")


def outlets(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [
            tuple(r) for r in conn.execute(select(Outlet.code, Outlet.name).order_by(Outlet.code))
        ]


def set_reorder_rule(engine: Engine, actor: str, outlet_code: str, form: dict[str, str]) -> None:
    """Reorder point and level of one product at one outlet; both empty removes the rule."""
    point_text, level_text = form.get("reorder_point", ""), form.get("reorder_level", "")
    with head_office_edit(engine, actor) as conn:
        outlet_id, _ = outlet_by_code(conn, outlet_code)
        product_id = _product_by_sku(conn, "SKU", form.get("sku") or "")
        key = and_(ReorderRule.outlet_id == outlet_id, ReorderRule.product_id == product_id)
        if not point_text.strip() and not level_text.strip():
            conn.execute(delete(ReorderRule).where(key))
            return
        point = quantity("reorder point", point_text, allow_zero=True)
        level = quantity("reorder level", level_text)
        if level <= point:
            raise FieldError(
                "reorder level", f"{level} must be more than the reorder point ({point})"
            )
        values = {"reorder_point": point, "reorder_level": level}
        conn.execute(
            insert(ReorderRule)
            .values(outlet_id=outlet_id, product_id=product_id, **values)
            .on_conflict_do_update(index_elements=["outlet_id", "product_id"], set_=values)
        )


# --- purchase orders --------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderLine:
    po_line_id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    name: str
    supplier_sku: str | None
    quantity: Decimal
    pack_size: Decimal
    unit_cost: Decimal | None
    received: Decimal

    @property
    def packs(self) -> Decimal:
        return self.quantity / self.pack_size

    @property
    def value(self) -> Decimal:
        return (self.quantity * (self.unit_cost or ZERO)).quantize(Decimal("0.01"))

    @property
    def outstanding(self) -> Decimal:
        return max(self.quantity - self.received, ZERO)


@dataclass(frozen=True)
class Order:
    po_id: uuid.UUID
    number: str
    status: str
    supplier_id: uuid.UUID
    supplier: str
    supplier_uen: str | None
    supplier_contact: str | None
    payment_terms_days: int
    outlet_code: str
    outlet_name: str
    note: str | None
    created_by: str
    created_at: datetime
    sent_at: datetime | None
    closed_at: datetime | None
    lines: list[OrderLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.value for line in self.lines), ZERO)

    @property
    def editable(self) -> bool:
        return self.status == "draft"


def _orders(conn: Connection, *where: object) -> list[Order]:
    po, s, o = PurchaseOrder, Supplier, Outlet
    rows = conn.execute(
        select(
            po.po_id,
            po.serial,
            po.status,
            s.supplier_id,
            s.name,
            s.uen,
            s.contact,
            s.payment_terms_days,
            o.code,
            o.name,
            po.note,
            po.created_by,
            po.created_at,
            po.sent_at,
            po.closed_at,
        )
        .join(s, s.supplier_id == po.supplier_id)
        .join(o, o.outlet_id == po.outlet_id)
        .where(*where)  # type: ignore[arg-type]
        .order_by(po.serial.desc())
    ).all()
    return [Order(r[0], po_number(r[1]), *r[2:]) for r in rows]


def list_orders(engine: Engine, status: str | None = None) -> list[Order]:
    with engine.connect() as conn:
        where = [] if not status else [PurchaseOrder.status == status]
        return _orders(conn, *where)


def get_order(engine: Engine, po_id: uuid.UUID) -> Order | None:
    with engine.connect() as conn:
        found = _orders(conn, PurchaseOrder.po_id == po_id)
        if not found:
            return None
        order = found[0]
        pl, p, sp = PurchaseOrderLine, Product, SupplierProduct
        rows = conn.execute(
            select(
                pl.po_line_id,
                pl.product_id,
                p.sku,
                p.name,
                sp.supplier_sku,
                pl.quantity,
                pl.pack_size,
                pl.unit_cost,
                pl.received,
            )
            .join(p, p.product_id == pl.product_id)
            .outerjoin(
                sp, and_(sp.product_id == pl.product_id, sp.supplier_id == order.supplier_id)
            )
            .where(pl.po_id == po_id)
            .order_by(pl.position)
        )
        order.lines.extend(OrderLine(*r) for r in rows)
        return order


def _lines_of(
    conn: Connection, supplier_id: uuid.UUID, typed: Sequence[tuple[str, str]]
) -> list[dict[str, object]]:
    skus = [sku for sku, _ in typed]
    p, sp = Product, SupplierProduct
    found = {
        r.sku: r
        for r in conn.execute(
            select(p.product_id, p.sku, p.active, sp.pack_size, sp.last_cost)
            .outerjoin(sp, and_(sp.product_id == p.product_id, sp.supplier_id == supplier_id))
            .where(p.sku.in_(skus))
        )
    }
    out: list[dict[str, object]] = []
    seen: set[str] = set()
    for number, (sku, typed_qty) in enumerate(typed, start=1):
        row = found.get(sku)
        if row is None:
            raise FieldError("lines", f"line {number}: no product has SKU {sku[:40]!r}")
        if sku in seen:
            raise FieldError("lines", f"line {number}: {sku} is on the order twice; give one line")
        seen.add(sku)
        out.append(
            {
                "po_line_id": uuid.uuid4(),
                "position": number,
                "product_id": row.product_id,
                "quantity": _units(number, typed_qty),
                "pack_size": row.pack_size or Decimal(1),
                "unit_cost": row.last_cost,
            }
        )
    return out


def save_draft(
    engine: Engine,
    actor: str,
    po_id: uuid.UUID | None,
    form: dict[str, str],
) -> uuid.UUID:
    """Create a draft, or replace a draft's supplier, outlet, note and lines."""
    with head_office_edit(engine, actor) as conn:
        return _draft(conn, actor, po_id, form)


def _draft(
    conn: Connection, actor: str, po_id: uuid.UUID | None, form: dict[str, str]
) -> uuid.UUID:
    lines_typed = parse_lines(form.get("lines", ""))
    note = (form.get("note") or "").strip() or None
    if note is not None and len(note) > 200:
        raise FieldError("note", "too long: at most 200 characters")
    supplier_id = conn.scalar(
        select(Supplier.supplier_id).where(Supplier.name == (form.get("supplier") or "").strip())
    )
    if supplier_id is None:
        raise FieldError("supplier", "choose a supplier from the list")
    outlet_id, _ = outlet_by_code(conn, form.get("outlet") or "")
    lines = _lines_of(conn, supplier_id, lines_typed)
    values = {"supplier_id": supplier_id, "outlet_id": outlet_id, "note": note}
    if po_id is None:
        po_id = uuid.uuid4()
        serial = int(conn.scalar(select(func.coalesce(func.max(PurchaseOrder.serial), 0))) or 0)
        conn.execute(
            insert(PurchaseOrder).values(
                po_id=po_id, serial=serial + 1, status="draft", created_by=actor, **values
            )
        )
    else:
        _status_is(conn, po_id, ("draft",), "edited")
        conn.execute(
            update(PurchaseOrder)
            .where(PurchaseOrder.po_id == po_id)
            .values(updated_at=func.now(), **values)
        )
        conn.execute(delete(PurchaseOrderLine).where(PurchaseOrderLine.po_id == po_id))
    conn.execute(insert(PurchaseOrderLine), [{"po_id": po_id, **line} for line in lines])
    return po_id


def _status_is(conn: Connection, po_id: uuid.UUID, allowed: Sequence[str], doing: str) -> str:
    status = conn.scalar(
        select(PurchaseOrder.status).where(PurchaseOrder.po_id == po_id).with_for_update()
    )
    if status is None:
        raise AdminError("that purchase order no longer exists; reload the orders page")
    if status not in allowed:
        raise AdminError(f"this order is {status}: it can no longer be {doing}")
    return str(status)


def send_order(engine: Engine, actor: str, po_id: uuid.UUID) -> None:
    """Draft to sent: the outlet's tills get it with their next pull."""
    with head_office_edit(engine, actor) as conn:
        _status_is(conn, po_id, ("draft",), "sent")
        conn.execute(
            update(PurchaseOrder)
            .where(PurchaseOrder.po_id == po_id)
            .values(status="sent", sent_at=func.now(), updated_at=func.now())
        )


def cancel_order(engine: Engine, actor: str, po_id: uuid.UUID) -> None:
    """Nothing more is expected: the tills drop it; what was received stays received."""
    with head_office_edit(engine, actor) as conn:
        _status_is(conn, po_id, ("draft", "sent", "partial"), "cancelled")
        conn.execute(
            update(PurchaseOrder)
            .where(PurchaseOrder.po_id == po_id)
            .values(status="cancelled", closed_at=func.now(), updated_at=func.now())
        )


def order_csv(order: Order) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "po_number",
            "supplier",
            "deliver_to",
            "sku",
            "supplier_sku",
            "product",
            "packs",
            "pack_size",
            "units",
            "unit_cost",
            "value",
        ]
    )
    for line in order.lines:
        writer.writerow(
            [
                order.number,
                order.supplier,
                order.outlet_code,
                line.sku,
                line.supplier_sku or "",
                line.name,
                f"{line.packs.normalize():f}",
                f"{line.pack_size.normalize():f}",
                f"{line.quantity.normalize():f}",
                "" if line.unit_cost is None else f"{line.unit_cost:.2f}",
                f"{line.value:.2f}",
            ]
        )
    return out.getvalue()


# --- suggested order --------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    product_id: uuid.UUID
    sku: str
    name: str
    on_hand: Decimal
    on_order: Decimal
    reorder_point: Decimal
    reorder_level: Decimal
    supplier: str | None
    pack_size: Decimal
    suggested: Decimal  # units, whole packs

    @property
    def packs(self) -> Decimal:
        return self.suggested / self.pack_size


def suggestions(engine: Engine, outlet_code: str) -> list[Suggestion]:
    with engine.connect() as conn:
        outlet_id, _ = outlet_by_code(conn, outlet_code)
        return _suggestions(conn, outlet_id)


def _suggestions(conn: Connection, outlet_id: uuid.UUID) -> list[Suggestion]:
    r, p, soh = ReorderRule, Product, StockOnHand
    po, pl = PurchaseOrder, PurchaseOrderLine
    on_order = (
        select(
            pl.product_id,
            func.sum(func.greatest(pl.quantity - pl.received, 0)).label("units"),
        )
        .join(po, po.po_id == pl.po_id)
        .where(po.outlet_id == outlet_id, po.status.in_(ON_ORDER_STATUSES))
        .group_by(pl.product_id)
        .subquery()
    )
    rows = conn.execute(
        select(
            p.product_id,
            p.sku,
            p.name,
            func.coalesce(soh.quantity, 0),
            func.coalesce(on_order.c.units, 0),
            r.reorder_point,
            r.reorder_level,
        )
        .join(p, p.product_id == r.product_id)
        .outerjoin(soh, and_(soh.outlet_id == r.outlet_id, soh.product_id == r.product_id))
        .outerjoin(on_order, on_order.c.product_id == r.product_id)
        .where(r.outlet_id == outlet_id, p.active)
        .order_by(p.sku)
    ).all()
    cheapest = _cheapest_suppliers(conn, [row[0] for row in rows])
    out = []
    for pid, sku, name, on_hand, ordered, point, level in rows:
        supplier, pack = cheapest.get(pid, (None, Decimal(1)))
        position = Decimal(on_hand) + Decimal(ordered)
        want = ZERO
        if position <= point:
            packs = ((level - position) / pack).to_integral_value(ROUND_CEILING)
            want = max(packs, Decimal(1)) * pack
        out.append(
            Suggestion(
                pid,
                sku,
                name,
                Decimal(on_hand),
                Decimal(ordered),
                point,
                level,
                supplier,
                pack,
                want,
            )
        )
    return out


def _cheapest_suppliers(
    conn: Connection, product_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, Decimal]]:
    sp, s = SupplierProduct, Supplier
    rows = conn.execute(
        select(sp.product_id, s.name, sp.pack_size)
        .join(s, s.supplier_id == sp.supplier_id)
        .where(sp.product_id.in_(list(product_ids)), s.active)
        .order_by(sp.product_id, sp.last_cost.asc().nulls_last(), s.name)
    )
    out: dict[uuid.UUID, tuple[str, Decimal]] = {}
    for pid, name, pack in rows:
        out.setdefault(pid, (name, pack))
    return out


def draft_from_suggestions(
    engine: Engine, actor: str, outlet_code: str, product_ids: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    """One draft per supplier holding the chosen suggestions, at their suggested quantities."""
    wanted = set(product_ids)
    if not wanted:
        raise AdminError("tick at least one suggestion to order")
    with engine.connect() as conn:
        outlet_id, _ = outlet_by_code(conn, outlet_code)
        chosen = [s for s in _suggestions(conn, outlet_id) if s.product_id in wanted]
    orphans = [s.sku for s in chosen if s.supplier is None]
    if orphans:
        raise AdminError(f"{orphans[0]} has no supplier: link it to one on a supplier's page")
    nothing = [s.sku for s in chosen if s.suggested <= 0]
    if nothing or not chosen:
        raise AdminError(
            f"{nothing[0] if nothing else 'that product'} needs no order now; reload the page"
        )
    by_supplier: dict[str, list[Suggestion]] = {}
    for s in chosen:
        by_supplier.setdefault(str(s.supplier), []).append(s)
    made = []
    # One transaction: every supplier's draft, or none.
    with head_office_edit(engine, actor) as conn:
        for supplier, items in sorted(by_supplier.items()):
            lines = "\n".join(f"{s.sku} {s.suggested.normalize():f}" for s in items)
            form = {
                "supplier": supplier,
                "outlet": outlet_code,
                "lines": lines,
                "note": "from the suggested order",
            }
            made.append(_draft(conn, actor, None, form))
    return made
