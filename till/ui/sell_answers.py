"""The answers to the sell screen's questions, applied to the cart through ``Checkout``.

No widgets here: the screen passes the typed text and a way to ask a manager, and shows the
words that come back. A rule that wants a manager raises ``ApprovalNeeded`` in the cart; the
answer is then tried once more with the approver the manager's PIN gave.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from shared.cart import ApprovalNeeded
from till.services.checkout import Checkout
from till.services.context import CashierError
from till.services.staff import SignedIn
from till.ui.language import tr
from till.ui.money_text import dollars, parse_amount, parse_quantity
from till.ui.sell_entry import Prompt, parse_discount

AskManager = Callable[[ApprovalNeeded], SignedIn | None]
_T = TypeVar("_T")


class Cancelled(CashierError):
    def __init__(self) -> None:
        super().__init__("Cancelled: nothing was changed")


def answer(
    checkout: Checkout, prompt: Prompt, line_id: str | None, text: str, ask: AskManager
) -> tuple[str | None, str]:
    """Apply ``text`` as the answer to ``prompt``; the line to select and what to say."""
    if prompt is Prompt.CART_DISCOUNT:
        discount = parse_discount(text)
        with_manager(lambda who: checkout.discount_cart(discount, who), ask)
        off = checkout.totals().discount_total
        return None, tr("Discounts on this sale: {amount}.").format(amount=dollars(off))
    if line_id is None:
        raise CashierError("Choose a line first (Up/Down)")
    if prompt is Prompt.QUANTITY:
        line = checkout.set_quantity(line_id, parse_quantity(text))
        return line.line_id, tr("{item}: quantity {quantity}.").format(
            item=line.product.name, quantity=line.quantity
        )
    if prompt is Prompt.DISCOUNT:
        discount = parse_discount(text)
        line = with_manager(lambda who: checkout.discount_line(line_id, discount, who), ask)
        return line.line_id, tr("{item}: discount {amount}.").format(
            item=line.product.name, amount=dollars(line.discount_amount)
        )
    if prompt is Prompt.PRICE:
        price = parse_amount(text, what=tr("price"))
        line = with_manager(lambda who: checkout.override_price(line_id, price, who), ask)
        return line.line_id, tr("{item}: price now {amount}.").format(
            item=line.product.name, amount=dollars(line.unit_price)
        )
    raise CashierError("Scan or type a barcode")


def with_manager(attempt: Callable[[SignedIn | None], _T], ask: AskManager) -> _T:
    """``attempt(None)``; if the outlet's rules want a manager, ask one and try again."""
    try:
        return attempt(None)
    except ApprovalNeeded as need:
        approver = ask(need)
        if approver is None:
            raise Cancelled() from None
        return attempt(approver)
