"""Touch-sized buttons that also answer to a key, so every back-office action works by
keyboard alone and by finger alone."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QFontDatabase, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QListWidget, QPlainTextEdit, QPushButton, QWidget

from till.ui.pin_pad import touch_button


def action_button(
    text: str, key: str | None, scope: QWidget, slot: Callable[[], object], name: str
) -> QPushButton:
    """A button labelled with its key; the key works while the focus is anywhere in
    ``scope`` and, like a tap, does nothing while the button is disabled."""
    # The key under the words, as on the sell screen's keys: narrow keys, whole words.
    button = touch_button(f"{text}\n{key}" if key else text, scope)
    button.setObjectName(name)
    button.clicked.connect(lambda _=False: slot())
    if key:
        on_key(key, scope, button.click)
    return button


def on_key(key: str, scope: QWidget, slot: Callable[[], object]) -> QShortcut:
    shortcut = QShortcut(QKeySequence(key), scope)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shortcut.activated.connect(slot)
    return shortcut


def paper_font(point_size: int = 11) -> QFont:
    """A fixed-pitch font, so text laid out for the receipt printer lines up on screen too."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSize(point_size)
    return font


def paper(name: str, columns: int, placeholder: str = "") -> QPlainTextEdit:
    """A read-only strip as wide as the printer's paper, so the screen shows what prints."""
    text = QPlainTextEdit()
    text.setObjectName(name)
    text.setReadOnly(True)
    text.setFont(paper_font())
    text.setPlaceholderText(placeholder)
    text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    margins = 2 * (text.document().documentMargin() + text.frameWidth()) + 8
    scrollbar = text.verticalScrollBar().sizeHint().width()
    text.setFixedWidth(
        int(text.fontMetrics().horizontalAdvance("0" * columns) + margins + scrollbar)
    )
    return text


def list_arrows(results: QListWidget, event: QEvent) -> bool:
    """Up and Down typed in a search field move through its list of results (the field
    keeps the keyboard); True when the key was taken."""
    if not (
        isinstance(event, QKeyEvent)
        and event.type() == QEvent.Type.KeyPress
        and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down)
    ):
        return False
    step = -1 if event.key() == Qt.Key.Key_Up else 1
    results.setCurrentRow(max(0, min(results.count() - 1, results.currentRow() + step)))
    return True


def returns_keyboard(box: QDialog) -> None:
    """When ``box`` closes, the window it was opened over takes the keyboard back. A window
    manager does that; in a till's kiosk session there is none, and after a manager's box the
    keys went nowhere until the screen was touched."""
    owner = box.parentWidget()
    if owner is not None:
        window = owner.window()
        box.finished.connect(lambda _result: window.activateWindow())
