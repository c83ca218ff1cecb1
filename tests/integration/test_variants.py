"""Variants and packs end to end on real stores: head office's rows (PostgreSQL) pulled into
a real till (SQLite) only when asked for; a carton received, sold and refunded at the till
moves its unit product's stock by its units, at the till and, after the push, at head office
(docs/variants.md)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select, text

from shared.demo_variants import demo_variants
from shared.protocol import (
    PROTOCOL_VERSION,
    MasterChange,
    MasterEntity,
    PushOk,
    PushRequest,
    TillReport,
)
from shared.tender import Tender, TenderType
from sync_service.central.ingest import apply_push
from sync_service.central.migrate import upgrade_central
from sync_service.central.pull import pull_page
from sync_service.central.seed import seed_demo
from tests.central import SyncedTill, add_outlet, enrolled_till
from till.services.stock import StockLine
from till.store.master import MasterDataError, apply_changes
from till.store.models import OutboxEvent, ProductVariant, StockMovement
from till.store.uow import UnitOfWork

D = Decimal
NOW = datetime(2026, 12, 5, 4, 0, tzinfo=UTC)
DEMO = demo_variants()
SKU = {p.sku: p for p in DEMO.products}
CODE = {b.product_id: b.code for b in DEMO.barcodes}
CARTON, UNIT = SKU["PGT-JAS-500-C24"], SKU["PGT-JAS-500"]


@pytest.fixture(scope="module")
def engine(pg_url: str) -> Iterator[Engine]:
    upgrade_central(pg_url)
    eng = create_engine(pg_url)
    seed_demo(eng, products=60, variants=True)
    yield eng
    eng.dispose()


@pytest.fixture
def till(engine: Engine, tmp_path: Path) -> Iterator[SyncedTill]:
    t = enrolled_till(engine, tmp_path / "till", add_outlet(engine), "T01")
    t.demo.till.shifts.open_shift(t.demo.cashier, D("200.00"))
    yield t
    t.demo.till.close()


def moves(t: SyncedTill, reason: str) -> list[tuple[str, Decimal, Decimal | None]]:
    with t.demo.till.store.read() as s:
        rows = s.scalars(select(StockMovement).where(StockMovement.reason == reason)).all()
        return [(m.product_id, m.quantity, m.unit_cost) for m in rows]


def test_head_office_sends_variants_only_to_tills_that_ask(
    engine: Engine, till: SyncedTill
) -> None:
    plain = pull_page(engine, till.auth, "0", 5000)
    assert not [c for c in plain.changes if c.entity == MasterEntity.VARIANT]
    page = pull_page(engine, till.auth, "0", 5000, frozenset({MasterEntity.VARIANT}))
    sent = {c.key: c.data or {} for c in page.changes if c.entity == MasterEntity.VARIANT}
    assert sent[str(CARTON.product_id)] == {
        "product_id": str(CARTON.product_id),
        "family": None,
        "options": {},
        "pack_of": str(UNIT.product_id),
        "pack_units": 24,
    }
    assert sent[str(UNIT.product_id)]["options"] == {"Size": "500ml", "Flavour": "Jasmine"}
    # And the till applies them as it does any page.
    with UnitOfWork(till.demo.till.store) as uow:
        apply_changes(uow.session, [c for c in page.changes if c.entity == MasterEntity.VARIANT])
        uow.commit()
    with till.demo.till.store.read() as s:
        assert s.get(ProductVariant, str(CARTON.product_id)).pack_units == 24  # type: ignore[union-attr]


def test_a_bad_variant_from_head_office_is_refused_whole(till: SyncedTill) -> None:
    bad: list[tuple[dict[str, Any], str]] = [
        (
            {"product_id": str(uuid.uuid4()), "family": "Ghost", "options": {"Size": "L"}},
            "refers to a product this till does not have",
        ),
        (
            {"product_id": str(CARTON.product_id), "pack_of": str(UNIT.product_id)},
            "a pack needs both pack_of and pack_units",
        ),
        (
            {"product_id": str(UNIT.product_id), "family": "Pokka", "options": {}},
            "needs at least one option",
        ),
    ]
    for data, why in bad:
        change = MasterChange(
            entity=MasterEntity.VARIANT, key=data["product_id"], op="upsert", data=data
        )
        with UnitOfWork(till.demo.till.store) as uow, pytest.raises(MasterDataError, match=why):
            apply_changes(uow.session, [change])


def test_cartons_received_sold_and_refunded_move_units_at_till_and_head_office(
    engine: Engine, till: SyncedTill
) -> None:
    shop = till.demo
    stock = shop.till.stock()
    carton = stock.product(CODE[CARTON.product_id])
    # Two cartons at $19.20 each arrive as 48 units at $0.80, in the ledger and on the wire.
    stock.receive(shop.manager, [StockLine(carton, D(2), D("19.20"))], reference="DO-1")
    assert moves(till, "received") == [(str(UNIT.product_id), D(48), D("0.80"))]
    with shop.till.store.read() as s:
        payload = s.scalars(
            select(OutboxEvent.payload).where(OutboxEvent.kind == "stock.received")
        ).one()
    assert str(UNIT.product_id) in payload and str(CARTON.product_id) not in payload

    checkout = shop.till.checkout(shop.cashier)
    checkout.scan(CODE[CARTON.product_id])
    checkout.scan(CODE[UNIT.product_id])
    sale = checkout.complete([Tender(TenderType.CASH, D("30.00"))])
    assert sale.totals.total == D("25.10")  # 23.90 + 1.20
    line = next(x for x in sale.totals.lines if x.line.product.product_id == str(CARTON.product_id))
    shop.till.refunds().refund(
        shop.cashier, sale.receipt_no, {line.line.line_id: D(1)}, reason="carton unwanted"
    )
    unit = str(UNIT.product_id)
    assert sorted(moves(till, "sale")) == [(unit, D(-24), None), (unit, D(-1), None)]
    assert moves(till, "refund") == [(str(UNIT.product_id), D(24), None)]
    on_hand = stock.on_hand([str(UNIT.product_id)])[str(UNIT.product_id)]
    assert on_hand == D(48 - 24 - 1 + 24)

    # Head office keeps the same units: the sale event names the carton, and head office
    # moves its unit product by the carton's 24, as the till did.
    request = PushRequest(
        protocol=PROTOCOL_VERSION,
        till=TillReport(
            app_version="test",
            store_revision="0011",
            backlog=0,
            oldest_pending_at=None,
            sent_at=NOW,
        ),
        events=till.events(),
    )
    answer = apply_push(engine, till.auth, request, now=NOW)
    assert isinstance(answer, PushOk)
    with engine.connect() as conn:
        central = (
            conn.execute(
                text(
                    "SELECT product_id, quantity FROM sgpos.stock_on_hand WHERE outlet_id = :o "
                    "AND product_id IN (:unit, :carton)"
                ),
                {"o": till.auth.outlet_id, "unit": UNIT.product_id, "carton": CARTON.product_id},
            )
            .tuples()
            .all()
        )
        costs = (
            conn.execute(
                text(
                    "SELECT quantity, unit_cost FROM sgpos.stock_movement "
                    "WHERE outlet_id = :o AND reason = 'received'"
                ),
                {"o": till.auth.outlet_id},
            )
            .tuples()
            .all()
        )
    assert list(central) == [(UNIT.product_id, D(47))]
    assert list(costs) == [(D(48), D("0.80"))]
