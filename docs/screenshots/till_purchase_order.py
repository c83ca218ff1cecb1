"""A screenshot of receiving against a purchase order at the till, taken offscreen.

    .venv/bin/python docs/screenshots/till_purchase_order.py [OUTDIR]   (default: this folder)

A demo till is given an open order the way a pull from head office gives it; at the stock
screen (F11) F6 picks it, a carton of one line and a few loose units of another are scanned,
and one line has not come: short and over show per line. Saves the stock screen.
"""

from __future__ import annotations

import os
import sys
import uuid
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QLineEdit  # noqa: E402
from till_app import (  # noqa: E402
    HEIGHT,
    PRODUCTS,
    TILL_ID,
    WIDTH,
    ShopClock,
    barcodes,
    in_a_fresh_home,
    press,
    shot,
    type_in,
)

# (product, units ordered, pack size, units that came)
LINES = (
    ("Wang Lao Ji Chrysanthemum Tea 1.5L", 24, 12, "2p"),
    ("Jalapeño Chips 150g", 12, 12, "14"),
    ("Ayam Brand Sardines 155g", 48, 24, ""),
)


def main(argv: list[str]) -> int:
    return in_a_fresh_home(argv, take_screen)


def take_screen(out: Path) -> None:
    from sqlalchemy import select

    from shared.demo_catalogue import DEMO_STAFF
    from shared.protocol import MasterChange, MasterEntity
    from shared.purchase_wire import PurchaseOrderLineV1, PurchaseOrderV1
    from till.app import open_till
    from till.cli import default_demo_dir
    from till.demo import ensure_demo_till
    from till.printing import PrinterSettings, ReceiptPrinter
    from till.settings import TillSettings
    from till.store.master import apply_changes
    from till.store.models import Product
    from till.store.uow import UnitOfWork
    from till.ui.context import UiContext
    from till.ui.main_window import MainWindow
    from till.ui.sync_bridge import SyncBridge

    till = open_till(default_demo_dir(), clock=ShopClock())
    try:
        _, manager = ensure_demo_till(till, products=PRODUCTS, till_id=TILL_ID)
        till.shifts.open_shift(manager, Decimal("200.00"))
        with UnitOfWork(till.store) as uow:
            rows = uow.session.execute(select(Product.name, Product.product_id))
            ids: dict[str, str] = {name: product_id for name, product_id in rows}
            order = PurchaseOrderV1(
                po_id=uuid.UUID(int=42),
                number="PO-000042",
                supplier="Tan Brothers Trading Pte Ltd",
                status="sent",
                outlet_id=uuid.UUID(int=1),
                lines=[
                    PurchaseOrderLineV1(
                        po_line_id=uuid.UUID(int=100 + i),
                        product_id=uuid.UUID(ids[name]),
                        supplier_sku=f"T{i + 1:04d}",
                        pack_size=Decimal(pack),
                        ordered=Decimal(ordered),
                        received=Decimal(0),
                        unit_cost=Decimal("0.95"),
                    )
                    for i, (name, ordered, pack, _) in enumerate(LINES)
                ],
            )
            change = MasterChange(
                entity=MasterEntity.PURCHASE_ORDER,
                key=str(order.po_id),
                op="upsert",
                data=order.model_dump(mode="json"),
            )
            apply_changes(uow.session, [change])
            uow.commit()
        settings = TillSettings(printer=PrinterSettings(kind="dummy"))
        ctx = UiContext(till, settings, ReceiptPrinter(settings.printer), demo=True)
        window = MainWindow(ctx, SyncBridge())
        window.resize(WIDTH, HEIGHT)
        window.show()
        window.activateWindow()
        QTest.qWaitForWindowExposed(window)
        staff = next(m for m in DEMO_STAFF if m.role == "manager")
        type_in(window.signin.code, staff.code)
        type_in(window.signin.pin, staff.pin)
        press(Qt.Key.Key_F11)
        stock = window.back_office["stock"]

        def line_edit(name: str) -> QLineEdit:
            found: QLineEdit | None = stock.findChild(QLineEdit, name)
            assert found is not None, name
            return found

        type_in(line_edit("stock_reference"), "DO-20250301-0418", enter=False)
        press(Qt.Key.Key_F6)  # the open order
        codes = barcodes()
        for name, _, _, came in LINES:
            if came:
                type_in(line_edit("stock_qty"), came, enter=False)
                type_in(line_edit("stock_scan"), codes[name])
        shot(window, out / "till-stock-receive-po.png")
        window.close()
    finally:
        till.close()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
