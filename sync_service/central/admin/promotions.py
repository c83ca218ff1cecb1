"""Automatic promotions at head office: create, edit, schedule, end, and price a sample cart.

A promotion is stored as the ``PromotionV1`` tills are sent, and priced by the same engine
(``shared.promotions``) through the same cart rules (``shared.cart``): a preview here is what
every till will charge for that cart at that moment.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, func, select, update
from sqlalchemy.dialects.postgresql import insert

from shared.cart import Cart, Offers, ProductSnapshot, SaleRules, SaleTotals
from shared.gst import SINGAPORE, GstRounding, TaxCode
from shared.logs import get_logger
from shared.promotion_wire import BundlePartV1, PromotionV1, promotion_from_json
from shared.promotions import DAY_NAMES, Promotion, PromotionError, PromotionKind
from shared.text import whole_number
from sync_service.central.admin import fields
from sync_service.central.admin.edits import AdminError, FieldError, head_office_edit
from sync_service.central.models import Category, Outlet, Product
from sync_service.central.models import Promotion as PromotionRow

log = get_logger("sgpos.admin.promotions")
KINDS = tuple(k.value for k in PromotionKind)


@dataclass(frozen=True)
class PromotionListing:
    promotion_id: uuid.UUID
    name: str
    kind: str
    starts_at: datetime | None
    ends_at: datetime | None
    active: bool
    status: str  # scheduled, running, ended, switched off


def status_at(row: PromotionListing | PromotionRow, now: datetime) -> str:
    if not row.active:
        return "switched off"
    if row.ends_at is not None and row.ends_at <= now:
        return "ended"
    if row.starts_at is not None and row.starts_at > now:
        return "scheduled"
    return "running"


def list_promotions(engine: Engine, now: datetime) -> list[PromotionListing]:
    p = PromotionRow
    with engine.connect() as conn:
        rows = conn.execute(
            select(p.promotion_id, p.name, p.kind, p.starts_at, p.ends_at, p.active).order_by(
                p.name, p.promotion_id
            )
        ).all()
    out = []
    for r in rows:
        listing = PromotionListing(r[0], r[1], r[2], r[3], r[4], r[5], status="")
        out.append(replace(listing, status=status_at(listing, now)))
    return out


def get_promotion(engine: Engine, promotion_id: uuid.UUID) -> PromotionV1 | None:
    with engine.connect() as conn:
        data = conn.scalar(
            select(PromotionRow.definition).where(PromotionRow.promotion_id == promotion_id)
        )
    return None if data is None else promotion_from_json(data)


def promotions_in_force(conn: Connection) -> tuple[Promotion, ...]:
    """Every switched-on promotion, as every till holds them (windows are the engine's)."""
    rows = conn.execute(
        select(PromotionRow.definition)
        .where(PromotionRow.active)
        .order_by(PromotionRow.promotion_id)
    ).scalars()
    return tuple(promotion_from_json(d).to_promotion() for d in rows)


def save_promotion(engine: Engine, actor: str, promo: PromotionV1) -> uuid.UUID:
    """Create or replace a promotion after checking it can work and names what exists."""
    try:
        promo.to_promotion()
    except PromotionError as exc:
        raise FieldError("promotion", str(exc)) from None
    with head_office_edit(engine, actor) as conn:
        _check_exists(conn, promo)
        values = {
            "name": promo.name,
            "kind": promo.kind,
            "starts_at": promo.starts_at,
            "ends_at": promo.ends_at,
            "active": promo.active,
            "definition": promo.model_dump(mode="json"),
            "updated_at": func.now(),
        }
        stmt = insert(PromotionRow).values(promotion_id=promo.promotion_id, **values)
        conn.execute(
            stmt.on_conflict_do_update(index_elements=[PromotionRow.promotion_id], set_=values)
        )
    log.info("promotion.saved", promotion_id=str(promo.promotion_id), kind=promo.kind)
    return promo.promotion_id


def end_promotion(engine: Engine, actor: str, promotion_id: uuid.UUID, now: datetime) -> None:
    """End it now (kept for the record and the uplift report); tills stop at their next pull."""
    promo = get_promotion(engine, promotion_id)
    if promo is None:
        raise AdminError("there is no such promotion; nothing was changed")
    if promo.ends_at is not None and promo.ends_at <= now:
        raise AdminError(f"{promo.name} has already ended")
    start = promo.starts_at if promo.starts_at is None or promo.starts_at < now else None
    ended = promo.model_copy(update={"ends_at": now, "starts_at": start})
    save_promotion(engine, actor, ended)


def _check_exists(conn: Connection, promo: PromotionV1) -> None:
    products = {*promo.products, *promo.get_products, *(c.product_id for c in promo.components)}
    if products:
        found = set(
            conn.scalars(select(Product.product_id).where(Product.product_id.in_(products)))
        )
        if products - found:
            raise FieldError("products", f"no product has id {sorted(products - found)[0]}")
    categories = {*promo.categories, *promo.get_categories}
    if categories:
        found = set(
            conn.scalars(select(Category.category_id).where(Category.category_id.in_(categories)))
        )
        if categories - found:
            raise FieldError("categories", f"no category has id {sorted(categories - found)[0]}")
    if promo.outlet_ids:
        found = set(
            conn.scalars(select(Outlet.outlet_id).where(Outlet.outlet_id.in_(promo.outlet_ids)))
        )
        if set(promo.outlet_ids) - found:
            raise FieldError("outlets", "one of the outlets does not exist")


# --- the form -------------------------------------------------------------------------------


def promotion_from_form(
    engine: Engine, form: Mapping[str, str], promotion_id: uuid.UUID | None = None
) -> PromotionV1:
    """A promotion from the dashboard's form: SKUs, category names and outlet codes as typed."""
    kind = (form.get("kind") or "").strip()
    if kind not in KINDS:
        raise FieldError("kind", f"choose one of: {', '.join(KINDS)}")
    with engine.connect() as conn:
        data = {
            "promotion_id": promotion_id or uuid.uuid4(),
            "name": fields.name("name", form.get("name")),
            "kind": kind,
            "products": _skus(conn, "products", form.get("products")),
            "categories": _categories(conn, "categories", form.get("categories")),
            "get_products": _skus(conn, "get products", form.get("get_products")),
            "get_categories": _categories(conn, "get categories", form.get("get_categories")),
            "components": _components(conn, form.get("components")),
            "percent": _number("percent", form.get("percent")),
            "amount": _money("amount", form.get("amount")),
            "threshold": _money("spend at least", form.get("threshold")),
            "buy": _count("buy", form.get("buy")),
            "get": _count("get", form.get("get")),
            "starts_at": fields.moment("starts", form.get("starts")),
            "ends_at": fields.moment("ends", form.get("ends")),
            "days": _days(form.get("days")),
            "opens": (form.get("opens") or "").strip() or None,
            "closes": (form.get("closes") or "").strip() or None,
            "outlet_ids": _outlets(conn, form.get("outlets")),
            "member_only": fields.flag("members only", form.get("member_only"), default=False),
            "stackable": fields.flag("stacks", form.get("stackable"), default=False),
            "priority": _count("priority", form.get("priority")),
            "active": True,
        }
    try:
        return PromotionV1.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "promotion"
        raise FieldError(where, err["msg"]) from None


def form_values(promo: PromotionV1, engine: Engine) -> dict[str, str]:
    """The form's fields for an existing promotion, as a person would type them."""
    with engine.connect() as conn:
        skus: dict[uuid.UUID, str] = {
            r[0]: r[1] for r in conn.execute(select(Product.product_id, Product.sku))
        }
        cats: dict[uuid.UUID, str] = {
            r[0]: r[1] for r in conn.execute(select(Category.category_id, Category.name))
        }
        codes: dict[uuid.UUID, str] = {
            r[0]: r[1] for r in conn.execute(select(Outlet.outlet_id, Outlet.code))
        }

    def moment(at: datetime | None) -> str:
        return "" if at is None else f"{at.astimezone(SINGAPORE):%Y-%m-%d %H:%M}"

    def text(x: object) -> str:
        return "" if x is None else str(x)

    return {
        "name": promo.name,
        "kind": promo.kind,
        "products": ", ".join(skus.get(p, str(p)) for p in promo.products),
        "categories": ", ".join(cats.get(c, str(c)) for c in promo.categories),
        "get_products": ", ".join(skus.get(p, str(p)) for p in promo.get_products),
        "get_categories": ", ".join(cats.get(c, str(c)) for c in promo.get_categories),
        "components": ", ".join(
            f"{skus.get(c.product_id, c.product_id)} x{c.quantity}" for c in promo.components
        ),
        "percent": text(promo.percent),
        "amount": text(promo.amount),
        "threshold": text(promo.threshold),
        "buy": text(promo.buy or ""),
        "get": text(promo.get or ""),
        "starts": moment(promo.starts_at),
        "ends": moment(promo.ends_at),
        "days": ", ".join(DAY_NAMES[d] for d in promo.days),
        "opens": promo.opens or "",
        "closes": promo.closes or "",
        "outlets": ", ".join(codes.get(o, str(o)) for o in promo.outlet_ids),
        "member_only": "yes" if promo.member_only else "",
        "stackable": "yes" if promo.stackable else "",
        "priority": text(promo.priority or ""),
    }


def _words(value: str | None) -> list[str]:
    return [w.strip() for w in (value or "").split(",") if w.strip()]


def _skus(conn: Connection, field: str, value: str | None) -> list[uuid.UUID]:
    out = []
    for sku in _words(value):
        found = conn.scalar(select(Product.product_id).where(Product.sku == sku))
        if found is None:
            raise FieldError(field, f"no product has SKU {sku!r}")
        out.append(found)
    return out


def _categories(conn: Connection, field: str, value: str | None) -> list[uuid.UUID]:
    out = []
    for name in _words(value):
        found = conn.scalar(
            select(Category.category_id).where(func.lower(Category.name) == name.lower())
        )
        if found is None:
            raise FieldError(field, f"no category is called {name!r}")
        out.append(found)
    return out


def _outlets(conn: Connection, value: str | None) -> list[uuid.UUID]:
    out = []
    for code in _words(value):
        found = conn.scalar(select(Outlet.outlet_id).where(Outlet.code == code.upper()))
        if found is None:
            raise FieldError("outlets", f"no outlet has code {code!r}")
        out.append(found)
    return out


def _components(conn: Connection, value: str | None) -> list[BundlePartV1]:
    parts = []
    for word in _words(value):
        sku, _, count = word.partition(" x")
        (product_id,) = _skus(conn, "bundle items", sku.strip())
        quantity = _count("bundle items", count or "1")
        parts.append(BundlePartV1(product_id=product_id, quantity=max(quantity, 1)))
    return parts


def _days(value: str | None) -> list[int]:
    out = []
    for word in _words(value):
        day = word[:3].title()
        if day not in DAY_NAMES:
            raise FieldError("days", f"{word!r} is not a day; write Mon, Tue, ... Sun")
        out.append(DAY_NAMES.index(day))
    return sorted(set(out))


def _count(field: str, value: str | None) -> int:
    text = (value or "").strip()
    if not text:
        return 0
    number = whole_number(text)
    if number is None or number > 99:
        raise FieldError(field, f"{text[:20]!r}: give a whole number from 0 to 99")
    return number


def _number(field: str, value: str | None) -> Decimal | None:
    text = (value or "").strip().rstrip("%")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise FieldError(field, f"{text[:20]!r} is not a number; write it like 15") from None
    if not number.is_finite() or not 0 < number <= 100:
        raise FieldError(field, f"{text} is not a percentage from 0.01 to 100")
    return number


def _money(field: str, value: str | None) -> Decimal | None:
    return None if not (value or "").strip() else fields.price(field, value)


# --- previews: head office's projection of what a till charges -------------------------------


@dataclass(frozen=True)
class SampleItem:
    sku: str
    quantity: Decimal


def parse_sample(text: str) -> list[SampleItem]:
    """A sample cart as typed: one item a line, ``SKU`` or ``SKU x3`` (or ``SKU 0.5`` kg)."""
    items = []
    for raw in text.replace(",", "\n").splitlines():
        line = raw.strip()
        if not line:
            continue
        sku, _, qty = line.replace(" x", " ").partition(" ")
        try:
            quantity = Decimal(qty.strip() or "1")
        except InvalidOperation:
            raise FieldError("sample cart", f"{line[:40]!r}: write SKU x3") from None
        items.append(SampleItem(sku, quantity))
    if not items:
        raise FieldError("sample cart", "type at least one SKU, one a line (SKU x3)")
    return items


def snapshots(conn: Connection, skus: Sequence[str]) -> dict[str, ProductSnapshot]:
    rows = conn.execute(
        select(
            Product.product_id,
            Product.sku,
            Product.name,
            Product.price,
            Product.tax_code,
            Product.weighed,
            Product.category_id,
        ).where(Product.sku.in_(list(skus)))
    ).all()
    return {
        r.sku: ProductSnapshot(
            str(r.product_id),
            r.sku,
            r.name,
            r.price,
            TaxCode(r.tax_code),
            r.weighed,
            None if r.category_id is None else str(r.category_id),
        )
        for r in rows
    }


def price_sample(
    engine: Engine,
    items: Sequence[SampleItem],
    at: datetime,
    outlet_code: str,
    *,
    member: bool = False,
    extra: Sequence[Promotion] = (),
) -> SaleTotals:
    """The cart priced as a till of ``outlet_code`` prices it at ``at`` with the promotions in
    force (plus ``extra``: a promotion being edited, before it is saved)."""
    with engine.connect() as conn:
        outlet = conn.execute(
            select(Outlet.outlet_id, Outlet.gst_reg_no, Outlet.gst_rounding).where(
                Outlet.code == outlet_code
            )
        ).one_or_none()
        if outlet is None:
            raise FieldError("outlet", f"no outlet has code {outlet_code!r}")
        found = snapshots(conn, [i.sku for i in items])
        promos = promotions_in_force(conn)
    replaced = {p.promotion_id for p in extra}
    promos = tuple(p for p in promos if p.promotion_id not in replaced) + tuple(extra)
    rules = SaleRules(
        gst_registered=outlet.gst_reg_no is not None,
        gst_rounding=GstRounding(outlet.gst_rounding),
    )
    cart = Cart(rules, offers=Offers(promos, str(outlet.outlet_id), member))
    for item in items:
        product = found.get(item.sku)
        if product is None:
            raise FieldError("sample cart", f"no product has SKU {item.sku!r}")
        try:
            cart.add(product, item.quantity)
        except ValueError as exc:
            raise FieldError("sample cart", f"{item.sku}: {exc}") from None
    return cart.totals(at)


def deactivate(engine: Engine, actor: str, promotion_id: uuid.UUID) -> None:
    """Switch a promotion off without ending it (it can be switched on again)."""
    with head_office_edit(engine, actor) as conn:
        changed = conn.execute(
            update(PromotionRow)
            .where(PromotionRow.promotion_id == promotion_id)
            .values(active=False, definition=PromotionRow.definition.op("||")({"active": False}))
        ).rowcount
        if not changed:
            raise AdminError("there is no such promotion; nothing was changed")
