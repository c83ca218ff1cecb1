"""The shift screen: open with a float, cash in and out, no-sale, X report, and the Z report
that closes the shift against the counted drawer.

Each page owns its keys, so the same key can mean one thing per page without clashing (Qt
ignores the shortcuts of hidden pages).
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from shared.gst import SINGAPORE
from shared.money import ZERO
from till.services.shifts import DrawerCount, ShiftReport
from till.services.staff import SignedIn
from till.ui.actions import dollars, problems_shown, with_manager
from till.ui.cash_count import CashCount
from till.ui.context import UiContext
from till.ui.keys import action_button
from till.ui.language import tr
from till.ui.look import set_role
from till.ui.pin_pad import TOUCH_SIZE
from till.ui.report_view import ReportView


def _signed(amount: Decimal) -> str:
    sign = "-" if amount < 0 else "+" if amount > 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def _field(name: str, placeholder: str) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setPlaceholderText(placeholder)
    field.setMinimumHeight(TOUCH_SIZE - 12)
    return field


class ShiftView(QWidget):
    done = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("shift_view")
        self.pages = QStackedWidget(self)
        self.closed_page = self._closed_page()
        self.open_page = self._open_page()
        self.count_page = self._count_page()
        self.z_page = self._z_page()
        self.counted: DrawerCount | None = None
        self.report = ReportView(ctx)
        self.report.closed.connect(self.refresh)
        for page in (self.closed_page, self.open_page, self.count_page, self.z_page, self.report):
            self.pages.addWidget(page)
        self.message = QLabel()
        self.message.setObjectName("shift_message")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message)

    # --- pages ------------------------------------------------------------------------------

    def _closed_page(self) -> QWidget:
        page = QWidget()
        heading = QLabel(tr("No shift is open: count the float into the drawer and open one."))
        set_role(heading, "heading")
        heading.setWordWrap(True)
        self.float_amount = _field("float_amount", tr("opening float, e.g. 150.00"))
        self.float_amount.returnPressed.connect(self.open_shift)
        self.float_count = CashCount()
        self.float_count.setObjectName("float_count")
        self.float_count.changed.connect(self._float_counted)
        self.float_count.finished.connect(self.float_amount.setFocus)
        form = QFormLayout()
        form.addRow(tr("Opening float ($)"), self.float_amount)
        layout = QVBoxLayout(page)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(QLabel(tr("…or count it by note and coin:")))
        layout.addWidget(self.float_count)
        buttons = QHBoxLayout()
        buttons.addWidget(
            action_button(tr("Open shift"), "F2", page, self.open_shift, "open_shift")
        )
        buttons.addWidget(
            action_button(tr("Past Z reports"), "F9", page, self.past_reports, "z_past")
        )
        buttons.addStretch(1)
        buttons.addWidget(action_button(tr("Back to selling"), "Esc", page, self.done.emit, "back"))
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    def _open_page(self) -> QWidget:
        page = QWidget()
        self.shift_heading = QLabel()
        self.shift_heading.setObjectName("shift_heading")
        set_role(self.shift_heading, "heading")
        self.cash_amount = _field("cash_amount", tr("amount, e.g. 50.00"))
        self.cash_reason = _field("cash_reason", tr("reason, e.g. change top-up, bank deposit"))
        self.cash_amount.returnPressed.connect(self.cash_reason.setFocus)
        form = QFormLayout()
        form.addRow(tr("Amount ($)"), self.cash_amount)
        form.addRow(tr("Reason"), self.cash_reason)
        grid = QGridLayout()
        actions = [
            (tr("Cash in"), "F2", lambda: self.move_cash("in"), "cash_in"),
            (tr("Cash out"), "F3", lambda: self.move_cash("out"), "cash_out"),
            (tr("No sale (open drawer)"), "F4", self.no_sale, "no_sale"),
            (tr("X report"), "F5", self.x_report, "x_report"),
            (tr("Close shift (Z report)"), "F6", self.start_count, "z_report"),
            (tr("Past Z reports"), "F9", self.past_reports, "z_past"),
            (tr("Back to selling"), "Esc", self.done.emit, "back"),
        ]
        for n, (text, key, slot, name) in enumerate(actions):
            grid.addWidget(action_button(text, key, page, slot, name), n // 2, n % 2)
        layout = QVBoxLayout(page)
        layout.addWidget(self.shift_heading)
        layout.addWidget(QLabel(tr("Cash in or out of the drawer, or a no-sale:")))
        layout.addLayout(form)
        layout.addLayout(grid)
        layout.addStretch(1)
        return page

    def _z_page(self) -> QWidget:
        page = QWidget()
        heading = QLabel(tr("Z reports of closed shifts, newest first"))
        set_role(heading, "heading")
        self.z_list = QListWidget()
        self.z_list.setObjectName("z_reports")
        self.z_list.itemActivated.connect(lambda _item: self.open_past_report())
        self.z_hint = QLabel()
        self.z_hint.setObjectName("z_hint")
        buttons = QHBoxLayout()
        buttons.addWidget(action_button(tr("Show"), None, page, self.open_past_report, "z_show"))
        buttons.addStretch(1)
        buttons.addWidget(action_button(tr("Back"), "Esc", page, self.refresh, "z_back"))
        layout = QVBoxLayout(page)
        layout.addWidget(heading)
        layout.addWidget(self.z_list, 1)
        layout.addWidget(self.z_hint)
        layout.addLayout(buttons)
        return page

    def _count_page(self) -> QWidget:
        page = QWidget()
        heading = QLabel(tr("Count the drawer: pieces of each note and coin"))
        set_role(heading, "heading")
        self.close_count = CashCount()
        self.close_count.setObjectName("close_count")
        self.close_count.finished.connect(self._count_typed)
        self.count_hint = QLabel()
        self.count_hint.setObjectName("count_hint")
        self.count_hint.setWordWrap(True)
        self.count_result = QLabel()
        self.count_result.setObjectName("count_result")
        self.count_result.setWordWrap(True)
        self.commit_button = action_button(
            tr("Count done"), "F6", page, self.commit_count, "commit_count"
        )
        self.recount_button = action_button(tr("Count again"), "F5", page, self.recount, "recount")
        self.close_button = action_button(
            tr("Close shift"), "Ctrl+Return", page, self.close_shift, "close_shift"
        )
        buttons = QHBoxLayout()
        for button in (self.commit_button, self.recount_button, self.close_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(action_button(tr("Not now"), "Esc", page, self.refresh, "cancel_count"))
        layout = QVBoxLayout(page)
        layout.addWidget(heading)
        layout.addWidget(self.count_hint)
        layout.addWidget(self.close_count)
        layout.addWidget(self.count_result)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    # --- what the main window calls ---------------------------------------------------------

    def refresh(self) -> None:
        """Show the page that fits the till's shift right now."""
        shift = self.ctx.till.shifts.current()
        if shift is None:
            self.float_amount.clear()
            self.float_count.clear()
            self.pages.setCurrentWidget(self.closed_page)
        else:
            opened = shift.opened_at.astimezone(SINGAPORE)
            self.shift_heading.setText(
                tr("Shift open since {opened}, float {amount}").format(
                    opened=f"{opened:%d-%m-%Y %H:%M}", amount=f"${shift.opening_float:,.2f}"
                )
            )
            self.pages.setCurrentWidget(self.open_page)
        self._focus_page()

    def showEvent(self, event: QShowEvent) -> None:
        # The window may refresh a screen before showing it, and a hidden field cannot take
        # the focus; each page's keys only work while the focus is inside that page.
        super().showEvent(event)
        self._focus_page()

    def _focus_page(self) -> None:
        page = self.pages.currentWidget()
        if page is self.closed_page:
            self.float_amount.setFocus()
        elif page is self.open_page:
            self.cash_amount.setFocus()
        elif page is self.count_page:
            self.close_count.start()
        elif page is self.z_page:
            self.z_list.setFocus()
        else:
            self.report.text.setFocus()

    # --- actions ----------------------------------------------------------------------------

    def _cashier(self) -> SignedIn:
        return self.ctx.require_cashier()

    def _float_counted(self) -> None:
        if self.float_count.counted():
            self.float_amount.setText(f"{self.float_count.total():.2f}")

    def open_shift(self) -> None:
        with problems_shown(self):
            amount = dollars(self.float_amount.text(), tr("opening float"))
            self.ctx.till.shifts.open_shift(self._cashier(), amount)
            self.refresh()
            self.message.setText(
                tr("Shift opened with a float of {amount}.").format(amount=f"${amount:,.2f}")
            )

    def move_cash(self, direction: str) -> None:
        with problems_shown(self):
            amount = dollars(self.cash_amount.text(), tr("amount"))
            reason = self.cash_reason.text()
            self.ctx.till.shifts.move_cash(self._cashier(), direction, amount, reason)
            self.cash_amount.clear()
            self.cash_reason.clear()
            self.cash_amount.setFocus()
            words = (
                tr("{amount} into the drawer recorded.")
                if direction == "in"
                else tr("{amount} out of the drawer recorded.")
            )
            self.message.setText(words.format(amount=f"${amount:,.2f}") + self._kick_drawer())

    def no_sale(self) -> None:
        with problems_shown(self):
            self.ctx.till.shifts.no_sale(self._cashier(), self.cash_reason.text())
            self.cash_reason.clear()
            self.message.setText(tr("No sale recorded.") + self._kick_drawer())

    def _kick_drawer(self) -> str:
        # Recorded first, kicked second: a drawer that stays shut never loses the record.
        outcome = self.ctx.printer.open_drawer()
        if outcome.ok:
            return ""
        return " " + tr("The drawer did not open: {problem}").format(problem=outcome.problem)

    def x_report(self) -> None:
        with problems_shown(self):
            report = self.ctx.till.shifts.x_report()
            self._show(report)

    def start_count(self) -> None:
        self.pages.setCurrentWidget(self.count_page)
        self.recount()

    def recount(self) -> None:
        """A blank, blind count: the till's expected cash stays hidden until it is done."""
        self.counted = None
        self.close_count.clear()
        self.count_result.clear()
        self.count_hint.setText(
            tr(
                "Count blind: type how many of each, Enter to move on. When every note and "
                "coin is in, press F6 (Count done) to see what the till expected."
            )
        )
        self.commit_button.setEnabled(True)
        self.recount_button.setEnabled(False)
        self.close_button.setEnabled(False)
        self._focus_page()

    def _count_typed(self) -> None:
        # Enter after the last coin never closes the shift: a stray Enter must not end the day.
        if self.counted is None:
            self.count_hint.setText(
                tr("Counted {amount}. Check it, then F6 (Count done).").format(
                    amount=f"${self.close_count.total():,.2f}"
                )
            )

    def commit_count(self) -> None:
        if not self.close_count.counted():
            # F6 twice from the shift page would otherwise reveal the expected cash unasked.
            self.count_hint.setText(
                tr(
                    "Nothing is counted yet: type the pieces of each note and coin (0 for an "
                    "empty drawer), then F6."
                )
            )
            return
        with problems_shown(self):
            counted = self.ctx.till.shifts.count_drawer(self._cashier(), self.close_count.counted())
            self.counted = counted
            self.close_count.lock(True)
            self.commit_button.setEnabled(False)
            self.recount_button.setEnabled(True)
            self.close_button.setEnabled(True)
            variance = counted.variance
            manager = (
                " "
                + tr("That is more than the {limit} allowed: a manager approves the close.").format(
                    limit=f"${counted.limit:,.2f}"
                )
                if counted.needs_manager
                else ""
            )
            self.count_result.setText(
                tr("Counted {counted}; the till expected {expected}; variance {variance}.").format(
                    counted=f"${counted.counted_cash:,.2f}",
                    expected=f"${counted.expected_cash:,.2f}",
                    variance=_signed(variance),
                )
                + manager
            )
            self.count_hint.setText(
                tr(
                    "Ctrl+Enter (Close shift) closes the shift and shows the Z report; F5 "
                    "counts again (both counts are recorded); Esc leaves the shift open."
                )
            )

    def close_shift(self) -> None:
        counted = self.counted
        if counted is None:
            return  # only a committed count closes a shift
        with problems_shown(self):
            who = self._cashier()
            report = with_manager(
                self,
                self.ctx,
                lambda manager: self.ctx.till.shifts.close_shift(
                    who, counted.counted, approved_by=manager
                ),
            )
            if report is None:
                self.message.setText(
                    tr(
                        "The shift is still open: count again, or ask a manager to approve "
                        "the variance."
                    )
                )
                return
            self._show(report)
            self.message.setText(
                tr("Shift closed. Variance {variance}.").format(
                    variance=_signed(report.variance or ZERO)
                )
            )

    def past_reports(self) -> None:
        with problems_shown(self):
            self.z_list.clear()
            for shift in self.ctx.till.shifts.closed_shifts():
                opened = shift.opened_at.astimezone(SINGAPORE)
                closed = shift.closed_at.astimezone(SINGAPORE)
                item = QListWidgetItem(
                    tr("Closed {closed}  (opened {opened})  variance {variance}").format(
                        closed=f"{closed:%d-%m-%Y %H:%M}",
                        opened=f"{opened:%d-%m %H:%M}",
                        variance=_signed(shift.variance),
                    )
                )
                item.setData(Qt.ItemDataRole.UserRole, shift.shift_id)
                self.z_list.addItem(item)
            self.pages.setCurrentWidget(self.z_page)
            if self.z_list.count():
                self.z_list.setCurrentRow(0)
                self.z_hint.setText(tr("Up/Down to choose, Enter to show it (then F2 prints)."))
            else:
                self.z_hint.setText(tr("No shift has been closed on this till yet."))
            self.z_list.setFocus()

    def open_past_report(self) -> None:
        item: QListWidgetItem | None = self.z_list.currentItem()
        if item is None:
            return
        with problems_shown(self):
            self._show(self.ctx.till.shifts.z_report(item.data(Qt.ItemDataRole.UserRole)))

    def _show(self, report: ShiftReport) -> None:
        self.pages.setCurrentWidget(self.report)  # first: a hidden page cannot take the focus
        self.report.show_report(report)
