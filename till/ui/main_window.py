"""The till's one window: a stack of screens, the sync status line and the window-wide keys.

Sign-in → sell ⇄ payment; from selling, F7 Receipts, F8 Shift, Ctrl+Shift+D Diagnostics (the
back-office screens come back with Esc through their ``done`` signal); F12 signs out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Protocol, cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QToolBar, QWidget

from till.services.staff import SignedIn
from till.ui.context import UiContext
from till.ui.payment import PaidSale, PaymentScreen
from till.ui.sale_printing import SalePrinting
from till.ui.sell import SellScreen
from till.ui.signin import SignInScreen
from till.ui.status_bar import SyncStatusBar
from till.ui.sync_bridge import SyncBridge


class BackOfficeView(Protocol):
    """What the receipts, shift and diagnostics screens promise the window."""

    def refresh(self) -> None: ...


def _receipts(ctx: UiContext, bridge: SyncBridge, parent: QWidget) -> QWidget:
    from till.ui.receipts_view import ReceiptsView

    return ReceiptsView(ctx, parent)


def _shift(ctx: UiContext, bridge: SyncBridge, parent: QWidget) -> QWidget:
    from till.ui.shift_view import ShiftView

    return ShiftView(ctx, parent)


def _diagnostics(ctx: UiContext, bridge: SyncBridge, parent: QWidget) -> QWidget:
    from till.ui.diagnostics_view import DiagnosticsView

    return DiagnosticsView(ctx, bridge, parent)


# name: (how to build it, key, needs a signed-in cashier). Built when first opened (imported
# then too): these screens are not needed to sell.
BACK_OFFICE: dict[str, tuple[Callable[[UiContext, SyncBridge, QWidget], QWidget], str, bool]] = {
    "receipts": (_receipts, "F7", True),
    "shift": (_shift, "F8", True),
    "diagnostics": (_diagnostics, "Ctrl+Shift+D", False),
}
TITLES = {"receipts": "Receipts", "shift": "Shift", "diagnostics": "Diagnostics"}


class MainWindow(QMainWindow):
    def __init__(self, ctx: UiContext, bridge: SyncBridge) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.ctx, self.bridge = ctx, bridge
        outlet = ctx.till.profile
        self.setWindowTitle(f"SG-POS · {outlet.outlet.name} · till {outlet.till_code}")
        # As big as the screen allows (a till runs full screen), whatever its size: the
        # screens fit 1024 x 768 and grow with the window.
        available = self.screen().availableGeometry()
        self.resize(available.size())
        self.move(available.topLeft())
        self.stack = QStackedWidget(self)
        self.setCentralWidget(self.stack)
        self.signin = SignInScreen(ctx, self)
        self.sell = SellScreen(ctx, self)
        self.payment = PaymentScreen(ctx, self)
        for screen in (self.signin, self.sell, self.payment):
            self.stack.addWidget(screen)
        self.back_office: dict[str, QWidget] = {}
        self.printing = SalePrinting(ctx, self)
        self.printing.settled.connect(self._receipt_settled)
        self.status = SyncStatusBar(bridge, self)
        self.setStatusBar(self.status)
        self.toolbar_actions: dict[str, QAction] = {}
        self.toolbar = self._toolbar()

        self.signin.signed_in.connect(self._signed_in)
        self.sell.pay_requested.connect(self._pay)
        self.payment.back.connect(self.show_sell)
        self.payment.completed.connect(self._paid)
        for name, (_, key, _) in BACK_OFFICE.items():
            self._key(key, self._opener(name))
        self._key("F12", self.sign_out)
        self.show_screen(self.signin)

    def _key(self, key: str, run: Callable[[], None]) -> None:
        shortcut = QShortcut(QKeySequence(key), self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(run)

    def _toolbar(self) -> QToolBar:
        bar = QToolBar("More", self)
        bar.setObjectName("more")
        bar.setMovable(False)
        bar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for name, (_, key, _) in BACK_OFFICE.items():
            action = bar.addAction(f"{TITLES[name]} ({key})")
            action.setObjectName(f"open_{name}")
            action.triggered.connect(self._opener(name))
            self.toolbar_actions[name] = action
        sign_out = bar.addAction("Sign out (F12)")
        sign_out.setObjectName("sign_out")
        sign_out.triggered.connect(self.sign_out)
        self.toolbar_actions["sign_out"] = sign_out
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        return bar

    # --- moving between screens ---------------------------------------------------------

    def show_screen(self, screen: QWidget) -> None:
        self.stack.setCurrentWidget(screen)
        self.toolbar.setVisible(screen is not self.payment)
        # Only what can be used now is offered: no "Sign in first" answers from the toolbar.
        signed_in = self.ctx.cashier is not None
        for name, action in self.toolbar_actions.items():
            needs_cashier = name == "sign_out" or BACK_OFFICE[name][2]
            action.setEnabled(signed_in or not needs_cashier)

    def show_sell(self) -> None:
        if self.ctx.cashier is None:
            self.show_screen(self.signin)
            return
        self.show_screen(self.sell)
        self.sell.check_shift()
        self.sell.entry.clear()  # text typed before payment or a back-office screen is stale
        self.sell.entry.setFocus()

    def _signed_in(self, who: SignedIn) -> None:
        self.sell.begin(who)
        self.show_sell()

    def sign_out(self) -> None:
        who = self.ctx.cashier
        current = self.stack.currentWidget()
        if who is None or current is self.payment:
            return  # nobody to sign out, or a payment is half taken: finish it first
        checkout = self.sell.checkout
        if checkout is not None and checkout.cart.lines:
            self.show_sell()
            self.sell.say("Park (F9) or finish the sale before signing out.", error=True)
            return
        self.ctx.till.staff.sign_out(who)
        self.ctx.cashier = None
        self.sell.end()
        self.show_screen(self.signin)
        self.signin.reset(f"{who.display_name} signed out.")

    def _opener(self, name: str) -> Callable[..., None]:
        return lambda *_: self.open_back_office(name)

    def open_back_office(self, name: str) -> None:
        _, _, needs_cashier = BACK_OFFICE[name]
        current = self.stack.currentWidget()
        if current is self.payment:
            return  # a payment is in progress: Esc back to the cart first
        if needs_cashier and self.ctx.cashier is None:
            self.signin.message.setText("Sign in first.")
            return
        view = self._view(name)
        cast(BackOfficeView, view).refresh()
        self.show_screen(view)

    def _view(self, name: str) -> QWidget:
        if name in self.back_office:
            return self.back_office[name]
        build, _, _ = BACK_OFFICE[name]
        view = build(self.ctx, self.bridge, self)
        view.done.connect(self._back_from_back_office)  # type: ignore[attr-defined]
        self.stack.addWidget(view)
        self.back_office[name] = view
        return view

    def _back_from_back_office(self) -> None:
        self.show_sell()

    # --- selling ------------------------------------------------------------------------

    def _pay(self) -> None:
        checkout = self.sell.checkout
        if checkout is None:
            return
        self.payment.start(checkout)
        self.show_screen(self.payment)

    def _paid(self, paid: PaidSale) -> None:
        # The sale is committed: the cashier sees it done at once; paper follows.
        self.show_sell()
        self.sell.sale_completed(paid.sale)
        self.bridge.nudge()
        receipt = paid.sale.receipt
        if paid.paynow_payload:
            receipt = replace(receipt, paynow_payload=paid.paynow_payload)
        self.printing.print_sale(receipt, open_drawer=paid.paid_cash)

    def _receipt_settled(self, number: str, result: str) -> None:
        if result.startswith("pdf ") and number in self.sell.message.text():
            self.sell.say(f"{self.sell.message.text()}  Receipt saved as PDF: {result[4:]}")

    def closeEvent(self, event: QCloseEvent) -> None:
        checkout = self.sell.checkout
        if checkout is not None and checkout.cart.lines:
            self.show_sell()
            self.sell.say("Park (F9) or finish the sale before closing the till.", error=True)
            event.ignore()
            return
        self.printing.close()
        super().closeEvent(event)
