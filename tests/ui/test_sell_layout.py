"""The till's window on the screens shops have: 1024x768 and 1366x768 laptops and up."""

from __future__ import annotations

from decimal import Decimal
from itertools import combinations
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from tests.ui.selling import Till, press, running_till, sign_in, type_in
from tests.ui.shelf import barcode_of
from till.ui.quick_keys import QuickKey

D = Decimal


def _fits(qtbot: QtBot, till: Till, width: int, height: int) -> None:
    window = till.window
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.size().width() == width)
    qtbot.wait(50)
    assert (window.width(), window.height()) == (width, height), "the window grew past the screen"
    status = window.statusBar()
    assert status.isVisible() and status.geometry().bottom() < height
    screen = window.stack.currentWidget()
    assert isinstance(screen, QWidget)
    assert screen.geometry().bottom() < status.geometry().top()
    buttons = [b for b in screen.findChildren(QPushButton) if b.isVisible()]
    assert buttons
    for button in buttons:
        # Every key whole on screen and at least its minimum size: nothing squeezed or cut.
        corner = button.mapTo(window, button.rect().bottomRight())
        assert corner.x() < width and corner.y() < status.geometry().top(), button.objectName()
        assert button.height() >= button.minimumSizeHint().height(), button.objectName()
    for a, b in combinations(buttons, 2):
        if a.parent() is b.parent():
            assert not a.geometry().intersects(b.geometry()), (a.objectName(), b.objectName())
    for key in screen.findChildren(QuickKey):
        # The whole name shows: the wrapped text is no taller than the room it has.
        assert key.name.heightForWidth(key.name.width()) <= key.name.height(), key.toolTip()


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (1366, 768), (1920, 1080)])
def test_the_sell_and_payment_screens_fit_the_screen(
    qtbot: QtBot, tmp_path: Path, width: int, height: int
) -> None:
    with running_till(qtbot, tmp_path / "till", demo=True) as till:
        sign_in(qtbot, till)
        for code in till.barcodes(3):
            type_in(qtbot, till.window.sell.entry, code)
        _fits(qtbot, till, width, height)
        press(qtbot, till.window.sell.entry, Qt.Key.Key_F10)
        _fits(qtbot, till, width, height)


def test_the_window_opens_at_the_size_of_the_screen(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        available = till.window.screen().availableGeometry()
        assert till.window.size() == available.size()


def test_the_change_due_shows_big_until_the_next_scan(qtbot: QtBot, tmp_path: Path) -> None:
    with running_till(qtbot, tmp_path / "till") as till:
        sign_in(qtbot, till)
        sell = till.window.sell
        nescafe = barcode_of(till, "Nescafé Gold Blend 200g")
        type_in(qtbot, sell.entry, nescafe)
        press(qtbot, sell.entry, Qt.Key.Key_F10)

        type_in(qtbot, till.window.payment.entry, "20")

        assert sell.change_due.isVisible() and sell.change_due.text() == "Change due $2.10"
        assert sell.change_due.font().pointSizeF() > sell.message.font().pointSizeF() or (
            sell.change_due.fontInfo().pixelSize() > sell.message.fontInfo().pixelSize()
        )
        type_in(qtbot, sell.entry, nescafe)
        assert not sell.change_due.isVisible()
