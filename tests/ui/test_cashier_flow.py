"""A whole sale rung up with the keyboard only, as a cashier with a scanner does it."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from shared.paynow import parse_payload
from tests.ui.selling import MANAGER, approve_with, press, running_till, sign_in, type_in
from till.store.models import AuditRecord, OutboxEvent, Payment, Sale, SaleLine
from till.ui.payment import PaidSale

D = Decimal


def _audit_seq(till) -> int:
    with till.store.read() as s:
        return max(s.scalars(select(AuditRecord.seq)), default=0)


def _outbox_seq(till) -> int:
    with till.store.read() as s:
        return max(s.scalars(select(OutboxEvent.seq)), default=0)


def test_keyboard_only_sale_with_discount_approval_and_split_cash_paynow(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        audit_before, outbox_before = _audit_seq(till), _outbox_seq(till)
        w = till.window

        sign_in(qtbot, till)
        assert w.stack.currentWidget() is w.sell
        assert "Tan Mei Ling" in w.sell.cashier.text()
        scan = w.sell.entry
        assert scan.hasFocus()

        codes = till.barcodes(3)
        for code in codes:
            type_in(qtbot, scan, code)
        assert w.sell.model.rowCount() == 3

        # The last line scanned is selected: make it two.
        press(qtbot, scan, Qt.Key.Key_F3)
        type_in(qtbot, scan, "2")
        assert w.sell.model.lines[2].line.quantity == 2

        # 20% off the first line is over the 10% a cashier may give: the manager approves.
        press(qtbot, scan, Qt.Key.Key_Up)
        press(qtbot, scan, Qt.Key.Key_Up)
        press(qtbot, scan, Qt.Key.Key_F4)
        approval = approve_with(qtbot, MANAGER.code, MANAGER.pin)
        type_in(qtbot, scan, "20%")
        assert approval, "the approval dialog never opened"
        first = w.sell.model.lines[0].line
        assert first.discount_amount == (first.gross * D("0.2")).quantize(D("0.01"))
        assert first.approved_by == str(MANAGER.staff_id)
        total = till.checkout.totals().total
        assert w.sell.totals.total.text() == f"${total:,.2f}"
        assert w.sell.totals.gst.text().startswith("includes GST $")
        qtbot.waitUntil(scan.hasFocus)  # back in the scan field once the dialog has gone

        # Pay: $10 cash, the rest by PayNow.
        press(qtbot, scan, Qt.Key.Key_F10)
        pay = w.payment
        assert w.stack.currentWidget() is pay
        type_in(qtbot, pay.entry, "10")
        assert "Still to pay" in pay.due.text()
        press(qtbot, pay.entry, Qt.Key.Key_F4)
        assert pay.qr.isVisible() and not pay.qr.pixmap().isNull()
        shown = parse_payload(pay.paynow_payload)
        assert shown.amount == total - D("10.00")
        number = str(till.checkout.next_receipt_number())
        assert shown.reference == number
        # Above the code what to do with it; under it the amount and reference to check.
        assert pay.qr_heading.isVisible() and pay.qr_heading.text() == "Scan to pay with PayNow"
        caption = pay.qr_caption.text()
        assert f"${total - D('10.00'):,.2f}" in caption and f"reference {number}" in caption
        assert pay.qr_heading.y() < pay.qr.y() < pay.qr_caption.y() < pay.received.y()
        assert pay.received.y() - pay.qr_caption.geometry().bottom() < 20  # no empty gap
        # The one cash payment taken is listed in a line-high list, not a half-screen box.
        assert pay.paid.count() == 1
        assert pay.paid.height() < 3 * pay.paid.sizeHintForRow(0)
        with qtbot.waitSignal(pay.completed) as done:
            press(qtbot, pay.entry, Qt.Key.Key_Return)  # the transfer has arrived
        paid: PaidSale = done.args[0]

        assert w.stack.currentWidget() is w.sell
        assert number in w.sell.message.text()
        assert w.sell.model.rowCount() == 0

        # The store holds exactly this sale, its event and its audit trail.
        with till.store.read() as s:
            sales = list(s.scalars(select(Sale)))
            assert [x.receipt_no for x in sales] == [number]
            assert sales[0].total == total
            lines = list(s.scalars(select(SaleLine).order_by(SaleLine.position)))
            assert [line.quantity for line in lines] == [1, 1, 2]
            payments = list(s.scalars(select(Payment).order_by(Payment.position)))
            assert [(p.type, p.amount) for p in payments] == [
                ("cash", D("10.00")),
                ("paynow", total - D("10.00")),
            ]
            assert payments[1].reference == number
            events = list(s.scalars(select(OutboxEvent).where(OutboxEvent.seq > outbox_before)))
            actions = list(
                s.scalars(
                    select(AuditRecord.action)
                    .where(AuditRecord.seq > audit_before)
                    .order_by(AuditRecord.seq)
                )
            )
        assert actions == ["staff.signed_in", "approval.granted", "sale.line_discount"]
        assert Counter(e.kind for e in events) == {"audit.recorded": 3, "sale.completed": 1}
        sale_event = json.loads(next(e.payload for e in events if e.kind == "sale.completed"))
        assert sale_event["receipt_no"] == number
        assert [t["type"] for t in sale_event["tenders"]] == ["cash", "paynow"]

        # The receipt: GST line and number on the text, and on the paper through the printer.
        text = paid.sale.receipt_text
        assert number in text
        gst_line = next(line for line in text.splitlines() if line.startswith("GST 9% included"))
        assert gst_line.endswith(f"{paid.sale.totals.gst_total}")
        assert paid.sale.totals.gst_total > 0
        qtbot.waitUntil(lambda: till.window.printing.results.get(number) == "printed")
        paper = till.ctx.printer.last_output or b""
        assert number.encode() in paper
        assert b"\x1bp" in paper  # cash was taken: the drawer opens
