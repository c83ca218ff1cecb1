"""Refunding part of a promoted set on a real till store, with the promotion as it stood at
the sale though head office has changed it since, and the refunds accepted by a real
PostgreSQL head office with their figures as the till sent them (docs/promotions.md)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text

from shared.promotion_wire import PromotionV1
from shared.protocol import EventKind, EventOutcome, MasterChange, MasterEntity, RefundCompletedV1
from shared.tender import Tender, TenderType
from sync_service.central.migrate import upgrade_central
from tests.central import SyncedTill, add_outlet, enrolled_till
from tests.integration.test_loyalty import push
from till.app import Till
from till.store.master import apply_changes
from till.store.models import Product, Sale
from till.store.uow import UnitOfWork

D = Decimal
TEA = "Wang Lao Ji Chrysanthemum Tea 1.5L"  # $2.80


@pytest.fixture(scope="module")
def engine(pg_url: str) -> Iterator[Engine]:
    upgrade_central(pg_url)
    eng = create_engine(pg_url)
    yield eng
    eng.dispose()


@pytest.fixture
def till(engine: Engine, tmp_path: Path) -> Iterator[SyncedTill]:
    t = enrolled_till(engine, tmp_path / "till", add_outlet(engine), "T01")
    t.demo.till.shifts.open_shift(t.demo.cashier, D("200.00"))
    yield t
    t.demo.till.close()


def pull(till: Till, promotion: PromotionV1) -> None:
    """A promotion as a pull page from head office brings it."""
    with UnitOfWork(till.store) as uow:
        apply_changes(
            uow.session,
            [
                MasterChange(
                    entity=MasterEntity.PROMOTION,
                    key=str(promotion.promotion_id),
                    op="upsert",
                    data=promotion.model_dump(mode="json"),
                )
            ],
        )
        uow.commit()


def product(till: Till, name: str) -> Product:
    with till.store.read() as s:
        return s.scalars(select(Product).where(Product.name == name)).one()


def test_part_of_a_set_is_refunded_by_the_sales_terms_and_head_office_takes_it(
    engine: Engine, till: SyncedTill
) -> None:
    shop, cashier = till.demo.till, till.demo.cashier
    tea = product(shop, TEA)
    offer = PromotionV1(
        promotion_id=uuid.uuid4(),
        name="Tea: buy 2 get 1 free",
        kind="buy_x_get_y",
        products=[uuid.UUID(tea.product_id)],
        buy=2,
        get=1,
    )
    pull(shop, offer)
    checkout = shop.checkout(cashier)
    [snapshot] = [p for p in shop.catalogue.search(tea.sku, limit=5) if p.sku == tea.sku]
    for _ in range(3):
        checkout.add(snapshot)
    sale = checkout.complete([Tender(TenderType.CARD, D("5.60"), reference="APPR01")])
    assert sale.totals.total == D("5.60")
    # A sale without promotions keeps no terms.
    plain = shop.checkout(cashier)
    plain.add(snapshot)  # no set of one
    other = plain.complete([Tender(TenderType.CASH, D("2.80"))])
    with shop.store.read() as s:
        kept = s.scalars(select(Sale).where(Sale.receipt_no == sale.receipt_no)).one()
        terms = kept.promotion_terms
        assert terms is not None
        assert [p["promotion_id"] for p in terms["promotions"]] == [str(offer.promotion_id)]
        assert (
            s.scalars(select(Sale.promotion_terms).where(Sale.receipt_no == other.receipt_no)).one()
            is None
        )

    # Head office changes it to buy 1 get 1 afterwards: with today's definition the two teas
    # kept would still be a set; as it stood at the sale, they are not.
    pull(shop, offer.model_copy(update={"buy": 1, "get": 1, "name": "Tea: 1 for 1"}))
    refunds = shop.refunds()
    [line] = refunds.lookup(sale.receipt_no).lines
    one = refunds.refund(
        cashier, sale.receipt_no, {line.line_id: D(1)}, reason="leaking", tender=TenderType.CARD
    )
    assert one.total == D("0.00")
    assert one.repriced == D("-1.87")  # one tea's own share of the set, kept back
    rest = refunds.void(
        cashier, sale.receipt_no, reason="changed mind", approved_by=till.demo.manager
    )
    assert (rest.total, rest.repriced) == (D("5.60"), D("0.00"))

    events = till.events()
    sent = [
        RefundCompletedV1.model_validate_json(json.dumps(e.payload))
        for e in events
        if e.kind == EventKind.REFUND_COMPLETED
    ]
    assert [(r.total, [x.amount for x in r.lines]) for r in sent] == [
        (D("0.00"), [D("0.00")]),
        (D("5.60"), [D("5.60")]),
    ]
    # Nothing went back the first time; the event still says how it would have.
    assert [(t.type, t.amount) for t in sent[0].tenders] == [("card", D("0.00"))]

    result = push(engine, till, events)
    assert {r.outcome for r in result.results} == {EventOutcome.APPLIED}
    with engine.connect() as conn:
        sold = conn.execute(
            text("SELECT amount, gst FROM sgpos.sale_line l JOIN sgpos.sale s USING (sale_id) "
                 "WHERE s.receipt_no = :r"),
            {"r": sale.receipt_no},
        ).one()  # fmt: skip
        back = conn.execute(
            text("SELECT sum(l.amount), sum(l.gst), count(*) FROM sgpos.refund_line l "
                 "JOIN sgpos.refund r USING (refund_id) WHERE r.original_receipt_no = :r"),
            {"r": sale.receipt_no},
        ).one()  # fmt: skip
        refused = conn.execute(
            text("SELECT count(*) FROM sgpos.security_event WHERE till_id = :t"),
            {"t": till.auth.till_id},
        ).scalar_one()
    assert (back[0], back[1], back[2]) == (sold.amount, sold.gst, 2)
    assert refused == 0


def test_a_set_on_separate_lines_says_what_re_pricing_moved(till: SyncedTill) -> None:
    shop, cashier = till.demo.till, till.demo.cashier
    tea = product(shop, TEA)
    pull(
        shop,
        PromotionV1(
            promotion_id=uuid.uuid4(),
            name="Tea: buy 2 get 1 free",
            kind="buy_x_get_y",
            products=[uuid.UUID(tea.product_id)],
            buy=2,
            get=1,
        ),
    )
    with shop.store.read() as s:
        other = s.scalars(
            select(Product).where(Product.name != TEA, ~Product.weighed).order_by(Product.sku)
        ).first()
    assert other is not None
    checkout = shop.checkout(cashier)

    def snapshot(p: Product):  # type: ignore[no-untyped-def]
        return next(x for x in shop.catalogue.search(p.sku, limit=5) if x.sku == p.sku)

    for p in (tea, other, tea, tea):  # another item between keeps the teas on two lines
        checkout.add(snapshot(p))
    sale = checkout.complete([Tender(TenderType.CARD, checkout.totals().total, reference="A1")])
    refunds = shop.refunds()
    lines = [x for x in refunds.lookup(sale.receipt_no).lines if x.name == TEA]
    assert [(x.sold, x.amount) for x in lines] == [(D(1), D("1.86")), (D(2), D("3.74"))]
    two = refunds.refund(cashier, sale.receipt_no, {lines[1].line_id: D(2)}, reason="spare")
    # One tea kept costs $2.80: $2.80 back, $0.94 less than the two teas' own share.
    assert (two.total, two.repriced) == (D("2.80"), D("-0.94"))
    last = refunds.refund(
        cashier, sale.receipt_no, {lines[0].line_id: D(1)}, reason="spare", tender=TenderType.CARD
    )
    # The last tea gives back $2.80, $0.94 more than its line was paid: the teas' $5.60.
    assert (last.total, last.repriced) == (D("2.80"), D("0.94"))
    # Each slip says why, as stored for its reprints.
    assert "$0.94 less is refunded." in " ".join(two.receipt_text.split())
    assert "Includes $0.94 held back by an earlier refund" in " ".join(last.receipt_text.split())
