"""The demo shop's promotions, one or more of every kind, on the demo catalogue's hero
products: pure data, as head office's ``seed-demo --with-promotions`` loads it. No two
exclusive ones reach the same product (docs/promotions.md: overlapping exclusive promotions
are resolved greedily)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from shared.demo_catalogue import DemoCatalogue
from shared.gst import SINGAPORE
from shared.promotion_wire import BundlePartV1, PromotionV1

D = Decimal


def demo_promotions(catalogue: DemoCatalogue, seed: int = 7) -> tuple[PromotionV1, ...]:
    """Every promotion whose products are in ``catalogue`` (a tiny demo has fewer)."""
    products = {p.name: p.product_id for p in catalogue.products}
    categories = {c.name: c.category_id for c in catalogue.categories}

    def ids(names: Sequence[str]) -> list[uuid.UUID] | None:
        found = [products.get(n) for n in names]
        return None if None in found else [x for x in found if x is not None]

    def key(name: str) -> uuid.UUID:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"https://sg-pos.invalid/demo/{seed}/promo/{name}")

    wanted: list[tuple[str, list[str], dict[str, Any]]] = [
        (
            "Chrysanthemum tea: buy 2 get 1 free",
            ["Yeo's Chrysanthemum Tea 250ml x6"],
            {"kind": "buy_x_get_y", "buy": 2, "get": 1},
        ),
        (
            "Any 3 for $8: chips and sardines",
            ["Jalapeño Chips 150g", "Ayam Brand Sardines 155g"],
            {"kind": "mix_and_match", "buy": 3, "amount": D("8.00")},
        ),
        (
            "Breakfast: bread $2.50 before 10 am",
            ["Gardenia Enriched White Bread 600g"],
            {"kind": "fixed_price", "amount": D("2.50"), "opens": "07:00", "closes": "10:00"},
        ),
        (
            "Colgate 50 cents off",
            ["Colgate Total Toothpaste 150g"],
            {"kind": "amount_off", "amount": D("0.50"), "stackable": True},
        ),
        (
            "Milo and crème brûlée for $14.90",
            [],
            {
                "kind": "bundle",
                "amount": D("14.90"),
                "components": ["Milo 3-in-1 Sachets 18x33g", "Crème Brûlée Cups 2x100g"],
            },
        ),
        (
            "Spend $50, save $5",
            [],
            {"kind": "spend_and_save", "threshold": D("50.00"), "amount": D("5.00")},
        ),
    ]
    out: list[PromotionV1] = []
    for name, names, fields in wanted:
        scope = ids(names)
        parts = fields.pop("components", None)
        if scope is None or (parts is not None and ids(parts) is None):
            continue
        data: dict[str, Any] = {"promotion_id": key(name), "name": name, "products": scope}
        if parts is not None:
            found = ids(parts) or []
            data["components"] = [BundlePartV1(product_id=p, quantity=1) for p in found]
        out.append(PromotionV1.model_validate(data | fields))
    fresh = categories.get("Fresh Produce")
    if fresh is not None:
        out.append(
            PromotionV1(
                promotion_id=key("weekend fresh"),
                name="Weekend: 10% off fresh produce",
                kind="percent_off",
                categories=[fresh],
                percent=D(10),
                days=[5, 6],
            )
        )
    drinks = categories.get("Beverages")
    if drinks is not None:
        out.append(
            PromotionV1(
                promotion_id=key("members drinks"),
                name="Members: 5% off beverages",
                kind="percent_off",
                categories=[drinks],
                percent=D(5),
                member_only=True,
                stackable=True,
                starts_at=datetime(2025, 1, 1, tzinfo=SINGAPORE),
            )
        )
    return tuple(out)
