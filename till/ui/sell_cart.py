"""The cart as a table: one row per line, the selected row is the one the line keys act on."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from shared.cart import PricedLine
from till.ui.language import tr
from till.ui.look import TOUCH
from till.ui.money_text import dollars

HEADERS = (
    QT_TRANSLATE_NOOP("till", "Item"),
    QT_TRANSLATE_NOOP("till", "Qty"),
    QT_TRANSLATE_NOOP("till", "Price"),
    QT_TRANSLATE_NOOP("till", "Discount"),
    QT_TRANSLATE_NOOP("till", "Amount"),
)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
Index = QModelIndex | QPersistentModelIndex


class CartModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines: tuple[PricedLine, ...] = ()

    def show_lines(self, lines: tuple[PricedLine, ...]) -> None:
        # A cart is tens of lines: resetting is cheaper to reason about than row diffs and
        # stays far inside the scan-to-screen budget (bench/scan.py).
        self.beginResetModel()
        self.lines = lines
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return tr(str(HEADERS[section]))
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        priced = self.lines[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(priced, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return _RIGHT
        return None

    def line_id(self, row: int) -> str | None:
        return self.lines[row].line.line_id if 0 <= row < len(self.lines) else None

    def row_of(self, line_id: str) -> int:
        for row, priced in enumerate(self.lines):
            if priced.line.line_id == line_id:
                return row
        return -1


def cell_text(priced: PricedLine, column: int) -> str:
    line = priced.line
    if column == 0:
        marks = " " + tr("(price changed)") if line.price_overridden else ""
        offers = f"  · {', '.join(priced.promotions)}" if priced.promotions else ""
        return f"{line.product.name}{marks}{offers}"
    if column == 1:
        return f"{line.quantity} kg" if line.product.weighed else f"{line.quantity}"
    if column == 2:
        return (
            f"{dollars(line.unit_price)}/kg" if line.product.weighed else dollars(line.unit_price)
        )
    if column == 3:
        return dollars(-priced.line_discount) if priced.line_discount else ""
    return dollars(priced.amount)


class CartView(QTableView):
    """Never takes the focus: the scan field keeps it, and Up/Down there move the selection."""

    def __init__(self, model: CartModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cart")
        self.setModel(model)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(TOUCH)  # rows a finger can pick
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.model().headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(HEADERS) - 1)
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        # The cart gets shorter when a message or the change due appears under it: the line
        # just rung up stays whole in view.
        super().resizeEvent(event)
        row = self.selected_row()
        if row >= 0:
            self.scrollTo(self.model().index(row, 0))

    def selected_row(self) -> int:
        rows = self.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def select_row(self, row: int) -> None:
        model = self.model()
        if 0 <= row < model.rowCount():
            self.selectRow(row)
            self.scrollTo(model.index(row, 0))
        else:
            self.clearSelection()
