"""Products: create one with its first price, change its name, category, tax code or whether
it is sold. A product is never deleted: sales refer to it; taking it off sale is ``active``."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, Engine, insert, select, update

from shared.logs import get_logger
from sync_service.central.admin import fields
from sync_service.central.admin.edits import AdminError, FieldError, head_office_edit
from sync_service.central.admin.prices import add_price
from sync_service.central.models import Category, Product

log = get_logger("sgpos.admin.products")


@dataclass(frozen=True)
class ProductDetails:
    """What head office edits on a product (its price has its own history, see prices)."""

    name: str
    tax_code: str
    category_id: uuid.UUID | None
    active: bool
    weighed: bool = False
    # Cost per unit excluding GST: what the product is costed at where an outlet has not yet
    # received it with a cost (docs/stock.md). None: not known.
    cost_price: Decimal | None = None


def parse_details(form: Mapping[str, str]) -> ProductDetails:
    """From form fields ``name``, ``tax_code``, ``category_id`` (empty: none), ``active`` and
    ``weighed`` (checkboxes: present means yes), ``cost_price`` (empty: not known)."""
    raw_category = (form.get("category_id") or "").strip()
    try:
        category_id = uuid.UUID(raw_category) if raw_category else None
    except ValueError:
        raise FieldError("category", "choose a category from the list") from None
    return ProductDetails(
        name=fields.name("name", form.get("name")),
        tax_code=fields.tax_code("tax code", form.get("tax_code")),
        category_id=category_id,
        active=bool(form.get("active")),
        weighed=bool(form.get("weighed")),
        cost_price=(
            fields.price("cost price", form.get("cost_price"))
            if (form.get("cost_price") or "").strip()
            else None
        ),
    )


def create_product(
    engine: Engine,
    actor: str,
    *,
    sku: str,
    details: ProductDetails,
    price: Decimal,
    now: datetime,
) -> uuid.UUID:
    """A new product, on sale at ``price`` from now."""
    code = fields.name("SKU", sku)
    product_id = uuid.uuid4()
    with head_office_edit(engine, actor) as conn:
        _check_sku_free(conn, code, None)
        _check_category(conn, details.category_id)
        conn.execute(
            insert(Product).values(
                product_id=product_id,
                sku=code,
                price=price,
                **_columns(details),
            )
        )
        add_price(conn, actor, product_id, price, now)
    log.info("product.created", product_id=str(product_id), sku=code)
    return product_id


def update_product(
    engine: Engine, actor: str, product_id: uuid.UUID, details: ProductDetails
) -> None:
    with head_office_edit(engine, actor) as conn:
        _check_category(conn, details.category_id)
        changed = conn.execute(
            update(Product).where(Product.product_id == product_id).values(**_columns(details))
        ).rowcount
        if not changed:
            raise AdminError("there is no such product; nothing was changed")
    log.info("product.updated", product_id=str(product_id))


def _columns(details: ProductDetails) -> dict[str, object]:
    return {
        "name": details.name,
        "tax_code": details.tax_code,
        "category_id": details.category_id,
        "active": details.active,
        "weighed": details.weighed,
        "cost_price": details.cost_price,
    }


def _check_sku_free(conn: Connection, sku: str, product_id: uuid.UUID | None) -> None:
    holder = conn.execute(
        select(Product.product_id, Product.name).where(Product.sku == sku)
    ).first()
    if holder is not None and holder.product_id != product_id:
        raise FieldError("SKU", f"{sku} is already the SKU of {holder.name}")


def _check_category(conn: Connection, category_id: uuid.UUID | None) -> None:
    if category_id is None:
        return
    found = conn.scalar(select(Category.category_id).where(Category.category_id == category_id))
    if found is None:
        raise FieldError("category", "that category no longer exists; choose another")
