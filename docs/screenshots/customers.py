"""Screenshots of customers at the till for docs/customers.md, taken offscreen.

    .venv/bin/python docs/screenshots/customers.py [OUTDIR]     (default: this folder)

A demo till in a throw-away folder: the new-member form filled in for a business customer,
the sell screen with that customer attached, the first page of their A4 full tax invoice
(a mixed supply) rendered from the PDF the receipts screen saves, and the payment screen with
part of a second sale paid by the member's points.
"""

from __future__ import annotations

import os
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from till_app import HEIGHT, TILL_ID, WIDTH, ShopClock, settle, shot, type_in  # noqa: E402

PRODUCTS = 60


def child(dialog: QWidget, name: str) -> QWidget:
    found = dialog.findChild(QWidget, name)
    assert found is not None, name
    return found


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sgpos-customers-") as home:
        app = QApplication.instance() or QApplication([argv[0]])
        assert isinstance(app, QApplication)
        app.setCursorFlashTime(0)
        take_screens(Path(home) / "till", out)
        app.processEvents()
    return 0


def take_screens(data_dir: Path, out: Path) -> None:
    import pypdfium2 as pdfium

    from shared.demo_catalogue import DEMO_STAFF
    from till.app import open_till
    from till.demo import ensure_demo_till
    from till.printing import PrinterSettings, ReceiptPrinter
    from till.settings import TillSettings
    from till.ui.context import UiContext
    from till.ui.main_window import MainWindow
    from till.ui.print_problem import save_tax_invoice
    from till.ui.sync_bridge import SyncBridge

    till = open_till(data_dir, clock=ShopClock())
    bridge = SyncBridge()
    try:
        _, manager = ensure_demo_till(till, products=PRODUCTS, till_id=TILL_ID)
        till.shifts.open_shift(manager, Decimal("200.00"))
        settings = TillSettings(printer=PrinterSettings(kind="dummy"))
        ctx = UiContext(till, settings, ReceiptPrinter(settings.printer), demo=True)
        window = MainWindow(ctx, bridge)
        window.resize(WIDTH, HEIGHT)
        window.show()
        window.activateWindow()
        QTest.qWaitForWindowExposed(window)
        staff = next(m for m in DEMO_STAFF if m.role == "cashier")
        type_in(window.signin.code, staff.code)
        type_in(window.signin.pin, staff.pin)
        for name in ("Milo 3-in-1", "Export Order Carton", "Investment Gold Bar"):
            [product] = till.catalogue.search(name, limit=1)
            window.sell.add_product(product)

        def fill() -> None:
            dialog = QApplication.activeModalWidget()
            if dialog is None or dialog.objectName() != "customer":
                QTimer.singleShot(50, fill)
                return
            dialog.activateWindow()
            query = child(dialog, "customer_query")
            type_in(query, "9123 4567")
            QTest.keyClick(query, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
            for field, text in (
                ("customer_name", "Lim Ah Kow"),
                ("customer_email", "accounts@limtrading.example"),
                ("customer_company", "Lim Trading Pte Ltd"),
                ("customer_uen", "201912345K"),
                ("customer_gst_reg_no", "201912345K"),
            ):
                QTest.keyClicks(child(dialog, field), text)
            address = child(dialog, "customer_address")
            QTest.keyClicks(address, "8 Shenton Way #30-01")
            QTest.keyClick(address, Qt.Key.Key_Return)
            QTest.keyClicks(address, "Singapore 068811")
            consent = child(dialog, "customer_consent")
            QTest.keyClick(consent, Qt.Key.Key_Space)
            shot(dialog, out / "till-customer-new.png")
            QTest.keyClick(
                child(dialog, "customer_name"),
                Qt.Key.Key_S,
                Qt.KeyboardModifier.ControlModifier,
            )

        QTimer.singleShot(0, fill)
        window.sell.choose_customer()
        settle(100)
        shot(window, out / "till-customer-attached.png")

        QTest.keyClick(window.sell.entry, Qt.Key.Key_F10)
        checkout = window.sell.checkout
        assert checkout is not None
        number = str(checkout.next_receipt_number())
        QTest.keyClick(window.payment.entry, Qt.Key.Key_Return)
        settle(300)
        path = save_tax_invoice(ctx, till.receipts().tax_invoice(number))
        document = pdfium.PdfDocument(path.read_bytes())
        try:
            image = document[0].render(scale=1.4).to_pil()
            target = out / "till-tax-invoice-a4.png"
            image.save(target)
            print(f"wrote {target}")
        finally:
            document.close()
        pay_with_points(till, window, out)
        window.close()
    finally:
        bridge.stop()
        till.close()


def pay_with_points(till: Any, window: Any, out: Path) -> None:
    """The member pays part of a second sale with points: head office said 1,200, the demo
    cap lets half of the sale be paid so."""
    from datetime import UTC, datetime

    from till.store.models import Customer, MemberPoints
    from till.store.uow import UnitOfWork

    with UnitOfWork(till.store) as uow:
        [member] = uow.session.query(Customer).all()
        uow.points.remember(
            [
                MemberPoints(
                    customer_id=member.customer_id,
                    elsewhere=1200,
                    tier="Silver",
                    as_of=datetime.now(UTC),
                )
            ]
        )
        uow.commit()
    card = till.customers().get(member.customer_id)
    for name in ("Milo 3-in-1", "Milo 3-in-1", "Investment Gold Bar"):
        [product] = till.catalogue.search(name, limit=1)
        window.sell.add_product(product)
    window.sell.checkout.attach_customer(card)
    window.sell.refresh()
    QTest.keyClick(window.sell.entry, Qt.Key.Key_F10)
    settle(100)
    QTest.keyClick(window.payment.entry, Qt.Key.Key_F6)
    settle(100)
    shot(window, out / "till-points-payment.png")
    QTest.keyClick(window.payment.entry, Qt.Key.Key_Return)
    settle(300)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
