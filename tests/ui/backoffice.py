"""Helpers for the back-office screen tests: a real demo till behind a UiContext, and hands
for the modal dialogs those screens open (approval, refund, printer problems)."""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from shared.demo_catalogue import DEMO_STAFF
from shared.tender import Tender, TenderType
from tests.integration.test_checkout import standard_barcodes
from tests.tills import DemoTill, demo_till
from tests.ui.selling import TEST_GENERATION
from till.printing import PrinterSettings, ReceiptPrinter
from till.services.checkout import CompletedSale
from till.settings import TillSettings
from till.store.models import AuditRecord
from till.ui.context import UiContext

D = Decimal
MANAGER = next(m for m in DEMO_STAFF if m.role == "manager")
SUPERVISOR = next(m for m in DEMO_STAFF if m.role == "supervisor")


@dataclass
class Shop:
    demo: DemoTill
    ctx: UiContext

    @property
    def till(self):  # type: ignore[no-untyped-def]
        return self.demo.till

    def actions(self) -> list[str]:
        with self.till.store.read() as s:
            return list(s.scalars(select(AuditRecord.action).order_by(AuditRecord.seq)))


def open_shop(data_dir: Path, printer: PrinterSettings | None = None) -> Shop:
    demo = demo_till(data_dir)
    settings = TillSettings(printer=printer or PrinterSettings(kind="dummy"))
    ctx = UiContext(
        till=demo.till,
        settings=settings,
        printer=ReceiptPrinter(settings.printer),
        cashier=demo.cashier,
        demo=True,
    )
    return Shop(demo, ctx)


def sell(shop: Shop, n: int = 3, tender: TenderType = TenderType.CASH) -> CompletedSale:
    checkout = shop.till.checkout(shop.demo.cashier)
    for code in standard_barcodes(shop.till.store, n):
        checkout.scan(code)
    if tender is TenderType.CASH:
        done: CompletedSale = checkout.complete([Tender(TenderType.CASH, D("500.00"))])
    else:
        done = checkout.complete([Tender(tender, checkout.totals().total, reference="APPR01")])
    return done


def keys(qtbot: QtBot, field: QWidget | None, text: str) -> None:
    """Type ``text`` into ``field``, one key event per character."""
    assert field is not None
    qtbot.keyClicks(field, text)  # type: ignore[no-untyped-call]


def press(
    qtbot: QtBot,
    widget: QWidget | None,
    key: Qt.Key,
    modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    assert widget is not None
    _active(qtbot, widget)
    qtbot.keyClick(widget, key, modifier)  # type: ignore[no-untyped-call]


def _active(qtbot: QtBot, widget: QWidget) -> None:
    """A key reaches a window only while it is active, as on a desktop, where the window a
    cashier types into is the one the window manager activated; on a loaded machine the
    offscreen platform can leave none active, and a shortcut key would then do nothing."""
    window = widget.window()
    if (
        window.isVisible()
        and not window.isActiveWindow()
        and QApplication.activeModalWidget() is None
    ):
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=5000)


def click(qtbot: QtBot, widget: QWidget | None) -> None:
    """A finger on a touch screen."""
    assert widget is not None
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]


def show(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)  # shortcuts only work in the active window


def reactivate(qtbot: QtBot, widget: QWidget) -> None:
    """Give the window back the activation a real window manager returns to it when a dialog
    closes; the offscreen platform leaves no window active."""
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)


def when_modal(qtbot: QtBot, name: str, *acts: Callable[[QWidget], None]) -> list[QWidget]:
    """Run each of ``acts`` on the next modal dialog named ``name`` as soon as it is open (the
    code under test waits in its ``exec()``), one dialog after another; returns the list of
    dialogs seen so far."""
    seen: list[QWidget] = []
    tries = [0]
    born = TEST_GENERATION[0]

    def look() -> None:
        if TEST_GENERATION[0] != born:
            return  # its test is over (tests/ui/selling.py)
        dialog = QApplication.activeModalWidget()
        fresh = dialog is not None and dialog.objectName() == name and dialog not in seen
        if fresh and dialog is not None and not dialog.isActiveWindow():
            dialog.activateWindow()  # keys go where the focus is, as at a real till
        if fresh and dialog is not None and dialog.isActiveWindow():
            act = acts[len(seen)]
            seen.append(dialog)
            try:
                act(dialog)
            finally:
                # A failed step must not leave the code under test waiting in exec() forever.
                QTimer.singleShot(0, dialog.close)
        if len(seen) < len(acts) and tries[0] < 500:
            tries[0] += 1
            QTimer.singleShot(20, look)

    QTimer.singleShot(0, look)
    return seen


def approve_with(qtbot: QtBot, code: str, pin: str) -> list[QWidget]:
    """Type a staff code and PIN into the next approval dialog, keyboard only."""

    def fill(dialog: QWidget) -> None:
        code_field = dialog.findChild(QWidget, "approval_code")
        pin_field = dialog.findChild(QWidget, "approval_pin")
        keys(qtbot, code_field, code)
        press(qtbot, code_field, Qt.Key.Key_Return)
        keys(qtbot, pin_field, pin)
        press(qtbot, pin_field, Qt.Key.Key_Return)

    return when_modal(qtbot, "approval", fill)


CTRL = Qt.KeyboardModifier.ControlModifier


def dead_printer(ctx: UiContext) -> int:
    """Point the till at a network printer nobody answers for (refused at once); its port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    ctx.printer = ReceiptPrinter(
        PrinterSettings(kind="network", host="127.0.0.1", port=port, timeout_s=1)
    )
    return port
