"""Reading the catalogue for the dashboard: product search, one product, categories, tax codes.

Products, prices and barcodes are the same at every outlet, so every head-office role reads
them; only an admin changes them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, func, or_, select

from sync_service.central.admin.prices import PriceRow, price_rows
from sync_service.central.models import Barcode, Category, Price, Product, TaxCode

PAGE_SIZE = 50


@dataclass(frozen=True)
class ProductRow:
    product_id: uuid.UUID
    sku: str
    name: str
    price: Decimal
    tax_code: str
    category: str | None
    active: bool
    next_price: Decimal | None  # the next scheduled price, if any
    next_price_from: datetime | None


@dataclass(frozen=True)
class ProductPage:
    rows: list[ProductRow]
    page: int
    has_more: bool


@dataclass(frozen=True)
class ProductDetail:
    product_id: uuid.UUID
    sku: str
    name: str
    price: Decimal
    tax_code: str
    category_id: uuid.UUID | None
    category: str | None
    weighed: bool
    active: bool
    barcodes: list[str]
    prices: list[PriceRow]
    cost_price: Decimal | None = None


@dataclass(frozen=True)
class CategoryRow:
    category_id: uuid.UUID
    name: str
    products: int


@dataclass(frozen=True)
class TaxCodeRow:
    code: str
    description: str


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` literally anywhere: % and _ typed are just characters."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_products(conn: Connection, text: str, now: datetime, *, page: int = 1) -> ProductPage:
    """Products whose name or SKU contains ``text``, or with the barcode ``text``, by name."""
    page = max(1, page)
    wanted = text.strip()[:120]
    nxt = (
        select(Price.product_id, Price.price, Price.effective_from)
        .where(Price.effective_from > now)
        .distinct(Price.product_id)
        .order_by(Price.product_id, Price.effective_from)
        .subquery()
    )
    query = (
        select(
            Product.product_id,
            Product.sku,
            Product.name,
            Product.price,
            Product.tax_code,
            Category.name,
            Product.active,
            nxt.c.price,
            nxt.c.effective_from,
        )
        .outerjoin(Category, Category.category_id == Product.category_id)
        .outerjoin(nxt, nxt.c.product_id == Product.product_id)
    )
    if wanted:
        pattern = like_pattern(wanted)
        by_barcode = select(Barcode.product_id).where(Barcode.code == wanted)
        query = query.where(
            or_(
                Product.name.ilike(pattern, escape="\\"),
                Product.sku.ilike(pattern, escape="\\"),
                Product.product_id.in_(by_barcode),
            )
        )
    rows = conn.execute(
        query.order_by(Product.name, Product.sku)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    return ProductPage(
        rows=[ProductRow(*r) for r in rows[:PAGE_SIZE]], page=page, has_more=len(rows) > PAGE_SIZE
    )


def product_detail(conn: Connection, product_id: uuid.UUID, now: datetime) -> ProductDetail | None:
    product = conn.execute(
        select(*Product.__table__.c, Category.name.label("category"))
        .outerjoin(Category, Category.category_id == Product.category_id)
        .where(Product.product_id == product_id)
    ).first()
    if product is None:
        return None
    codes = conn.scalars(
        select(Barcode.code).where(Barcode.product_id == product_id).order_by(Barcode.code)
    ).all()
    return ProductDetail(
        product_id=product.product_id,
        sku=product.sku,
        name=product.name,
        price=product.price,
        tax_code=product.tax_code,
        category_id=product.category_id,
        category=product.category,
        weighed=product.weighed,
        active=product.active,
        barcodes=list(codes),
        prices=price_rows(conn, product_id, now),
        cost_price=product.cost_price,
    )


def categories(conn: Connection) -> list[CategoryRow]:
    counts = (
        select(Product.category_id, func.count().label("n"))
        .group_by(Product.category_id)
        .subquery()
    )
    rows = conn.execute(
        select(Category.category_id, Category.name, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.category_id == Category.category_id)
        .order_by(func.lower(Category.name))
    ).all()
    return [CategoryRow(*r) for r in rows]


def tax_codes(conn: Connection) -> list[TaxCodeRow]:
    rows = conn.execute(select(TaxCode.code, TaxCode.description).order_by(TaxCode.code)).all()
    return [TaxCodeRow(*r) for r in rows]
