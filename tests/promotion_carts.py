"""Catalogues, promotions of every kind and baskets, as hypothesis strategies (property tests)
and from a seeded ``random.Random`` (the till-against-head-office cross-check)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from hypothesis import strategies as st

from shared.cart import ProductSnapshot
from shared.gst import TaxCode
from shared.promotions import Promotion, PromotionKind, Scope, Window

D = Decimal
CATEGORIES = ("drinks", "snacks", "household")
TAX_CODES = (TaxCode.STANDARD, TaxCode.STANDARD, TaxCode.ZERO, TaxCode.EXEMPT)


@dataclass(frozen=True)
class Shelf:
    products: tuple[ProductSnapshot, ...]
    promotions: tuple[Promotion, ...]


def make_product(n: int, cents: int, category: int, tax: int, weighed: bool) -> ProductSnapshot:
    return ProductSnapshot(
        product_id=f"p{n}",
        sku=f"SKU{n}",
        name=f"Item {n}",
        unit_price=D(cents) / 100,
        tax_code=TAX_CODES[tax % len(TAX_CODES)],
        weighed=weighed,
        category_id=CATEGORIES[category % len(CATEGORIES)],
    )


def make_promotion(n: int, kind: PromotionKind, r: random.Random, products: int) -> Promotion:
    """One promotion of ``kind`` with parameters drawn from ``r`` (shared by both generators)."""
    ids = [f"p{i}" for i in range(products)]

    def scope() -> Scope:
        if r.random() < 0.5:
            return Scope(categories=frozenset(r.sample(CATEGORIES, r.randint(1, 2))))
        return Scope(products=frozenset(r.sample(ids, r.randint(1, min(3, len(ids))))))

    cents = D(r.randint(50, 1500)) / 100
    common = {
        "promotion_id": f"promo-{n:02d}",
        "name": f"Promo {n} {kind.value}",
        "kind": kind,
        "priority": r.randint(0, 3),
        "window": Window(opens=time(8), closes=time(22)) if r.random() < 0.2 else Window(),
        "member_only": r.random() < 0.1,
    }
    stackable = r.random() < 0.4
    if kind is PromotionKind.PERCENT_OFF:
        return Promotion(**common, scope=scope(), percent=D(r.randint(1, 60)), stackable=stackable)
    if kind is PromotionKind.AMOUNT_OFF:
        return Promotion(
            **common, scope=scope(), amount=D(r.randint(5, 200)) / 100, stackable=stackable
        )
    if kind is PromotionKind.FIXED_PRICE:
        return Promotion(**common, scope=scope(), amount=cents)
    if kind is PromotionKind.MIX_AND_MATCH:
        return Promotion(**common, scope=scope(), buy=r.randint(2, 4), amount=cents)
    if kind is PromotionKind.BUY_X_GET_Y:
        other = scope() if r.random() < 0.3 else None
        return Promotion(
            **common,
            scope=scope(),
            buy=r.randint(1, 3),
            get=r.randint(1, 2),
            get_scope=other,
            percent=r.choice([D(100), D(50)]),
        )
    if kind is PromotionKind.BUNDLE:
        parts = r.sample(ids, min(len(ids), r.randint(2, 3)))
        return Promotion(
            **common, components=tuple((p, r.randint(1, 2)) for p in parts), amount=cents
        )
    by_amount = r.random() < 0.6
    return Promotion(
        **common,
        scope=Scope() if r.random() < 0.6 else scope(),
        threshold=D(r.randint(5, 40)),
        amount=D(r.randint(1, 5)) if by_amount else None,
        percent=None if by_amount else D(r.randint(1, 15)),
        stackable=stackable,
    )


def random_shelf(r: random.Random, *, thresholds: bool = True) -> Shelf:
    count = r.randint(2, 7)
    products = tuple(
        make_product(
            n, r.randint(10, 1200), r.randint(0, 2), r.randint(0, 3), weighed=r.random() < 0.1
        )
        for n in range(count)
    )
    kinds = [k for k in PromotionKind if thresholds or k is not PromotionKind.SPEND_AND_SAVE]
    promotions = []
    for n in range(r.randint(0, 5)):
        kind = r.choice(kinds)
        promotions.append(make_promotion(n, kind, r, count))
    return Shelf(products, tuple(promotions))


def random_scans(r: random.Random, shelf: Shelf) -> list[tuple[int, Decimal]]:
    """Scans as (product index, quantity): a weighed product gets a weight."""
    scans = []
    for _ in range(r.randint(1, 12)):
        i = r.randrange(len(shelf.products))
        if shelf.products[i].weighed:
            scans.append((i, D(r.randint(50, 2500)) / 1000))
        else:
            scans.append((i, D(r.randint(1, 3))))
    return scans


def reach(p: Promotion, products: tuple[ProductSnapshot, ...]) -> set[str]:
    """The products a promotion can take units of."""
    if p.kind is PromotionKind.BUNDLE:
        return {c for c, _ in p.components}
    scopes = [p.scope] + ([p.get_scope] if p.get_scope is not None else [])
    return {x.product_id for x in products for s in scopes if s.covers(x.product_id, x.category_id)}


def apart(shelf: Shelf) -> Shelf:
    """The shelf without any exclusive promotion that reaches a product an earlier one does."""
    kept: list[Promotion] = []
    taken: set[str] = set()
    for p in shelf.promotions:
        if p.stackable or p.kind is PromotionKind.SPEND_AND_SAVE:
            kept.append(p)
            continue
        if reach(p, shelf.products) & taken:
            continue
        taken |= reach(p, shelf.products)
        kept.append(p)
    return Shelf(shelf.products, tuple(kept))


shelves = st.builds(
    lambda seed, thresholds: random_shelf(random.Random(seed), thresholds=thresholds),
    st.integers(0, 2**32),
    st.booleans(),
)
item_shelves = st.builds(
    lambda seed: apart(random_shelf(random.Random(seed), thresholds=False)),
    st.integers(0, 2**32),
)
apart_shelves = st.builds(
    lambda seed: apart(random_shelf(random.Random(seed))), st.integers(0, 2**32)
)
