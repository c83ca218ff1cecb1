"""Sign-in: staff code, then PIN, by keyboard or on-screen pad.

Lockouts are the staff service's (five wrong PINs, five minutes, enforced offline too); the
screen only shows its words. The demo's PINs are printed on the screen in demo mode only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from till.services.context import CashierError
from till.services.staff import SignedIn
from till.ui.context import UiContext
from till.ui.errors import plain_message
from till.ui.pin_pad import DigitPad, touch_button

ROSTER_COLUMNS = 4


class SignInScreen(QWidget):
    signed_in = Signal(object)  # SignedIn

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signin_screen")
        self.ctx = ctx
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        column = QVBoxLayout()
        outer.addLayout(column, 2)
        outer.addStretch(1)

        title = QLabel("<h2>Sign in</h2>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(title)
        self.roster = QGridLayout()
        column.addLayout(self.roster)
        self.code = QLineEdit()
        self.code.setObjectName("signin_code")
        self.code.setPlaceholderText("Staff code, then Enter")
        self.pin = QLineEdit()
        self.pin.setObjectName("signin_pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText("PIN, then Enter")
        for field in (self.code, self.pin):
            field.setMinimumHeight(44)
            column.addWidget(field)
        pad = DigitPad(self.pin, self)
        pad.enter.connect(self._sign_in)
        column.addWidget(pad)
        self.message = QLabel()
        self.message.setObjectName("signin_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020; font-weight: bold")
        column.addWidget(self.message)
        self.demo_pins = QLabel()
        self.demo_pins.setObjectName("signin_demo_pins")
        self.demo_pins.setWordWrap(True)
        self.demo_pins.setVisible(ctx.demo)
        column.addWidget(self.demo_pins)
        column.addStretch(1)

        self.code.returnPressed.connect(self._code_entered)
        self.pin.returnPressed.connect(self._sign_in)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.reset()

    def reset(self, message: str = "") -> None:
        self.code.clear()
        self.pin.clear()
        self.message.setText(message)
        self._fill_roster()
        if self.ctx.demo:
            from till.demo import DEMO_PINS

            self.demo_pins.setText(f"Demo till. Code/PIN: {DEMO_PINS}")
        self.code.setFocus()

    def _fill_roster(self) -> None:
        # Tapping a name fills the code, for touch screens; nobody's PIN is ever shown.
        while self.roster.count():
            item = self.roster.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()
        for n, person in enumerate(self.ctx.till.staff.roster()):
            button = touch_button(f"{person.display_name}\n{person.code}", self)
            button.setObjectName(f"roster_{person.code}")
            button.clicked.connect(lambda _=False, c=person.code: self._pick(c))
            self.roster.addWidget(button, n // ROSTER_COLUMNS, n % ROSTER_COLUMNS)

    def _pick(self, code: str) -> None:
        self.code.setText(code)
        self.pin.clear()
        self.pin.setFocus()

    def _code_entered(self) -> None:
        if self.code.text().strip():
            self.pin.setFocus()

    def _sign_in(self) -> None:
        code = self.code.text().strip()
        if not code:
            self.message.setText("Type your staff code first, then your PIN.")
            self.code.setFocus()
            return
        try:
            who: SignedIn = self.ctx.till.staff.sign_in(code, self.pin.text().strip())
        except CashierError as exc:
            self.message.setText(plain_message(exc))
            self.pin.clear()
            self.pin.setFocus()
            return
        self.ctx.cashier = who
        self.message.clear()
        self.signed_in.emit(who)
