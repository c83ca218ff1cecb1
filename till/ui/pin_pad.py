"""An on-screen digit pad for PINs and amounts, for touch screens; the keyboard works too.

The buttons never take the focus, so a cashier can mix taps and typed digits and the field
being filled keeps its cursor (a keyboard-wedge scanner's Enter still lands where it should).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QWidget

from till.ui.language import tr

TOUCH_SIZE = 56  # px: a fingertip, per common touch-target guidance (~9 mm)


def touch_button(text: str, parent: QWidget | None = None) -> QPushButton:
    button = QPushButton(text, parent)
    # Only the height: a minimum width would also let a layout squeeze the key below its
    # words (an explicit minimum replaces the size its text asks for).
    button.setMinimumHeight(TOUCH_SIZE)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return button


class DigitPad(QWidget):
    """Digits 0–9, a decimal point (optional), backspace and clear, typed into ``target``."""

    enter = Signal()

    def __init__(
        self,
        target: QLineEdit,
        parent: QWidget | None = None,
        *,
        decimal: bool = False,
        beside_enter: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.target = target
        grid = QGridLayout(self)
        grid.setSpacing(4)
        grid.setContentsMargins(0, 0, 0, 0)  # the screen around it has its own margins
        keys = ["7", "8", "9", "4", "5", "6", "1", "2", "3", "." if decimal else "C", "0", "⌫"]
        for n, key in enumerate(keys):
            button = touch_button(key, self)
            button.setObjectName(f"pad_{key}")
            button.clicked.connect(lambda _=False, k=key: self._press(k))
            grid.addWidget(button, n // 3, n % 3)
        ok = touch_button(tr("Enter"), self)
        ok.setObjectName("pad_enter")
        ok.clicked.connect(self.enter.emit)
        if beside_enter is None:
            grid.addWidget(ok, 4, 0, 1, 3)
        else:  # the screen's own key in the last third of the Enter row
            grid.addWidget(ok, 4, 0, 1, 2)
            grid.addWidget(beside_enter, 4, 2)

    def _press(self, key: str) -> None:
        if key == "C":
            self.target.clear()
        elif key == "⌫":
            self.target.backspace()
        else:
            self.target.insert(key)
        self.target.setFocus()
