"""A CDC/SG60 government voucher at the payment screen, by keys: its own tender with its
reference, never more than is due (no change), and not counted in the cash drawer."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from tests.ui.selling import press, running_till, sign_in, type_in
from till.store.models import Payment, Sale

D = Decimal


def test_part_paid_by_cdc_voucher_records_its_reference_and_stays_out_of_the_drawer(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        w = till.window
        sign_in(qtbot, till)
        for code in till.barcodes(3):
            type_in(qtbot, w.sell.entry, code)
        total = till.checkout.totals().total
        assert total > D("10.00")
        before = till.demo.till.shifts.x_report()
        press(qtbot, w.sell.entry, Qt.Key.Key_F10)
        pay = w.payment

        # More than is due is refused: a voucher gives no change.
        qtbot.keyClicks(pay.entry, f"{total + D('5.00')}")  # type: ignore[no-untyped-call]
        press(qtbot, pay.entry, Qt.Key.Key_F5)
        assert "gives no change" in pay.message.text()

        pay.entry.clear()
        qtbot.keyClicks(pay.entry, "10")  # type: ignore[no-untyped-call]
        press(qtbot, pay.entry, Qt.Key.Key_F5)
        assert "CDC merchant app" in pay.hint.text()
        press(qtbot, pay.entry, Qt.Key.Key_Return)  # no reference: refused, still asking
        assert "reference" in pay.message.text()
        type_in(qtbot, pay.entry, "CDC-TX-0012345")
        assert "Still to pay" in pay.due.text()
        number = str(till.checkout.next_receipt_number())
        with qtbot.waitSignal(pay.completed) as done:
            press(qtbot, pay.entry, Qt.Key.Key_Return)  # the rest in cash, exact

        with till.store.read() as s:
            sale = s.scalars(select(Sale).where(Sale.receipt_no == number)).one()
            paid = select(Payment).where(Payment.sale_id == sale.sale_id)
            payments = list(s.scalars(paid.order_by(Payment.position)))
        assert [(p.type, p.amount, p.reference) for p in payments] == [
            ("voucher", D("10.00"), "CDC-TX-0012345"),
            ("cash", sale.total + sale.rounding - D("10.00"), None),
        ]
        text = done.args[0].sale.receipt_text
        assert "Voucher" in text and "Ref: CDC-TX-0012345" in text
        after = till.demo.till.shifts.x_report()
        cash_part = payments[1].amount
        assert after.expected_cash - before.expected_cash == cash_part  # not the voucher
        assert after.tenders["voucher"] == D("10.00")
