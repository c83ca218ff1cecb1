"""The sell screen's actions: each one has a key and a touch-sized button with the same words.

One table feeds the shortcuts, the buttons and the help line, so they never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QIcon, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import QGridLayout, QPushButton, QWidget

from till.ui.language import tr
from till.ui.look import ICONS, icon, set_role
from till.ui.pin_pad import TOUCH_SIZE

ICON_GAP = 4  # px between an icon and its words
PADDING = 8  # px: the stylesheet's padding and border on each side of a key

PRIMARY, DANGER = {"pay"}, {"remove"}


@dataclass(frozen=True)
class Action:
    name: str  # object name of the button: sell_<name>
    label: str  # in English, marked for translation (QT_TRANSLATE_NOOP)
    keys: tuple[str, ...]  # QKeySequence texts; the first is shown on the button
    run: Callable[[], None]


class ActionKey(QPushButton):
    """A touch key that shows its icon only while its words still fit beside it: on a
    narrow screen the words matter more."""

    def __init__(self, label: str, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label, self.key = label, key
        self.setMinimumSize(TOUCH_SIZE, TOUCH_SIZE)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._icon = QIcon()
        self.retranslate()

    def retranslate(self) -> None:
        self.setText(f"{tr(self.label)}\n{self.key}")
        self._fit_icon(self.width())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_icon(self, shown: QIcon) -> None:
        self._icon = shown
        self._fit_icon(self.width())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_icon(event.size().width())

    def _fit_icon(self, width: int) -> None:
        if self._icon.isNull():
            return
        metrics = self.fontMetrics()
        words = max(metrics.horizontalAdvance(line) for line in self.text().splitlines())
        room = width - 2 * ICON_GAP - words - self.iconSize().width()
        wanted = self._icon if room >= 2 * PADDING else QIcon()
        if wanted.isNull() != self.icon().isNull():
            self.setIcon(wanted)


def install(screen: QWidget, actions: list[Action], columns: int = 3) -> QWidget:
    """Shortcuts on ``screen`` and a grid of buttons for the same actions."""
    panel = QWidget(screen)
    grid = QGridLayout(panel)
    grid.setSpacing(4)
    for n, action in enumerate(actions):
        for key in action.keys:
            shortcut = QShortcut(QKeySequence(key), screen)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(action.run)
        button = ActionKey(action.label, action.keys[0], panel)
        button.setObjectName(f"sell_{action.name}")
        if action.name in PRIMARY:
            set_role(button, "primary")
        elif action.name in DANGER:
            set_role(button, "danger")
        if action.name in ICONS:
            on = "primary_text" if action.name in PRIMARY else "icon"
            button.set_icon(icon(action.name, on=on))
        button.clicked.connect(action.run)
        grid.addWidget(button, n // columns, n % columns)
    return panel
