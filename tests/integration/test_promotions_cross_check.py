"""The same carts priced by a till (its checkout, its store, promotions pulled from head office)
and by head office's projection (the preview, straight from PostgreSQL): identical totals, GST
and savings, line by line, for 1,000 random carts at random moments."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from shared.gst import SINGAPORE
from shared.promotion_wire import BundlePartV1, PromotionV1
from shared.protocol import MasterEntity, OutletV1
from sync_service.central import models as m
from sync_service.central.admin.promotions import SampleItem, price_sample, save_promotion
from sync_service.central.pull import pull_page
from sync_service.central.seed import seed_demo
from sync_service.central.tills import TillAuth
from tests.dashboard.admin_support import private_central
from till.app import open_till
from till.services.checkout import Checkout
from till.services.context import OutletProfile
from till.services.staff import SignedIn
from till.store.master import apply_changes
from till.store.models import Barcode, Outlet, Promotion
from till.store.uow import UnitOfWork

D = Decimal
CARTS = 1000
KINDS = (
    "percent_off",
    "amount_off",
    "fixed_price",
    "buy_x_get_y",
    "mix_and_match",
    "bundle",
    "spend_and_save",
)


@pytest.fixture(scope="module")
def central(pg_server: str) -> Iterator[Engine]:
    with private_central(pg_server) as engine:
        seed_demo(engine, products=80)
        yield engine


def random_promotion(
    r: random.Random,
    kind: str,
    products: list[Any],
    categories: list[uuid.UUID],
    outlets: list[uuid.UUID],
) -> PromotionV1:
    ids = [p.product_id for p in products]
    start = datetime(2026, 3, 1, tzinfo=SINGAPORE) + timedelta(days=r.randint(-5, 5))
    data: dict[str, object] = {
        "promotion_id": uuid.uuid4(),
        "name": f"{kind} {r.randint(1, 999)}",
        "kind": kind,
        "priority": r.randint(0, 3),
        "member_only": r.random() < 0.1,
        "starts_at": start if r.random() < 0.3 else None,
        "ends_at": start + timedelta(days=r.randint(1, 9)) if r.random() < 0.3 else None,
        "days": sorted(r.sample(range(7), r.randint(3, 6))) if r.random() < 0.2 else [],
        "outlet_ids": [r.choice(outlets)] if r.random() < 0.2 else [],
    }
    if r.random() < 0.2:
        data |= {"opens": "08:00", "closes": "20:30"}
    if r.random() < 0.5:
        data["categories"] = r.sample(categories, 1)
    else:
        data["products"] = r.sample(ids, r.randint(1, 4))
    stackable = r.random() < 0.3
    if kind == "percent_off":
        data |= {"percent": D(r.randint(5, 50)), "stackable": stackable}
    elif kind == "amount_off":
        data |= {"amount": D(r.randint(10, 150)) / 100, "stackable": stackable}
    elif kind == "fixed_price":
        data["amount"] = D(r.randint(50, 800)) / 100
    elif kind == "mix_and_match":
        data |= {"buy": r.randint(2, 4), "amount": D(r.randint(200, 1500)) / 100}
    elif kind == "buy_x_get_y":
        data |= {"buy": r.randint(1, 3), "get": 1, "percent": r.choice([D(100), D(50)])}
        if r.random() < 0.3:
            data["get_products"] = r.sample(ids, 2)
    elif kind == "bundle":
        data.pop("categories", None)
        data["products"] = []
        parts = r.sample(ids, 2)
        data |= {
            "components": [BundlePartV1(product_id=p, quantity=r.randint(1, 2)) for p in parts],
            "amount": D(r.randint(200, 1500)) / 100,
        }
    else:
        data.pop("categories", None)
        data["products"] = []
        data |= {"threshold": D(r.randint(5, 40)), "stackable": stackable}
        data |= {"amount": D(r.randint(1, 5))} if r.random() < 0.6 else {"percent": D(10)}
    return PromotionV1.model_validate(data)


def test_a_thousand_carts_cost_the_same_at_the_till_and_at_head_office(
    central: Engine, tmp_path: Path
) -> None:
    r = random.Random(20261205)
    with central.connect() as conn:
        outlet = conn.execute(select(m.Outlet).where(m.Outlet.code == "ORC")).one()
        outlets = list(conn.scalars(select(m.Outlet.outlet_id)))
        categories = list(conn.scalars(select(m.Category.category_id)))
        # A small shelf, so that carts meet promotions often.
        products = list(
            conn.execute(
                select(m.Product).where(m.Product.active).order_by(m.Product.sku).limit(24)
            ).all()
        )
    promotions = [
        random_promotion(r, KINDS[n % len(KINDS)], products, categories, outlets) for n in range(21)
    ]
    for promo in promotions:
        save_promotion(central, "cross-check@example.com", promo)

    # The till: a store of its own, loaded by the pull exactly as the agent loads it.
    till = open_till(tmp_path / "till")
    auth = TillAuth(uuid.uuid4(), outlet.outlet_id, outlet.code, "T01")
    cursor, pulled = "0", 0
    while True:
        page = pull_page(central, auth, cursor, 1000, frozenset({MasterEntity.PROMOTION}))
        with UnitOfWork(till.store) as uow:
            apply_changes(uow.session, page.changes)
            uow.commit()
        pulled += sum(c.entity is MasterEntity.PROMOTION for c in page.changes)
        cursor = page.next_cursor
        if not page.has_more:
            break
    assert pulled == len(promotions)
    with till.store.read() as s:
        assert len(s.scalars(select(Promotion)).all()) == len(promotions)
        row = s.get(Outlet, str(outlet.outlet_id))
        assert row is not None
        profile = OutletProfile(
            OutletV1.model_validate_json(
                json.dumps(
                    {**row.settings, "outlet_id": row.outlet_id, "code": row.code, "name": row.name}
                )
            ),
            "T01",
        )
        barcodes = {b.product_id: b.code for b in s.scalars(select(Barcode))}

    moment = datetime(2026, 3, 1, 12, tzinfo=SINGAPORE)
    cashier = SignedIn(str(uuid.uuid4()), "C01", "Cashier", "cashier")
    checkout = Checkout(
        partial(UnitOfWork, till.store),
        till.catalogue,
        profile,
        cashier,
        lambda: moment,
        promotions=till.catalogue,
    )
    saved_carts = 0
    for _ in range(CARTS):
        moment = datetime(2026, 3, 1, tzinfo=SINGAPORE) + timedelta(
            days=r.randint(-7, 12), minutes=r.randint(0, 24 * 60 - 1)
        )
        checkout.clear()
        items: list[SampleItem] = []
        for _ in range(r.randint(1, 8)):
            product = r.choice(products)
            grams, units = D(r.randint(100, 2000)), D(r.randint(1, 4))
            quantity = grams / 1000 if product.weighed else units
            checkout.scan(barcodes[str(product.product_id)], quantity if product.weighed else None)
            if not product.weighed and quantity > 1:
                line = checkout.cart.lines[-1]
                checkout.set_quantity(line.line_id, line.quantity + quantity - 1)
            items.append(SampleItem(product.sku, quantity))
        at_till = checkout.totals()
        at_head_office = price_sample(central, items, moment, outlet.code)
        assert (at_till.total, at_till.gst_total, at_till.promotion_saving) == (
            at_head_office.total,
            at_head_office.gst_total,
            at_head_office.promotion_saving,
        ), (moment, items)
        assert [(p.line.product.sku, p.line.quantity, p.amount, p.gst) for p in at_till.lines] == [
            (p.line.product.sku, p.line.quantity, p.amount, p.gst) for p in at_head_office.lines
        ]
        saved_carts += at_till.promotion_saving > 0
    # The carts did meet promotions (the comparison is not of carts without any).
    assert saved_carts > CARTS // 4
