"""The till's one window: a stack of screens, the sync status line and the window-wide keys.

Sign-in → sell ⇄ payment; from selling, F7 Receipts, F8 Shift, F11 Stock, Ctrl+Shift+D Diagnostics
(the back-office screens come back with Esc through their ``done`` signal); F12 signs out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Protocol, cast

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QToolBar, QWidget

from till.services.staff import SignedIn
from till.ui.context import UiContext
from till.ui.customer_display import CustomerDisplay, open_customer_display
from till.ui.language import DEFAULT, set_language, tr
from till.ui.look import apply_theme, icon
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


def _stock(ctx: UiContext, bridge: SyncBridge, parent: QWidget) -> QWidget:
    from till.ui.stock_view import StockView

    return StockView(ctx, parent)


def _diagnostics(ctx: UiContext, bridge: SyncBridge, parent: QWidget) -> QWidget:
    from till.ui.diagnostics_view import DiagnosticsView

    return DiagnosticsView(ctx, bridge, parent)


# name: (how to build it, key, needs a signed-in cashier). Built when first opened (imported
# then too): these screens are not needed to sell.
BACK_OFFICE: dict[str, tuple[Callable[[UiContext, SyncBridge, QWidget], QWidget], str, bool]] = {
    "receipts": (_receipts, "F7", True),
    "shift": (_shift, "F8", True),
    "stock": (_stock, "F11", True),
    "diagnostics": (_diagnostics, "Ctrl+Shift+D", False),
}
TITLES = {
    "receipts": QT_TRANSLATE_NOOP("till", "Receipts"),
    "shift": QT_TRANSLATE_NOOP("till", "Shift"),
    "stock": QT_TRANSLATE_NOOP("till", "Stock"),
    "diagnostics": QT_TRANSLATE_NOOP("till", "Diagnostics"),
    "sign_out": QT_TRANSLATE_NOOP("till", "Sign out"),
}
KEYS = {**{name: key for name, (_, key, _) in BACK_OFFICE.items()}, "sign_out": "F12"}


class MainWindow(QMainWindow):
    def __init__(self, ctx: UiContext, bridge: SyncBridge) -> None:
        super().__init__()
        apply_theme(ctx.settings.theme)  # before any screen is built: they are born styled
        self.setObjectName("main_window")
        self.ctx, self.bridge = ctx, bridge
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
        # Off on the payment screen (and wherever a screen has a key of its own: show_screen).
        self.back_office_keys = [
            self._key(key, self._opener(name)) for name, (_, key, _) in BACK_OFFICE.items()
        ]
        self._key("F12", self.sign_out)
        self.customer: CustomerDisplay | None = None
        self.show_screen(self.signin)

    def open_customer_display(self) -> CustomerDisplay | None:
        """The customer's window on the screen ``[customer_display]`` chooses (none when
        there is no such screen); it follows the sell and payment screens from now on."""
        if self.customer is not None:
            return self.customer
        display = open_customer_display(
            self.ctx.settings.customer_display,
            shop_name=self.ctx.till.profile.outlet.name,
            data_dir=self.ctx.till.data_dir,
            cashier_window=self,
        )
        if display is None:
            return None
        self.sell.cart_shown.connect(display.show_cart)
        self.payment.due_changed.connect(display.show_due)
        self.payment.paynow_shown.connect(display.show_paynow)
        self.payment.paynow_closed.connect(display.hide_paynow)
        self.customer = display
        return display

    def _key(self, key: str, run: Callable[[], None]) -> QShortcut:
        shortcut = QShortcut(QKeySequence(key), self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(run)
        return shortcut

    def _toolbar(self) -> QToolBar:
        bar = QToolBar("More", self)
        bar.setObjectName("more")
        bar.setMovable(False)
        bar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for name in BACK_OFFICE:
            action = bar.addAction("")
            action.setObjectName(f"open_{name}")
            action.setIcon(icon(name))
            action.triggered.connect(self._opener(name))
            self.toolbar_actions[name] = action
        sign_out = bar.addAction("")
        sign_out.setObjectName("sign_out")
        sign_out.setIcon(icon("sign_out"))
        sign_out.triggered.connect(self.sign_out)
        self.toolbar_actions["sign_out"] = sign_out
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self._retranslate()
        return bar

    def _retranslate(self) -> None:
        outlet = self.ctx.till.profile
        self.setWindowTitle(
            tr("SG-POS · {shop} · till {till}").format(
                shop=outlet.outlet.name, till=outlet.till_code
            )
        )
        for name, action in self.toolbar_actions.items():
            action.setText(f"{tr(str(TITLES[name]))} ({KEYS[name]})")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange and hasattr(self, "toolbar_actions"):
            self._retranslate()
        super().changeEvent(event)

    # --- moving between screens ---------------------------------------------------------

    def show_screen(self, screen: QWidget) -> None:
        self.stack.setCurrentWidget(screen)
        self.toolbar.setVisible(screen is not self.payment)
        # A screen's own key wins: with two shortcuts on one key Qt runs neither (the stock
        # screen's F7 "All as ordered" and the window's F7 Receipts did nothing at all).
        own = {s.key().toString() for s in screen.findChildren(QShortcut)}
        for shortcut in self.back_office_keys:
            shortcut.setEnabled(screen is not self.payment and shortcut.key().toString() not in own)
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
            self.sell.say(tr("Park (F9) or finish the sale before signing out."), error=True)
            return
        self.ctx.till.staff.sign_out(who)
        self.ctx.cashier = None
        self.sell.end()
        set_language(DEFAULT)  # the next cashier chooses theirs at sign-in
        if self.customer is not None:
            self.customer.idle()
        self.show_screen(self.signin)
        self.signin.reset(tr("{name} signed out.").format(name=who.display_name))

    def _opener(self, name: str) -> Callable[..., None]:
        return lambda *_: self.open_back_office(name)

    def open_back_office(self, name: str) -> None:
        _, _, needs_cashier = BACK_OFFICE[name]
        current = self.stack.currentWidget()
        if current is self.payment:
            return  # a payment is in progress: Esc back to the cart first
        if needs_cashier and self.ctx.cashier is None:
            self.signin.message.setText(tr("Sign in first."))
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
        if self.customer is not None:
            self.customer.thank_you(paid.sale.totals.total, paid.sale.settlement.change)
        receipt = paid.sale.receipt
        if paid.paynow_payload:
            receipt = replace(receipt, paynow_payload=paid.paynow_payload)
        self.printing.print_sale(receipt, open_drawer=paid.paid_cash)

    def _receipt_settled(self, number: str, result: str) -> None:
        if result.startswith("pdf ") and number in self.sell.message.text():
            saved = tr("Receipt saved as PDF: {path}").format(path=result[4:])
            self.sell.say(f"{self.sell.message.text()}  {saved}")

    def closeEvent(self, event: QCloseEvent) -> None:
        checkout = self.sell.checkout
        if checkout is not None and checkout.cart.lines:
            self.show_sell()
            self.sell.say(tr("Park (F9) or finish the sale before closing the till."), error=True)
            event.ignore()
            return
        self.printing.close()
        if self.customer is not None:
            self.customer.close()
        super().closeEvent(event)
