"""``sgpos-till simulate`` with stock receives the open purchase orders the till has before
trading: every line as outstanding, the first order's last line a pack short; each movement
names its order and line, and the order stays open at the till until head office closes it."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from shared.protocol import EventKind, MasterChange, MasterEntity
from shared.purchase_wire import PurchaseOrderLineV1, PurchaseOrderV1
from tests.tills import demo_till
from till.simulate import simulate
from till.store.master import apply_changes
from till.store.models import OutboxEvent, Product
from till.store.uow import UnitOfWork

D = Decimal


def test_simulate_delivers_the_open_orders_first_the_first_one_short(tmp_path: Path) -> None:
    shop = demo_till(tmp_path / "till")
    try:
        with shop.till.store.read() as s:
            ids = list(
                s.scalars(
                    select(Product.product_id)
                    .where(Product.active, Product.weighed.is_(False))
                    .order_by(Product.sku)
                    .limit(2)
                )
            )
        order = PurchaseOrderV1(
            po_id=uuid.uuid4(),
            number="PO-000007",
            supplier="Sunrise Provisions LLP",
            status="sent",
            outlet_id=uuid.uuid4(),
            lines=[
                PurchaseOrderLineV1(
                    po_line_id=uuid.uuid4(),
                    product_id=uuid.UUID(pid),
                    pack_size=D(12),
                    ordered=D(24),
                    received=D(0),
                    unit_cost=D("1.10"),
                )
                for pid in ids
            ],
        )
        with UnitOfWork(shop.till.store) as uow:
            change = MasterChange(
                entity=MasterEntity.PURCHASE_ORDER,
                key=str(order.po_id),
                op="upsert",
                data=order.model_dump(mode="json"),
            )
            apply_changes(uow.session, [change])
            uow.commit()
        summary = simulate(
            shop.till, 5, seed=2, cashier=shop.cashier, manager=shop.manager, stock=True
        )
        assert summary.documents[0].startswith("GR-")
        with shop.till.store.read() as s:
            payloads = [
                json.loads(p)
                for p in s.scalars(
                    select(OutboxEvent.payload).where(
                        OutboxEvent.kind == EventKind.STOCK_RECEIVED.value
                    )
                )
            ]
        against = [p for p in payloads if p.get("po_id") == str(order.po_id)]
        assert sorted((p["po_line_id"], D(p["quantity"])) for p in against) == sorted(
            [(str(order.lines[0].po_line_id), D(24)), (str(order.lines[1].po_line_id), D(12))]
        )
        assert all(p["reference"] == "DO-000007 PO-000007" for p in against)
        (still,) = shop.till.stock().open_orders()  # open until head office closes it
        assert [ln.outstanding for ln in still.lines] == [D(0), D(12)]
    finally:
        shop.till.close()
