"""Taking payment: cash with quick amounts and change, NETS and card with the terminal's
approval code, PayNow by a QR code on screen, in any mix (split tender).

Keys: type an amount (nothing = what is still due), then Enter or F1 for cash, F2 NETS,
F3 card, F4 PayNow, F5 a government voucher (CDC, SG60: its own tender, the reference
recorded, no change, not in the drawer count), F6 the member's points (a number typed is
points; nothing = the most the shop's cap and the balance allow), F7 the shop's own gift
voucher (scan its serial; with no amount typed, as much as is due and it holds; no change);
Del takes back the last payment; Esc goes back to the cart when nothing has been paid. The
sale completes by itself once the payments cover it (Ctrl+Enter tries at any time and says
what is missing).
"""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from shared.loyalty import points_value
from shared.tender import Tender, TenderType
from till.services.checkout import Checkout, CompletedSale
from till.services.context import REFUSALS, CashierError
from till.ui.context import UiContext
from till.ui.errors import plain_message
from till.ui.language import tr
from till.ui.look import icon, set_role
from till.ui.money_text import dollars, parse_amount
from till.ui.payment_state import PaymentState
from till.ui.paynow_qr import qr_image
from till.ui.pin_pad import DigitPad, touch_button

# The payment keys' words, marked for Qt's translation tools (shown through tr()).
TENDER_WORDS: dict[str, str] = {
    key: str(words)
    for key, words in {
        "cash": QT_TRANSLATE_NOOP("till", "Cash"),
        "nets": QT_TRANSLATE_NOOP("till", "NETS"),
        "card": QT_TRANSLATE_NOOP("till", "Card"),
        "voucher": QT_TRANSLATE_NOOP("till", "CDC voucher"),
        "points": QT_TRANSLATE_NOOP("till", "Points"),
        "gift": QT_TRANSLATE_NOOP("till", "Gift voucher"),
        "remove": QT_TRANSLATE_NOOP("till", "Remove payment"),
        "back": QT_TRANSLATE_NOOP("till", "Back to cart"),
    }.items()
}
TENDER_ROWS = 4  # payments listed before the list scrolls
# A tender's name as the payment screen's messages word it (its value, titled or in capitals).
TENDER_NAMES = tuple(
    str(words)
    for words in (
        QT_TRANSLATE_NOOP("till", "cash"),
        QT_TRANSLATE_NOOP("till", "nets"),
        QT_TRANSLATE_NOOP("till", "card"),
        QT_TRANSLATE_NOOP("till", "paynow"),
        QT_TRANSLATE_NOOP("till", "voucher"),
        QT_TRANSLATE_NOOP("till", "Nets"),
        QT_TRANSLATE_NOOP("till", "Paynow"),
        QT_TRANSLATE_NOOP("till", "Voucher"),
        QT_TRANSLATE_NOOP("till", "CASH"),
        QT_TRANSLATE_NOOP("till", "CARD"),
        QT_TRANSLATE_NOOP("till", "PAYNOW"),
        QT_TRANSLATE_NOOP("till", "VOUCHER"),
    )
)
AMOUNT_HINT: str = QT_TRANSLATE_NOOP(  # type: ignore[assignment]
    "till",
    "Amount (empty = all that is due), then Enter for cash or F2 NETS, F3 card, F4 PayNow, "
    "F5 CDC voucher, F6 a member's points, F7 a gift voucher",
)


class Step(Enum):
    AMOUNT = "amount"
    APPROVAL_CODE = "approval code"
    PAYNOW_WAIT = "paynow"


