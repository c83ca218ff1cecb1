"""Screenshots of promotions at the till, taken offscreen from the real widgets.

    .venv/bin/python docs/screenshots/till_promotions.py [OUTDIR]   (default: this folder)

A demo till is given three promotions the way a pull from head office gives them; the cashier
scans a buy-2-get-1 set and a mix-and-match set, presses F1 to see why the spend threshold
did not apply, and pays. Saves the sell screen and the receipt as printed (text).
"""

from __future__ import annotations

import os
import sys
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

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
    product_ids,
    pulled,
    shot,
    signed_in_window,
    type_in,
)

SETS = (
    "Wang Lao Ji Chrysanthemum Tea 1.5L",
    "Wang Lao Ji Chrysanthemum Tea 1.5L",
    "Wang Lao Ji Chrysanthemum Tea 1.5L",
    "Jalapeño Chips 150g",
    "Ayam Brand Sardines 155g",
    "Jalapeño Chips 150g",
)


def promotions(ids: dict[str, str]) -> list[Any]:
    from shared.promotion_wire import PromotionV1

    tea, chips, sardines, eggs = (
        ids[n]
        for n in (
            "Wang Lao Ji Chrysanthemum Tea 1.5L",
            "Jalapeño Chips 150g",
            "Ayam Brand Sardines 155g",
            "Seng Choon Fresh Eggs 10s",
        )
    )
    return [
        PromotionV1(
            promotion_id=uuid.UUID(int=1),
            name="Tea: buy 2 get 1 free",
            kind="buy_x_get_y",
            products=[uuid.UUID(tea)],
            buy=2,
            get=1,
        ),
        PromotionV1(
            promotion_id=uuid.UUID(int=2),
            name="Any 3 for $8",
            kind="mix_and_match",
            products=[uuid.UUID(x) for x in (chips, sardines, eggs)],
            buy=3,
            amount=Decimal("8.00"),
        ),
        PromotionV1(
            promotion_id=uuid.UUID(int=3),
            name="Spend $50, save $5",
            kind="spend_and_save",
            threshold=Decimal("50.00"),
            amount=Decimal("5.00"),
        ),
    ]


def main(argv: list[str]) -> int:
    return in_a_fresh_home(argv, take_screens)


def take_screens(out: Path) -> None:
    from sqlalchemy import select

    from shared.protocol import MasterEntity
    from shared.receipt import render_text
    from till.store.models import Sale

    with demo_till() as till:
        offers = promotions(product_ids(till))
        pulled(till, MasterEntity.PROMOTION, {str(p.promotion_id): p for p in offers})
        with signed_in_window(till, "cashier") as window:
            codes = barcodes()
            for name in SETS:
                type_in(window.sell.entry, codes[name])
            press(Qt.Key.Key_F1)  # why did the others not apply? (F1: Promotions)
            shot(window, out / "till-promotions.png")
            press(Qt.Key.Key_F10)
            type_in(window.payment.entry, "20")
            with till.store.read() as s:
                number = s.scalars(select(Sale.receipt_no).order_by(Sale.sold_at.desc())).first()
            assert number is not None
            text = render_text(till.receipts().look_up(number))
            (out / "till-promotions-receipt.txt").write_text(text, encoding="utf-8")
            print(f"wrote {out / 'till-promotions-receipt.txt'}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
