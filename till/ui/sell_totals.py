"""Running totals beside the cart: what the customer will pay and the GST inside it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from shared.cart import SaleTotals
from shared.money import ZERO
from till.ui.language import tr
from till.ui.look import set_role
from till.ui.money_text import dollars


class TotalsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.items = self._value("totals_items")
        self.subtotal = self._value("totals_subtotal")
        self.discount = self._value("totals_discount")
        self.total = self._value("totals_total")
        set_role(self.total, "total")
        self.gst = self._value("totals_gst")
        set_role(self.gst, "muted")
        self.saved = self._value("totals_saved")
        set_role(self.saved, "ok")
        self.names = [QLabel() for _ in range(5)]
        for name, value in zip(
            self.names[:4], (self.items, self.subtotal, self.discount, self.total), strict=True
        ):
            form.addRow(name, value)
        form.addRow("", self.gst)
        form.addRow(self.names[4], self.saved)
        self._gst_amount: str | None = None
        self.retranslate()
        self.show_totals(None)

    def retranslate(self) -> None:
        words_of = (tr("Items"), tr("Subtotal"), tr("Discounts"), tr("Total"), tr("You saved"))
        for name, words in zip(self.names, words_of, strict=True):
            name.setText(words)
        if self._gst_amount is not None:
            self.gst.setText(tr("includes GST {amount}").format(amount=self._gst_amount))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _show_saved(self, shown: bool) -> None:
        self.names[4].setVisible(shown)
        self.saved.setVisible(shown)

    def _value(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return label

    def show_totals(self, totals: SaleTotals | None, *, gst_registered: bool = True) -> None:
        # Every figure always shows a number: a blank reads as "not worked out yet".
        if totals is None or not totals.lines:
            self.items.setText("0")
            for label in (self.subtotal, self.discount, self.total, self.saved):
                label.setText(dollars(ZERO))
            self.gst.clear()
            self._gst_amount = None
            self._show_saved(False)
            return
        count = sum(1 if p.line.product.weighed else p.line.quantity for p in totals.lines)
        self.items.setText(f"{count}")
        self.subtotal.setText(dollars(totals.subtotal))
        self.discount.setText(dollars(-totals.discount_total))
        self.total.setText(dollars(totals.total))
        self.saved.setText(dollars(totals.promotion_saving))
        # Shown when there is a saving: a row of $0.00 would only take the cart's room.
        self._show_saved(totals.promotion_saving != ZERO)
        # Prices are GST-inclusive; the customer is told how much of the total is GST.
        self._gst_amount = dollars(totals.gst_total) if gst_registered else None
        self.gst.setText(
            tr("includes GST {amount}").format(amount=self._gst_amount) if gst_registered else ""
        )
