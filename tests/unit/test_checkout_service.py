"""Checkout with an in-memory unit of work: what a completed sale writes, that a refused one
writes nothing and leaves the cart, and that its rows and its event always agree."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.cart import ApprovalNeeded, Discount, ProductSnapshot
from shared.demo_catalogue import demo_outlet
from shared.gst import TaxCode
from shared.protocol import EventKind, SaleCompletedV1
from shared.tender import InsufficientTender, Tender, TenderType
from till.services.checkout import Checkout, UnknownBarcode
from till.services.context import CashierError, OutletProfile
from till.services.shifts import NoOpenShift
from till.services.staff import SignedIn
from till.store.models import RECEIPT_COUNTER, Shift

from .fake_uow import FakeUnitOfWork

D = Decimal
NOW = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
CASHIER = SignedIn("7b0e4c1e-0000-4000-8000-00000000c001", "1001", "Mei Ling", "cashier")
MANAGER = SignedIn("7b0e4c1e-0000-4000-8000-00000000a001", "9001", "Mr Tan", "manager")
PROFILE = OutletProfile(demo_outlet(), "T01")  # GST-registered, cash to the nearest 5 cents

PRODUCTS = {
    f"88800000000{n}": ProductSnapshot(
        str(uuid.UUID(int=n + 1)), f"SKU{n}", f"Item {n}", D(price), TaxCode(code), weighed
    )
    for n, (price, code, weighed) in enumerate(
        [("17.90", "SR", False), ("2.35", "SR", False), ("5.90", "SR", True), ("3.00", "ZR", False)]
    )
}
NESCAFE, KOPI, APPLES, STAMPS = PRODUCTS


class Shelf:
    def by_barcode(self, code: str) -> ProductSnapshot | None:
        return PRODUCTS.get(code.strip())


def till(*, shift: bool = True) -> tuple[FakeUnitOfWork, Checkout]:
    uow = FakeUnitOfWork()
    if shift:
        uow.shifts.rows.append(
            Shift(shift_id=str(uuid.uuid4()), opened_by=MANAGER.staff_id, opened_at=NOW)
        )
    uow.counters[RECEIPT_COUNTER] = 41
    return uow, Checkout(uow, Shelf(), PROFILE, CASHIER, lambda: NOW)


def test_a_completed_sale_writes_its_rows_stock_tenders_and_event_together() -> None:
    uow, checkout = till()
    checkout.scan(NESCAFE)
    checkout.scan(KOPI, D(2))
    checkout.scan(APPLES, D("0.455"))
    assert checkout.next_receipt_number().number == 42
    done = checkout.complete([Tender(TenderType.CASH, D("50.00"))])

    assert done.receipt_no == "ORC-T01-000042" and uow.counters[RECEIPT_COUNTER] == 42
    (sold,) = uow.sales.sold
    assert sold.sale.total == D("17.90") + D("4.70") + D("2.68")  # 0.455 kg x 5.90 = 2.6845
    assert [(m.product_id, m.quantity, m.reason) for m in sold.movements] == [
        (line.product_id, -line.quantity, "sale") for line in sold.lines
    ]
    assert sold.sale.rounding == D("0.02") and sold.sale.change == D("24.70")  # 25.28 -> 25.30
    (event,) = [e.payload for e in uow.events if e.kind is EventKind.SALE_COMPLETED]
    assert isinstance(event, SaleCompletedV1)
    assert (event.total, event.change, event.receipt_no) == (
        sold.sale.total,
        D("24.70"),
        done.receipt_no,
    )
    assert uow.audits == []  # nothing needed a manager
    assert checkout.cart.lines == [] and "ORC-T01-000042" in done.receipt_text


def test_unknown_barcodes_empty_carts_and_short_payments_are_refused_and_write_nothing() -> None:
    uow, checkout = till()
    with pytest.raises(UnknownBarcode, match="no product has barcode '999'"):
        checkout.scan(" 999 ")
    with pytest.raises(CashierError, match="the cart is empty"):
        checkout.complete([Tender(TenderType.CASH, D("1.00"))])
    checkout.scan(NESCAFE)
    with pytest.raises(InsufficientTender, match=r"\$7.90 is still due"):
        checkout.complete([Tender(TenderType.CARD, D("10.00"), reference="A1B2C3")])
    assert (uow.sales.sold, uow.events, uow.commits) == ([], [], 0)
    assert len(checkout.cart.lines) == 1 and uow.counters[RECEIPT_COUNTER] == 41


def test_without_an_open_shift_the_sale_is_refused_and_the_cart_survives() -> None:
    uow, checkout = till(shift=False)
    checkout.scan(KOPI)
    with pytest.raises(NoOpenShift):
        checkout.complete([Tender(TenderType.CASH, D("5.00"))])
    assert uow.sales.sold == [] and len(checkout.cart.lines) == 1


def test_a_discount_over_the_cashiers_limit_needs_a_manager_who_is_on_the_audit_trail() -> None:
    uow, checkout = till()
    line = checkout.scan(NESCAFE)
    with pytest.raises(ApprovalNeeded):
        checkout.discount_line(line.line_id, Discount(percent=D(50)))
    checkout.discount_line(line.line_id, Discount(percent=D(50)), approved_by=MANAGER)
    checkout.complete([Tender(TenderType.NETS, D("8.95"), reference="004711")])
    (audit,) = uow.audits
    assert audit.action == "sale.line_discount" and audit.subject == "ORC-T01-000042"
    assert audit.after is not None and audit.after["approved_by"] == MANAGER.staff_id
    assert uow.kinds() == [EventKind.SALE_COMPLETED]  # the audit event is the real store's


def test_a_parked_cart_is_recalled_once() -> None:
    uow, checkout = till()
    checkout.scan(KOPI, D(3))
    with pytest.raises(CashierError, match="nothing to park"):
        till()[1].park()
    parked_id = checkout.park("  table 4 ")
    assert checkout.cart.lines == [] and [p.label for p in checkout.parked()] == ["table 4"]
    checkout.scan(STAMPS)
    with pytest.raises(CashierError, match="finish or park the current cart"):
        checkout.recall(parked_id)
    checkout.clear()
    checkout.recall(parked_id)
    assert [(x.product.sku, x.quantity) for x in checkout.cart.lines] == [("SKU1", D(3))]
    another_cashier = Checkout(uow, Shelf(), PROFILE, MANAGER, lambda: NOW)
    with pytest.raises(CashierError, match="already recalled"):
        another_cashier.recall(parked_id)


def tender(kind: TenderType, amount: Decimal) -> Tender:
    if kind is TenderType.CARD:
        return Tender(kind, amount, reference="A1B2C3", card_last4="4242")
    if kind is TenderType.PAYNOW:
        return Tender(kind, amount, reference="ORC-T01-000042", confirmed_by=MANAGER.staff_id)
    return Tender(kind, amount)


@settings(max_examples=60)
@given(
    st.lists(
        st.tuples(st.sampled_from(list(PRODUCTS)), st.integers(1, 30)), min_size=1, max_size=12
    ),
    st.sampled_from([TenderType.CASH, TenderType.CARD, TenderType.PAYNOW]),
)
def test_the_rows_and_the_event_of_a_sale_always_agree(
    scans: list[tuple[str, int]], paid_by: TenderType
) -> None:
    uow, checkout = till()
    for code, n in scans:
        checkout.scan(code, D(n) / 10 if PRODUCTS[code].weighed else D(n))
    due = checkout.cash_due() if paid_by is TenderType.CASH else checkout.totals().total
    checkout.complete([tender(paid_by, due)])
    (sold,) = uow.sales.sold
    (event,) = [e.payload for e in uow.events]
    assert isinstance(event, SaleCompletedV1)
    assert sum(x.amount for x in sold.lines) == sold.sale.total == event.total
    assert sum(x.gst for x in sold.lines) == sold.sale.gst_total == event.gst_total
    assert [(str(x.line_id), x.quantity, x.amount, x.gst) for x in event.lines] == [
        (x.line_id, x.quantity, x.amount, x.gst) for x in sold.lines
    ]
    assert sum(p.amount for p in sold.payments) - sold.sale.change == (
        sold.sale.total + sold.sale.rounding
    )
