"""Categories (names unique, ignoring case) and the descriptions of the tax codes.

The tax codes themselves are fixed: SR, ZR, ES and OS are what every till's GST engine
understands (shared/gst.py), so head office may describe them but not add or remove any.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from shared.logs import get_logger
from sync_service.central.admin import fields
from sync_service.central.admin.edits import AdminError, FieldError, head_office_edit, record_edit
from sync_service.central.models import Category, Product, TaxCode

log = get_logger("sgpos.admin.categories")


def category_named(conn: Connection, name: str) -> uuid.UUID | None:
    return conn.scalar(
        select(Category.category_id).where(func.lower(Category.name) == name.lower()).limit(1)
    )


def create_category(engine: Engine, actor: str, name: str) -> uuid.UUID:
    title = fields.name("category name", name)
    category_id = uuid.uuid4()
    with head_office_edit(engine, actor) as conn:
        if category_named(conn, title) is not None:
            raise FieldError("category name", f"there is already a category called {title}")
        conn.execute(insert(Category).values(category_id=category_id, name=title))
    log.info("category.created", category_id=str(category_id))
    return category_id


def rename_category(engine: Engine, actor: str, category_id: uuid.UUID, name: str) -> None:
    title = fields.name("category name", name)
    with head_office_edit(engine, actor) as conn:
        other = category_named(conn, title)
        if other is not None and other != category_id:
            raise FieldError("category name", f"there is already a category called {title}")
        changed = conn.execute(
            update(Category).where(Category.category_id == category_id).values(name=title)
        ).rowcount
        if not changed:
            raise AdminError("there is no such category; nothing was changed")


def delete_category(engine: Engine, actor: str, category_id: uuid.UUID) -> None:
    """Only an empty category: moving products out first is a decision, not a side effect."""
    with head_office_edit(engine, actor) as conn:
        used = conn.scalar(
            select(func.count()).select_from(Product).where(Product.category_id == category_id)
        )
        if used:
            raise AdminError(
                f"{used} product(s) are in this category; move them to another one first"
            )
        gone = conn.execute(delete(Category).where(Category.category_id == category_id)).rowcount
        if not gone:
            raise AdminError("there is no such category; nothing was changed")


def describe_tax_code(engine: Engine, actor: str, code: str, description: str) -> None:
    tax_code = fields.tax_code("tax code", code)
    text = fields.name("description", description)
    with head_office_edit(engine, actor) as conn:
        before = conn.scalar(
            select(TaxCode.description).where(TaxCode.code == tax_code).with_for_update()
        )
        if before is None:
            raise AdminError(f"tax code {tax_code} is not in the database; run the migrations")
        if before == text:
            return
        conn.execute(update(TaxCode).where(TaxCode.code == tax_code).values(description=text))
        record_edit(
            conn,
            table="tax_code",
            key=tax_code,
            op="update",
            before={"code": tax_code, "description": before},
            after={"code": tax_code, "description": text},
        )
