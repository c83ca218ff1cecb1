"""Every screen of the till, and every page of the customer display, at 1024x768 in both
themes: every visible widget inside the window, no text cut off, every key and field a finger
can hit (>= 44 px), and the type scale's sizes (total >= 40 px, cart lines >= 16 px)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.ui.selling import Till, press, running_till, sign_in, tap, type_in
from till.printing import PrinterSettings
from till.settings import CustomerDisplaySettings, TillSettings
from till.ui.look import THEMES, TOUCH, Theme, apply_theme

WIDTH, HEIGHT = 1024, 768


def problems(window: QWidget) -> list[str]:
    """What does not fit in ``window`` as it is now: one line per problem."""
    found: list[str] = []
    frame = QRect(0, 0, window.width(), window.height())
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) or widget.width() == 0:
            continue
        name = f"{type(widget).__name__} {widget.objectName() or '?'}"
        box = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
        if widget.isWindow() or _inside_scroller(widget, window):
            continue
        if not frame.contains(box):
            found.append(f"{name} is off screen: {box.getRect()} in {frame.getRect()}")
        if isinstance(widget, QLabel):
            found += _label_cut(widget, name)
        elif isinstance(widget, QAbstractButton):
            found += _button_cut(widget, name)
        elif isinstance(widget, QHeaderView):
            found += _headings_cut(widget, name)
        touched = isinstance(widget, QAbstractButton | QLineEdit) and widget.isEnabled()
        if touched and widget.height() < TOUCH:
            found.append(f"{name} is {widget.height()} px high, under {TOUCH} px")
    return found


def _inside_scroller(widget: QWidget, window: QWidget) -> bool:
    # A widget in a scrolled area or a list may lie outside its viewport on purpose.
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if parent.objectName() == "qt_scrollarea_viewport":
            return True
        parent = parent.parentWidget()
    return False


def _label_cut(label: QLabel, name: str) -> list[str]:
    text = label.text()
    if not text or (label.pixmap() is not None and not label.pixmap().isNull()):
        return []
    metrics = label.fontMetrics()
    if label.wordWrap() or label.textFormat() == Qt.TextFormat.RichText or "<" in text:
        need = label.heightForWidth(label.width())
        if need > label.height():
            return [f"{name} needs {need} px of height, has {label.height()}: {text[:40]!r}"]
        if "<" not in text:  # a word longer than the line is cut, wrapped or not
            word = max(metrics.horizontalAdvance(w) for w in text.split())
            if word > label.contentsRect().width():
                return [f"{name} has a word {word} px wide in {label.width()} px: {text!r}"]
        return []
    width = max(metrics.horizontalAdvance(line) for line in text.splitlines())
    room = label.contentsRect().width()
    if width > room:
        return [f"{name} text is {width} px wide in {room} px: {text[:40]!r}"]
    return []


def _headings_cut(header: QHeaderView, name: str) -> list[str]:
    """A table's column headings: each fits its column (a row number column is left alone)."""
    if header.orientation() != Qt.Orientation.Horizontal:
        return []
    model, metrics, found = header.model(), header.fontMetrics(), []
    for section in range(header.count()):
        if header.isSectionHidden(section):
            continue
        text = str(model.headerData(section, Qt.Orientation.Horizontal) or "")
        width = metrics.horizontalAdvance(text)
        if width > header.sectionSize(section):
            found.append(
                f"{name} heading {text!r} needs {width} px, its column is "
                f"{header.sectionSize(section)} px"
            )
    return found


def _button_cut(button: QAbstractButton, name: str) -> list[str]:
    text = button.text()
    if not text:
        return []
    metrics = button.fontMetrics()
    width = max(metrics.horizontalAdvance(line) for line in text.splitlines())
    if not button.icon().isNull():
        width += button.iconSize().width() + 4
    lines = len(text.splitlines())
    height = lines * metrics.lineSpacing()
    if width > button.width() or height > button.height():
        return [
            f"{name} text needs {width}x{height} px, the key is "
            f"{button.width()}x{button.height()}: {text!r}"
        ]
    return []


def _check(qtbot: QtBot, window: QWidget, what: str) -> None:
    qtbot.wait(30)
    found = problems(window)
    if window.size().toTuple() != (WIDTH, HEIGHT):
        found.append(f"the window is {window.width()}x{window.height()}, not {WIDTH}x{HEIGHT}")
    assert not found, f"{what}:\n" + "\n".join(found)


def _fit(qtbot: QtBot, till: Till) -> None:
    window = till.window
    window.resize(WIDTH, HEIGHT)
    qtbot.waitUntil(lambda: window.size().width() == WIDTH and window.height() == HEIGHT)


@contextmanager
def _themed(theme: Theme) -> Iterator[None]:
    try:
        yield
    finally:
        apply_theme("light")  # the next test starts in the default theme


