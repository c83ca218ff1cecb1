"""Barcodes: each belongs to one product; a product may have several."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine, delete, insert, select

from shared.logs import get_logger
from sync_service.central.admin import fields
from sync_service.central.admin.edits import AdminError, FieldError, head_office_edit
from sync_service.central.models import Barcode, Product

log = get_logger("sgpos.admin.barcodes")


def add_barcode(engine: Engine, actor: str, product_id: uuid.UUID, code: str) -> str:
    barcode = fields.barcode("barcode", code)
    with head_office_edit(engine, actor) as conn:
        if conn.scalar(select(Product.product_id).where(Product.product_id == product_id)) is None:
            raise AdminError("there is no such product; nothing was changed")
        holder = conn.execute(
            select(Product.product_id, Product.sku, Product.name)
            .join(Barcode, Barcode.product_id == Product.product_id)
            .where(Barcode.code == barcode)
            .with_for_update(of=Barcode)
        ).first()
        if holder is not None:
            if holder.product_id == product_id:
                raise FieldError("barcode", f"{barcode} is already on this product")
            raise FieldError(
                "barcode", f"{barcode} is already used by {holder.name} (SKU {holder.sku})"
            )
        conn.execute(insert(Barcode).values(code=barcode, product_id=product_id))
    log.info("barcode.added", product_id=str(product_id))
    return barcode


def remove_barcode(engine: Engine, actor: str, product_id: uuid.UUID, code: str) -> None:
    with head_office_edit(engine, actor) as conn:
        gone = conn.execute(
            delete(Barcode)
            .where(Barcode.code == code, Barcode.product_id == product_id)
            .returning(Barcode.code)
        ).first()
        if gone is None:
            raise AdminError("that barcode is not on this product; nothing was changed")
    log.info("barcode.removed", product_id=str(product_id))
