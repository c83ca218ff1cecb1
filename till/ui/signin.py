"""Sign-in: staff code, then PIN, by keyboard or on-screen pad.

Lockouts are the staff service's (five wrong PINs, five minutes, enforced offline too); the
screen only shows its words. The demo's PINs are printed on the screen in demo mode only.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from till.services.context import CashierError
from till.services.staff import SignedIn
from till.ui.context import UiContext
from till.ui.errors import plain_message
from till.ui.language import DEFAULT, LANGUAGES, CashierLanguages, set_language, tr
from till.ui.look import TOUCH, set_role
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

        self.title = title = QLabel()
        set_role(title, "heading")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(title)
        # The screens' language for whoever signs in next; remembered per cashier.
        self.languages = CashierLanguages(ctx.till.data_dir)
        self.language = DEFAULT
        choice = QHBoxLayout()
        self.language_keys: dict[str, QPushButton] = {}
        for code, name in LANGUAGES.items():
            key = touch_button(name, self)
            key.setObjectName(f"language_{code}")
            key.setCheckable(True)
            key.clicked.connect(lambda _=False, c=code: self.choose_language(c))
            choice.addWidget(key)
            self.language_keys[code] = key
        column.addLayout(choice)
        self.roster = QGridLayout()
        column.addLayout(self.roster)
        self.code = QLineEdit()
        self.code.setObjectName("signin_code")
        self.pin = QLineEdit()
        self.pin.setObjectName("signin_pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.retranslate()
        for field in (self.code, self.pin):
            field.setMinimumHeight(TOUCH)
            column.addWidget(field)
        pad = DigitPad(self.pin, self)
        pad.enter.connect(self._sign_in)
        column.addWidget(pad)
        self.message = QLabel()
        self.message.setObjectName("signin_message")
        self.message.setWordWrap(True)
        set_role(self.message, "error")
        column.addWidget(self.message)
        self.demo_pins = QLabel()
        self.demo_pins.setObjectName("signin_demo_pins")
        self.demo_pins.setWordWrap(True)
        self.demo_pins.setVisible(ctx.demo)
        column.addWidget(self.demo_pins)
        column.addStretch(1)

        self.code.returnPressed.connect(self._code_entered)
        self.pin.returnPressed.connect(self._sign_in)

    def retranslate(self) -> None:
        self.title.setText(tr("Sign in"))
        self.code.setPlaceholderText(tr("Staff code, then Enter"))
        self.pin.setPlaceholderText(tr("PIN, then Enter"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange and hasattr(self, "pin"):
            self.retranslate()
        super().changeEvent(event)

    def choose_language(self, code: str) -> None:
        """The screens in ``code`` from now (this screen at once) for whoever signs in."""
        self.language = code
        for other, key in self.language_keys.items():
            key.setChecked(other == code)
        set_language(code)
        (self.pin if self.code.text().strip() else self.code).setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.reset()

    def reset(self, message: str = "") -> None:
        self.choose_language(DEFAULT)
        self.code.clear()
        self.pin.clear()
        self.message.setText(message)
        self._fill_roster()
        if self.ctx.demo:
            from till.demo import DEMO_PINS

            self.demo_pins.setText(tr("Demo till. Code/PIN: {pins}").format(pins=DEMO_PINS))
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
        self._their_language(code)
        self.pin.clear()
        self.pin.setFocus()

    def _code_entered(self) -> None:
        if self.code.text().strip():
            self._their_language(self.code.text())
            self.pin.setFocus()

    def _their_language(self, code: str) -> None:
        remembered = self.languages.of(code)
        if remembered is not None and remembered != self.language:
            self.choose_language(remembered)

    def _sign_in(self) -> None:
        code = self.code.text().strip()
        if not code:
            self.message.setText(tr("Type your staff code first, then your PIN."))
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
        self.languages.remember(who.code, self.language)
        self.message.clear()
        self.signed_in.emit(who)
