"""The shop's gift vouchers at the till, by keys: sold by scanning the serial on the sell
screen (a line at face value, no GST), then taken as a payment with F7 and its serial (no
more than is due, the serial on the receipt)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from shared.protocol import MasterChange, MasterEntity
from tests.ui.selling import Till, press, running_till, sign_in, type_in
from till.store.master import apply_changes
from till.store.models import OutboxEvent, Payment, Sale, SaleLine
from till.store.uow import UnitOfWork

D = Decimal
PREFIX = "GVT"


def give_batch(till: Till) -> None:
    """A batch of ten $100 vouchers, as head office's pull brings it."""
    batch_id = str(uuid.uuid4())
    change = MasterChange(
        entity=MasterEntity.VOUCHER_BATCH,
        key=batch_id,
        op="upsert",
        data={
            "batch_id": batch_id,
            "prefix": PREFIX,
            "count": 10,
            "face_value": "100.00",
            "expires_on": "2030-12-31",
            "voided": [f"{PREFIX}-000009"],
        },
    )
    with UnitOfWork(till.store) as uow:
        apply_changes(uow.session, [change])
        uow.commit()


def test_a_gift_voucher_is_sold_by_its_serial_and_spent_with_f7(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        give_batch(till)
        w = till.window
        sign_in(qtbot, till)

        # Selling: the serial scanned on the sell screen is a line at its face value.
        type_in(qtbot, w.sell.entry, f"{PREFIX}-000009")  # voided at head office
        assert "voided" in w.sell.message.text()
        type_in(qtbot, w.sell.entry, f"{PREFIX}-000001")
        [line] = till.checkout.cart.lines
        assert (line.product.name, line.unit_price) == (f"Gift voucher {PREFIX}-000001", D(100))
        assert till.checkout.totals().gst_total == D("0.00")
        press(qtbot, w.sell.entry, Qt.Key.Key_F10)
        with qtbot.waitSignal(w.payment.completed) as sold:
            press(qtbot, w.payment.entry, Qt.Key.Key_Return)  # exact cash
        receipt = sold.args[0].sale.receipt_text
        assert f"Gift voucher {PREFIX}-000001" in receipt

        # Spending it: goods, F10, F7 with nothing typed takes all that is due.
        for code in till.barcodes(2):
            type_in(qtbot, w.sell.entry, code)
        total = till.checkout.totals().total
        assert D(0) < total < D(100)
        press(qtbot, w.sell.entry, Qt.Key.Key_F10)
        pay = w.payment
        qtbot.keyClicks(pay.entry, f"{total + D('1.00')}")  # type: ignore[no-untyped-call]
        press(qtbot, pay.entry, Qt.Key.Key_F7)
        assert "gives no change" in pay.message.text()
        pay.entry.clear()
        press(qtbot, pay.entry, Qt.Key.Key_F7)
        assert "scan its barcode or type its serial" in pay.hint.text()
        qtbot.keyClicks(pay.entry, f"{PREFIX}-000002")  # type: ignore[no-untyped-call]
        number = str(till.checkout.next_receipt_number())
        with qtbot.waitSignal(pay.completed, timeout=5000) as spent:
            press(qtbot, pay.entry, Qt.Key.Key_Return)
        receipt = spent.args[0].sale.receipt_text
        assert "Gift voucher" in receipt and f"Ref: {PREFIX}-000002" in receipt

        with till.store.read() as s:
            sale = s.scalars(select(Sale).where(Sale.receipt_no == number)).one()
            payments = s.scalars(select(Payment).where(Payment.sale_id == sale.sale_id)).all()
            kinds = s.scalars(select(OutboxEvent.kind).order_by(OutboxEvent.seq)).all()
            voucher_lines = s.scalars(
                select(SaleLine.voucher_serial).where(SaleLine.voucher_serial.is_not(None))
            ).all()
        assert [(p.type, p.amount, p.reference) for p in payments] == [
            ("gift", total, f"{PREFIX}-000002")
        ]
        assert kinds.count("voucher.sold") == 1 and kinds.count("voucher.redeemed") == 1
        assert voucher_lines == [f"{PREFIX}-000001"]
        report = till.demo.till.shifts.x_report()
        assert report.tenders["gift"] == total
