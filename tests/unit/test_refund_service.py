"""Refunds and voids with an in-memory unit of work: what a refund writes, that it never takes
back more than was sold, and that a refused one writes nothing."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.cart import ApprovalNeeded, ManagerAction
from shared.demo_catalogue import demo_outlet
from shared.protocol import EventKind, RefundCompletedV1
from shared.refund import RefundError
from till.services.context import CashierError, OutletProfile
from till.services.receipts import UnknownReceipt
from till.services.refunds import RefundService
from till.services.staff import SignedIn
from till.store.models import RECEIPT_COUNTER, Payment, Sale, SaleLine, Shift

from .fake_uow import FakeUnitOfWork

D = Decimal
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
CASHIER = SignedIn("7b0e4c1e-0000-4000-8000-00000000c001", "1001", "Mei Ling", "cashier")
MANAGER = SignedIn("7b0e4c1e-0000-4000-8000-00000000a001", "9001", "Mr Tan", "manager")
PROFILE = OutletProfile(demo_outlet(), "T01")  # Orchard Minimart rounds cash to 5 cents
RECEIPT = "ORC-T01-000007"


def shop(*quantities: str, paid_by: str = "cash") -> tuple[FakeUnitOfWork, RefundService, Sale]:
    """A till with an open shift and one sale (receipt 7) of a line per quantity at $2.99."""
    uow = FakeUnitOfWork()
    uow.shifts.rows.append(
        Shift(shift_id=str(uuid.uuid4()), opened_by=MANAGER.staff_id, opened_at=NOW)
    )
    uow.counters[RECEIPT_COUNTER] = 7
    sale_id = str(uuid.uuid4())
    lines = [
        SaleLine(
            line_id=str(uuid.uuid4()),
            sale_id=sale_id,
            position=n,
            product_id=str(uuid.uuid4()),
            sku=f"SKU{n}",
            name=f"Item {n}",
            quantity=D(q),
            unit_price=D("2.99"),
            list_price=D("2.99"),
            line_discount=D("0.00"),
            cart_discount=D("0.00"),
            amount=D("2.99") * D(q),
            tax_code="SR",
            gst_rate=D("0.09"),
            gst=(D("2.99") * D(q) * 9 / 109).quantize(D("0.01")),
            weighed=False,
        )
        for n, q in enumerate(quantities)
    ]
    total = sum((x.amount for x in lines), D(0))
    sale = Sale(
        sale_id=sale_id,
        receipt_no=RECEIPT,
        cashier_id=CASHIER.staff_id,
        sold_at=NOW,
        total=total,
        gst_total=sum((x.gst for x in lines), D(0)),
        rounding=D("0.00"),
        lines=lines,
        payments=[Payment(payment_id=str(uuid.uuid4()), position=0, type=paid_by, amount=total)],
    )
    uow.sales.by_number[RECEIPT] = sale
    return uow, RefundService(uow, PROFILE, lambda: NOW), sale


def test_a_partial_refund_writes_the_refund_its_stock_its_tender_audit_and_event() -> None:
    uow, refunds, sale = shop("3", "1")
    line = sale.lines[0]
    done = refunds.refund(CASHIER, " orc-t01-000007 ", {line.line_id: D(1)}, reason="damaged")

    assert done.receipt_no == "ORC-T01-000008"  # the same gap-free series as sales
    ((refund, lines, movements, (payment,)),) = uow.sales.refunds
    assert (refund.original_sale_id, refund.is_void, refund.total) == (
        sale.sale_id,
        False,
        D("2.99"),
    )
    assert [(r.sale_line_id, r.quantity, r.amount) for r in lines] == [
        (line.line_id, D(1), D("2.99"))
    ]
    assert [(m.product_id, m.quantity, m.reason) for m in movements] == [
        (line.product_id, D(1), "refund")
    ]
    # Cash goes back rounded to 5 cents, in the customer's favour.
    assert (payment.type, payment.amount, done.total) == ("cash", D("3.00"), D("3.00"))
    (event,) = [e.payload for e in uow.events if e.kind is EventKind.REFUND_COMPLETED]
    assert isinstance(event, RefundCompletedV1) and event.original_receipt_no == RECEIPT
    assert [a.action for a in uow.audits] == ["sale.refunded"]
    assert "ORC-T01-000007" in done.receipt_text and "Mei Ling" in done.receipt_text


def test_refunding_more_than_is_left_is_refused_and_writes_nothing() -> None:
    uow, refunds, sale = shop("3")
    line_id = sale.lines[0].line_id
    refunds.refund(CASHIER, RECEIPT, {line_id: D(2)}, reason="damaged")
    with pytest.raises(RefundError, match="2 asked but only 1 of 3 sold is left"):
        refunds.refund(CASHIER, RECEIPT, {line_id: D(2)}, reason="damaged")
    assert len(uow.sales.refunds) == 1 and uow.commits == 1
    assert uow.counters[RECEIPT_COUNTER] == 8  # the refused refund took no number
    assert refunds.lookup(RECEIPT).lines[0].left == D(1)


@pytest.mark.parametrize(
    ("receipt", "wanted", "reason", "error", "message"),
    [
        ("ORC-T01-000009", {"x": D(1)}, "damaged", UnknownReceipt, "no sale on this till"),
        (RECEIPT, {}, "damaged", CashierError, "choose at least one item"),
        (RECEIPT, {"not-a-line": D(1)}, "damaged", CashierError, "not on receipt"),
        (RECEIPT, None, "   ", CashierError, "say why"),
    ],
)
def test_refusals_say_why_and_write_nothing(
    receipt: str,
    wanted: dict[str, Decimal] | None,
    reason: str,
    error: type[Exception],
    message: str,
) -> None:
    uow, refunds, sale = shop("2")
    with pytest.raises(error, match=message):
        refunds.refund(
            CASHIER,
            receipt,
            {sale.lines[0].line_id: D(1)} if wanted is None else wanted,
            reason=reason,
        )
    assert (uow.sales.refunds, uow.events, uow.audits, uow.commits) == ([], [], [], 0)


def test_a_void_needs_a_manager_and_takes_back_everything_still_left() -> None:
    uow, refunds, sale = shop("3", "2", paid_by="card")
    refunds.refund(CASHIER, RECEIPT, {sale.lines[0].line_id: D(1)}, reason="damaged")
    with pytest.raises(ApprovalNeeded) as asked:
        refunds.void(CASHIER, RECEIPT, reason="rang twice", approved_by=None)
    assert asked.value.action is ManagerAction.VOID_SALE and len(uow.sales.refunds) == 1

    void = refunds.void(CASHIER, RECEIPT, reason="rang twice", approved_by=MANAGER)
    refund, lines, _, (payment,) = uow.sales.refunds[-1]
    assert refund.is_void and refund.approved_by == MANAGER.staff_id
    assert [r.quantity for r in lines] == [D(2), D(2)]
    assert payment.type == "card" and void.total == D("2.99") * 4  # no cash rounding on card
    assert uow.audits[-1].action == "sale.voided"
    with pytest.raises(CashierError, match="already been fully refunded"):
        refunds.void(CASHIER, RECEIPT, reason="again", approved_by=MANAGER)


@given(st.lists(st.integers(1, 4), min_size=1, max_size=8))
def test_refunds_never_take_back_more_than_was_sold(asks: list[int]) -> None:
    uow, refunds, sale = shop("5")
    line = sale.lines[0]
    for n in asks:
        with contextlib.suppress(RefundError):  # asked for more than is left: refused
            refunds.refund(CASHIER, RECEIPT, {line.line_id: D(n)}, reason="changed mind")
    back = [r for _, rows, _, _ in uow.sales.refunds for r in rows]
    assert sum(r.quantity for r in back) <= line.quantity
    assert sum(r.amount for r in back) <= line.amount
    if sum(r.quantity for r in back) == line.quantity:
        # Refunded in full: exactly what was paid for the line, cent for cent.
        assert sum(r.amount for r in back) == line.amount
        assert sum(r.gst for r in back) == line.gst


@pytest.mark.parametrize("paid_by", ["paynow", "nets", "card", "cash"])
def test_a_sale_is_voided_back_to_the_tender_it_was_paid_with(paid_by: str) -> None:
    uow, refunds, _ = shop("2", paid_by=paid_by)
    refunds.void(CASHIER, RECEIPT, reason="wrong customer", approved_by=MANAGER)
    (_, _, _, (payment,)) = uow.sales.refunds[-1]
    assert payment.type == paid_by
    (event,) = [e.payload for e in uow.events if e.kind is EventKind.REFUND_COMPLETED]
    assert isinstance(event, RefundCompletedV1) and event.tenders[0].type == paid_by
    if paid_by == "paynow":  # the transfer back is confirmed by whoever refunds it
        assert payment.confirmed_by == CASHIER.staff_id
        assert str(event.tenders[0].confirmed_by) == CASHIER.staff_id
