"""The receipts screen: today's and yesterday's receipts listed newest first, searchable;
find any receipt by its number or the digits it ends with, see it as printed, reprint it
(counted and marked), refund items from it, void it, or refund goods brought back without
one."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from shared.receipt import Receipt, ReceiptKind, render_text
from shared.tender import TenderType
from till.services.refunds import CompletedRefund
from till.ui.actions import problems_shown, with_manager
from till.ui.context import UiContext
from till.ui.keys import action_button, on_key, paper
from till.ui.language import tr
from till.ui.pin_pad import TOUCH_SIZE
from till.ui.print_problem import print_receipt, save_tax_invoice
from till.ui.recent_receipts import RecentFilter, RecentModel, recent_table
from till.ui.refund_dialog import REFUND_TENDERS, NoReceiptDialog, RefundDialog


class ReceiptsView(QWidget):
    done = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("receipts_view")
        self.receipt: Receipt | None = None
        self.number = QLineEdit()
        self.number.setObjectName("receipt_number")
        self.number.setPlaceholderText(
            tr("scan the receipt, or type its last digits (e.g. 525), an amount or a time")
        )
        self.number.setMinimumHeight(TOUCH_SIZE - 12)
        self.number.returnPressed.connect(self.look_up)
        self.recent = RecentModel(self)
        self.found = RecentFilter(self.recent, self)
        self.number.textEdited.connect(self.found.search)
        self.list = recent_table(self.found)
        self.list.setMinimumWidth(320)  # receipt numbers wrap; the slip and its keys fit 1024 px
        self.list.selectionModel().currentRowChanged.connect(self._row_chosen)
        self.list.clicked.connect(lambda index: self._row_chosen(index, index))
        on_key("Down", self.number, self._into_list)
        self.reason = QLineEdit()
        self.reason.setObjectName("receipt_reason")
        self.reason.setPlaceholderText(tr("why: e.g. damaged, wrong size, rung up twice"))
        self.reason.setMinimumHeight(TOUCH_SIZE - 12)
        form = QFormLayout()
        form.addRow(tr("Find a receipt"), self.number)
        form.addRow(tr("Reason for a refund or void"), self.reason)
        self.text = paper(
            "receipt_text", ctx.settings.columns, tr("The receipt appears here as it was printed.")
        )
        self.info = QLabel()
        self.info.setObjectName("receipt_info")
        self.info.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("receipt_message")
        self.message.setWordWrap(True)
        self.reprint_button = action_button(tr("Reprint"), "F2", self, self.reprint, "reprint")
        self.refund_button = action_button(tr("Refund items"), "F3", self, self.refund, "refund")
        self.void_button = action_button(tr("Void sale"), "F4", self, self.void, "void")
        side = QGridLayout()
        side.addWidget(action_button(tr("Find"), None, self, self.look_up, "find"), 0, 0)
        side.addWidget(self.reprint_button, 1, 0)
        side.addWidget(self.refund_button, 2, 0)
        side.addWidget(self.void_button, 3, 0)
        no_receipt = action_button(
            tr("Refund without receipt"), "F5", self, self.refund_without_receipt, "no_receipt"
        )
        side.addWidget(no_receipt, 4, 0)
        self.invoice_button = action_button(
            tr("Tax invoice (A4 PDF)"), "F6", self, self.tax_invoice, "tax_invoice"
        )
        side.addWidget(self.invoice_button, 5, 0)
        side.setRowStretch(6, 1)
        side.addWidget(
            action_button(tr("Back to selling"), "Esc", self, self.done.emit, "back"), 7, 0
        )
        body = QHBoxLayout()
        body.addWidget(self.list, 1)
        slip = QVBoxLayout()
        slip.addWidget(self.text, 1, Qt.AlignmentFlag.AlignHCenter)
        slip.addWidget(self.info)
        body.addLayout(slip)
        body.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(body, 1)
        layout.addWidget(self.message)
        self._show(None)

    def refresh(self) -> None:
        self.message.clear()
        self._reload()
        self.number.setFocus()
        self.number.selectAll()

    def _reload(self) -> None:
        with problems_shown(self):
            self.recent.reset(self.ctx.till.receipts().recent(), self.ctx.till.clock())
            self.found.search(self.number.text())

    def showEvent(self, event: QShowEvent) -> None:
        # The window may refresh a screen before showing it, and a hidden field cannot take
        # the focus; the keys of this screen only work while the focus is inside it.
        super().showEvent(event)
        self.number.setFocus()

    # --- looking up -------------------------------------------------------------------------

    def look_up(self) -> None:
        """Enter in the search line: a receipt number (whole, or the digits it ends with) is
        looked up over all this till's receipts; an amount or a time opens the one recent
        receipt it matches, or says to choose among several."""
        text = self.number.text()
        self.message.clear()
        compact = "".join(text.split())
        # Digits, or letters as in ORC-T01-000525, are a receipt number; "12.50", "-5.90" or
        # "14:30" are looked for in the list.
        is_number = compact.isdigit() or any(ch.isalpha() for ch in compact)
        if compact and not is_number and self.found.rowCount() != 1:
            count = self.found.rowCount()
            self.message.setText(
                tr("{count} recent receipts match {text}: Down, then choose one.").format(
                    count=count, text=repr(text.strip())
                )
                if count
                else tr("No receipt of today or yesterday matches {text}.").format(
                    text=repr(text.strip())
                )
            )
            return
        with problems_shown(self):
            if compact and not is_number:
                self._open(self.found.receipt_no(0))
            else:
                self._show(self.ctx.till.receipts().look_up(text))
        self.number.setFocus()
        self.number.selectAll()

    def _into_list(self) -> None:
        if self.found.rowCount():
            self.list.setFocus()
            self.list.selectRow(0)

    def _row_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            with problems_shown(self):
                self._open(self.found.receipt_no(current.row()))

    def _open(self, receipt_no: str) -> None:
        self.message.clear()
        self._show(self.ctx.till.receipts().look_up(receipt_no))

    def _show(self, receipt: Receipt | None) -> None:
        self.receipt = receipt
        is_sale = receipt is not None and receipt.kind is not ReceiptKind.REFUND
        # Every slip can be printed again: a refund or void slip skipped at a dead printer too.
        self.reprint_button.setEnabled(receipt is not None)
        for button in (self.refund_button, self.void_button):
            button.setEnabled(is_sale)
        self.invoice_button.setEnabled(
            receipt is not None and receipt.kind is ReceiptKind.FULL_TAX_INVOICE
        )
        if receipt is None:
            self.text.clear()
            self.info.clear()
            return
        self.text.setPlainText(render_text(receipt, width=self.ctx.settings.columns))
        copies = receipt.reprint_count
        reprinted = (
            (tr("reprinted {count} time") if copies == 1 else tr("reprinted {count} times"))
            if copies
            else tr("original")
        ).format(count=copies)
        if receipt.kind is not ReceiptKind.REFUND:
            self.info.setText(
                tr("Sale of {amount} ({copies}).").format(
                    amount=f"${receipt.total:,.2f}", copies=reprinted
                )
            )
        elif receipt.original_number is None:
            self.info.setText(
                tr("Refund slip without a receipt ({copies}).").format(copies=reprinted)
            )
        else:
            slip = (
                tr("Void slip of sale {number} ({copies}).")
                if receipt.is_void
                else tr("Refund slip for sale {number} ({copies}).")
            )
            self.info.setText(slip.format(number=receipt.original_number, copies=reprinted))

    def _number(self) -> str:
        assert self.receipt is not None  # the buttons are disabled without a receipt
        return str(self.receipt.number)

    # --- actions ----------------------------------------------------------------------------

    def tax_invoice(self) -> None:
        """F6: the business customer's full tax invoice, saved as an A4 PDF."""
        if self.receipt is None:
            return
        with problems_shown(self):
            invoice = self.ctx.till.receipts().tax_invoice(self._number())
            path = save_tax_invoice(self.ctx, invoice)
            self.message.setText(
                tr("Tax invoice {number} saved as PDF: {path}").format(
                    number=invoice.number, path=path
                )
            )

    def reprint(self) -> None:
        if self.receipt is None:
            return
        with problems_shown(self):
            who = self.ctx.require_cashier()
            receipts = self.ctx.till.receipts()
            copy = receipts.next_copy(self._number())
            printed = print_receipt(self, self.ctx, copy)
            if not (printed.on_paper or printed.pdf):
                # Nothing reached paper or a PDF: no copy exists, so none is counted.
                self.message.setText(
                    tr("Reprint of {number} skipped; F2 tries again.").format(number=copy.number)
                )
                return
            receipts.count_copy(who, copy)
            self._show(copy)
            self.message.setText(
                tr("REPRINT #{count} {outcome}.").format(
                    count=copy.reprint_count, outcome=printed.words()
                )
            )

    def refund(self) -> None:
        if self.receipt is None:
            return
        with problems_shown(self):
            who = self.ctx.require_cashier()
            refunds = self.ctx.till.refunds()
            sale = refunds.lookup(self._number())
            if not any(line.left for line in sale.lines):
                self.message.setText(
                    tr("Everything on {number} was already refunded.").format(
                        number=sale.receipt_no
                    )
                )
                return
            dialog = RefundDialog(
                sale,
                self._paid_by(),
                self.reason.text(),
                lambda choice: refunds.refund(
                    who,
                    sale.receipt_no,
                    choice.quantities,
                    reason=choice.reason,
                    tender=choice.tender,
                ),
                self,
            )
            try:
                dialog.exec()
                choice, done = dialog.choice, dialog.done_refund
            finally:
                dialog.deleteLater()
            if choice is None or done is None:
                return
            self._refunded(done, choice.tender)

    def void(self) -> None:
        if self.receipt is None:
            return
        with problems_shown(self):
            who = self.ctx.require_cashier()
            number, reason = self._number(), self.reason.text()
            done = with_manager(
                self,
                self.ctx,
                lambda manager: self.ctx.till.refunds().void(
                    who, number, reason=reason, approved_by=manager
                ),
                subject=number,
            )
            if done is not None:
                tender = done.receipt.tenders[0].label if done.receipt.tenders else "Cash"
                self._refunded(done, REFUND_TENDERS.get(tender, TenderType.CASH))

    def refund_without_receipt(self) -> None:
        with problems_shown(self):
            who = self.ctx.require_cashier()
            dialog = NoReceiptDialog(self.ctx, self)
            try:
                accepted = dialog.exec()
                product, quantity = dialog.product, dialog.quantity
            finally:
                dialog.deleteLater()
            if not accepted or product is None:
                return
            reason = self.reason.text()
            done = with_manager(
                self,
                self.ctx,
                lambda manager: self.ctx.till.refunds().refund_without_receipt(
                    who, product, quantity, reason=reason, approved_by=manager
                ),
                subject=product.sku,
            )
            if done is not None:
                self._refunded(done, TenderType.CASH)

    def _paid_by(self) -> TenderType:
        """Pay back the way the sale was paid when it had one tender; else cash."""
        tenders = self.receipt.tenders if self.receipt else ()
        if len(tenders) == 1:
            return REFUND_TENDERS.get(tenders[0].label, TenderType.CASH)
        return TenderType.CASH

    def _refunded(self, done: CompletedRefund, tender: TenderType) -> None:
        self.reason.clear()
        self._reload()  # the sale's status and the new slip, in the list
        self._show(done.receipt)
        self.number.setText(done.receipt_no)
        cash_out = tender is TenderType.CASH and done.total > 0  # nothing to hand over: shut
        printed = print_receipt(self, self.ctx, done.receipt, open_drawer=cash_out)
        words = next(k for k, v in REFUND_TENDERS.items() if v is tender)
        said = tr("Refund {number}: {amount} paid back by {tender}; slip {outcome}.").format(
            number=done.receipt_no,
            amount=f"${done.total:,.2f}",
            tender=tr(words),
            outcome=printed.words(),
        )
        # Why the figure is not the items' own price: what is kept was re-priced under the
        # sale's promotions (docs/promotions.md).
        if done.repriced < 0:
            said += " " + tr(
                "{amount} less: what the customer keeps no longer meets its promotion."
            ).format(amount=f"${-done.repriced:,.2f}")
        elif done.repriced > 0:
            said += " " + tr(
                "{amount} more: held back by an earlier refund of this sale for its promotion."
            ).format(amount=f"${done.repriced:,.2f}")
        self.message.setText(said)
