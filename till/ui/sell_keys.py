"""The sell screen's actions: each one has a key and a touch-sized button with the same words.

One table feeds the shortcuts, the buttons and the help line, so they never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QGridLayout, QWidget

from till.ui.pin_pad import touch_button


@dataclass(frozen=True)
class Action:
    name: str  # object name of the button: sell_<name>
    label: str
    keys: tuple[str, ...]  # QKeySequence texts; the first is shown on the button
    run: Callable[[], None]


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
        button = touch_button(f"{action.label}\n{action.keys[0]}", panel)
        button.setObjectName(f"sell_{action.name}")
        button.clicked.connect(action.run)
        grid.addWidget(button, n // columns, n % columns)
    return panel
