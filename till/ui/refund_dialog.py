"""Choosing what to refund: items and quantities from a receipt, or one item brought back
without a receipt, and how the money goes back. The refund itself is the screen's job."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shared.cart import ProductSnapshot
from shared.receipt_build import tender_label
from shared.tender import TenderType
from till.services.context import REFUSALS
from till.services.refunds import CompletedRefund, SaleForRefund
from till.ui.context import UiContext
from till.ui.errors import plain_message
from till.ui.keys import action_button, returns_keyboard
from till.ui.language import tr
from till.ui.look import set_role
from till.ui.money_text import dollars
from till.ui.pin_pad import TOUCH_SIZE

# How money can go back to a customer; the outlet's terminal reverses card and PayNow. Keyed
# by the label the receipt prints, so a receipt's tender maps back to its type.
REFUND_TENDERS = {
    tender_label(kind): kind
    for kind in (TenderType.CASH, TenderType.NETS, TenderType.CARD, TenderType.PAYNOW)
}
QTY_COLUMN = 4


def _quantity(text: str) -> Decimal:
    try:
        value = Decimal(text.strip() or "0")
    except InvalidOperation:
        raise ValueError(_not_a_quantity(text)) from None
    if not value.is_finite() or value < 0:
        raise ValueError(_not_a_quantity(text))
    return value


def _not_a_quantity(text: str) -> str:
    return tr("{text} is not a quantity; type e.g. 1 or 0.250").format(text=repr(text.strip()))


def _fmt(quantity: Decimal) -> str:
    return f"{quantity.normalize():f}"


@dataclass(frozen=True)
class RefundChoice:
    quantities: dict[str, Decimal]
    tender: TenderType
    reason: str


class RefundDialog(QDialog):
    """Type the quantity to refund beside each item (F2 fills in everything left), choose
    how to pay back, Ctrl+Enter to refund, Esc to cancel.

    The dialog runs the refund itself (``submit``) and stays open when it is refused, with
    the reason in red and every quantity as typed: the cashier corrects one figure instead of
    starting again."""

    def __init__(
        self,
        sale: SaleForRefund,
        tender: TenderType,
        reason: str,
        submit: Callable[[RefundChoice], CompletedRefund],
        parent: QWidget | None,
    ) -> None:
        super().__init__(parent)
        returns_keyboard(self)
        self.setObjectName("refund_dialog")
        self.setWindowTitle(tr("Refund items of {number}").format(number=sale.receipt_no))
        self.sale = sale
        self.submit = submit
        self.choice: RefundChoice | None = None
        self.done_refund: CompletedRefund | None = None
        self.table = QTableWidget(len(sale.lines), 5)
        self.table.setObjectName("refund_lines")
        self.table.setHorizontalHeaderLabels(
            [tr("Item"), tr("Sold"), tr("Refunded"), tr("Left"), tr("Refund now")]
        )
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(TOUCH_SIZE - 12)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        for row, line in enumerate(sale.lines):
            cells = [line.name, _fmt(line.sold), _fmt(line.refunded), _fmt(line.left)]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, col, item)
            self.table.setItem(row, QTY_COLUMN, QTableWidgetItem("0"))
        self.tender = QComboBox()
        self.tender.setObjectName("refund_tender")
        for label in REFUND_TENDERS:
            self.tender.addItem(tr(label), label)
        self.tender.setCurrentIndex(list(REFUND_TENDERS.values()).index(tender))
        self.tender.setMinimumHeight(TOUCH_SIZE - 12)
        self.reason = QLineEdit(reason)
        self.reason.setObjectName("refund_reason")
        self.reason.setPlaceholderText(tr("why: e.g. damaged, wrong size"))
        self.reason.setMinimumHeight(TOUCH_SIZE - 12)
        self.message = QLabel()
        self.message.setObjectName("refund_message")
        set_role(self.message, "error")
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow(tr("Pay back by"), self.tender)
        form.addRow(tr("Reason"), self.reason)
        buttons = QHBoxLayout()
        buttons.addWidget(action_button(tr("All that is left"), "F2", self, self.fill_all, "all"))
        buttons.addStretch(1)
        buttons.addWidget(action_button(tr("Refund"), "Ctrl+Return", self, self.confirm, "refund"))
        buttons.addWidget(action_button(tr("Cancel"), "Esc", self, self.reject, "cancel"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("Type the quantity to refund beside each item:")))
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(720, 420)
        self.table.setCurrentCell(0, QTY_COLUMN)
        self.table.setFocus()

    def fill_all(self) -> None:
        for row, line in enumerate(self.sale.lines):
            self._qty_cell(row).setText(_fmt(line.left))

    def _qty_cell(self, row: int) -> QTableWidgetItem:
        item = self.table.item(row, QTY_COLUMN)
        assert item is not None  # every row got one when the table was filled
        return item

    def confirm(self) -> None:
        # Commit an edit still open in the table before reading the quantities.
        self.table.setCurrentCell(self.table.currentRow(), 0)
        quantities = {}
        try:
            for row, line in enumerate(self.sale.lines):
                qty = _quantity(self._qty_cell(row).text())
                if qty > line.left:
                    raise ValueError(
                        tr(
                            "{item}: only {left} of {sold} sold is left to refund, not "
                            "{asked}. Change that quantity."
                        ).format(
                            item=line.name,
                            left=_fmt(line.left),
                            sold=_fmt(line.sold),
                            asked=_fmt(qty),
                        )
                    )
                if qty:
                    quantities[line.line_id] = qty
        except ValueError as exc:
            self.message.setText(str(exc))
            return
        if not quantities:
            self.message.setText(tr("Type a quantity beside at least one item (F2: everything)."))
            return
        choice = RefundChoice(
            quantities, REFUND_TENDERS[self.tender.currentData()], self.reason.text()
        )
        try:
            self.done_refund = self.submit(choice)
        except REFUSALS as exc:
            # Refused (no reason, a refund on another till meanwhile, the store busy): say
            # why here and keep what was typed.
            self.message.setText(plain_message(exc))
            return
        self.choice = choice
        self.accept()


class NoReceiptDialog(QDialog):
    """Scan (or type) the item's barcode and the quantity brought back; refunded in cash at
    today's price."""

    def __init__(self, ctx: UiContext, parent: QWidget | None) -> None:
        super().__init__(parent)
        returns_keyboard(self)
        self.setObjectName("no_receipt_dialog")
        self.setWindowTitle(tr("Refund without a receipt"))
        self.ctx = ctx
        self.product: ProductSnapshot | None = None
        self.quantity = Decimal(1)
        self.barcode = QLineEdit()
        self.barcode.setObjectName("no_receipt_barcode")
        self.barcode.setPlaceholderText(tr("scan or type the barcode, then Enter"))
        self.barcode.returnPressed.connect(self.find_item)
        self.qty = QLineEdit("1")
        self.qty.setObjectName("no_receipt_qty")
        self.qty.returnPressed.connect(self.confirm)
        self.found = QLabel(tr("No item yet."))
        self.found.setObjectName("no_receipt_item")
        self.message = QLabel()
        self.message.setObjectName("no_receipt_message")
        set_role(self.message, "error")
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow(tr("Barcode"), self.barcode)
        form.addRow(tr("Item"), self.found)
        form.addRow(tr("Quantity"), self.qty)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(action_button(tr("Refund"), "Ctrl+Return", self, self.confirm, "refund"))
        buttons.addWidget(action_button(tr("Cancel"), "Esc", self, self.reject, "cancel"))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.barcode.setFocus()

    def find_item(self) -> None:
        code = self.barcode.text().strip()
        self.product = self.ctx.till.catalogue.by_barcode(code) if code else None
        if self.product is None:
            self.found.setText(tr("No item yet."))
            self.message.setText(
                tr("No product has barcode {code}: scan again.").format(code=repr(code))
            )
            self.barcode.selectAll()
            return
        self.message.clear()
        self.found.setText(f"{self.product.name}  {dollars(self.product.unit_price)}")
        self.qty.setFocus()
        self.qty.selectAll()

    def confirm(self) -> None:
        if self.product is None:
            self.message.setText(tr("Scan the item's barcode first."))
            self.barcode.setFocus()
            return
        try:
            self.quantity = _quantity(self.qty.text())
        except ValueError as exc:
            self.message.setText(str(exc))
            return
        self.accept()
