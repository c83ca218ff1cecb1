"""How the back-office screens run an action: as the cashier first and, when the outlet's
rules need a manager, again with one's approval (the rules live in the services, never in
the screens); problems a cashier can act on are shown in plain words."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import TypeVar

from PySide6.QtWidgets import QWidget

from shared.cart import ApprovalNeeded
from till.services.context import REFUSALS, CashierError
from till.services.staff import SignedIn
from till.ui.approval import ask_approval
from till.ui.context import UiContext
from till.ui.errors import show_problem
from till.ui.money_text import parse_amount

T = TypeVar("T")


def with_manager(
    parent: QWidget,
    ctx: UiContext,
    act: Callable[[SignedIn | None], T],
    *,
    subject: str | None = None,
) -> T | None:
    """``act(None)``; if that needs approval, ``act(approver)``. None when the cashier cancels
    the approval. Any other problem is raised for the caller to show."""
    try:
        return act(None)
    except ApprovalNeeded as need:
        approver = ask_approval(parent, ctx, need.action, str(need), subject=subject)
        if approver is None:
            return None
        return act(approver)


@contextmanager
def problems_shown(parent: QWidget) -> Iterator[None]:
    """Show a problem the cashier can act on and carry on; a bug still reaches the global
    exception hook, which logs its trace."""
    try:
        yield
    except REFUSALS as exc:
        show_problem(parent, exc)


def dollars(text: str, what: str) -> Decimal:
    """An amount typed by the cashier ("20", "20.5", "$1,020.50"), or a plain-words error;
    read as every amount typed at the till is (``money_text.parse_amount``)."""
    if not text.strip():
        raise CashierError(f"enter the {what} in dollars, e.g. 20.00")
    return parse_amount(text, what=what)
