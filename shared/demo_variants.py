"""The demo shop's product families and packs (docs/variants.md).

Pure and deterministic, beside (not inside) ``shared.demo_catalogue`` so that the catalogue's
products, ids and barcodes stay exactly what benchmarks and tests were written against. Ids
are UUID5 under one namespace; barcodes are EAN-13 under the GS1 Malaysia prefix 955 (where
these drinks are bottled), which the generated catalogue (all 888) never uses.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from shared.demo_catalogue import demo_category_ids, master_change
from shared.protocol import (
    BarcodeV1,
    MasterChange,
    MasterEntity,
    ProductV1,
    ProductVariantV1,
)
from shared.scale_barcode import ean13_check_digit

_NAMESPACE = uuid.UUID("6b1d9a52-7c1e-4d7a-9b0e-5a2f3c4d5e6f")
_PREFIX = "955"

# (family, category, ((options, name, SKU, price in cents), ...))
_FAMILIES: tuple[tuple[str, str, tuple[tuple[dict[str, str], str, str, int], ...]], ...] = (
    (
        "Pokka Green Tea",
        "Beverages",
        (
            (
                {"Size": "500ml", "Flavour": "Jasmine"},
                "Pokka Jasmine Green Tea 500ml",
                "PGT-JAS-500",
                120,
            ),
            (
                {"Size": "500ml", "Flavour": "Honey"},
                "Pokka Honey Green Tea 500ml",
                "PGT-HON-500",
                130,
            ),
            (
                {"Size": "1.5L", "Flavour": "Jasmine"},
                "Pokka Jasmine Green Tea 1.5L",
                "PGT-JAS-1500",
                260,
            ),
            (
                {"Size": "1.5L", "Flavour": "Honey"},
                "Pokka Honey Green Tea 1.5L",
                "PGT-HON-1500",
                280,
            ),
        ),
    ),
    (
        "Compact Umbrella",
        "Household",
        (
            ({"Colour": "Black"}, "Compact Umbrella Black", "UMB-BLK", 1290),
            ({"Colour": "Navy"}, "Compact Umbrella Navy", "UMB-NVY", 1290),
            ({"Colour": "Red"}, "Compact Umbrella Red", "UMB-RED", 1290),
        ),
    ),
)
# (unit SKU, units, name, SKU, price in cents): cartons with their own barcode and price.
_PACKS: tuple[tuple[str, int, str, str, int], ...] = (
    ("PGT-JAS-500", 24, "Pokka Jasmine Green Tea 500ml Carton of 24", "PGT-JAS-500-C24", 2390),
    ("PGT-HON-1500", 12, "Pokka Honey Green Tea 1.5L Carton of 12", "PGT-HON-1500-C12", 2990),
)


@dataclass(frozen=True)
class DemoVariants:
    products: tuple[ProductV1, ...]
    barcodes: tuple[BarcodeV1, ...]
    variants: tuple[ProductVariantV1, ...]

    def changes(self) -> list[MasterChange]:
        """As the upserts a pull brings them, parents first."""
        return [
            *(master_change(MasterEntity.PRODUCT, str(p.product_id), p) for p in self.products),
            *(master_change(MasterEntity.BARCODE, b.code, b) for b in self.barcodes),
            *(master_change(MasterEntity.VARIANT, str(v.product_id), v) for v in self.variants),
        ]


def _id(sku: str, seed: int) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{seed}:{sku}")


def _ean13(n: int) -> str:
    body = f"{_PREFIX}{n:09d}"
    return body + ean13_check_digit(body)


def demo_variants(seed: int = 7) -> DemoVariants:
    categories = demo_category_ids(seed)
    products: list[ProductV1] = []
    variants: list[ProductVariantV1] = []
    ids: dict[str, uuid.UUID] = {}
    for family, category, members in _FAMILIES:
        for options, name, sku, cents in members:
            ids[sku] = _id(sku, seed)
            products.append(_product(ids[sku], sku, name, cents, categories[category]))
            variants.append(ProductVariantV1(product_id=ids[sku], family=family, options=options))
    for unit_sku, units, name, sku, cents in _PACKS:
        ids[sku] = _id(sku, seed)
        products.append(_product(ids[sku], sku, name, cents, categories["Beverages"]))
        variants.append(
            ProductVariantV1(product_id=ids[sku], pack_of=ids[unit_sku], pack_units=units)
        )
    barcodes = tuple(
        BarcodeV1(code=_ean13(100001 + n), product_id=p.product_id) for n, p in enumerate(products)
    )
    return DemoVariants(tuple(products), barcodes, tuple(variants))


def _product(pid: uuid.UUID, sku: str, name: str, cents: int, category: uuid.UUID) -> ProductV1:
    return ProductV1(
        product_id=pid,
        sku=sku,
        name=name,
        price=Decimal(cents).scaleb(-2),
        tax_code="SR",
        category_id=category,
        weighed=False,
        active=True,
    )
