"""Taking payment: cash with quick amounts and change, NETS and card with the terminal's
approval code, PayNow by a QR code on screen, in any mix (split tender).

Keys: type an amount (nothing = what is still due), then Enter or F1 for cash, F2 NETS,
F3 card, F4 PayNow; Del takes back the last payment; Esc goes back to the cart when nothing
has been paid. The sale completes by itself once the payments cover it (Ctrl+Enter tries at
any time and says what is missing).
"""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from shared.tender import Tender, TenderType
from till.services.checkout import Checkout, CompletedSale
from till.services.context import REFUSALS, CashierError
from till.ui.context import UiContext
from till.ui.errors import plain_message
from till.ui.money_text import dollars, parse_amount
from till.ui.payment_state import PaymentState
from till.ui.paynow_qr import qr_image
from till.ui.pin_pad import DigitPad, touch_button

_ERROR, _INFO = "color: #b00020; font-weight: bold", "color: #1b5e20; font-weight: bold"
TENDER_ROWS = 4  # payments listed before the list scrolls
AMOUNT_HINT = "Amount (empty = all that is due), then Enter for cash or F2 NETS, F3 card, F4 PayNow"


class Step(Enum):
    AMOUNT = "amount"
    APPROVAL_CODE = "approval code"
    PAYNOW_WAIT = "paynow"


