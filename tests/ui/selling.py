"""Helpers for the cashier-flow tests: a real till behind the real main window, and hands
that type into it (keyboard only) and into the modal dialogs it opens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from shared.demo_catalogue import DEMO_STAFF
from tests.integration.test_checkout import standard_barcodes
from tests.tills import DemoTill, demo_till
from till.printing import PrinterSettings, ReceiptPrinter
from till.services.checkout import Checkout
from till.settings import TillSettings
from till.ui.context import UiContext
from till.ui.language import DEFAULT, set_language
from till.ui.main_window import MainWindow
from till.ui.sync_bridge import SyncBridge

D = Decimal
CASHIER = next(m for m in DEMO_STAFF if m.role == "cashier")
MANAGER = next(m for m in DEMO_STAFF if m.role == "manager")
SUPERVISOR = next(m for m in DEMO_STAFF if m.role == "supervisor")


@dataclass
class Till:
    demo: DemoTill
    ctx: UiContext
    bridge: SyncBridge
    window: MainWindow

    @property
    def store(self):  # type: ignore[no-untyped-def]
        return self.demo.till.store

    def count(self, model: type) -> int:
        with self.store.read() as s:
            return s.scalar(select(func.count()).select_from(model)) or 0

    def barcodes(self, n: int) -> list[str]:
        return standard_barcodes(self.store, n)

    @property
    def checkout(self) -> Checkout:
        """The cart on the sell screen (a cashier is signed in)."""
        checkout = self.window.sell.checkout
        assert checkout is not None
        return checkout


@contextmanager
def running_till(
    qtbot: QtBot,
    data_dir: Path,
    *,
    shift: bool = True,
    demo: bool = False,
    start_sync: Callable[[SyncBridge, DemoTill], None] | None = None,
    settings: TillSettings | None = None,
) -> Iterator[Till]:
    """A demo-catalogue till in ``data_dir`` with its window shown, nobody signed in."""
    demo_shop = demo_till(data_dir)
    if shift:
        demo_shop.till.shifts.open_shift(demo_shop.manager, D("100.00"))
    if settings is None:
        settings = TillSettings(printer=PrinterSettings(kind="dummy"))
    ctx = UiContext(demo_shop.till, settings, ReceiptPrinter(settings.printer), demo=demo)
    bridge = SyncBridge()
    window: MainWindow | None = None
    try:
        if start_sync is not None:
            start_sync(bridge, demo_shop)
        window = MainWindow(ctx, bridge)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        yield Till(demo_shop, ctx, bridge, window)
    finally:
        if window is not None:
            window.printing.close()
            if window.customer is not None:
                window.customer.close()
                window.customer.deleteLater()
            bridge.status_changed.disconnect()
        set_language(DEFAULT)  # a test that stopped half-way in Chinese leaves no trace
        bridge.stop()
        demo_shop.till.close()


# pytest-qt's QtBot methods carry no type hints; these typed hands keep the tests checked.


def keys(qtbot: QtBot, field: QWidget, text: str) -> None:
    """Type ``text`` into ``field``, one key event per character."""
    qtbot.keyClicks(field, text)  # type: ignore[no-untyped-call]


def press(
    qtbot: QtBot,
    field: QWidget,
    key: Qt.Key,
    modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    qtbot.keyClick(field, key, modifier)  # type: ignore[no-untyped-call]


def tap(qtbot: QtBot, widget: QWidget | None) -> None:
    """A finger on a touch screen: one left click."""
    assert widget is not None
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]


def type_in(qtbot: QtBot, field: QWidget | None, text: str) -> None:
    """Type ``text`` and press Enter, as a keyboard-wedge scanner does."""
    assert field is not None
    keys(qtbot, field, text)
    press(qtbot, field, Qt.Key.Key_Return)


def sign_in(qtbot: QtBot, till: Till, code: str = CASHIER.code, pin: str = CASHIER.pin) -> None:
    screen = till.window.signin
    type_in(qtbot, screen.code, code)
    type_in(qtbot, screen.pin, pin)


# Bumped after every UI test (tests/ui/conftest.py). A look-out for a dialog ends with the test
# that set it: one whose dialog never came would otherwise keep looking, for seconds, into the
# next test, and act on (or close) that test's dialog of the same name.
TEST_GENERATION = [0]


def when_modal(qtbot: QtBot, name: str, act: Callable[[QWidget], None]) -> list[QWidget]:
    """Run ``act`` on the modal dialog called ``name`` once it is open (the code under test
    waits in its ``exec()``); the returned list holds the dialog once it was seen."""
    seen: list[QWidget] = []
    tries = [0]
    born = TEST_GENERATION[0]

    def look() -> None:
        if TEST_GENERATION[0] != born:
            return
        dialog = QApplication.activeModalWidget()
        if dialog is not None and dialog.objectName() == name and dialog.isVisible():
            seen.append(dialog)
            act(dialog)
        elif not seen and tries[0] < 500:
            tries[0] += 1
            QTimer.singleShot(20, look)

    QTimer.singleShot(0, look)
    return seen


def approve_with(qtbot: QtBot, code: str, pin: str) -> list[QWidget]:
    """Type a manager's code and PIN into the next approval dialog, keyboard only."""

    def fill(dialog: QWidget) -> None:
        type_in(qtbot, dialog.findChild(QLineEdit, "approval_code"), code)
        type_in(qtbot, dialog.findChild(QLineEdit, "approval_pin"), pin)

    return when_modal(qtbot, "approval", fill)
