"""Screenshots of the shop's gift vouchers at the till, taken offscreen from the real widgets.

    .venv/bin/python docs/screenshots/till_gift_vouchers.py [OUTDIR]   (default: this folder)

A demo till holds the demo batch GV50 as a pull from head office gives it. The cashier sells
GV50-000001 by scanning its serial, then rings two items and pays with the voucher (F7, the
serial). Saves the sell screen with the voucher line, the payment screen asking for the
serial, and the receipt of the sale it paid for (text).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtCore import Qt  # noqa: E402
from till_app import (  # noqa: E402
    barcodes,
    demo_till,
    in_a_fresh_home,
    press,
    shot,
    signed_in_window,
    type_in,
)

SERIAL = "GV50-000001"
ITEMS = ("Jalapeño Chips 150g", "Ayam Brand Sardines 155g")


def main(argv: list[str]) -> int:
    return in_a_fresh_home(argv, take_screens)


def take_screens(out: Path) -> None:
    from sqlalchemy import select

    from shared.receipt import render_text
    from till.store.models import Sale

    with demo_till() as till, signed_in_window(till, "cashier") as window:
        type_in(window.sell.entry, SERIAL)
        shot(window, out / "till-gift-voucher-sold.png")
        press(Qt.Key.Key_F10)
        type_in(window.payment.entry, "")  # exact cash
        codes = barcodes()
        for name in ITEMS:
            type_in(window.sell.entry, codes[name])
        press(Qt.Key.Key_F10)
        press(Qt.Key.Key_F7)
        type_in(window.payment.entry, SERIAL, enter=False)
        shot(window, out / "till-gift-voucher-pay.png")
        press(Qt.Key.Key_Return)
        with till.store.read() as s:
            number = s.scalars(select(Sale.receipt_no).order_by(Sale.sold_at.desc())).first()
        assert number is not None
        text = render_text(till.receipts().look_up(number))
        (out / "till-gift-voucher-receipt.txt").write_text(text, encoding="utf-8")
        print(f"wrote {out / 'till-gift-voucher-receipt.txt'}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
