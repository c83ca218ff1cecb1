"""The customer-facing display: a second window, full screen on a second screen, that shows
the customer what the cashier rings up.

Idle: the shop's logo (or name). Selling: the lines as they are scanned (the newest at the
bottom, always in view), what the customer saves and the total. Paying: what is still to pay
and, for PayNow, the QR code for the exact amount with the receipt number as reference.
After the sale: "Thank you" with the change due, until the next item or ``thanks_seconds``.

The window never takes the focus (the cashier's scan field keeps it), and it redraws the cart
on the next pass of the event loop, so a scan paints the cashier's line first and several
quick changes cost one redraw. Which screen it uses is ``[customer_display] screen`` in
``till.toml``; with no such screen the till sells exactly as without a display, and a screen
plugged in or pulled out later is followed.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QPixmap, QScreen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shared.cart import SaleTotals
from shared.logs import get_logger
from shared.money import ZERO
from till.settings import CustomerDisplaySettings
from till.ui.language import tr
from till.ui.money_text import dollars
from till.ui.paynow_qr import qr_image

log = get_logger("sgpos.till.customer_display")

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
WINDOWED_SIZE = QSize(800, 600)  # on the cashier's own screen (a demo): a window, not full


def choose_screen(names: Sequence[str], cashier: int, choice: str | int) -> int | None:
    """Which of the screens (by their system names, in the system's order) the display uses,
    given the index of the cashier's screen: an index, or None for no display."""
    if choice == "off" or not names:
        return None
    if choice == "auto":
        return next((n for n in range(len(names)) if n != cashier), None)
    if isinstance(choice, int):
        return choice - 1 if choice <= len(names) else None
    wanted = choice.strip().casefold()
    return next((n for n, name in enumerate(names) if name.casefold() == wanted), None)


def screen_list() -> str:
    """The connected screens as the settings name them, for messages and the log."""
    screens = QGuiApplication.screens()
    return ", ".join(f"{n} = {s.name() or 'unnamed'}" for n, s in enumerate(screens, 1))


class CustomerDisplay(QWidget):
    """The customer's window. ``place()`` puts it on its screen (or hides it when there is
    none); the till calls ``show_cart``, ``show_due``, ``show_paynow``, ``thank_you`` and
    ``idle`` as the sale goes on."""

    def __init__(
        self,
        settings: CustomerDisplaySettings,
        *,
        shop_name: str,
        logo: Path | None,
        cashier_window: QWidget,
    ) -> None:
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.WindowDoesNotAcceptFocus)
        self.setObjectName("customer_display")
        self.setWindowTitle(f"{shop_name} · customer display")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.settings = settings
        self.cashier_window = cashier_window
        self.screen_index: int | None = None
        self._totals: SaleTotals | None = None
        self._cart_dirty = False
        self._thanking = False

        self.pages = QStackedWidget(self)
        self.idle_page = self._idle_page(shop_name, logo)
        self.sale_page = self._sale_page()
        self.thanks_page = self._thanks_page()
        for page in (self.idle_page, self.sale_page, self.thanks_page):
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.setInterval(0)
        self._redraw.timeout.connect(self._draw_cart)
        self._thanks_timer = QTimer(self)
        self._thanks_timer.setSingleShot(True)
        self._thanks_timer.timeout.connect(self.idle)
        self.retranslate()
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            # Bound methods, not lambdas: Qt drops the connections when the display goes.
            app.screenAdded.connect(self._screens_changed)
            app.screenRemoved.connect(self._screens_changed)
        self.idle()

    # --- pages ----------------------------------------------------------------------------

    def _idle_page(self, shop_name: str, logo: Path | None) -> QWidget:
        page = QWidget(self)
        page.setObjectName("cd_idle")
        column = QVBoxLayout(page)
        column.addStretch(1)
        self.logo = QLabel()
        self.logo.setObjectName("cd_logo")
        self.logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        pixmap = QPixmap(str(logo)) if logo is not None else QPixmap()
        if logo is not None and pixmap.isNull():
            log.warning("customer_display.logo_unreadable", logo=str(logo))
        if pixmap.isNull():
            self.logo.setText(shop_name)
        else:
            self.logo.setPixmap(
                pixmap.scaled(
                    QSize(480, 320),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        self.logo.setProperty("role", "display-title")
        self.welcome = QLabel()
        self.welcome.setObjectName("cd_welcome")
        self.welcome.setProperty("role", "muted")
        self.welcome.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(self.logo)
        column.addWidget(self.welcome)
        column.addStretch(1)
        return page

    def _sale_page(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("cd_sale")
        self.lines = QTableWidget(0, 3, page)
        self.lines.setObjectName("cd_lines")
        self.lines.verticalHeader().setVisible(False)
        self.lines.verticalHeader().setDefaultSectionSize(48)  # 26 px type with air between
        self.lines.verticalHeader().setMinimumSectionSize(48)
        self.lines.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.lines.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lines.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.lines.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.lines.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Whole names, wrapped, never "Gardenia Enriched White Bread …" beside the QR code.
        self.lines.setWordWrap(True)
        self.lines.setTextElideMode(Qt.TextElideMode.ElideNone)
        header = self.lines.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

        self.savings = QLabel()
        self.savings.setObjectName("cd_savings")
        self.savings.setProperty("role", "savings")
        self.savings.setAlignment(_RIGHT)
        self.total = QLabel()
        self.total.setObjectName("cd_total")
        self.total.setProperty("role", "total")
        self.total.setAlignment(_RIGHT)
        self.due = QLabel()
        self.due.setObjectName("cd_due")
        self.due.setProperty("role", "money")
        self.due.setAlignment(_RIGHT)
        left = QVBoxLayout()
        left.addWidget(self.lines, 1)
        left.addWidget(self.savings)
        left.addWidget(self.total)
        left.addWidget(self.due)

        self.qr_panel = QWidget(page)
        self.qr_panel.setObjectName("cd_qr_panel")
        self.qr_heading = QLabel()
        self.qr_heading.setObjectName("cd_qr_heading")
        self.qr_heading.setProperty("role", "heading")
        self.qr = QLabel()
        self.qr.setObjectName("cd_qr")
        self.qr_amount = QLabel()
        self.qr_amount.setObjectName("cd_qr_amount")
        self.qr_amount.setProperty("role", "total")
        self.qr_reference = QLabel()
        self.qr_reference.setObjectName("cd_qr_reference")
        self.qr_reference.setProperty("role", "muted")
        right = QVBoxLayout(self.qr_panel)
        for label in (self.qr_heading, self.qr, self.qr_amount, self.qr_reference):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            right.addWidget(label)
        right.addStretch(1)
        self.qr_panel.setVisible(False)

        row = QHBoxLayout(page)
        row.addLayout(left, 3)
        row.addWidget(self.qr_panel, 2)
        return page

    def _thanks_page(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("cd_thanks")
        column = QVBoxLayout(page)
        column.addStretch(1)
        self.thanks = QLabel()
        self.thanks.setObjectName("cd_thanks_title")
        self.thanks.setProperty("role", "display-title")
        self.change = QLabel()
        self.change.setObjectName("cd_change")
        self.change.setProperty("role", "total")
        self.paid = QLabel()
        self.paid.setObjectName("cd_paid")
        self.paid.setProperty("role", "muted")
        for label in (self.thanks, self.change, self.paid):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            column.addWidget(label)
        column.addStretch(1)
        return page

    def retranslate(self) -> None:
        """The words that do not change with the sale, in the cashier's language."""
        self.welcome.setText(tr("Welcome"))
        self.lines.setHorizontalHeaderLabels([tr("Item"), tr("Qty"), tr("Amount")])
        self.qr_heading.setText(tr("Scan to pay with PayNow"))
        self.thanks.setText(tr("Thank you!"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange and hasattr(self, "thanks"):
            self.retranslate()
        super().changeEvent(event)

    # --- where it shows -------------------------------------------------------------------

    def _screens_changed(self, _screen: QScreen) -> None:
        # After Qt has finished moving windows off a screen that went away.
        QTimer.singleShot(0, self.place)

    def place(self) -> QScreen | None:
        """Show the display on the chosen screen, or hide it when that screen is not there."""
        screens = QGuiApplication.screens()
        cashier_screen = self.cashier_window.screen()
        cashier = screens.index(cashier_screen) if cashier_screen in screens else 0
        index = choose_screen([s.name() for s in screens], cashier, self.settings.screen)
        if index is None:
            if self.settings.screen != "off":
                log.info(
                    "customer_display.no_screen",
                    chosen=str(self.settings.screen),
                    connected=screen_list(),
                )
            self.screen_index = None
            self.hide()
            return None
        screen = screens[index]
        self.screen_index = index
        self.setScreen(screen)
        if index == cashier:
            # Chosen on purpose on the cashier's own screen (a demo, a trial): a window the
            # cashier can move, never a full-screen cover over the till.
            self.setWindowState(Qt.WindowState.WindowNoState)
            self.resize(WINDOWED_SIZE)
            self.show()
        else:
            self.setGeometry(screen.geometry())
            self.showFullScreen()
        self.cashier_window.activateWindow()  # the scan field keeps the keyboard
        log.info("customer_display.shown", screen=screen.name(), number=index + 1)
        return screen

    # --- what it shows --------------------------------------------------------------------

    def idle(self) -> None:
        self._thanks_timer.stop()
        self._thanking = False
        self._totals = None
        self.qr_panel.setVisible(False)
        self.pages.setCurrentWidget(self.idle_page)

    def show_cart(self, totals: SaleTotals | None) -> None:
        """The cart changed; drawn once the cashier's screen has had its turn."""
        self._totals = totals if totals is not None and totals.lines else None
        if not self._redraw.isActive():
            self._redraw.start()

    def _draw_cart(self) -> None:
        totals = self._totals
        if totals is None:
            if not self._thanking:  # "Thank you" stays until the next item or its timer
                self.idle()
            return
        self._thanks_timer.stop()
        self._thanking = False
        self.lines.setRowCount(len(totals.lines))
        for row, priced in enumerate(totals.lines):
            line = priced.line
            name = line.product.name
            if line.discount_amount or priced.cart_discount:
                saved = dollars(line.discount_amount + priced.cart_discount)
                name += "  " + tr("(you save {amount})").format(amount=saved)
            quantity = f"{line.quantity} kg" if line.product.weighed else f"{line.quantity}"
            for column, text in enumerate((name, quantity, dollars(priced.amount))):
                item = self.lines.item(row, column)
                if item is None:
                    item = QTableWidgetItem()
                    self.lines.setItem(row, column, item)
                item.setText(text)
                if column:
                    item.setTextAlignment(_RIGHT)
        self.lines.resizeRowsToContents()
        self.lines.scrollToBottom()  # the item just scanned is always in view
        self.savings.setText(
            tr("You save {amount}").format(amount=dollars(totals.discount_total))
            if totals.discount_total > 0
            else ""
        )
        self.savings.setVisible(totals.discount_total > 0)
        self.total.setText(tr("Total {amount}").format(amount=dollars(totals.total)))
        if self.pages.currentWidget() is not self.sale_page:
            self.due.clear()
        self.pages.setCurrentWidget(self.sale_page)

    def show_due(self, total: Decimal, due: Decimal) -> None:
        """Paying: what is still to pay once part of the total is paid."""
        if self._redraw.isActive():
            self._redraw.stop()
            self._draw_cart()
        self.due.setText(
            tr("Still to pay {amount}").format(amount=dollars(due)) if ZERO < due < total else ""
        )

    def show_paynow(self, payload: str, amount: Decimal, reference: str) -> None:
        """The QR code for exactly ``amount``: the customer scans it here, not over the
        counter."""
        if self._redraw.isActive():
            self._redraw.stop()
            self._draw_cart()
        height = max(self.height(), WINDOWED_SIZE.height())
        modules = qr_image(payload, module_px=1).width()  # quiet zone included
        # As big as half the screen's height allows, in whole pixels per module (a scaled,
        # blurred code reads worse), never under the cashier screen's 6 px.
        module_px = max(6, (height // 2) // modules)
        self.qr.setPixmap(QPixmap.fromImage(qr_image(payload, module_px=module_px)))
        self.qr_amount.setText(dollars(amount))
        self.qr_reference.setText(tr("Reference {number}").format(number=reference))
        self.qr_panel.setVisible(True)
        self.pages.setCurrentWidget(self.sale_page)
        # The names column is narrower beside the code: longer names wrap onto more lines
        # once the layout has settled.
        QTimer.singleShot(0, self.lines.resizeRowsToContents)

    def hide_paynow(self) -> None:
        self.qr_panel.setVisible(False)
        self.qr.clear()
        QTimer.singleShot(0, self.lines.resizeRowsToContents)

    def thank_you(self, total: Decimal, change: Decimal) -> None:
        self._redraw.stop()
        self.hide_paynow()
        self._totals = None
        self._thanking = True
        words = tr("Change due {amount}").format(amount=dollars(change)) if change else ""
        self.change.setText(words)
        self.change.setVisible(bool(change))
        self.paid.setText(tr("Paid {amount}").format(amount=dollars(total)))
        self.pages.setCurrentWidget(self.thanks_page)
        self._thanks_timer.start(self.settings.thanks_seconds * 1000)


def open_customer_display(
    settings: CustomerDisplaySettings, *, shop_name: str, data_dir: Path, cashier_window: QWidget
) -> CustomerDisplay | None:
    """The display for these settings, placed on its screen; None when it is switched off."""
    if settings.screen == "off":
        return None
    logo = None
    if settings.logo is not None:
        logo = settings.logo if settings.logo.is_absolute() else data_dir / settings.logo
    display = CustomerDisplay(
        settings, shop_name=shop_name, logo=logo, cashier_window=cashier_window
    )
    display.place()
    return display
