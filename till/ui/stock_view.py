"""The stock screen (F11): receive goods, adjust stock, count it, send and take in transfers.

One scan line for all five jobs: type a quantity (units, kg, or packs x units such as 3x24)
and, when receiving, the cost per unit, then scan the item (or type its barcode and Enter).
F10 saves the document in one go; a job that needs a manager asks for one's PIN. A stocktake
is saved as it is scanned (it may take all evening): the screen shows no expected quantity
(a blind count) until F10 shows the variance, and a second F10 approves it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shared.cart import ProductSnapshot
from till.services.context import REFUSALS, CashierError
from till.services.staff import SignedIn
from till.services.stock import (
    ADJUSTMENT_REASONS,
    CountState,
    OpenOrder,
    StockDone,
    StockLine,
    StockService,
    VarianceLine,
    difference,
    parse_cost,
    parse_quantity,
)
from till.ui.actions import with_manager
from till.ui.context import UiContext
from till.ui.keys import action_button
from till.ui.language import tr
from till.ui.pin_pad import TOUCH_SIZE
from till.ui.refusals import translate_refusal

HEADING = "font-size: 18pt; font-weight: bold"

# mode: (title, key, what the reference field asks for)
# (marked for Qt's translation tools, shown through tr())
MODES: dict[str, tuple[str, str, str]] = {
    mode: (str(title), key, str(asks))
    for mode, (title, key, asks) in {
        "receive": (
            QT_TRANSLATE_NOOP("till", "Receive goods"),
            "F1",
            QT_TRANSLATE_NOOP("till", "supplier's delivery order or invoice number"),
        ),
        "adjust": (
            QT_TRANSLATE_NOOP("till", "Adjust stock"),
            "F2",
            QT_TRANSLATE_NOOP("till", "note (optional)"),
        ),
        "count": (QT_TRANSLATE_NOOP("till", "Stocktake"), "F3", ""),
        "send": (
            QT_TRANSLATE_NOOP("till", "Send a transfer"),
            "F4",
            QT_TRANSLATE_NOOP("till", "outlet code it goes to, e.g. JUR"),
        ),
        "take_in": (
            QT_TRANSLATE_NOOP("till", "Take in a transfer"),
            "F5",
            QT_TRANSLATE_NOOP("till", "transfer number from the dispatch note"),
        ),
    }.items()
}
SCOPE_ALL, SCOPE_SCANNED = "All products", "Only what is scanned (a shelf list)"
NO_ORDER = str(QT_TRANSLATE_NOOP("till", "No purchase order (type the cost per unit)"))
SHORT, OVER = QColor("#fdecea"), QColor("#fff4e5")
SCOPE_WORDS = (
    QT_TRANSLATE_NOOP("till", "All products"),
    QT_TRANSLATE_NOOP("till", "Only what is scanned (a shelf list)"),
)
# The adjustment reasons as the cashier reads them; the service keeps the English ones.
REASON_WORDS = (
    QT_TRANSLATE_NOOP("till", "damaged"),
    QT_TRANSLATE_NOOP("till", "expired"),
    QT_TRANSLATE_NOOP("till", "theft"),
    QT_TRANSLATE_NOOP("till", "own use"),
    QT_TRANSLATE_NOOP("till", "sample"),
    QT_TRANSLATE_NOOP("till", "found"),
)


@dataclass
class Line:
    product: ProductSnapshot
    quantity: Decimal
    unit_cost: Decimal | None


def _field(name: str, placeholder: str) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setPlaceholderText(placeholder)
    field.setMinimumHeight(TOUCH_SIZE - 12)
    return field


def _qty(q: Decimal) -> str:
    return f"{q.normalize():f}"


class StockView(QWidget):
    done = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("stock_view")
        self.mode = "receive"
        self.lines: list[Line] = []
        self.count: CountState | None = None
        self.reviewed: list[VarianceLine] | None = None
        # Receiving against a purchase order: the order, units counted in per line, and the
        # scans in order (for Ctrl+Z).
        self.orders: list[OpenOrder] = []
        self.order: OpenOrder | None = None
        self.received: dict[str, Decimal] = {}
        self.scans: list[tuple[str, Decimal]] = []

        modes = QHBoxLayout()
        for mode, (title, key, _) in MODES.items():
            modes.addWidget(action_button(tr(title), key, self, self._switch(mode), f"mode_{mode}"))
        self.heading = QLabel()
        self.heading.setObjectName("stock_heading")
        self.heading.setStyleSheet(HEADING)

        form = QFormLayout()
        self.reference = _field("stock_reference", "")
        self.reason = QComboBox()
        self.reason.setObjectName("stock_reason")
        for reason in ADJUSTMENT_REASONS:
            self.reason.addItem(tr(reason), reason)
        self.scope = QComboBox()
        self.scope.setObjectName("stock_scope")
        self.order_pick = QComboBox()
        self.order_pick.setObjectName("stock_order")
        self.order_pick.activated.connect(self._order_chosen)
        self.quantity = _field("stock_qty", tr("1, 1.250 (kg), or packs x units: 3x24"))
        self.cost = _field("stock_cost", tr("cost per unit from the invoice, e.g. 0.85"))
        self.scan = _field("stock_scan", tr("scan the item, or type its barcode and Enter"))
        self.scan.returnPressed.connect(self.add_scanned)
        # Enter in a field before the item moves on to the next one shown, as Tab would: a
        # delivery order's number, then Enter, then the quantity or a scan.
        fields = (self.reference, self.quantity, self.cost, self.scan)
        for at, field in enumerate(fields[:-1]):
            field.returnPressed.connect(partial(self._focus_after, fields[at + 1 :]))
        # Ctrl+Z is Remove last, not the field's own undo: a scan field has nothing to undo.
        self.scan.installEventFilter(self)
        self.quantity.installEventFilter(self)
        self.labels: dict[str, QLabel] = {}
        for name, text, widget in (
            ("order", tr("Purchase order"), self.order_pick),
            ("reference", tr("Reference"), self.reference),
            ("reason", tr("Reason"), self.reason),
            ("scope", tr("Count"), self.scope),
            ("quantity", tr("Quantity"), self.quantity),
            ("cost", tr("Cost per unit"), self.cost),
            ("scan", tr("Item"), self.scan),
        ):
            label = QLabel(text)
            self.labels[name] = label
            form.addRow(label, widget)

        self.table = QTableWidget(0, 4)
        self.table.setObjectName("stock_lines")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # No row numbers (and no finger-small corner button above them), rows a finger can pick.
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(TOUCH_SIZE - 16)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

        buttons = QHBoxLayout()
        self.start = action_button(tr("Start count"), "F9", self, self.start_count, "stock_start")
        self.cancel = action_button(
            tr("Cancel count"), "Ctrl+K", self, self.cancel_count, "stock_cancel"
        )
        self.next_order = action_button(
            tr("Next order"), "F6", self, self.cycle_order, "stock_next_order"
        )
        self.as_ordered = action_button(
            tr("All as ordered"), "F7", self, self.all_as_ordered, "stock_as_ordered"
        )
        self.remove = action_button(
            tr("Remove last"), "Ctrl+Z", self, self.remove_last, "stock_remove"
        )
        self.save = action_button(tr("Save"), "F10", self, self.commit, "stock_commit")
        back = action_button(tr("Back to selling"), "Esc", self, self.done.emit, "back")
        for button in (
            self.next_order,
            self.as_ordered,
            self.start,
            self.cancel,
            self.remove,
            self.save,
            back,
        ):
            buttons.addWidget(button)

        self.message = QLabel()
        self.message.setObjectName("stock_message")
        self.message.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(modes)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.set_mode("receive")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Undo)
        ):
            event.ignore()  # not taken by the field: the screen's Ctrl+Z shortcut fires
            return True
        return super().eventFilter(watched, event)

    # --- the service, as the person signed in ----------------------------------------------

    @property
    def stock(self) -> StockService:
        return self.ctx.till.stock()

    def refresh(self) -> None:
        """Coming back to the screen: an open stocktake is picked up where it was left."""
        try:
            self.count = self.stock.open_count()
        except REFUSALS as exc:
            self.say(translate_refusal(str(exc)), error=True)
            return
        self.set_mode("count" if self.count is not None else self.mode)

    def say(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b00020" if error else "color: #1b5e20")
        self.message.setText(text)

    # --- modes ------------------------------------------------------------------------------

    def _switch(self, mode: str) -> Callable[[], None]:
        return lambda: self.set_mode(mode)

    def set_mode(self, mode: str) -> None:
        if mode != self.mode and (self.lines or self.scans):
            self.say(
                tr("Save (F10) or remove the lines first: they belong to this job."), error=True
            )
            return
        self.mode = mode
        title, _, asks = MODES[mode]
        counting = mode == "count"
        self.reference.setPlaceholderText(tr(asks) if asks else "")
        self.reference.clear()
        receiving = mode == "receive"
        if not receiving:
            self.order, self.received, self.scans = None, {}, []
        visible = {
            "order": receiving,
            "reference": not counting,
            "reason": mode == "adjust",
            "scope": counting and self.count is None,
            "cost": receiving and self.order is None,
        }
        for name, shown in visible.items():
            self.labels[name].setVisible(shown)
            widget = {
                "order": self.order_pick,
                "reference": self.reference,
                "reason": self.reason,
                "scope": self.scope,
                "cost": self.cost,
            }[name]
            widget.setVisible(shown)
        self.next_order.setVisible(receiving)
        self.as_ordered.setVisible(receiving)
        self.as_ordered.setEnabled(self.order is not None)
        if receiving:
            self._load_orders()
        self.start.setVisible(counting)
        self.cancel.setVisible(counting)
        self.remove.setVisible(not counting)
        self.start.setEnabled(self.count is None)
        self.cancel.setEnabled(self.count is not None)
        self.save.setText((tr("Review and approve") if counting else tr("Save")) + "  [F10]")
        title = tr(title)
        if counting:
            self.scope.clear()
            for scope in (SCOPE_ALL, SCOPE_SCANNED):
                self.scope.addItem(tr(scope), scope)
            for category in self._categories():
                self.scope.addItem(category, category)
            if self.count is not None:
                title = tr("Stocktake {number} ({scope})").format(
                    number=self.count.number, scope=_scope_words(self.count.scope)
                )
        self.heading.setText(title)
        self.reviewed = None
        self._show_lines()
        self.say("")
        (self.scan if counting or mode == "adjust" else self.reference).setFocus()

    @staticmethod
    def _focus_after(later: tuple[QLineEdit, ...]) -> None:
        next(f for f in later if f.isVisible() or f is later[-1]).setFocus()

    def _categories(self) -> list[str]:
        try:
            return self.stock.categories()
        except REFUSALS:
            return []

    # --- scanning ---------------------------------------------------------------------------

    def add_scanned(self) -> None:
        code = self.scan.text()
        self.scan.clear()
        try:
            product = self.stock.product(code)
            if self.order is not None:
                self._scan_against_order(product)
                self.quantity.clear()
                self.scan.setFocus()
                return
            quantity = parse_quantity(self.quantity.text(), weighed=product.weighed)
            if self.mode == "receive":
                # A carton is received by the carton at its cost; the ledger keeps its units.
                cost = parse_cost(self.cost.text())
                if cost is None:
                    raise CashierError(
                        f"type the cost per unit of {product.name} first, then scan it again"
                    )
                self.lines.append(Line(product, quantity, cost))
                self._show_lines()
                self.say(f"{product.name}: {_qty(quantity)}")
            else:
                # Counted, written off or moved: a carton is its units of the unit product.
                units = self.stock.in_units(product, quantity)
                pack = (
                    ""
                    if units.product == product
                    else _pack_words(product, quantity, units.quantity)
                )
                if self.mode == "count":
                    self._count(units.product, units.quantity, pack)
                else:
                    self.lines.append(Line(units.product, units.quantity, None))
                    self._show_lines()
                    self.say(f"{pack}{units.product.name}: {_qty(units.quantity)}")
        except REFUSALS as exc:
            self.say(translate_refusal(str(exc)), error=True)
            self.scan.setFocus()
            return
        self.quantity.clear()
        self.cost.clear()
        self.scan.setFocus()

    def _count(self, product: ProductSnapshot, quantity: Decimal, pack: str = "") -> None:
        if self.count is None:
            raise CashierError("start the count first (F9)")
        total = self.stock.count(self.count.document_id, product, quantity)
        self.count = self.stock.open_count()
        self.reviewed = None
        self._show_lines()
        self.say(
            pack
            + tr("{item}: counted {quantity} so far").format(
                item=product.name, quantity=_qty(total)
            )
        )

    def remove_last(self) -> None:
        if self.order is not None and self.scans:
            line_id, quantity = self.scans.pop()
            self.received[line_id] -= quantity
            self._show_lines()
            self.say(tr("Took back the last scan ({quantity}).").format(quantity=_qty(quantity)))
            return
        if self.lines:
            gone = self.lines.pop()
            self._show_lines()
            self.say(tr("Removed {item}.").format(item=gone.product.name))

    def _show_lines(self) -> None:
        if self.mode == "count":
            self._show_count()
            return
        if self.order is not None:
            self._show_order()
            return
        self._columns([tr("Item"), tr("Quantity"), tr("Cost per unit"), tr("Value")])
        self.table.setRowCount(len(self.lines))
        for row, line in enumerate(self.lines):
            cost = line.unit_cost
            cells = [
                line.product.name,
                _qty(line.quantity),
                "" if cost is None else f"{cost:,.2f}",
                "" if cost is None else f"{line.quantity * cost:,.2f}",
            ]
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))

    def _columns(self, headers: list[str]) -> None:
        """Every job's table: the item takes the room, each other column is as wide as its
        heading or widest figure (a count's review once cut "Value at cost" to "alue at cos")."""
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(headers)):  # once the columns exist
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)

    def _show_count(self) -> None:
        if self.reviewed is not None:
            headers = [
                tr("Item"),
                tr("Expected"),
                tr("Counted"),
                tr("Variance"),
                tr("Value at cost"),
            ]
            rows = [
                [v.name, _qty(v.expected), _qty(v.counted), _qty(v.variance), f"{v.value:,.2f}"]
                for v in self.reviewed
            ]
        else:
            # Blind: what was counted, never what the books expect.
            headers = [tr("Item"), tr("Counted")]
            rows = []
            if self.count is not None:
                rows = [[name, _qty(q)] for name, q in self.stock.counted(self.count.document_id)]
        self._columns(headers)
        self.table.setRowCount(len(rows))
        for row, cells in enumerate(rows):
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))

    # --- receiving against a purchase order ------------------------------------------------

    def _load_orders(self) -> None:
        try:
            self.orders = self.stock.open_orders()
        except REFUSALS as exc:
            self.orders = []
            self.say(str(exc), error=True)
        chosen = self.order.po_id if self.order else None
        self.order_pick.clear()
        self.order_pick.addItem(tr(NO_ORDER))
        for order in self.orders:
            state = " " + tr("(part received)") if order.status == "partial" else ""
            self.order_pick.addItem(f"{order.number}  {order.supplier}{state}")
        ids = [o.po_id for o in self.orders]
        self.order_pick.setCurrentIndex(ids.index(chosen) + 1 if chosen in ids else 0)

    def cycle_order(self) -> None:
        """F6: the next open order (after the last, back to receiving without one)."""
        if self.mode != "receive":
            return
        self._load_orders()
        count = self.order_pick.count()
        self._order_chosen((self.order_pick.currentIndex() + 1) % count)

    def _order_chosen(self, index: int) -> None:
        picked = self.orders[index - 1] if 0 < index <= len(self.orders) else None
        if (picked.po_id if picked else None) == (self.order.po_id if self.order else None):
            self.order_pick.setCurrentIndex(index)
            return
        if self.lines or self.scans:
            self.order_pick.setCurrentIndex(
                self.orders.index(self.order) + 1 if self.order in self.orders else 0
            )
            self.say(
                tr("Save (F10) or remove the lines first: they belong to this delivery."),
                error=True,
            )
            return
        self.order = picked
        self.received = {ln.po_line_id: Decimal(0) for ln in picked.lines} if picked else {}
        self.scans = []
        self.order_pick.setCurrentIndex(index)
        typed = self.reference.text()  # the delivery order's number, if typed first
        self.set_mode("receive")
        self.reference.setText(typed)
        if picked is not None:
            self.say(
                tr(
                    "{order} from {supplier}: scan what arrived (2p = two packs), "
                    "or F7 if everything came as ordered."
                ).format(order=picked.number, supplier=picked.supplier)
            )
            self.scan.setFocus()

    def _scan_against_order(self, product: ProductSnapshot) -> None:
        assert self.order is not None
        # A carton of a unit on the order counts its units there (the service decides).
        scanned = self.stock.against_order(self.order, product, self.quantity.text())
        line_id = scanned.line.po_line_id
        self.received[line_id] += scanned.units
        self.scans.append((line_id, scanned.units))
        self._show_lines()
        pack = (
            "" if scanned.pack is None else _pack_words(scanned.pack, scanned.packs, scanned.units)
        )
        self.say(
            pack
            + tr("{item}: {quantity} in this delivery").format(
                item=scanned.line.product.name, quantity=_qty(self.received[line_id])
            )
        )

    def all_as_ordered(self) -> None:
        """F7: every line as still outstanding on the order (then adjust what differs)."""
        if self.order is None:
            return
        for line in self.order.lines:
            extra = line.outstanding - self.received[line.po_line_id]
            if extra > 0:
                self.received[line.po_line_id] += extra
                self.scans.append((line.po_line_id, extra))
        self._show_lines()
        self.say(
            tr("Every line as ordered: scan more, or Remove last, where the delivery differs.")
        )

    def _show_order(self) -> None:
        assert self.order is not None
        headers = [
            tr("Item"),
            tr("Ordered"),
            tr("Received before"),
            tr("This delivery"),
            tr("Packs"),
            tr("Difference"),
        ]
        self._columns(headers)
        self.table.setRowCount(len(self.order.lines))
        short = over = 0
        for row, line in enumerate(self.order.lines):
            now = self.received[line.po_line_id]
            diff = difference(line, now)
            flag = (
                ""
                if diff == 0
                else tr("short {quantity}").format(quantity=_qty(-diff))
                if diff < 0
                else tr("over {quantity}").format(quantity=_qty(diff))
            )
            cells = [
                line.product.name,
                _qty(line.ordered),
                _qty(line.received_before),
                _qty(now),
                _packs(now, line.pack_size),
                flag,
            ]
            colour = SHORT if diff < 0 else OVER if diff > 0 else None
            short += diff < 0
            over += diff > 0
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if colour is not None:
                    item.setBackground(QBrush(colour))
                self.table.setItem(row, col, item)
        self.heading.setText(
            tr("Receive {order} from {supplier}: {short} short, {over} over").format(
                order=self.order.number, supplier=self.order.supplier, short=short, over=over
            )
        )

    # --- stocktake --------------------------------------------------------------------------

    def start_count(self) -> None:
        if self.mode != "count" or self.count is not None:
            return
        choice = self.scope.currentData()
        category = None if choice == SCOPE_ALL else "" if choice == SCOPE_SCANNED else choice
        try:
            self.count = self.stock.start_count(self.ctx.require_cashier(), category)
        except REFUSALS as exc:
            self.say(translate_refusal(str(exc)), error=True)
            return
        self.set_mode("count")
        self.say(
            tr("Count {number} started: scan every item on the shelves.").format(
                number=self.count.number
            )
        )

    def cancel_count(self) -> None:
        if self.mode != "count" or self.count is None:
            return
        try:
            self.stock.cancel_count(self.ctx.require_cashier(), self.count.document_id)
        except REFUSALS as exc:
            self.say(translate_refusal(str(exc)), error=True)
            return
        number, self.count = self.count.number, None
        self.set_mode("count")
        self.say(tr("Count {number} cancelled: stock is as it was.").format(number=number))

    # --- saving -----------------------------------------------------------------------------

    def commit(self) -> None:
        try:
            who = self.ctx.require_cashier()
            done = self._commit(who)
        except REFUSALS as exc:
            self.say(translate_refusal(str(exc)), error=True)
            return
        if done is None:
            return  # cancelled approval or only reviewed
        self.lines = []
        self.reference.clear()
        if self.order is not None:
            self.order, self.received, self.scans = None, {}, []
            self.set_mode("receive")
        if self.mode == "count":
            self.count = None
            self.set_mode("count")
        else:
            self._show_lines()
        words = {
            "receive": tr("{number} received."),
            "adjust": tr("{number} adjusted."),
            "count": tr("{number} approved."),
            "send": tr("{number} sent: write its number on the dispatch note."),
            "take_in": tr("{number} taken in."),
        }[self.mode].format(number=done.number)
        lines = (
            tr("{count} line, {value} at cost.")
            if done.lines == 1
            else tr("{count} lines, {value} at cost.")
        )
        # What was sent is worth what it is worth: the value is said without the sign its
        # movements carry (stock going out); an adjustment keeps its sign (found or lost).
        value = done.value.copy_abs() if self.mode == "send" else done.value
        self.say(f"{words} {lines.format(count=done.lines, value=_money(value))}")
        self.scan.setFocus()

    def _commit(self, who: SignedIn) -> StockDone | None:
        stock = self.stock
        lines = [StockLine(ln.product, ln.quantity, ln.unit_cost) for ln in self.lines]
        ref = self.reference.text()
        if self.mode == "count":
            if self.count is None:
                raise CashierError("start a count first (F9), then scan the shelves")
            if self.reviewed is None:
                self.reviewed = stock.variance(self.count.document_id)
                self._show_count()
                value = sum((v.value for v in self.reviewed), Decimal(0))
                differ = sum(1 for v in self.reviewed if v.variance)
                differ_words = (
                    tr("{count} item differs, {value} at cost.")
                    if differ == 1
                    else tr("{count} items differ, {value} at cost.")
                )
                self.say(
                    differ_words.format(count=differ, value=_money(value))
                    + " "
                    + tr("Press F10 again to approve the count.")
                )
                return None
            doc = self.count.document_id
            return with_manager(
                self, self.ctx, lambda by: stock.approve_count(who, doc, approved_by=by)
            )
        if self.mode == "receive" and self.order is not None:
            order, received = self.order, dict(self.received)
            return with_manager(
                self,
                self.ctx,
                lambda by: stock.receive_order(who, order, received, reference=ref, approved_by=by),
            )
        if self.mode == "receive":
            return with_manager(
                self, self.ctx, lambda by: stock.receive(who, lines, reference=ref, approved_by=by)
            )
        if self.mode == "adjust":
            reason = self.reason.currentData()
            return with_manager(
                self,
                self.ctx,
                lambda by: stock.adjust(who, lines, reason, note=ref, approved_by=by),
            )
        if self.mode == "send":
            return with_manager(
                self, self.ctx, lambda by: stock.dispatch(who, lines, ref, approved_by=by)
            )
        return with_manager(
            self, self.ctx, lambda by: stock.receive_transfer(who, lines, ref, approved_by=by)
        )


def _packs(units: Decimal, pack: Decimal) -> str:
    """Units as whole packs and the rest: ``2 x 12``, ``1 x 12 + 2``."""
    whole = (units // pack) if pack > 0 else Decimal(0)
    rest = units - whole * pack
    return f"{_qty(whole)} x {_qty(pack)}" + (f" + {_qty(rest)}" if rest else "")


def _pack_words(pack: ProductSnapshot, packs: Decimal, units: Decimal) -> str:
    """What scanned packs were taken as, said before what they did."""
    return (
        tr("{packs} x {pack} = {units} units.").format(
            packs=_qty(packs), pack=pack.name, units=_qty(units)
        )
        + " "
    )


def _money(value: Decimal) -> str:
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


def _scope_words(scope: str) -> str:
    if scope.startswith("category:"):
        return scope.split(":", 2)[2]
    if scope == "all":
        return tr("all products")
    if scope == "scanned":
        return tr("what is scanned")
    return scope
