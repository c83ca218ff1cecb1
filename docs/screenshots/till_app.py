"""Screenshots of the till for the README, taken offscreen from the real widgets.

    .venv/bin/python docs/screenshots/till_app.py [OUTDIR]     (default: this folder)

Builds a demo till in a throw-away home folder, drives the real window by keystrokes as a
cashier would (sign in, scan, pay by cash and PayNow, close the shift, open diagnostics) and
saves each screen with ``QWidget.grab()``, once per theme: ``till-<screen>-<theme>-<W>x<H>.png``
at 1366x768 and 1024x768 (and the README's ``till-<screen>.png`` at 1280x800, light theme),
and the customer display beside the till as ``display-<page>-<theme>-<W>x<H>.png``. The shop
clock is fixed, so the pictures only change when the screens do.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

# Before Qt is imported: screenshots need no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

WIDTH, HEIGHT = 1280, 800
SMALL_SCREENS = ((1366, 768), (1024, 768))
THEMES = ("light", "high-contrast")
# (theme, screen language): both themes in English, and the light theme in Chinese.
RUNS = (("light", "en"), ("high-contrast", "en"), ("light", "zh_CN"))
TILL_ID = "5f0c8a1e-7111-4000-8000-00000000d3e0"  # fixed, so the diagnostics never change
PRODUCTS = 60  # the hand-written "hero" products come first in the demo catalogue
CART = (
    ("Milo 3-in-1 Sachets 18x33g", 1),
    ("Gardenia Enriched White Bread 600g", 2),
    ("Yeo's Chrysanthemum Tea 250ml x6", 1),
    ("Ayam Brand Sardines 155g", 3),
    ("Nescafé Gold Blend 200g", 1),
)
LATER_SALES = (
    ("Häagen-Dazs Vanilla Ice Cream 473ml", "nets"),
    ("Dynamo Power Gel Detergent 2.7kg", "card"),
    ("Colgate Total Toothpaste 150g", "cash"),
)


@dataclass
class ShopClock:
    """Saturday morning in Singapore, a few seconds later each time anyone looks."""

    now: datetime = field(
        default_factory=lambda: datetime.fromisoformat("2025-03-01T10:00:00+08:00")
    )

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=7)
        return self.now


def settle(ms: int = 150) -> None:
    QApplication.processEvents()
    QTest.qWait(ms)


def shot(widget: QWidget, path: Path) -> None:
    settle(600)  # long enough for coalesced redraws (the status bar's, the sync news)
    if not widget.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(f"wrote {path}")


def shots(widget: QWidget, out: Path, name: str, theme: str, *, readme: bool = True) -> None:
    """``name`` at each small screen's size in ``theme`` (and for the README in light)."""
    if readme and theme == "light":  # the light theme in English only
        widget.resize(WIDTH, HEIGHT)
        shot(widget, out / f"{name}.png")
    for width, height in SMALL_SCREENS:
        widget.resize(width, height)
        shot(widget, out / f"{name}-{theme}-{width}x{height}.png")
    widget.resize(WIDTH, HEIGHT)


def type_in(widget: QWidget, text: str, *, enter: bool = True) -> None:
    QTest.keyClicks(widget, text)
    if enter:
        QTest.keyClick(widget, Qt.Key.Key_Return)
    settle(30)


def press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    target = QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard focus"
    QTest.keyClick(target, key, modifier)
    settle(30)


def barcodes() -> dict[str, str]:
    """The demo catalogue's first barcode of each product, by name."""
    from shared.demo_catalogue import demo_catalogue

    catalogue = demo_catalogue(PRODUCTS)
    names = {str(p.product_id): p.name for p in catalogue.products}
    codes: dict[str, str] = {}
    for barcode in catalogue.barcodes:
        codes.setdefault(names[str(barcode.product_id)], barcode.code)
    return codes