class PaymentScreen(QWidget):
    completed = Signal(object)  # PaidSale
    back = Signal()
    # For the customer display: the PayNow QR's payload, amount and reference; its end; and
    # (total, still due) whenever the payments change.
    paynow_shown = Signal(str, object, str)
    paynow_closed = Signal()
    due_changed = Signal(object, object)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("payment_screen")
        self.ctx = ctx
        self.checkout: Checkout | None = None
        self.state = PaymentState(Decimal(0), ctx.till.profile.rules.cash_rounding)
        self.step = Step.AMOUNT
        self.pending: tuple[TenderType, Decimal] | None = None
        # A gift voucher's amount as typed; None: as much as is due and the voucher holds.
        self.gift_amount: Decimal | None = None
        self.paynow_payload: str | None = None

        self.total = QLabel()
        self.total.setObjectName("pay_total")
        set_role(self.total, "total")
        self.due = QLabel()
        self.due.setObjectName("pay_due")
        set_role(self.due, "money")
        self.rounding = QLabel()
        self.rounding.setObjectName("pay_rounding")
        self.paid = QListWidget()
        self.paid.setObjectName("pay_tenders")
        self.paid.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hint = QLabel(tr(AMOUNT_HINT))
        self.hint.setObjectName("pay_hint")
        self.hint.setWordWrap(True)
        set_role(self.hint, "muted")
        self.entry = QLineEdit()
        self.entry.setObjectName("pay_entry")
        self.entry.setMinimumHeight(48)
        self.message = QLabel()
        self.message.setObjectName("pay_message")
        self.message.setWordWrap(True)
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.entry.setMaxLength(32)  # an amount or an approval code, never a stray paste
        self.qr_heading = QLabel()
        self.qr_heading.setObjectName("pay_qr_heading")
        set_role(self.qr_heading, "heading")
        self.qr = QLabel()
        self.qr.setObjectName("pay_qr")
        self.qr_caption = QLabel()
        self.qr_caption.setObjectName("pay_qr_caption")
        self.qr_caption.setWordWrap(True)
        self.qr_caption.setTextFormat(Qt.TextFormat.RichText)  # the amount stands out
        for label in (self.qr_heading, self.qr, self.qr_caption):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.received = touch_button("")
        self.received.setObjectName("pay_received")
        set_role(self.received, "primary")
        self.received.setIcon(icon("received", on="primary_text"))
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
        self.retranslate()

        self.entry.returnPressed.connect(self._enter)
        self.entry.installEventFilter(self)
        for keys, run in (
            (("F1",), lambda: self.take(TenderType.CASH)),
            (("F2",), lambda: self.take(TenderType.NETS)),
            (("F3",), lambda: self.take(TenderType.CARD)),
            (("F4",), lambda: self.take(TenderType.PAYNOW)),
            (("F5",), lambda: self.take(TenderType.VOUCHER)),
            (("F6",), self.take_points),
            (("F7",), lambda: self.take(TenderType.GIFT)),
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
        self.tender_keys: list[tuple[QPushButton, str, str]] = []
        words = TENDER_WORDS
        for n, (name, label, key, run, look) in enumerate(
            (
                ("cash", words["cash"], "Enter/F1", lambda: self.take(TenderType.CASH), "cash"),
                ("nets", TENDER_WORDS["nets"], "F2", lambda: self.take(TenderType.NETS), "nets"),
                ("card", TENDER_WORDS["card"], "F3", lambda: self.take(TenderType.CARD), "card"),
                ("paynow", "PayNow", "F4", lambda: self.take(TenderType.PAYNOW), "paynow"),
                (
                    "voucher",
                    words["voucher"],
                    "F5",
                    lambda: self.take(TenderType.VOUCHER),
                    "voucher",
                ),
                ("points", words["points"], "F6", self.take_points, "points"),
                ("gift", words["gift"], "F7", lambda: self.take(TenderType.GIFT), "gift"),
                ("remove", TENDER_WORDS["remove"], "Del", self.remove_last, "remove_payment"),
                ("back", TENDER_WORDS["back"], "Esc", self.go_back, "back"),
            )
        ):
            button = touch_button("", panel)
            self.tender_keys.append((button, label, key))
            button.setObjectName(f"pay_{name}")
            button.setIcon(icon(look))
            if name == "remove":
                set_role(button, "danger")
            button.clicked.connect(run)
            grid.addWidget(button, n // 3, n % 3)  # eight keys in three rows, as six were
        return panel

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        for button, label, key in self.tender_keys:
            button.setText(f"{tr(label)}\n{key}")
        self.qr_heading.setText(tr("Scan to pay with PayNow"))
        self.received.setText(tr("Received (Enter)"))
        if self.step is Step.AMOUNT:
            self.hint.setText(tr(AMOUNT_HINT))

    # --- life cycle ---------------------------------------------------------------------

    def start(self, checkout: Checkout) -> None:
        self.checkout = checkout
        totals = checkout.totals()
        self.state = PaymentState(totals.total, checkout.profile.rules.cash_rounding)
        self.paynow_payload = None
        # Whatever was typed before the cashier went back to the cart belongs to that visit:
        # a stale "50" plus a new "5" once took $505 in cash.
        self.entry.clear()
        self.total.setText(tr("Total {amount}").format(amount=dollars(totals.total)))
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
            self.say(tr("Finish the payment in progress first, or press Esc."), error=True)
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
        if kind is TenderType.GIFT:
            self.gift_amount = parse_amount(typed) if typed else None
            self.pending = (kind, amount)
            self.step = Step.APPROVAL_CODE
            shown = dollars(self.gift_amount) if self.gift_amount else tr("up to what is due")
            self.hint.setText(
                tr(
                    "Gift voucher ({amount}): scan its barcode or type its serial, then Enter "
                    "(Esc cancels)"
                ).format(amount=shown)
            )
        elif kind is TenderType.CASH:
            self._add(Tender(TenderType.CASH, amount))
        elif kind is TenderType.PAYNOW:
            self._start_paynow(amount)
        else:
            self.pending = (kind, amount)
            self.step = Step.APPROVAL_CODE
            if kind is TenderType.VOUCHER:
                self.hint.setText(
                    tr(
                        "Voucher {amount}: scan the customer's vouchers in the CDC merchant "
                        "app, then type its transaction reference and Enter (Esc cancels)"
                    ).format(amount=dollars(amount))
                )
            else:
                self.hint.setText(
                    tr(
                        "{tender} {amount}: type the approval code the terminal printed, then "
                        "Enter (Esc cancels)"
                    ).format(
                        tender="NETS" if kind is TenderType.NETS else tr("Card"),
                        amount=dollars(amount),
                    )
                )
        if self.isVisible():  # not when the payment just completed and the cart is back
            self.entry.setFocus()

    def take_points(self) -> None:
        """Pay with the attached member's points: the number typed, or the most allowed."""
        if self.step is not Step.AMOUNT:
            self.say("Finish the payment in progress first, or press Esc.", error=True)
            return
        checkout = self._checkout()
        scheme = checkout.profile.loyalty
        offer = checkout.points()
        if offer is None or scheme is None:
            self.say(
                "Points pay only for a member's sale: go back (Esc) and attach the member (F6).",
                error=True,
            )
            return
        spent = sum(
            (t.amount for t in self.state.tenders if t.type is TenderType.POINTS), Decimal(0)
        )
        left = offer.most - int(spent / scheme.point_value)
        # No change is given in points either: never more than is still due.
        fits = int(self.state.exact_due / scheme.point_value)
        typed = self.entry.text().strip()
        try:
            wanted = int(typed) if typed else min(left, fits)
        except ValueError:
            self.say(f"Type a whole number of points, not {typed!r}.", error=True)
            return
        if wanted <= 0 or wanted > min(left, fits):
            self.say(
                f"The member has {offer.balance.points} points; this sale can take "
                f"{max(0, min(left, fits))} more of them.",
                error=True,
            )
            return
        self.entry.clear()
        self._add(Tender(TenderType.POINTS, points_value(scheme, wanted), f"{wanted} points"))
        if self.isVisible():
            self.entry.setFocus()

    def quick_cash(self, amount: Decimal) -> None:
        self.entry.setText(f"{amount}")
        self.take(TenderType.CASH)

    def _approval_code_entered(self) -> None:
        assert self.pending is not None
        kind, amount = self.pending
        code = self.entry.text().strip()
        try:
            if kind is TenderType.GIFT:
                if not code:
                    raise CashierError("scan or type the gift voucher's serial number")
                tender = self._checkout().gift_voucher_tender(
                    code, self.gift_amount, self.state.tenders
                )
            else:
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
        caption = tr("reference {number}").format(number=reference)
        self._show_qr(payload, f"{big}<br>{caption}")
        self.paynow_shown.emit(payload, amount, reference)
        self.hint.setText(
            tr(
                "Ask the customer to scan the QR code. Press Enter (or Received) once the "
                "transfer shows as received; Esc cancels."
            )
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
            self.say(tr("No payment to take back."), error=True)
            return
        gone = self.state.tenders.pop()
        self._redraw()
        self.say(
            tr("Took back {tender} {amount}.").format(
                tender=tr(gone.type.value), amount=dollars(gone.amount)
            )
        )

    def go_back(self) -> None:
        if self.step is not Step.AMOUNT:
            self._to_amount_step()  # Esc cancels the NETS/card/PayNow question first
            self.say(tr("Payment cancelled."))
            return
        if self.state.tenders:
            self.say(
                tr("Payments are already taken: remove them first (Del) or finish the sale."),
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
            self.say(
                tr("{tender} {amount} taken.").format(
                    tender=tr(tender.type.value.title()), amount=dollars(tender.amount)
                )
            )

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
        self.hint.setText(tr(AMOUNT_HINT))
        self._show_qr(None)
        self.entry.setFocus()

    def _redraw(self) -> None:
        s = self.state
        self.paid.clear()
        for t in s.tenders:
            ref = (
                "  " + tr("(ref {reference})").format(reference=t.reference) if t.reference else ""
            )
            self.paid.addItem(f"{tr(t.type.value.upper())}  {dollars(t.amount)}{ref}")
        # As tall as the payments taken (a split tender rarely has more than a few), no taller.
        self.paid.setVisible(bool(s.tenders))
        rows = min(len(s.tenders), TENDER_ROWS)
        row = self.paid.sizeHintForRow(0) if s.tenders else 0
        self.paid.setFixedHeight(rows * row + 2 * self.paid.frameWidth())
        self.due.setText(tr("Still to pay {amount}").format(amount=dollars(s.exact_due)))
        self.due_changed.emit(s.total, s.exact_due)
        rounding = s.rounding
        self.rounding.setText(
            tr("In cash: {amount} (rounding {rounding})").format(
                amount=dollars(s.cash_due), rounding=dollars(rounding)
            )
            if rounding and s.cash_due
            else ""
        )
        while self.quick_grid.count():
            item = self.quick_grid.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()
        for n, amount in enumerate(s.quick_cash()):
            button = touch_button(tr("Exact cash") if n == 0 else dollars(amount), self.quick)
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
            self.paynow_closed.emit()
            self.qr.clear()
            return
        self.qr.setPixmap(QPixmap.fromImage(qr_image(payload)))
        self.qr_caption.setText(caption)

    def say(self, text: str, *, error: bool = False) -> None:
        set_role(self.message, "error" if error else "ok")
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
