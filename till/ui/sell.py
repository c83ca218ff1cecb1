"""The sell screen: scan, adjust lines, park and recall, then hand over to payment.

Every action goes through ``Checkout``; the screen only shows its cart. The scan field keeps
the focus the whole time (the other widgets refuse it), so a keyboard-wedge scanner's code and
Enter always land there; questions such as "what quantity?" are asked in that same field.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QSizePolicy, QVBoxLayout, QWidget

from shared.cart import ApprovalNeeded, CartLine, ProductSnapshot
from till.services.checkout import Checkout, CompletedSale, UnknownBarcode, WeightNeeded
from till.services.context import REFUSALS, CashierError
from till.services.staff import SignedIn
from till.ui import quick_keys, sell_answers, sell_keys
from till.ui.approval import ask_approval
from till.ui.context import UiContext
from till.ui.errors import plain_message
from till.ui.money_text import dollars
from till.ui.pin_pad import DigitPad
from till.ui.search_dialog import find_product
from till.ui.sell_cart import CartModel, CartView
from till.ui.sell_entry import (
    MAX_SCAN_LENGTH,
    Prompt,
    looks_like_barcode,
    parse_weight,
    scan_request,
)
from till.ui.sell_parked import choose_parked
from till.ui.sell_totals import TotalsPanel

_ERROR, _INFO = "color: #b00020; font-weight: bold", "color: #1b5e20; font-weight: bold"


class SellScreen(QWidget):
    pay_requested = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sell_screen")
        self.ctx = ctx
        self.checkout: Checkout | None = None
        self.prompt = Prompt.SCAN
        self.prompt_line: str | None = None  # the line a prompt is about
        self.weighing: ProductSnapshot | None = None  # scanned, waiting for its weight

        self.banner = QLabel()
        self.banner.setObjectName("sell_banner")
        self.banner.setStyleSheet("background: #fff3cd; padding: 6px; font-weight: bold")
        self.banner.setVisible(False)
        self.cashier = QLabel()
        self.cashier.setObjectName("sell_cashier")
        self.prompt_label = QLabel(Prompt.SCAN.value)
        self.prompt_label.setObjectName("sell_prompt")
        self.entry = QLineEdit()
        self.entry.setObjectName("scan")
        self.entry.setMinimumHeight(48)
        self.entry.setStyleSheet("font-size: 20px")
        self.message = QLabel()
        self.message.setObjectName("sell_message")
        self.message.setWordWrap(True)
        # However long a message, it wraps or is cut at the screen's width; it never widens
        # the window (a pasted 5,000-digit "barcode" once pushed the cart off screen).
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.model = CartModel(self)
        self.cart = CartView(self.model, self)
        self.totals = TotalsPanel(self)
        self.quick = quick_keys.QuickKeys(self)
        self.quick.chosen.connect(self.add_product)
        self.change_due = QLabel()
        self.change_due.setObjectName("sell_change")
        self.change_due.setStyleSheet("font-size: 28px; font-weight: bold; color: #1b5e20")
        self.change_due.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.change_due.setVisible(False)
        self.sell_actions = self._actions()
        # Action keys in two rows under the cart, the keypad under the quick keys: the screen
        # fits 1024 x 768 (one tall column of keys needed 798 px and pushed the status bar off).
        buttons = sell_keys.install(self, self.sell_actions, columns=5)
        pad = DigitPad(self.entry, self, decimal=True)
        pad.enter.connect(self._entered)

        left = QVBoxLayout()
        left.addWidget(self.banner)
        left.addWidget(self.cashier)
        left.addWidget(self.prompt_label)
        left.addWidget(self.entry)
        left.addWidget(self.message)
        left.addWidget(self.cart, 1)
        left.addWidget(self.change_due)
        left.addWidget(self.totals)
        left.addWidget(buttons)
        right = QVBoxLayout()
        right.addWidget(self.quick)
        right.addStretch(1)
        right.addWidget(pad)
        layout = QHBoxLayout(self)
        # Half the width each: quick keys keep whole names on a 1024 px screen.
        layout.addLayout(left, 1)
        layout.addLayout(right, 1)

        self.entry.returnPressed.connect(self._entered)
        self.entry.textChanged.connect(self._check_length)
        self.entry.installEventFilter(self)

    def _actions(self) -> list[sell_keys.Action]:
        A = sell_keys.Action
        return [
            A("search", "Search", ("F2", "Ctrl+F"), self.search),
            A("quantity", "Quantity", ("F3",), lambda: self.ask(Prompt.QUANTITY)),
            A("discount", "Discount", ("F4",), lambda: self.ask(Prompt.DISCOUNT)),
            A("price", "Price", ("F5",), lambda: self.ask(Prompt.PRICE)),
            A("remove", "Remove line", ("Ctrl+Del",), self.remove_line),
            A("sale_discount", "Sale discount", ("Shift+F4",), self.ask_cart_discount),
            A("park", "Park", ("F9",), self.park),
            A("recall", "Recall", ("Shift+F9",), self.recall),
            A("pay", "Pay", ("F10",), self.pay),
        ]

    # --- life cycle ---------------------------------------------------------------------

    def begin(self, cashier: SignedIn) -> None:
        """A cashier signed in: a fresh cart, their name on screen."""
        self.checkout = self.ctx.till.checkout(
            cashier,
            ceiling=self.ctx.settings.price_ceiling.ceiling(),
            scale_layouts=self.ctx.settings.scale_layouts(),
        )
        self.cashier.setText(f"Cashier: {cashier.display_name} ({cashier.code})")
        self.quick.show_products(self._favourites())
        self.change_due.setVisible(False)
        self.cancel_prompt()
        self.refresh()
        self.say("")

    def end(self) -> None:
        self.checkout = None
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.check_shift()
        self.entry.setFocus()

    def check_shift(self) -> None:
        if self.ctx.till.shifts.current() is None:
            self.banner.setText("No shift is open: press F8 to open one with the float.")
            self.banner.setVisible(True)
        else:
            self.banner.setVisible(False)

    def _favourites(self) -> list[ProductSnapshot]:
        skus = self.ctx.settings.quick_keys or (quick_keys.demo_skus() if self.ctx.demo else [])
        return quick_keys.resolve(self.ctx.till.catalogue, skus)

    # --- what the cashier sees ----------------------------------------------------------

    def refresh(self, select: str | None = None) -> None:
        if self.checkout is None:
            self.model.show_lines(())
            self.totals.show_totals(None)
            return
        totals = self.checkout.totals()
        self.model.show_lines(totals.lines)
        self.totals.show_totals(totals, gst_registered=self.checkout.profile.rules.gst_registered)
        row = self.model.row_of(select) if select else len(totals.lines) - 1
        self.cart.select_row(row)

    def say(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet(_ERROR if error else _INFO)
        self.message.setText(text)

    def sale_completed(self, sale: CompletedSale) -> None:
        change = sale.settlement.change
        text = f"Sale {sale.receipt_no} done."
        if change:
            text += f" Change due: {dollars(change)}"
        self.refresh()
        self.say(text)
        # What the cashier hands over, big, until the next item is rung up.
        self.change_due.setText(
            f"Change due {dollars(change)}" if change else f"Paid {dollars(sale.totals.total)}"
        )
        self.change_due.setVisible(True)
        self.entry.setFocus()

    # --- the entry line -----------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.entry
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and self._line_key(event)
        ):
            return True
        return super().eventFilter(watched, event)

    def _line_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            step = -1 if key == Qt.Key.Key_Up else 1
            row = self.cart.selected_row()
            self.cart.select_row(max(0, min(self.model.rowCount() - 1, row + step)))
            return True
        control = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if key == Qt.Key.Key_Delete and (control or not self.entry.text()):
            # The line edit would take Delete (and Ctrl+Del) as editing keys before any
            # shortcut sees them; with nothing typed, Delete means the selected line.
            self.remove_line()
            return True
        if key == Qt.Key.Key_Escape:
            self.cancel_prompt()
            self.say("")
            return True
        return False

    def _check_length(self, text: str) -> None:
        if len(text) > MAX_SCAN_LENGTH:
            self.entry.clear()
            self.say(
                f"That is too long for a barcode or a name (at most {MAX_SCAN_LENGTH} "
                "characters): nothing was rung up. Scan the item again",
                error=True,
            )

    def _entered(self) -> None:
        text = self.entry.text()
        self.entry.clear()
        if self.prompt is Prompt.SCAN or looks_like_barcode(text):
            # A scan in the middle of a question is a scan, not an answer of 8+ digits.
            self.cancel_prompt()
            if text.strip():
                self.scan(text)
            return
        if self.prompt is Prompt.WEIGHT and self.weighing is not None:
            self._weighed(self.weighing, text)
            return
        prompt, line_id = self.prompt, self.prompt_line
        self.cancel_prompt()
        self._guard(lambda: self._answer(prompt, line_id, text))

    def ask_weight(self, product: ProductSnapshot) -> None:
        """Nothing is rung up until the weight is known; the keypad beside the line types it."""
        self.prompt, self.prompt_line, self.weighing = Prompt.WEIGHT, None, product
        self.prompt_label.setText(
            f"{Prompt.WEIGHT.value} {product.name} at {dollars(product.unit_price)}/kg, "
            "then Enter (Esc: not this item)"
        )
        self.say(f"{product.name} is sold by weight: put it on the scale and type the kg.")
        self.entry.clear()
        self.entry.setFocus()

    def _weighed(self, product: ProductSnapshot, text: str) -> None:
        try:
            weight = parse_weight(text)
            line = self._require_checkout().add(product, weight)
        except REFUSALS as exc:
            self.say(plain_message(exc), error=True)  # still asking: type it again or Esc
            return
        self.cancel_prompt()
        self._rung(line)

    def ask(self, prompt: Prompt) -> None:
        line = self._selected_line()
        if line is None:
            self.say("Scan an item first, then choose the line with Up/Down.", error=True)
            return
        self.prompt, self.prompt_line = prompt, line.line_id
        self.prompt_label.setText(f"{prompt.value} {line.product.name}: type it, then Enter")
        self.entry.clear()
        self.entry.setFocus()

    def ask_cart_discount(self) -> None:
        if not self._has_cart():
            return
        self.prompt, self.prompt_line = Prompt.CART_DISCOUNT, None
        self.prompt_label.setText(f"{Prompt.CART_DISCOUNT.value}: type it, then Enter")
        self.entry.setFocus()

    def cancel_prompt(self) -> None:
        self.prompt, self.prompt_line, self.weighing = Prompt.SCAN, None, None
        self.prompt_label.setText(Prompt.SCAN.value)
        self.entry.setFocus()

    # --- actions ------------------------------------------------------------------------

    def scan(self, text: str) -> None:
        checkout = self._checkout()
        if checkout is None:
            return
        try:
            request = scan_request(text)
            line = checkout.scan(request.code, request.quantity)
        except WeightNeeded as exc:
            self.ask_weight(exc.product)
            return
        except UnknownBarcode as exc:
            if any(ch.isalpha() or ch.isspace() for ch in text.strip()):
                self.search(text.strip())  # letters: the cashier is typing a name
            else:
                self.say(plain_message(exc), error=True)
            return
        except REFUSALS as exc:
            self.say(plain_message(exc), error=True)
            return
        self._rung(line)

    def add_product(self, product: ProductSnapshot) -> None:
        checkout = self._checkout()
        if checkout is None:
            return
        if product.weighed:
            self.ask_weight(product)  # loose goods: nothing is rung until the weight is known
            return
        try:
            line = checkout.add(product)
        except REFUSALS as exc:
            self.say(plain_message(exc), error=True)
            return
        self._rung(line)

    def _rung(self, line: CartLine) -> None:
        self.change_due.setVisible(False)  # a new sale has begun
        self.refresh(select=line.line_id)
        if line.product.weighed:
            self.say(f"{line.product.name}  {line.quantity} kg × {dollars(line.unit_price)}/kg")
        else:
            self.say(f"{line.product.name}  {line.quantity} × {dollars(line.unit_price)}")

    def search(self, text: str = "") -> None:
        if self._checkout() is None:
            return
        typed = text or self.entry.text()
        self.entry.clear()
        found = find_product(self.ctx.till.catalogue, typed, self)
        self.back_to_scan()
        if isinstance(found, str):
            self.scan(found)
        elif found is not None:
            self.add_product(found)

    def remove_line(self) -> None:
        line = self._selected_line()
        checkout = self._checkout()
        if line is None or checkout is None:
            self.say("There is no line to remove.", error=True)
            return
        # The line above stays selected; when the first line goes, the one below it.
        row = self.cart.selected_row()
        neighbour = self.model.line_id(row - 1 if row > 0 else row + 1)
        checkout.remove(line.line_id)
        self.refresh(select=neighbour)
        self.say(f"Removed {line.product.name}.")

    def park(self) -> None:
        checkout = self._checkout()
        if checkout is None:
            return
        label = self.entry.text()
        self.entry.clear()
        try:
            checkout.park(label)
        except REFUSALS as exc:
            self.say(plain_message(exc), error=True)
            return
        self.refresh()
        self.say("Sale parked. Shift+F9 recalls it.")

    def recall(self) -> None:
        checkout = self._checkout()
        if checkout is None:
            return
        parked = checkout.parked()
        if not parked:
            self.say("No sales are parked.", error=True)
            return
        chosen = choose_parked(parked, self)
        self.back_to_scan()
        if chosen is None:
            return
        try:
            checkout.recall(chosen)
        except REFUSALS as exc:
            self.say(plain_message(exc), error=True)
            return
        self.refresh()
        self.say("Parked sale recalled.")

    def pay(self) -> None:
        if not self._has_cart():
            return
        self.check_shift()
        if self.banner.isVisible():
            self.say("Open a shift first (F8), then take payment.", error=True)
            return
        self.cancel_prompt()
        self.pay_requested.emit()

    # --- helpers ------------------------------------------------------------------------

    def _answer(self, prompt: Prompt, line_id: str | None, text: str) -> None:
        select, words = sell_answers.answer(
            self._require_checkout(), prompt, line_id, text, self._ask_manager
        )
        self.refresh(select=select)
        self.say(words)

    def _ask_manager(self, need: ApprovalNeeded) -> SignedIn | None:
        approver = ask_approval(self, self.ctx, need.action, plain_message(need))
        self.back_to_scan()
        return approver

    def back_to_scan(self) -> None:
        """After a dialog: the window takes the keyboard back and the scan field has it."""
        self.window().activateWindow()
        self.entry.setFocus()

    def _guard(self, work: Callable[[], None]) -> None:
        try:
            work()
        except REFUSALS as exc:
            self.say(plain_message(exc), error=True)
        self.entry.setFocus()

    def _selected_line(self) -> CartLine | None:
        line_id = self.model.line_id(self.cart.selected_row())
        checkout = self.checkout
        if line_id is None or checkout is None:
            return None
        return next((line for line in checkout.cart.lines if line.line_id == line_id), None)

    def _has_cart(self) -> bool:
        checkout = self._checkout()
        if checkout is None or not checkout.cart.lines:
            self.say("The cart is empty: scan an item first.", error=True)
            return False
        return True

    def _checkout(self) -> Checkout | None:
        if self.checkout is None:
            self.say("Sign in first.", error=True)
        return self.checkout

    def _require_checkout(self) -> Checkout:
        if self.checkout is None:
            raise CashierError("Sign in first")
        return self.checkout
