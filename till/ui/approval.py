"""A manager's (or supervisor's) PIN approving one action the cashier cannot do alone.

Every attempt goes through ``StaffService.approve``, which writes it to the audit chain and
applies the lockout; the dialog only shows the outcome in plain words.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from shared.cart import ManagerAction
from till.services.context import CashierError
from till.services.staff import NotAnApprover, SignedIn
from till.ui.context import UiContext
from till.ui.errors import plain_message
from till.ui.keys import returns_keyboard
from till.ui.language import tr
from till.ui.look import set_role
from till.ui.pin_pad import TOUCH_SIZE, DigitPad
from till.ui.refusals import translate_refusal

ACTION_WORDS = {
    action: str(words)
    for action, words in {
        ManagerAction.DISCOUNT_OVER_LIMIT: QT_TRANSLATE_NOOP(
            "till", "Discount above the outlet's limit"
        ),
        ManagerAction.PRICE_OVERRIDE: QT_TRANSLATE_NOOP("till", "Price override"),
        ManagerAction.VOID_SALE: QT_TRANSLATE_NOOP("till", "Void a sale"),
        ManagerAction.REFUND_WITHOUT_RECEIPT: QT_TRANSLATE_NOOP("till", "Refund without a receipt"),
        ManagerAction.CASH_VARIANCE: QT_TRANSLATE_NOOP(
            "till", "Cash variance above the outlet's limit"
        ),
        ManagerAction.STOCK_CONTROL: QT_TRANSLATE_NOOP(
            "till", "Stock: receive, count or transfer goods"
        ),
        ManagerAction.STOCK_ADJUSTMENT_OVER_LIMIT: QT_TRANSLATE_NOOP(
            "till", "Stock adjustment above the till's limit"
        ),
    }.items()
}


class ApprovalDialog(QDialog):
    """Staff code, then PIN, then Enter. Esc cancels."""

    def __init__(
        self,
        parent: QWidget | None,
        ctx: UiContext,
        action: ManagerAction,
        detail: str,
        subject: str | None,
    ) -> None:
        super().__init__(parent)
        returns_keyboard(self)
        self.setObjectName("approval")
        self.setWindowTitle(tr("Manager approval"))
        self.ctx, self.action, self.subject = ctx, action, subject
        self.approver: SignedIn | None = None
        layout = QVBoxLayout(self)
        words = tr(ACTION_WORDS[action]) if action in ACTION_WORDS else action.value
        heading = QLabel(f"<b>{words}</b><br>{translate_refusal(detail)}")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        form = QFormLayout()
        self.code = QLineEdit()
        self.code.setObjectName("approval_code")
        self.code.setPlaceholderText(tr("manager's staff code"))
        self.pin = QLineEdit()
        self.pin.setObjectName("approval_pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(tr("PIN"))
        form.addRow(tr("Staff code"), self.code)
        form.addRow(tr("PIN"), self.pin)
        layout.addLayout(form)
        pad = DigitPad(self.pin, self)
        pad.enter.connect(lambda: self._enter(from_code=False))
        layout.addWidget(pad)
        self.message = QLabel()
        self.message.setObjectName("approval_message")
        self.message.setWordWrap(True)
        set_role(self.message, "error")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        if cancel is not None:
            cancel.setText(tr("Cancel"))
            # A dialog presses its default button on Enter: the Cancel button once took the
            # Enter after a staff code, closed the box, and the PIN went on into the scan line.
            cancel.setAutoDefault(False)
            cancel.setDefault(False)
            cancel.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(buttons)
        self.code.setFocus(Qt.FocusReason.OtherFocusReason)
        # As wide as a comfortable keypad, and never shorter than everything in it needs:
        # without a window manager the box came up at the height its wrapped heading was
        # thought to need, 57 px short, and the keypad's Enter was cut off.
        self.setMinimumWidth(TOUCH_SIZE * 9)
        self.ensurePolished()
        self.setMinimumHeight(self.sizeHint().height())

        for field in (self.code, self.pin):
            field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A line edit passes Enter on to its dialog, which presses a button with it: each
        # Enter is taken here, where it is known which field it was typed in.
        if (
            watched in (self.code, self.pin)
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self._enter(from_code=watched is self.code)
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            self._enter(from_code=self.code.hasFocus())
            return
        super().keyPressEvent(event)

    def _enter(self, *, from_code: bool = False) -> None:
        """Enter after the staff code moves on to the PIN; Enter after the PIN asks."""
        if not self.code.text().strip():
            self.message.setText(tr("Type the manager's staff code first."))
            self.code.setFocus()
        elif from_code or not self.pin.text():
            self.pin.setFocus()
        else:
            self._try()

    def done(self, result: int) -> None:
        self.pin.clear()  # the PIN never outlives the box
        super().done(result)

    def _try(self) -> None:
        code, pin = self.code.text().strip(), self.pin.text().strip()
        try:
            self.approver = self.ctx.till.staff.approve(
                code,
                pin,
                self.action,
                requested_by=self.ctx.require_cashier(),
                subject=self.subject,
            )
        except NotAnApprover as exc:
            # Someone else must come: their code first.
            self.message.setText(plain_message(exc))
            self.pin.clear()
            self.code.clear()
            self.code.setFocus()
            return
        except CashierError as exc:
            self.message.setText(plain_message(exc))
            self.pin.clear()
            self.pin.setFocus()
            return
        self.accept()


def ask_approval(
    parent: QWidget,
    ctx: UiContext,
    action: ManagerAction,
    detail: str,
    *,
    subject: str | None = None,
) -> SignedIn | None:
    """Ask for a manager's approval; the approver, or None if the cashier cancelled."""
    dialog = ApprovalDialog(parent, ctx, action, detail, subject)
    try:
        dialog.exec()
        return dialog.approver
    finally:
        dialog.deleteLater()
