"""Counting the drawer: pieces per Singapore note and coin, with the running total."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QWidget

from shared.money import ZERO
from till.services.shifts import DENOMINATIONS
from till.ui.language import tr
from till.ui.look import set_role
from till.ui.pin_pad import TOUCH_SIZE

PIECES = QRegularExpression(r"\d{0,5}")


def denomination_words(denomination: str) -> str:
    value = Decimal(denomination)
    return f"${value:.0f}" if value >= 1 else f"{value * 100:.0f}¢"


class CashCount(QWidget):
    """Notes on the left, coins on the right; Enter moves to the next field and, after the
    last one, emits ``finished``."""

    changed = Signal()
    finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields: dict[str, QLineEdit] = {}
        self._amounts: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        half = (len(DENOMINATIONS) + 1) // 2
        for n, denomination in enumerate(DENOMINATIONS):
            row, col = n % half, (n // half) * 4
            field = QLineEdit()
            field.setObjectName(f"count_{denomination}")
            # Digits only; empty counts as none (and, unlike QIntValidator, still lets Enter
            # through to move on).
            field.setValidator(QRegularExpressionValidator(PIECES, field))
            field.setPlaceholderText("0")
            field.setMinimumHeight(TOUCH_SIZE - 12)
            field.setMaximumWidth(110)
            field.textChanged.connect(self._recount)
            field.returnPressed.connect(lambda n=n: self._next(n))
            amount = QLabel("0.00")
            amount.setMinimumWidth(90)
            amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            words = QLabel(f"{denomination_words(denomination)} ×")
            words.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            words.setMinimumWidth(70)
            grid.addWidget(words, row, col)
            grid.addWidget(field, row, col + 1)
            grid.addWidget(amount, row, col + 2)
            self.fields[denomination] = field
            self._amounts[denomination] = amount
        self.total_label = QLabel()
        self.total_label.setObjectName("count_total")
        set_role(self.total_label, "money")
        grid.setColumnMinimumWidth(3, 60)  # a gutter between notes and coins
        grid.setColumnStretch(7, 1)
        grid.addWidget(self.total_label, half, 0, 1, 7)
        self._recount()

    def counted(self) -> dict[str, int]:
        return {d: int(f.text()) for d, f in self.fields.items() if f.text().strip()}

    def total(self) -> Decimal:
        return sum((Decimal(d) * n for d, n in self.counted().items()), ZERO)

    def clear(self) -> None:
        for field in self.fields.values():
            field.clear()
        self.lock(False)

    def lock(self, locked: bool) -> None:
        """A committed count cannot be edited; read-only rather than disabled, so the focus
        (and with it the page's keys) stays where it was."""
        for field in self.fields.values():
            field.setReadOnly(locked)

    def start(self) -> None:
        self.fields[DENOMINATIONS[0]].setFocus()

    def _next(self, n: int) -> None:
        if n + 1 < len(DENOMINATIONS):
            self.fields[DENOMINATIONS[n + 1]].setFocus()
            self.fields[DENOMINATIONS[n + 1]].selectAll()
        else:
            self.finished.emit()

    def _recount(self) -> None:
        counted = self.counted()
        for denomination, label in self._amounts.items():
            label.setText(f"{Decimal(denomination) * counted.get(denomination, 0):.2f}")
        self.total_label.setText(tr("Counted: {amount}").format(amount=f"${self.total():,.2f}"))
        self.changed.emit()
