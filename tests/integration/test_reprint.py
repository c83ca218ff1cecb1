"""Reprinting a receipt: counted, on the audit trail, and marked on the paper."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from shared.audit import verify_chain
from shared.receipt import ReceiptKind, render_text
from shared.tender import Tender, TenderType
from tests.integration.test_checkout import standard_barcodes
from tests.tills import DemoTill, demo_till
from till.services.checkout import CompletedSale
from till.services.context import CashierError
from till.services.receipts import UnknownReceipt
from till.store.models import AuditRecord, Refund, Sale
from till.store.uow import to_chain

D = Decimal


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[DemoTill]:
    t = demo_till(tmp_path / "till")
    t.till.shifts.open_shift(t.cashier, D("100.00"))
    yield t
    t.till.close()


def sell(shop: DemoTill, n: int = 2) -> CompletedSale:
    checkout = shop.till.checkout(shop.cashier)
    for code in standard_barcodes(shop.till.store, n):
        checkout.scan(code)
    return checkout.complete([Tender(TenderType.CASH, D("500.00"))])


def test_each_reprint_is_counted_marked_and_audited(shop: DemoTill) -> None:
    sale = sell(shop)
    receipts = shop.till.receipts()
    first = receipts.next_copy(sale.receipt_no.lower())  # typed in any case
    assert receipts.next_copy(sale.receipt_no).reprint_count == 1  # not counted until out
    receipts.count_copy(shop.manager, first)
    second = receipts.next_copy(sale.receipt_no)
    receipts.count_copy(shop.cashier, second)
    assert (first.reprint_count, second.reprint_count) == (1, 2)
    assert "REPRINT #1" in render_text(first) and "REPRINT #2" in render_text(second)
    # Everything else is the original receipt, word for word.
    original = sale.receipt_text.splitlines()
    assert [x for x in render_text(second).splitlines() if "REPRINT" not in x] == original
    with shop.till.store.read() as s:
        assert s.scalars(select(Sale.reprint_count)).one() == 2
        rows = s.scalars(select(AuditRecord).order_by(AuditRecord.seq)).all()
        reprints = [r for r in rows if r.action == "receipt.reprinted"]
        assert [(r.actor, r.subject, r.after) for r in reprints] == [
            (shop.manager.staff_id, sale.receipt_no, {"reprint": 1}),
            (shop.cashier.staff_id, sale.receipt_no, {"reprint": 2}),
        ]
        assert verify_chain([to_chain(r) for r in rows]).ok
    assert receipts.look_up(sale.receipt_no).reprint_count == 2  # as last printed


def test_looking_up_a_receipt_changes_nothing(shop: DemoTill) -> None:
    sale = sell(shop)
    receipt = shop.till.receipts().look_up(f"  {sale.receipt_no} ")
    assert render_text(receipt) == sale.receipt_text
    with shop.till.store.read() as s:
        assert s.scalars(select(Sale.reprint_count)).one() == 0
        assert "receipt.reprinted" not in s.scalars(select(AuditRecord.action)).all()


def test_refund_and_void_slips_are_reprinted_marked_and_counted(shop: DemoTill) -> None:
    sale = sell(shop)
    line = sale.totals.lines[0].line
    refunds = shop.till.refunds()
    refund = refunds.refund(shop.cashier, sale.receipt_no, {line.line_id: D(1)}, reason="damaged")
    void = refunds.void(
        shop.cashier, sale.receipt_no, reason="rung twice", approved_by=shop.manager
    )
    receipts = shop.till.receipts()
    shown = receipts.look_up(refund.receipt_no)
    assert shown.kind is ReceiptKind.REFUND and str(shown.original_number) == sale.receipt_no
    copy = receipts.next_copy(refund.receipt_no)
    receipts.count_copy(shop.cashier, copy)
    text = render_text(copy)
    assert (
        "REFUND" in text and "REPRINT #1" in text and f"Original receipt: {sale.receipt_no}" in text
    )
    void_text = render_text(receipts.next_copy(void.receipt_no))
    assert "VOID" in [line.strip() for line in void_text.splitlines()]  # the slip's title
    assert "REFUND" not in void_text and f"Voided sale: {sale.receipt_no}" in void_text
    with shop.till.store.read() as s:
        counts = dict(s.execute(select(Refund.receipt_no, Refund.reprint_count)).tuples().all())
        assert counts == {refund.receipt_no: 1, void.receipt_no: 0}  # the void copy was not out
        assert s.scalars(select(Sale.reprint_count)).one() == 0


def test_the_last_digits_find_a_receipt_when_only_one_ends_so(shop: DemoTill) -> None:
    sales = [sell(shop, 1) for _ in range(12)]  # ORC-T01-000001 … 000012
    receipts = shop.till.receipts()
    assert str(receipts.look_up("12").number) == sales[11].receipt_no
    assert str(receipts.look_up(" 000002 ").number) == sales[1].receipt_no
    with pytest.raises(CashierError, match="2 could be ORC-T01-000002, ORC-T01-000012"):
        receipts.look_up("2")
    refund = shop.till.refunds().refund(
        shop.cashier, sales[0].receipt_no, {sales[0].totals.lines[0].line.line_id: D(1)}, reason="x"
    )
    assert refund.receipt_no == "ORC-T01-000013"  # one series: refund slips are found too
    assert str(receipts.look_up("13").number) == refund.receipt_no


def test_unknown_or_malformed_numbers_say_what_to_check(shop: DemoTill) -> None:
    receipts = shop.till.receipts()
    with pytest.raises(UnknownReceipt, match="check the number"):
        receipts.next_copy("ORC-T01-009999")
    with pytest.raises(CashierError, match="three parts"):
        receipts.look_up("ORC-12345")
    with pytest.raises(CashierError, match="no receipt on this till ends in 12345"):
        receipts.look_up("12345")  # digits alone are the end of a number
    with shop.till.store.read() as s:
        assert s.scalars(select(AuditRecord.action)).all().count("receipt.reprinted") == 0
