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

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
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

SETS = (
    "Wang Lao Ji Chrysanthemum Tea 1.5L",
    "Wang Lao Ji Chrysanthemum Tea 1.5L",
    "Wang Lao Ji Chrysanthemum Tea 1.5L",
    "Jalapeño Chips 150g",
    "Ayam Brand Sardines 155g",
    "Jalapeño Chips 150g",
)


def promotions(ids: dict[str, str]) -> list[object]:
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

    from shared.demo_catalogue import DEMO_STAFF
    from shared.protocol import MasterChange, MasterEntity
    from shared.receipt import render_text
    from till.app import open_till
    from till.cli import default_demo_dir
    from till.demo import ensure_demo_till
    from till.printing import PrinterSettings, ReceiptPrinter
    from till.settings import TillSettings
    from till.store.master import apply_changes
    from till.store.models import Product, Sale
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
            changes = [
                MasterChange(
                    entity=MasterEntity.PROMOTION,
                    key=str(p.promotion_id),  # type: ignore[attr-defined]
                    op="upsert",
                    data=p.model_dump(mode="json"),  # type: ignore[attr-defined]
                )
                for p in promotions(ids)
            ]
            apply_changes(uow.session, changes)
            uow.commit()
        settings = TillSettings(printer=PrinterSettings(kind="dummy"))
        ctx = UiContext(till, settings, ReceiptPrinter(settings.printer), demo=True)
        window = MainWindow(ctx, SyncBridge())
        window.resize(WIDTH, HEIGHT)
        window.show()
        window.activateWindow()
        QTest.qWaitForWindowExposed(window)
        staff = next(m for m in DEMO_STAFF if m.role == "cashier")
        type_in(window.signin.code, staff.code)
        type_in(window.signin.pin, staff.pin)
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
        window.close()
    finally:
        till.close()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
