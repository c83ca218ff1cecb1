"""The receipts screen's list of today's and yesterday's sales and slips, newest first, and
the search over it: the receipt number's last digits, an amount or a time."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

from shared.gst import SINGAPORE
from till.services.receipts import RecentReceipt
from till.ui.language import tr
from till.ui.pin_pad import TOUCH_SIZE
from till.ui.refusals import translate_refusal

COLUMNS = tuple(
    str(words)
    for words in (
        QT_TRANSLATE_NOOP("till", "Receipt"),
        QT_TRANSLATE_NOOP("till", "Time"),
        QT_TRANSLATE_NOOP("till", "Total"),
        QT_TRANSLATE_NOOP("till", "Paid by"),
        QT_TRANSLATE_NOOP("till", "Status"),
    )
)
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
Index = QModelIndex | QPersistentModelIndex


def _time(at: datetime, today: datetime) -> str:
    local = at.astimezone(SINGAPORE)
    if local.date() == today.date():
        return f"{local:%H:%M}"
    return tr("yesterday {time}").format(time=f"{local:%H:%M}")


def matches(row: RecentReceipt, needle: str) -> bool:
    """Whether the cashier's search text finds this row: the end of its receipt number
    ("525", "000525", the whole number), the start of its amount ("12.5", "$12.50") or of its
    time ("14:3")."""
    wanted = "".join(needle.split()).lower().replace("$", "").replace(",", "")
    if not wanted:
        return True
    local = row.at.astimezone(SINGAPORE)
    return (
        row.receipt_no.lower().endswith(wanted)
        or f"{abs(row.total):.2f}".startswith(wanted.lstrip("-"))
        or f"{local:%H:%M}".startswith(wanted)
    )


class RecentModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[RecentReceipt] = []
        self.today = datetime.now(SINGAPORE)

    def reset(self, rows: list[RecentReceipt], today: datetime) -> None:
        self.beginResetModel()
        self.rows = rows
        self.today = today.astimezone(SINGAPORE)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> str | None:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return tr(COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                row.receipt_no,
                _time(row.at, self.today),
                f"{row.total:,.2f}",
                " + ".join(tr(tender) for tender in row.tenders),
                translate_refusal(row.status),
            )[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 2:
            return RIGHT
        return None


class RecentFilter(QSortFilterProxyModel):
    def __init__(self, model: RecentModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSourceModel(model)
        self.model_rows = model
        self.needle = ""

    def search(self, needle: str) -> None:
        self.beginFilterChange()
        self.needle = needle
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        return matches(self.model_rows.rows[source_row], self.needle)

    def receipt_no(self, row: int) -> str:
        return self.model_rows.rows[self.mapToSource(self.index(row, 0)).row()].receipt_no


def recent_table(proxy: RecentFilter) -> QTableView:
    table = QTableView()
    table.setObjectName("recent_receipts")
    table.setModel(proxy)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(TOUCH_SIZE - 16)
    header = table.horizontalHeader()
    # Widths from sample text, not ResizeToContents: that measures every row of a busy day.
    metrics = table.fontMetrics()
    samples = ("ORC-T01-000000 ", "yesterday 00:00 ", "-0,000.00 ", "PayNow + Cash ")
    for column, sample in enumerate(samples):
        header.resizeSection(column, metrics.horizontalAdvance(sample) + 16)
    header.setStretchLastSection(True)
    return table
