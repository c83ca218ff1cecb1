"""Running totals beside the cart: what the customer will pay and the GST inside it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from shared.cart import SaleTotals
from shared.money import ZERO
from till.ui.money_text import dollars


class TotalsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.items = self._value("totals_items")
        self.subtotal = self._value("totals_subtotal")
        self.discount = self._value("totals_discount")
        self.total = self._value("totals_total")
        self.total.setStyleSheet("font-size: 28px; font-weight: bold")
        self.gst = self._value("totals_gst")
        form.addRow("Items", self.items)
        form.addRow("Subtotal", self.subtotal)
        form.addRow("Discounts", self.discount)
        form.addRow("Total", self.total)
        form.addRow("", self.gst)
        self.show_totals(None)

    def _value(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return label

    def show_totals(self, totals: SaleTotals | None, *, gst_registered: bool = True) -> None:
        # Every figure always shows a number: a blank reads as "not worked out yet".
        if totals is None or not totals.lines:
            self.items.setText("0")
            for label in (self.subtotal, self.discount, self.total):
                label.setText(dollars(ZERO))
            self.gst.clear()
            return
        count = sum(1 if p.line.product.weighed else p.line.quantity for p in totals.lines)
        self.items.setText(f"{count}")
        self.subtotal.setText(dollars(totals.subtotal))
        self.discount.setText(dollars(-totals.discount_total))
        self.total.setText(dollars(totals.total))
        # Prices are GST-inclusive; the customer is told how much of the total is GST.
        self.gst.setText(f"includes GST {dollars(totals.gst_total)}" if gst_registered else "")
