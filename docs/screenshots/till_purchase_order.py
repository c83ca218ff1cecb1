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
from PySide6.QtWidgets import QLineEdit  # noqa: E402
from till_app import (  # noqa: E402
    barcodes,
    demo_till,
    in_a_fresh_home,
    press,
    product_ids,
    pulled,
    shot,
    signed_in_window,
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
    from shared.protocol import MasterEntity
    from shared.purchase_wire import PurchaseOrderLineV1, PurchaseOrderV1

    with demo_till() as till:
        ids = product_ids(till)
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
        pulled(till, MasterEntity.PURCHASE_ORDER, {str(order.po_id): order})
        with signed_in_window(till, "manager") as window:
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


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
