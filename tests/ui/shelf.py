"""Finding a demo product's barcode by its name, as a cashier reads it off the pack."""

from __future__ import annotations

from sqlalchemy import select

from tests.ui.selling import Till
from till.store.models import Barcode, Product


def barcode_of(till: Till, name: str) -> str:
    """The first barcode of the product called exactly ``name``."""
    with till.store.read() as s:
        code = s.scalars(
            select(Barcode.code).join(Product).where(Product.name == name).order_by(Barcode.code)
        ).first()
    assert code is not None, f"the demo catalogue has no {name!r}"
    return str(code)