@pytest.mark.parametrize(
    ("theme", "language"), [(theme, "en") for theme in THEMES] + [("light", "zh_CN")]
)
def test_every_screen_fits_1024x768(
    qtbot: QtBot, tmp_path: Path, theme: Theme, language: str
) -> None:
    settings = TillSettings(
        printer=PrinterSettings(kind="dummy"),
        theme=theme,
        customer_display=CustomerDisplaySettings(screen=1),
    )
    with (
        _themed(theme),
        running_till(qtbot, tmp_path / "till", demo=True, settings=settings) as till,
    ):
        assert QApplication.instance().property("sgpos_theme") == theme  # type: ignore[union-attr]
        window = till.window
        display = window.open_customer_display()
        assert display is not None
        display.resize(WIDTH, HEIGHT)
        window.activateWindow()
        _fit(qtbot, till)
        _check(qtbot, window, "sign-in")
        _check(qtbot, display, "display idle")

        tap(qtbot, window.signin.language_keys[language])
        _check(qtbot, window, f"sign-in in {language}")
        sign_in(qtbot, till)
        sell = window.sell
        for code in till.barcodes(6):
            type_in(qtbot, sell.entry, code)
        window.resize(1366, 900)  # a taller window, then back: the newest line stays whole
        qtbot.waitUntil(lambda: window.height() == 900)
        _fit(qtbot, till)
        _check(qtbot, window, "sell")
        newest = sell.cart.visualRect(sell.model.index(sell.model.rowCount() - 1, 0))
        assert sell.cart.viewport().rect().contains(newest), "the line just rung up is cut"
        assert sell.totals.total.fontInfo().pixelSize() >= 40
        assert sell.cart.fontInfo().pixelSize() >= 16
        qtbot.waitUntil(lambda: display.lines.rowCount() == 6)
        _check(qtbot, display, "display sale")
        assert display.total.fontInfo().pixelSize() >= 40

        press(qtbot, sell.entry, Qt.Key.Key_F10)
        pay = window.payment
        _check(qtbot, window, "payment")
        assert pay.total.fontInfo().pixelSize() >= 40
        type_in(qtbot, pay.entry, "5")
        press(qtbot, pay.entry, Qt.Key.Key_F4)
        _check(qtbot, window, "payment by PayNow")
        qtbot.waitUntil(display.qr_panel.isVisible)
        _check(qtbot, display, "display PayNow")
        tap(qtbot, pay.received)
        _check(qtbot, window, "sale done")
        assert sell.change_due.fontInfo().pixelSize() >= 40
        _check(qtbot, display, "display thank you")

        press(qtbot, sell.entry, Qt.Key.Key_F7)
        focus = QApplication.focusWidget()
        assert focus is not None
        press(qtbot, focus, Qt.Key.Key_Down)
        _check(qtbot, window, "receipts")
        press(qtbot, QApplication.focusWidget() or window, Qt.Key.Key_Escape)

        press(qtbot, sell.entry, Qt.Key.Key_F8)
        _check(qtbot, window, "shift")
        press(qtbot, QApplication.focusWidget() or window, Qt.Key.Key_F6)
        _check(qtbot, window, "shift close: counting")
        press(qtbot, QApplication.focusWidget() or window, Qt.Key.Key_Escape)
        press(qtbot, QApplication.focusWidget() or window, Qt.Key.Key_Escape)

        press(
            qtbot,
            QApplication.focusWidget() or window,
            Qt.Key.Key_D,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
        assert window.stack.currentWidget() is window.back_office["diagnostics"]
        _check(qtbot, window, "diagnostics")
        press(qtbot, QApplication.focusWidget() or window, Qt.Key.Key_Escape)

        press(qtbot, sell.entry, Qt.Key.Key_F11)
        assert window.stack.currentWidget() is window.back_office["stock"]
        for key, what in (
            (Qt.Key.Key_F1, "receive goods"),
            (Qt.Key.Key_F2, "adjust stock"),
            (Qt.Key.Key_F3, "stocktake"),
            (Qt.Key.Key_F4, "send a transfer"),
            (Qt.Key.Key_F5, "take in a transfer"),
        ):
            press(qtbot, QApplication.focusWidget() or window, key)
            _check(qtbot, window, what)
        # A count's review has the widest table of the stock screen (five columns).
        stock = window.back_office["stock"]
        press(qtbot, QApplication.focusWidget() or window, Qt.Key.Key_F3)
        press(qtbot, QApplication.focusWidget() or window, Qt.Key.Key_F9)
        scan = stock.findChild(QLineEdit, "stock_scan")
        type_in(qtbot, scan, till.barcodes(1)[0])
        press(qtbot, scan, Qt.Key.Key_F10)
        table = stock.findChild(QTableWidget, "stock_lines")
        assert table is not None
        qtbot.waitUntil(lambda: table.columnCount() == 5)
        _check(qtbot, window, "stocktake review")


def test_the_check_sees_a_cut_label(qtbot: QtBot) -> None:
    # The checker is not blind: a label too narrow for its words, and a key too small for a
    # finger, are both reported.
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(300, 200)
    label = QLabel("A rather long label that cannot fit", window)
    label.setObjectName("cut")
    label.setGeometry(0, 0, 60, 30)
    window.show()
    found = problems(window)
    assert any("QLabel cut text is" in line for line in found)
    label.setGeometry(250, 180, 100, 30)
    assert any("off screen" in line for line in problems(window))
