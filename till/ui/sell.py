"""The sell screen: scan, adjust lines, park and recall, then hand over to payment.

Every action goes through ``Checkout``; the screen only shows its cart. The scan field keeps
the focus the whole time (the other widgets refuse it), so a keyboard-wedge scanner's code and
Enter always land there; questions such as "what quantity?" are asked in that same field.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from shared.cart import ApprovalNeeded, CartLine, ProductSnapshot
from shared.promotions import PromotionOutcome
from till.services.checkout import Checkout, CompletedSale, UnknownBarcode, WeightNeeded
from till.services.context import REFUSALS, CashierError
from till.services.staff import SignedIn
from till.ui import quick_keys, sell_answers, sell_keys
from till.ui.approval import ask_approval
from till.ui.context import UiContext
from till.ui.customer_dialog import choose_customer
from till.ui.errors import plain_message
from till.ui.language import tr
from till.ui.look import set_role
from till.ui.money_text import dollars
from till.ui.pin_pad import DigitPad
from till.ui.refusals import translate_refusal
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

# The sell keys' words in English, marked for Qt's translation tools (shown through tr()).
KEY_WORDS: dict[str, str] = {
    key: str(words)
    for key, words in {
        "search": QT_TRANSLATE_NOOP("till", "Search"),
        "quantity": QT_TRANSLATE_NOOP("till", "Quantity"),
        "discount": QT_TRANSLATE_NOOP("till", "Discount"),
        "price": QT_TRANSLATE_NOOP("till", "Price"),
        "remove": QT_TRANSLATE_NOOP("till", "Remove line"),
        "sale_discount": QT_TRANSLATE_NOOP("till", "Sale discount"),
        "customer": QT_TRANSLATE_NOOP("till", "Customer"),
        "promotions": QT_TRANSLATE_NOOP("till", "Promotions"),
        "park": QT_TRANSLATE_NOOP("till", "Park"),
        "recall": QT_TRANSLATE_NOOP("till", "Recall"),
        "pay": QT_TRANSLATE_NOOP("till", "Pay"),
    }.items()
}


# The questions asked in the scan line, marked for Qt's translation tools.
PROMPT_WORDS: dict[Prompt, str] = {
    prompt: str(words)
    for prompt, words in {
        Prompt.QUANTITY: QT_TRANSLATE_NOOP("till", "Quantity (or weight in kg) for"),
        Prompt.DISCOUNT: QT_TRANSLATE_NOOP("till", "Discount (10% or 2.00) for"),
        Prompt.PRICE: QT_TRANSLATE_NOOP("till", "New unit price for"),
        Prompt.CART_DISCOUNT: QT_TRANSLATE_NOOP("till", "Discount on the whole sale (10% or 2.00)"),
        Prompt.WEIGHT: QT_TRANSLATE_NOOP("till", "Weight in kg (e.g. 0.500) of"),
    }.items()
}


def _scan_prompt() -> str:
    return tr("Scan or type a barcode (letters search by name)")  # Prompt.SCAN


WIDE_PX = 1000  # a 1024 px screen less the window's margins


def _scrolling(label: QLabel) -> QScrollArea:
    area = QScrollArea()
    area.setObjectName("sell_promotions_area")
    area.setWidget(label)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    # No height of its own asked for, as the stretch it replaces: the keypad keeps its room.
    area.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
    area.viewport().setAutoFillBackground(False)
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    return area


def promotion_text(outcome: PromotionOutcome, *, all_of_them: bool) -> str:
    """What the cashier reads: the promotions applied, then (asked with F1) the rest and why."""
    lines = [f"✓ {v.name}: {translate_refusal(v.reason)}" for v in outcome.verdicts if v.applied]
    if all_of_them:
        lines += [
            f"✗ {v.name}: {translate_refusal(v.reason)}" for v in outcome.verdicts if not v.applied
        ]
    return "\n".join(lines)


class SellScreen(QWidget):
    pay_requested = Signal()
    cart_shown = Signal(object)  # SaleTotals, or None with no sale: the customer display

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
        set_role(self.banner, "banner")
        self.banner.setVisible(False)
        self.cashier = QLabel()
        self.cashier.setObjectName("sell_cashier")
        set_role(self.cashier, "muted")
        self.customer = QLabel()
        self.customer.setObjectName("sell_customer_attached")
        set_role(self.customer, "heading")
        self.customer.setVisible(False)
        self.prompt_label = QLabel(_scan_prompt())
        self.prompt_label.setObjectName("sell_prompt")
        self.entry = QLineEdit()
        self.entry.setObjectName("scan")
        self.entry.setMinimumHeight(48)
        self.message = QLabel()
        self.message.setObjectName("sell_message")
        self.message.setWordWrap(True)
        # However long a message, it wraps or is cut at the screen's width; it never widens
        # the window (a pasted 5,000-digit "barcode" once pushed the cart off screen).
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # The promotions on this sale; F1 adds those that did not apply, and why.
        self.promotions = QLabel()
        self.promotions.setObjectName("sell_promotions")
        self.promotions.setWordWrap(True)
        self.promotions.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.promotions.setVisible(False)
        self.explaining = False
        self.model = CartModel(self)
        self.cart = CartView(self.model, self)
        self.totals = TotalsPanel(self)
        self.quick = quick_keys.QuickKeys(self)
        self.quick.chosen.connect(self.add_product)
        self.change_due = QLabel()
        self.change_due.setObjectName("sell_change")
        set_role(self.change_due, "total")
        self.change_due.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.change_due.setVisible(False)
        self.sell_actions = self._actions()
        # Action keys in two rows under the cart, the keypad under the quick keys: the screen
        # fits 1024 x 768 (one tall column of keys needed 798 px and pushed the status bar off).
        # Pay sits beside the keypad's Enter: the cart keeps the height a third row of keys
        # took (three lines of cart at 1366 x 768 were too few).
        keys = [a for a in self.sell_actions if a.name != "pay"]
        buttons = sell_keys.install(self, keys, columns=5)
        pay = sell_keys.install(self, [a for a in self.sell_actions if a.name == "pay"], 1)
        pay_grid = pay.layout()
        assert pay_grid is not None
        pay_grid.setContentsMargins(0, 0, 0, 0)  # level with Enter
        pad = DigitPad(self.entry, self, decimal=True, beside_enter=pay)
        pad.enter.connect(self._entered)

        left = QVBoxLayout()
        left.addWidget(self.banner)
        left.addWidget(self.cashier)
        left.addWidget(self.customer)
        left.addWidget(self.prompt_label)
        left.addWidget(self.entry)
        left.addWidget(self.message)
        left.addWidget(self.cart, 1)
        left.addWidget(self.change_due)
        left.addWidget(self.totals)
        left.addWidget(buttons)
        right = QVBoxLayout()
        right.addWidget(self.quick)
        # The promotions in the room between the quick keys and the keypad: under the cart they
        # took its height (a member's sale with three promotions left one line of cart showing
        # at 1366 x 768). A long F1 list scrolls there.
        right.addWidget(_scrolling(self.promotions), 1)
        right.addWidget(pad)
        layout = QHBoxLayout(self)
        # From 1024 px: three fifths for the cart and its keys (whole words on the keys), two
        # for the quick keys and the keypad; narrower, half each (resizeEvent).
        layout.addLayout(left, 1)
        layout.addLayout(right, 1)
        self.columns = layout

        self.entry.returnPressed.connect(self._entered)
        self.entry.textChanged.connect(self._check_length)
        self.entry.installEventFilter(self)

    def _actions(self) -> list[sell_keys.Action]:
        A = sell_keys.Action
        return [
            A("search", KEY_WORDS["search"], ("F2", "Ctrl+F"), self.search),
            A("quantity", KEY_WORDS["quantity"], ("F3",), lambda: self.ask(Prompt.QUANTITY)),
            A("discount", KEY_WORDS["discount"], ("F4",), lambda: self.ask(Prompt.DISCOUNT)),
            A("price", KEY_WORDS["price"], ("F5",), lambda: self.ask(Prompt.PRICE)),
            A("remove", KEY_WORDS["remove"], ("Ctrl+Del",), self.remove_line),
            A("sale_discount", KEY_WORDS["sale_discount"], ("Shift+F4",), self.ask_cart_discount),
            A("customer", KEY_WORDS["customer"], ("F6",), self.choose_customer),
            A("promotions", KEY_WORDS["promotions"], ("F1",), self.explain_promotions),
            A("park", KEY_WORDS["park"], ("F9",), self.park),
            A("recall", KEY_WORDS["recall"], ("Shift+F9",), self.recall),
            A("pay", KEY_WORDS["pay"], ("F10",), self.pay),
        ]

    # --- life cycle ---------------------------------------------------------------------

    def begin(self, cashier: SignedIn) -> None:
        """A cashier signed in: a fresh cart, their name on screen."""
        self.checkout = self.ctx.till.checkout(
            cashier,
            ceiling=self.ctx.settings.price_ceiling.ceiling(),
            scale_layouts=self.ctx.settings.scale_layouts(),
        )
        self.cashier.setText(
            tr("Cashier: {name} ({code})").format(name=cashier.display_name, code=cashier.code)
        )
        favourites = self._favourites()
        catalogue = self.ctx.till.catalogue
        self.quick.show_products(
            favourites, catalogue.category_ids([p.product_id for p in favourites])
        )
        self.change_due.setVisible(False)
        self.cancel_prompt()
        self.refresh()
        self.say("")

    def end(self) -> None:
        self.checkout = None
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        # Only the scan prompt waits on screen across a sign-in; questions are asked anew.
        changed = event.type() == QEvent.Type.LanguageChange
        if changed and hasattr(self, "prompt_label") and self.prompt is Prompt.SCAN:
            self.prompt_label.setText(_scan_prompt())
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        wide = event.size().width() >= WIDE_PX
        self.columns.setStretch(0, 3 if wide else 1)
        self.columns.setStretch(1, 2 if wide else 1)
        super().resizeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.check_shift()
        self.entry.setFocus()

    def check_shift(self) -> None:
        if self.ctx.till.shifts.current() is None:
            self.banner.setText(tr("No shift is open: press F8 to open one with the float."))
            self.banner.setVisible(True)
        else:
            self.banner.setVisible(False)

    def _favourites(self) -> list[ProductSnapshot]:
        skus = self.ctx.settings.quick_keys or (quick_keys.demo_skus() if self.ctx.demo else [])
        return quick_keys.resolve(self.ctx.till.catalogue, skus)

    # --- what the cashier sees ----------------------------------------------------------

    def refresh(self, select: str | None = None) -> None:
        attached = self.checkout.customer if self.checkout else None
        self.customer.setText(
            tr("Customer: {customer}").format(customer=attached.label()) if attached else ""
        )
        self.customer.setVisible(attached is not None)
        if self.checkout is None:
            self.model.show_lines(())
            self.totals.show_totals(None)
            self.cart_shown.emit(None)
            self._show_promotions("")
            return
        totals = self.checkout.totals()
        self.model.show_lines(totals.lines)
        outcome = totals.promotion_outcome
        self._show_promotions(promotion_text(outcome, all_of_them=self.explaining))
        self.totals.show_totals(totals, gst_registered=self.checkout.profile.rules.gst_registered)
        row = self.model.row_of(select) if select else len(totals.lines) - 1
        self.cart.select_row(row)
        self.cart_shown.emit(totals)

    def explain_promotions(self) -> None:
        """F1: every promotion the till holds, applied or not, and why; F1 again hides them."""
        self.explaining = not self.explaining
        self.refresh()
        if self.explaining and not self.promotions.text():
            self._show_promotions(tr("No promotion is running at this till."))

    def _show_promotions(self, text: str) -> None:
        # No empty line under the cart when nothing is on promotion: the cart gets the room.
        self.promotions.setText(text)
        self.promotions.setVisible(bool(text))

    def say(self, text: str, *, error: bool = False) -> None:
        set_role(self.message, "error" if error else "ok")
        self.message.setText(text)

    def sale_completed(self, sale: CompletedSale) -> None:
        change = sale.settlement.change
        text = tr("Sale {number} done.").format(number=sale.receipt_no)
        if change:
            text += " " + tr("Change due: {amount}").format(amount=dollars(change))
        self.refresh()
        self.say(text)
        # What the cashier hands over, big, until the next item is rung up.
        self.change_due.setText(
            tr("Change due {amount}").format(amount=dollars(change))
            if change
            else tr("Paid {amount}").format(amount=dollars(sale.totals.total))
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
                tr(
                    "That is too long for a barcode or a name (at most {count} characters): "
                    "nothing was rung up. Scan the item again"
                ).format(count=MAX_SCAN_LENGTH),
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
            tr("{question} {item} at {price}/kg, then Enter (Esc: not this item)").format(
                question=tr(PROMPT_WORDS[Prompt.WEIGHT]),
                item=product.name,
                price=dollars(product.unit_price),
            )
        )
        self.say(
            tr("{item} is sold by weight: put it on the scale and type the kg.").format(
                item=product.name
            )
        )
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
            self.say(tr("Scan an item first, then choose the line with Up/Down."), error=True)
            return
        self.prompt, self.prompt_line = prompt, line.line_id
        self.prompt_label.setText(
            tr("{question} {item}: type it, then Enter").format(
                question=tr(PROMPT_WORDS[prompt]), item=line.product.name
            )
        )
        self.entry.clear()
        self.entry.setFocus()

    def ask_cart_discount(self) -> None:
        if not self._has_cart():
            return
        self.prompt, self.prompt_line = Prompt.CART_DISCOUNT, None
        self.prompt_label.setText(
            tr("{question}: type it, then Enter").format(
                question=tr(PROMPT_WORDS[Prompt.CART_DISCOUNT])
            )
        )
        self.entry.setFocus()

    def cancel_prompt(self) -> None:
        self.prompt, self.prompt_line, self.weighing = Prompt.SCAN, None, None
        self.prompt_label.setText(_scan_prompt())
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
            self.say(tr("There is no line to remove."), error=True)
            return
        # The line above stays selected; when the first line goes, the one below it.
        row = self.cart.selected_row()
        neighbour = self.model.line_id(row - 1 if row > 0 else row + 1)
        checkout.remove(line.line_id)
        self.refresh(select=neighbour)
        self.say(tr("Removed {item}.").format(item=line.product.name))

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
        self.say(tr("Sale parked. Shift+F9 recalls it."))

    def recall(self) -> None:
        checkout = self._checkout()
        if checkout is None:
            return
        parked = checkout.parked()
        if not parked:
            self.say(tr("No sales are parked."), error=True)
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
        self.say(tr("Parked sale recalled."))

    def choose_customer(self) -> None:
        """F6: find or enrol the member (or business) this sale is for, or take them off."""
        checkout = self._checkout()
        if checkout is None:
            return
        self.cancel_prompt()
        card, removed = choose_customer(
            self.ctx.till.customers(), checkout.cashier, checkout.customer, self
        )
        self.back_to_scan()
        if removed:
            checkout.detach_customer()
            self.say(tr("No customer on this sale."))
        elif card is not None:
            checkout.attach_customer(card)
            invoice = " " + tr("Their receipt is a full tax invoice.") if card.is_business else ""
            points = self.ctx.till.customers().points(card.customer_id)
            self.say(
                tr("Sale is for {customer} ({points} points here).").format(
                    customer=card.label(), points=points
                )
                + invoice
            )
        self.refresh()

    def pay(self) -> None:
        if not self._has_cart():
            return
        self.check_shift()
        if self.banner.isVisible():
            self.say(tr("Open a shift first (F8), then take payment."), error=True)
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
        """After a dialog (which hands the window the keyboard back: keys.returns_keyboard),
        the scan field has it."""
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