def breakdown(amount: Decimal) -> dict[str, int]:
    """Notes and coins that make up ``amount``, largest first (what a tidy drawer holds)."""
    from till.services.shifts import DENOMINATIONS

    pieces: dict[str, int] = {}
    for denomination in DENOMINATIONS:
        n = int(amount // Decimal(denomination))
        if n:
            pieces[denomination] = n
            amount -= n * Decimal(denomination)
    return pieces


def main(argv: list[str]) -> int:
    def every_run(out: Path) -> None:
        for theme, language in RUNS:
            take_screens(out, theme, language)
            QApplication.processEvents()

    return in_a_fresh_home(argv, every_run)


def in_a_fresh_home(argv: list[str], take: Callable[[Path], None]) -> int:
    """Run ``take(out)`` (``out``: the folder named on the command line, or this one) with a
    home of its own, so the demo lands where a real one would (~/.local/share/sg-pos) and the
    diagnostics show that path, not this machine's; with a steady caret, so every run takes
    the same picture."""
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sgpos-screens-") as home:
        os.environ["HOME"] = home
        os.environ.pop("XDG_DATA_HOME", None)
        app = QApplication.instance() or QApplication([argv[0]])
        assert isinstance(app, QApplication)
        app.setCursorFlashTime(0)
        take(out)
        app.processEvents()
    return 0


@contextmanager
def demo_till() -> Iterator[Any]:
    """The demo till at the shop's clock, its catalogue and staff in and a shift open."""
    from till.app import open_till
    from till.cli import default_demo_dir
    from till.demo import ensure_demo_till

    till = open_till(default_demo_dir(), clock=ShopClock())
    try:
        _, manager = ensure_demo_till(till, products=PRODUCTS, till_id=TILL_ID)
        till.shifts.open_shift(manager, Decimal("200.00"))
        yield till
    finally:
        till.close()


def pulled(till: Any, entity: Any, rows: dict[str, Any]) -> None:
    """``rows`` (key -> wire model) stored the way a pull from head office stores them."""
    from shared.protocol import MasterChange
    from till.store.master import apply_changes
    from till.store.uow import UnitOfWork

    with UnitOfWork(till.store) as uow:
        changes = [
            MasterChange(entity=entity, key=key, op="upsert", data=row.model_dump(mode="json"))
            for key, row in rows.items()
        ]
        apply_changes(uow.session, changes)
        uow.commit()


def product_ids(till: Any) -> dict[str, str]:
    """The till's product ids, by name."""
    from sqlalchemy import select

    from till.store.models import Product

    with till.store.read() as s:
        return {name: pid for name, pid in s.execute(select(Product.name, Product.product_id))}


@contextmanager
def signed_in_window(till: Any, role: str) -> Iterator[Any]:
    """The till's window at WIDTH x HEIGHT, shown, with a demo ``role`` signed in; a dummy
    printer."""
    from shared.demo_catalogue import DEMO_STAFF
    from till.printing import PrinterSettings, ReceiptPrinter
    from till.settings import TillSettings
    from till.ui.context import UiContext
    from till.ui.main_window import MainWindow
    from till.ui.sync_bridge import SyncBridge

    settings = TillSettings(printer=PrinterSettings(kind="dummy"))
    ctx = UiContext(till, settings, ReceiptPrinter(settings.printer), demo=True)
    window = MainWindow(ctx, SyncBridge())
    window.resize(WIDTH, HEIGHT)
    window.show()
    window.activateWindow()
    QTest.qWaitForWindowExposed(window)
    staff = next(m for m in DEMO_STAFF if m.role == role)
    type_in(window.signin.code, staff.code)
    type_in(window.signin.pin, staff.pin)
    try:
        yield window
    finally:
        window.close()


def take_screens(out: Path, theme: str, language: str = "en") -> None:
    from shared.demo_catalogue import DEMO_STAFF
    from shared.tender import Tender, TenderType
    from till.app import open_till
    from till.cli import default_demo_dir
    from till.demo import ensure_demo_till
    from till.printing import PrinterSettings, ReceiptPrinter
    from till.settings import CustomerDisplaySettings, TillSettings, agent_settings
    from till.ui.context import UiContext
    from till.ui.main_window import MainWindow
    from till.ui.sync_bridge import SyncBridge

    clock = ShopClock()
    data_dir = default_demo_dir()
    if data_dir.exists():  # the other theme's morning: each theme starts the same day afresh
        import shutil

        shutil.rmtree(data_dir)
    till = open_till(data_dir, clock=clock)
    bridge = SyncBridge()
    try:
        cashier, manager = ensure_demo_till(till, products=PRODUCTS, till_id=TILL_ID)
        till.shifts.open_shift(manager, Decimal("200.00"))
        settings = TillSettings(
            printer=PrinterSettings(kind="dummy"),
            theme=theme,
            # One screen offscreen: the display as a window beside the till.
            customer_display=CustomerDisplaySettings(screen=1),
        )
        ctx = UiContext(till, settings, ReceiptPrinter(settings.printer), demo=True)
        bridge.syncing = till.start_sync(agent_settings(data_dir), bridge.post)
        window = MainWindow(ctx, bridge)
        window.resize(WIDTH, HEIGHT)
        window.show()
        window.activateWindow()
        QTest.qWaitForWindowExposed(window)
        display = window.open_customer_display()
        assert display is not None
        window.activateWindow()
        look = theme if language == "en" else f"{theme}-{language}"
        if language != "en":
            QTest.mouseClick(window.signin.language_keys[language], Qt.MouseButton.LeftButton)
            settle(30)
        shots(window, out, "till-signin", look)
        shots(display, out, "display-idle", look, readme=False)

        staff = next(m for m in DEMO_STAFF if m.role == "cashier")
        type_in(window.signin.code, staff.code)
        type_in(window.signin.pin, staff.pin)
        codes = barcodes()
        for name, quantity in CART:
            entry = window.sell.entry
            type_in(entry, f"{quantity}*{codes[name]}" if quantity > 1 else codes[name])
        shots(window, out, "till-sell", look)
        shots(display, out, "display-sale", look, readme=False)

        press(Qt.Key.Key_F10)  # pay
        type_in(window.payment.entry, "20")  # $20 in cash, the rest by PayNow
        press(Qt.Key.Key_F4)
        shots(window, out, "till-payment-paynow", look)
        shots(display, out, "display-paynow", look, readme=False)
        press(Qt.Key.Key_Return)  # the transfer has arrived
        shots(display, out, "display-thanks", look, readme=False)

        for name, kind in LATER_SALES:  # the rest of the morning, for a fuller Z report
            checkout = till.checkout(cashier)
            product = till.catalogue.by_barcode(codes[name])
            assert product is not None
            checkout.add(product)
            due = checkout.totals().total
            tender = TenderType(kind)
            paid = Decimal("50.00") if tender is TenderType.CASH else due
            checkout.complete([Tender(tender, paid, reference=None if kind == "cash" else "A1")])

        press(Qt.Key.Key_F7)  # receipts: the morning's sales, newest first
        press(Qt.Key.Key_Down)  # into the list: the newest receipt shows
        press(Qt.Key.Key_Down)
        shots(window, out, "till-receipts", look)
        press(Qt.Key.Key_Escape)

        press(Qt.Key.Key_F8)  # shift
        shift = window.back_office["shift"]
        till.shifts.move_cash(cashier, "out", Decimal("100.00"), "bank deposit")
        expected = till.shifts.x_report().expected_cash
        press(Qt.Key.Key_F6)  # close: count the drawer, 30 cents short
        counted = breakdown(expected - Decimal("0.30"))
        for denomination, field_ in shift.close_count.fields.items():  # type: ignore[attr-defined]
            type_in(field_, str(counted.get(denomination, "")))
        press(Qt.Key.Key_F6)  # count done: only now the till shows what it expected
        shots(window, out, "till-shift-count", look)
        press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # close the shift
        shots(window, out, "till-z-report", look)
        press(Qt.Key.Key_Escape)
        press(Qt.Key.Key_Escape)

        stock_screens(window, out, codes, look)

        press(
            Qt.Key.Key_D,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
        shots(window, out, "till-diagnostics", look)
        window.printing.close()
        display.close()
        window.close()
    finally:
        from till.ui.language import DEFAULT, set_language

        set_language(DEFAULT)
        bridge.stop()
        till.close()


def stock_screens(window: QWidget, out: Path, codes: dict[str, str], look: str) -> None:
    """F11: a delivery being scanned in, then a shelf count's variance before approval."""
    from PySide6.QtWidgets import QComboBox, QLineEdit

    press(Qt.Key.Key_F11)
    stock = window.back_office["stock"]  # type: ignore[attr-defined]

    def line_edit(name: str) -> QLineEdit:
        found: QLineEdit | None = stock.findChild(QLineEdit, name)
        assert found is not None, name
        return found

    type_in(line_edit("stock_reference"), "DO-20250301-0417", enter=False)
    for (name, _), (qty, cost) in zip(CART, (("2x24", "0.62"), ("12", "1.35")), strict=False):
        type_in(line_edit("stock_qty"), qty, enter=False)
        type_in(line_edit("stock_cost"), cost, enter=False)
        type_in(line_edit("stock_scan"), codes[name])
    shots(window, out, "till-stock-receive", look)
    stock.lines.clear()  # a manager saves deliveries: this one stays a picture
    press(Qt.Key.Key_F3)
    scope = stock.findChild(QComboBox, "stock_scope")
    scope.setCurrentIndex(1)  # a shelf list: only what is scanned
    press(Qt.Key.Key_F9)
    for name, _ in CART:
        type_in(line_edit("stock_scan"), codes[name])
    press(Qt.Key.Key_F10)  # the variance, valued at cost, before a manager approves
    shots(window, out, "till-stock-count", look)
    stock.cancel_count()
    press(Qt.Key.Key_Escape)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