class PaymentScreen(QWidget):
    completed = Signal(object)  # PaidSale
    back = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("payment_screen")
        self.ctx = ctx
        self.checkout: Checkout | None = None
        self.state = PaymentState(Decimal(0), ctx.till.profile.rules.cash_rounding)
        self.step = Step.AMOUNT
        self.pending: tuple[TenderType, Decimal] | None = None
        self.paynow_payload: str | None = None

        self.total = QLabel()
        self.total.setObjectName("pay_total")
        self.total.setStyleSheet("font-size: 28px; font-weight: bold")
        self.due = QLabel()
        self.due.setObjectName("pay_due")
        self.due.setStyleSheet("font-size: 22px")
        self.rounding = QLabel()
        self.rounding.setObjectName("pay_rounding")
        self.paid = QListWidget()
        self.paid.setObjectName("pay_tenders")
        self.paid.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.paid.setStyleSheet("font-size: 18px")
        self.hint = QLabel(AMOUNT_HINT)
        self.hint.setObjectName("pay_hint")
        self.hint.setWordWrap(True)
        self.entry = QLineEdit()
        self.entry.setObjectName("pay_entry")
        self.entry.setMinimumHeight(48)
        self.entry.setStyleSheet("font-size: 20px")
        self.message = QLabel()
        self.message.setObjectName("pay_message")
        self.message.setWordWrap(True)
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.entry.setMaxLength(32)  # an amount or an approval code, never a stray paste
        self.qr_heading = QLabel("Scan to pay with PayNow")
        self.qr_heading.setObjectName("pay_qr_heading")
        self.qr_heading.setStyleSheet("font-size: 22px; font-weight: bold")
        self.qr = QLabel()
        self.qr.setObjectName("pay_qr")
        self.qr_caption = QLabel()
        self.qr_caption.setObjectName("pay_qr_caption")
        self.qr_caption.setWordWrap(True)
        self.qr_caption.setStyleSheet("font-size: 18px")
        self.qr_caption.setTextFormat(Qt.TextFormat.RichText)  # the amount stands out
        for label in (self.qr_heading, self.qr, self.qr_caption):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.received = touch_button("Received (Enter)")
        self.received.setObjectName("pay_received")
        self.received.clicked.connect(self._confirm_paynow)
        self.quick = QWidget()
        self.quick_grid = QHBoxLayout(self.quick)

        left = QVBoxLayout()
        for widget in (self.total, self.due, self.rounding, self.paid, self.hint, self.entry):
            left.addWidget(widget)
        left.addWidget(self.quick)
        left.addWidget(self.message)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.qr_heading)
        right.addWidget(self.qr)
        right.addWidget(self.qr_caption)
        right.addWidget(self.received)
        right.addWidget(self._tender_buttons())
        # The pad makes way for the QR code while a PayNow transfer is awaited.
        self.pad = DigitPad(self.entry, self, decimal=True)
        self.pad.enter.connect(self._enter)
        right.addWidget(self.pad)
        right.addStretch(1)  # spare height below the keys, not between the QR and its button
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)
        self._show_qr(None)

        self.entry.returnPressed.connect(self._enter)
        self.entry.installEventFilter(self)
        for keys, run in (
            (("F1",), lambda: self.take(TenderType.CASH)),
            (("F2",), lambda: self.take(TenderType.NETS)),
            (("F3",), lambda: self.take(TenderType.CARD)),
            (("F4",), lambda: self.take(TenderType.PAYNOW)),
            (("Ctrl+Return", "Ctrl+Enter"), self.complete),
            (("Esc",), self.go_back),
        ):
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(run)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Delete in an empty field takes back the last payment; the line edit would otherwise
        # take the key as an edit before any shortcut saw it.
        if (
            watched is self.entry
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Delete
            and not self.entry.text()
        ):
            self.remove_last()
            return True
        return super().eventFilter(watched, event)

    def _tender_buttons(self) -> QWidget:
        panel = QWidget(self)
        grid = QGridLayout(panel)
        for n, (name, label, run) in enumerate(
            (
                ("cash", "Cash\nEnter/F1", lambda: self.take(TenderType.CASH)),
                ("nets", "NETS\nF2", lambda: self.take(TenderType.NETS)),
                ("card", "Card\nF3", lambda: self.take(TenderType.CARD)),
                ("paynow", "PayNow\nF4", lambda: self.take(TenderType.PAYNOW)),
                ("remove", "Remove payment\nDel", self.remove_last),
                ("back", "Back to cart\nEsc", self.go_back),
            )
        ):
            button = touch_button(label, panel)
            button.setObjectName(f"pay_{name}")
            button.clicked.connect(run)
            grid.addWidget(button, n // 2, n % 2)
        return panel

    # --- life cycle ---------------------------------------------------------------------

    def start(self, checkout: Checkout) -> None:
        self.checkout = checkout
        totals = checkout.totals()
        self.state = PaymentState(totals.total, checkout.profile.rules.cash_rounding)
        self.paynow_payload = None
        # Whatever was typed before the cashier went back to the cart belongs to that visit:
        # a stale "50" plus a new "5" once took $505 in cash.
        self.entry.clear()
        self.total.setText(f"Total {dollars(totals.total)}")
        self._to_amount_step()
        self.say("")
        self._redraw()

    # --- keys ---------------------------------------------------------------------------

    def _enter(self) -> None:
        if self.step is Step.AMOUNT:
            self.take(TenderType.CASH)
        elif self.step is Step.APPROVAL_CODE:
            self._approval_code_entered()
        else:
            self._confirm_paynow()

    def take(self, kind: TenderType) -> None:
        """Start a payment of ``kind`` for the amount typed (or all that is still due)."""
        if self.step is not Step.AMOUNT:
            self.say("Finish the payment in progress first, or press Esc.", error=True)
            return
        typed = self.entry.text().strip()
        try:
            if kind is TenderType.CASH:
                amount = parse_amount(typed) if typed else self.state.cash_due
            else:
                amount = parse_amount(typed) if typed else self.state.exact_due
                self.state.check_non_cash(kind, amount)
            if amount <= 0:
                raise CashierError("Nothing is due: the sale is paid")
        except REFUSALS as exc:
            self.say(plain_message(exc), error=True)
            return
        self.entry.clear()
        if kind is TenderType.CASH:
            self._add(Tender(TenderType.CASH, amount))
        elif kind is TenderType.PAYNOW:
            self._start_paynow(amount)
        else:
            self.pending = (kind, amount)
            self.step = Step.APPROVAL_CODE
            self.hint.setText(
                f"{kind.value.upper() if kind is TenderType.NETS else 'Card'} "
                f"{dollars(amount)}: type the approval code the terminal printed, then Enter "
                "(Esc cancels)"
            )
        if self.isVisible():  # not when the payment just completed and the cart is back
            self.entry.setFocus()

    def quick_cash(self, amount: Decimal) -> None:
        self.entry.setText(f"{amount}")
        self.take(TenderType.CASH)

    def _approval_code_entered(self) -> None:
        assert self.pending is not None
        kind, amount = self.pending
        code = self.entry.text().strip()
        try:
            tender = Tender(kind, amount, reference=code or None)
        except REFUSALS as exc:
            self.say(plain_message(exc), error=True)
            return
        self.entry.clear()
        self._to_amount_step()
        self._add(tender)

    def _start_paynow(self, amount: Decimal) -> None:
        checkout = self._checkout()
        try:
            payload = checkout.paynow_payload(amount)
            reference = str(checkout.next_receipt_number())
        except REFUSALS as exc:
            self.say(plain_message(exc), error=True)
            return
        self.pending = (TenderType.PAYNOW, amount)
        self.paynow_payload = payload
        self.step = Step.PAYNOW_WAIT
        big = f"<b style='font-size: 28px'>{dollars(amount)}</b>"
        self._show_qr(payload, f"{big}<br>reference {reference}")
        self.hint.setText(
            "Ask the customer to scan the QR code. Press Enter (or Received) once the transfer "
            "shows as received; Esc cancels."
        )
        self.say("")

    def _confirm_paynow(self) -> None:
        if self.step is not Step.PAYNOW_WAIT or self.pending is None:
            return
        _, amount = self.pending
        checkout = self._checkout()
        reference = str(checkout.next_receipt_number())
        tender = Tender(
            TenderType.PAYNOW, amount, reference=reference, confirmed_by=checkout.cashier.staff_id
        )
        self._to_amount_step()
        self._add(tender)

    def remove_last(self) -> None:
        if self.step is not Step.AMOUNT:
            return
        if not self.state.tenders:
            self.say("No payment to take back.", error=True)
            return
        gone = self.state.tenders.pop()
        self._redraw()
        self.say(f"Took back {gone.type.value} {dollars(gone.amount)}.")

    def go_back(self) -> None:
        if self.step is not Step.AMOUNT:
            self._to_amount_step()  # Esc cancels the NETS/card/PayNow question first
            self.say("Payment cancelled.")
            return
        if self.state.tenders:
            self.say(
                "Payments are already taken: remove them first (Del) or finish the sale.",
                error=True,
            )
            return
        self.back.emit()

    # --- paying ---------------------------------------------------------------------------

    def _add(self, tender: Tender) -> None:
        self.state.tenders.append(tender)
        self._redraw()
        if self.state.covered:
            self.complete()
        else:
            self.say(f"{tender.type.value.title()} {dollars(tender.amount)} taken.")

    def complete(self) -> None:
        checkout = self._checkout()
        tenders = list(self.state.tenders)
        try:
            sale = checkout.complete(tenders)
        except REFUSALS as exc:
            self.say(plain_message(exc), error=True)
            self.entry.setFocus()
            return
        paid_cash = any(t.type is TenderType.CASH for t in tenders)
        paynow = self.paynow_payload if any(t.type is TenderType.PAYNOW for t in tenders) else None
        self.state = PaymentState(Decimal(0), self.state.rounding_mode)
        self._show_qr(None)
        self.completed.emit(PaidSale(sale, paid_cash, paynow))

    # --- screen ---------------------------------------------------------------------------

    def _to_amount_step(self) -> None:
        self.step, self.pending = Step.AMOUNT, None
        self.hint.setText(AMOUNT_HINT)
        self._show_qr(None)
        self.entry.setFocus()

    def _redraw(self) -> None:
        s = self.state
        self.paid.clear()
        for t in s.tenders:
            ref = f"  (ref {t.reference})" if t.reference else ""
            self.paid.addItem(f"{t.type.value.upper()}  {dollars(t.amount)}{ref}")
        # As tall as the payments taken (a split tender rarely has more than a few), no taller.
        self.paid.setVisible(bool(s.tenders))
        rows = min(len(s.tenders), TENDER_ROWS)
        row = self.paid.sizeHintForRow(0) if s.tenders else 0
        self.paid.setFixedHeight(rows * row + 2 * self.paid.frameWidth())
        self.due.setText(f"Still to pay {dollars(s.exact_due)}")
        rounding = s.rounding
        self.rounding.setText(
            f"In cash: {dollars(s.cash_due)} (rounding {dollars(rounding)})"
            if rounding and s.cash_due
            else ""
        )
        while self.quick_grid.count():
            item = self.quick_grid.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()
        for n, amount in enumerate(s.quick_cash()):
            button = touch_button("Exact cash" if n == 0 else dollars(amount), self.quick)
            button.setObjectName(f"pay_quick_{n}")
            button.clicked.connect(lambda _=False, a=amount: self.quick_cash(a))
            self.quick_grid.addWidget(button)

    def _show_qr(self, payload: str | None, caption: str = "") -> None:
        shown = payload is not None
        self.qr_heading.setVisible(shown)
        self.qr.setVisible(shown)
        self.qr_caption.setVisible(shown)
        self.received.setVisible(shown)
        self.pad.setVisible(not shown)
        if payload is None:
            self.qr.clear()
            return
        self.qr.setPixmap(QPixmap.fromImage(qr_image(payload)))
        self.qr_caption.setText(caption)

    def say(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet(_ERROR if error else _INFO)
        self.message.setText(text)

    def _checkout(self) -> Checkout:
        if self.checkout is None:
            raise CashierError("There is no sale to pay")
        return self.checkout


class PaidSale:
    """A committed sale and what printing it needs to know."""

    def __init__(self, sale: CompletedSale, paid_cash: bool, paynow_payload: str | None) -> None:
        self.sale = sale
        self.paid_cash = paid_cash  # opens the drawer
        self.paynow_payload = paynow_payload  # printed as a QR on the receipt
