"""A cashier's sale on a real till store: everything commits together or nothing does."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from shared.audit import verify_chain
from shared.cart import ApprovalNeeded, Discount
from shared.paynow import parse_payload
from shared.protocol import EventKind, SaleCompletedV1
from shared.tender import InsufficientTender, Tender, TenderType
from shared.wire import canonical_json
from tests.tills import DemoTill, demo_till
from till.services.checkout import UnknownBarcode
from till.services.shifts import NoOpenShift
from till.simulate import simulate
from till.store.db import Store, StoreBusy, StoreFull
from till.store.models import (
    AuditRecord,
    Barcode,
    Counter,
    OutboxEvent,
    Outlet,
    Payment,
    Product,
    Sale,
    SaleLine,
    StockMovement,
)
from till.store.outbox import to_wire
from till.store.uow import UnitOfWork, to_chain

D = Decimal


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[DemoTill]:
    t = demo_till(tmp_path / "till")
    t.till.shifts.open_shift(t.cashier, D("200.00"))
    yield t
    t.till.close()


def standard_barcodes(store: Store, n: int) -> list[str]:
    with store.read() as s:
        return list(
            s.scalars(
                select(Barcode.code)
                .join(Product)
                .where(Product.tax_code == "SR", ~Product.weighed, Product.active)
                .order_by(Barcode.code)
                .limit(n)
            )
        )


def count(store: Store, model: type) -> int:
    with store.read() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_a_cash_sale_commits_lines_payments_stock_audit_and_outbox(shop: DemoTill) -> None:
    checkout = shop.till.checkout(shop.cashier)
    codes = standard_barcodes(shop.till.store, 3)
    for code in [codes[0], *codes]:  # a second scan of the same item adds to its line
        checkout.scan(code)
    line = checkout.cart.lines[1]
    checkout.set_quantity(line.line_id, D(3))
    total = checkout.totals().total
    done = checkout.complete([Tender(TenderType.CASH, D("500.00"))])

    assert done.receipt_no == "ORC-T01-000001"
    assert checkout.cart.lines == []  # ready for the next customer
    with shop.till.store.read() as s:
        sale = s.get(Sale, done.sale_id)
        assert sale is not None and sale.total == total
        assert [x.quantity for x in sale.lines] == [D(2), D(3), D(1)]
        assert sale.payments[0].amount == D("500.00")
        assert sale.change == D("500.00") - total - sale.rounding
        moved = s.scalars(select(StockMovement).where(StockMovement.reason == "sale")).all()
        assert sorted(m.quantity for m in moved) == [D(-3), D(-2), D(-1)]
        events = s.scalars(select(OutboxEvent).order_by(OutboxEvent.seq)).all()
        chain = [to_chain(r) for r in s.scalars(select(AuditRecord).order_by(AuditRecord.seq))]
    assert [e.seq for e in events] == list(range(1, len(events) + 1))  # gap-free
    sale_events = [e for e in events if e.kind == EventKind.SALE_COMPLETED]
    assert len(sale_events) == 1
    wire = to_wire(sale_events[0], chain[0].till_id)
    payload = wire.parsed_payload()
    assert isinstance(payload, SaleCompletedV1) and payload.total == total
    assert verify_chain(chain).ok
    assert "ORC-T01-000001" in done.receipt_text
    assert "Price Payable includes GST" in done.receipt_text
    assert f"{done.totals.gst_total:.2f}" in done.receipt_text


def test_unknown_barcode_is_refused_and_the_cart_is_untouched(shop: DemoTill) -> None:
    checkout = shop.till.checkout(shop.cashier)
    checkout.scan(standard_barcodes(shop.till.store, 1)[0])
    with pytest.raises(UnknownBarcode, match="search by name"):
        checkout.scan("0000000000000")
    assert len(checkout.cart.lines) == 1


def test_insufficient_tender_writes_nothing_and_keeps_the_cart(shop: DemoTill) -> None:
    checkout = shop.till.checkout(shop.cashier)
    checkout.scan(standard_barcodes(shop.till.store, 1)[0])
    before = count(shop.till.store, OutboxEvent)
    with pytest.raises(InsufficientTender, match="still due"):
        checkout.complete([Tender(TenderType.CASH, D("0.05"))])
    assert count(shop.till.store, Sale) == 0
    assert count(shop.till.store, OutboxEvent) == before
    assert len(checkout.cart.lines) == 1


def test_no_sale_without_an_open_shift(tmp_path: Path) -> None:
    t = demo_till(tmp_path / "till")
    checkout = t.till.checkout(t.cashier)
    checkout.scan(standard_barcodes(t.till.store, 1)[0])
    with pytest.raises(NoOpenShift, match="open a shift"):
        checkout.complete([Tender(TenderType.CASH, D("100.00"))])
    assert count(t.till.store, Sale) == 0 and len(checkout.cart.lines) == 1
    t.till.close()


def test_a_failure_mid_sale_writes_nothing_and_uses_no_receipt_number(
    shop: DemoTill, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = shop.till.checkout(shop.cashier)
    checkout.scan(standard_barcodes(shop.till.store, 1)[0])
    events_before = count(shop.till.store, OutboxEvent)

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power blip")

    monkeypatch.setattr("till.store.uow.UnitOfWork.emit", explode)
    with pytest.raises(RuntimeError):
        checkout.complete([Tender(TenderType.CASH, D("100.00"))])
    monkeypatch.undo()
    for model in (Sale, SaleLine, Payment, StockMovement):
        assert count(shop.till.store, model) == 0
    assert count(shop.till.store, OutboxEvent) == events_before
    with shop.till.store.read() as s:
        assert s.get(Counter, "receipt") is None
    done = checkout.complete([Tender(TenderType.CASH, D("100.00"))])  # the retry just works
    assert done.receipt_no.endswith("000001")


def test_a_locked_database_is_reported_plainly_and_the_cart_survives(shop: DemoTill) -> None:
    path = shop.till.store.path
    hurried = Store.open(path, busy_timeout_ms=100)
    checkout = shop.till.checkout(shop.cashier)
    checkout.uow = partial(UnitOfWork, hurried)
    checkout.scan(standard_barcodes(shop.till.store, 1)[0])
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreBusy, match=r"busy.*try again"):
            checkout.complete([Tender(TenderType.CASH, D("100.00"))])
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert len(checkout.cart.lines) == 1
    assert checkout.complete([Tender(TenderType.CASH, D("100.00"))]).receipt_no.endswith("01")
    hurried.close()


def test_a_full_disk_is_reported_plainly_and_nothing_is_half_written(shop: DemoTill) -> None:
    path = shop.till.store.path
    cramped = Store.open(path)

    @event.listens_for(cramped.engine, "connect")
    def _no_room(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    checkout = shop.till.checkout(shop.cashier)
    checkout.uow = partial(UnitOfWork, cramped)
    for code in standard_barcodes(shop.till.store, 3):
        checkout.scan(code)

    def fill_the_disk() -> None:
        for _ in range(200):  # use the last free pages; then one more sale cannot fit
            checkout.complete([Tender(TenderType.CASH, D("500.00"))])
            for code in standard_barcodes(shop.till.store, 3):
                checkout.scan(code)

    with pytest.raises(StoreFull, match=r"disk is full.*cart is still here"):
        fill_the_disk()
    assert len(checkout.cart.lines) == 3
    cramped.close()
    with shop.till.store.read() as s:
        sales = s.scalars(select(Sale)).all()
        assert all(len(x.lines) == 3 and len(x.payments) == 1 for x in sales)
        sale_events = s.scalar(
            select(func.count()).where(OutboxEvent.kind == EventKind.SALE_COMPLETED)
        )
    assert sale_events == len(sales)


def test_discount_over_the_limit_needs_a_manager(shop: DemoTill) -> None:
    checkout = shop.till.checkout(shop.cashier)
    line = checkout.scan(standard_barcodes(shop.till.store, 1)[0])
    with pytest.raises(ApprovalNeeded, match="manager"):
        checkout.discount_line(line.line_id, Discount(percent=D("30")))
    checkout.discount_line(line.line_id, Discount(percent=D("30")), approved_by=shop.manager)
    done = checkout.complete([Tender(TenderType.CASH, D("500.00"))])
    with shop.till.store.read() as s:
        actions = s.scalars(select(AuditRecord.action)).all()
        sold = s.get(Sale, done.sale_id)
        assert sold is not None and sold.lines[0].approved_by == shop.manager.staff_id
    assert "sale.line_discount" in actions


def test_paynow_sale_shows_a_qr_for_the_exact_amount_and_records_who_confirmed(
    shop: DemoTill,
) -> None:
    checkout = shop.till.checkout(shop.cashier)
    checkout.scan(standard_barcodes(shop.till.store, 1)[0])
    due = checkout.totals().total
    qr = parse_payload(checkout.paynow_payload(due))
    assert qr.amount == due and not qr.editable and qr.proxy_type == "uen"
    assert qr.reference == "ORC-T01-000001"
    done = checkout.complete(
        [Tender(TenderType.PAYNOW, due, reference=qr.reference, confirmed_by=shop.cashier.staff_id)]
    )
    with shop.till.store.read() as s:
        pay = s.scalars(select(Payment).where(Payment.sale_id == done.sale_id)).one()
    assert (pay.type, pay.confirmed_by) == ("paynow", shop.cashier.staff_id)


@pytest.mark.parametrize(
    ("shop_name", "in_qr"), [("Café Lumière", "Cafe Lumiere"), ("小王子", "NA")]
)
def test_a_shop_whose_name_is_not_ascii_still_takes_paynow(
    shop: DemoTill, shop_name: str, in_qr: str
) -> None:
    with UnitOfWork(shop.till.store) as uow:
        uow.session.scalars(select(Outlet)).one().name = shop_name
        uow.commit()
    checkout = shop.till.checkout(shop.cashier)
    checkout.scan(standard_barcodes(shop.till.store, 1)[0])

    qr = parse_payload(checkout.paynow_payload(checkout.totals().total))

    assert qr.merchant_name == in_qr


def test_parked_cart_survives_a_restart_and_is_recalled_once(tmp_path: Path) -> None:
    t = demo_till(tmp_path / "till")
    checkout = t.till.checkout(t.cashier)
    for code in standard_barcodes(t.till.store, 2):
        checkout.scan(code)
    expected = checkout.totals().total
    parked_id = checkout.park("lady in red")
    assert checkout.cart.lines == []
    t.till.close()

    again = demo_till(tmp_path / "till", clock=t.clock)
    checkout = again.till.checkout(again.cashier)
    [entry] = checkout.parked()
    assert entry.label == "lady in red" and entry.lines == 2
    checkout.recall(parked_id)
    assert checkout.totals().total == expected
    assert checkout.parked() == []
    again.till.close()


def test_an_outlet_not_registered_for_gst_sells_without_any_gst(tmp_path: Path) -> None:
    t = demo_till(tmp_path / "till")
    with UnitOfWork(t.till.store) as uow:
        outlet = uow.session.scalars(select(Outlet)).one()
        outlet.settings = {**outlet.settings, "gst_reg_no": None}
        uow.commit()
    t.till.shifts.open_shift(t.cashier, D("100.00"))
    checkout = t.till.checkout(t.cashier)
    checkout.scan(standard_barcodes(t.till.store, 1)[0])
    done = checkout.complete([Tender(TenderType.CASH, D("100.00"))])
    assert done.totals.gst_total == 0
    assert "GST" not in done.receipt_text and "TAX INVOICE" not in done.receipt_text
    t.till.close()


def test_the_simulator_asks_a_manager_when_its_discount_is_over_a_tight_limit(
    tmp_path: Path,
) -> None:
    # 5% off, rounded up to the cent, can be more than an outlet's 5% limit (Toa Payoh's).
    t = demo_till(tmp_path / "till")
    with UnitOfWork(t.till.store) as uow:
        outlet = uow.session.scalars(select(Outlet)).one()
        outlet.settings = {**outlet.settings, "discount_limit_percent": "5"}
        uow.commit()
    summary = simulate(t.till, 300, seed=5, cashier=t.cashier, manager=t.manager)
    assert summary.sales > 250
    with t.till.store.read() as session:
        approved = session.scalar(
            select(func.count()).select_from(SaleLine).where(SaleLine.approved_by.is_not(None))
        )
    assert approved > 0  # some discounts needed the manager, and the sales went through
    t.till.close()


def test_every_sale_event_is_exactly_its_models_json(tmp_path: Path) -> None:
    """The sale event is built straight as JSON, not through SaleCompletedV1: each one a varied
    day of sales wrote (weighed goods, discounts a manager approved, cart discounts, card and
    PayNow references) must validate as the model and serialise back to the same bytes."""
    t = demo_till(tmp_path / "till")
    t.till.shifts.open_shift(t.cashier, D("200.00"))
    simulate(t.till, 150, seed=11, cashier=t.cashier, manager=t.manager)
    checkout = t.till.checkout(t.cashier)
    for code in standard_barcodes(t.till.store, 2):
        checkout.scan(code)
    checkout.discount_cart(Discount(percent=D("25")), approved_by=t.manager)
    checkout.complete([Tender(TenderType.CASH, D("500.00"))])
    with t.till.store.read() as s:
        events = s.scalars(
            select(OutboxEvent).where(OutboxEvent.kind == EventKind.SALE_COMPLETED)
        ).all()
        approved = s.scalar(
            select(func.count()).select_from(SaleLine).where(SaleLine.approved_by.is_not(None))
        )
    t.till.close()
    assert len(events) > 140 and approved
    kinds = set()
    for e in events:
        model = SaleCompletedV1.model_validate_json(e.payload)
        kinds.update(t.type for t in model.tenders)
        assert canonical_json(model.model_dump(mode="json")).decode() == e.payload
    assert {"cash", "card", "nets", "paynow"} <= kinds
