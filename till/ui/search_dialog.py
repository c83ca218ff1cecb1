"""Find a product by name or SKU as the cashier types (the catalogue's FTS index).

Each keystroke restarts a short timer and the search runs when typing pauses, so fast typing
does not queue a search per letter; results are ranked by the catalogue (bm25).
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shared.cart import ProductSnapshot
from till.services.ports import ProductLookup
from till.ui.money_text import dollars
from till.ui.sell_entry import MAX_SCAN_LENGTH

TYPING_PAUSE_MS = 120
# 8 or more digits at the end of the query, after a non-digit: a scanner's code.
_TRAILING_SCAN = re.compile(r"(?:^|\D)(\d{8,})\s*$")
RESULTS = 30


class SearchDialog(QDialog):
    """Type, Up/Down to pick, Enter to ring it up, Esc to go back."""

    def __init__(self, catalogue: ProductLookup, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("search")
        self.setWindowTitle("Find a product")
        self.resize(640, 480)
        self.catalogue = catalogue
        self.product: ProductSnapshot | None = None
        self.scanned: str | None = None  # a barcode scanned while the search was open
        layout = QVBoxLayout(self)
        self.query = QLineEdit(text)
        self.query.setObjectName("search_query")
        self.query.setPlaceholderText("Type part of the name or SKU")
        self.query.setMinimumHeight(44)
        self.query.setMaxLength(MAX_SCAN_LENGTH)
        self.results = QListWidget()
        self.results.setObjectName("search_results")
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.results.itemActivated.connect(self._take)
        self.results.itemClicked.connect(self._take)
        self.hint = QLabel()
        self.hint.setObjectName("search_hint")
        layout.addWidget(self.query)
        layout.addWidget(self.results)
        layout.addWidget(self.hint)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_PAUSE_MS)
        self._timer.timeout.connect(self.run_search)
        self.query.textEdited.connect(lambda _: self._timer.start())
        self.query.returnPressed.connect(self._enter)
        self.query.installEventFilter(self)
        if text:
            self.run_search()

    def run_search(self) -> None:
        self._timer.stop()
        found = self.catalogue.search(self.query.text(), limit=RESULTS)
        self.results.clear()
        for product in found:
            unit = "/kg" if product.weighed else ""
            item = QListWidgetItem(
                f"{product.name}  ·  {product.sku}  ·  {dollars(product.unit_price)}{unit}"
            )
            item.setData(Qt.ItemDataRole.UserRole, product)
            self.results.addItem(item)
        if found:
            self.results.setCurrentRow(0)
            self.hint.setText("Up/Down to choose, Enter to add, Esc to go back")
        else:
            typed = self.query.text().strip()
            self.hint.setText(f"Nothing matches {typed!r}" if typed else "Type to search")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.query
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down)
        ):
            step = -1 if event.key() == Qt.Key.Key_Up else 1
            row = max(0, min(self.results.count() - 1, self.results.currentRow() + step))
            self.results.setCurrentRow(row)
            return True
        return super().eventFilter(watched, event)

    def _enter(self) -> None:
        scan = _TRAILING_SCAN.search(self.query.text())
        if scan is not None:
            # The scanner types wherever the focus is, after any name already typed here: a
            # scan rings the item up rather than being searched for as part of a name.
            self.scanned = scan.group(1)
            self.accept()
            return
        if self._timer.isActive() or self.results.count() == 0:
            self.run_search()  # Enter before the pause: search what was typed first
            if self.results.count() != 1:
                return
        item = self.results.currentItem()
        if item is not None:
            self._take(item)

    def _take(self, item: QListWidgetItem) -> None:
        self.product = item.data(Qt.ItemDataRole.UserRole)
        self.accept()


def find_product(
    catalogue: ProductLookup, text: str, parent: QWidget
) -> ProductSnapshot | str | None:
    """The product chosen, a barcode scanned instead (``str``), or None when Esc was pressed."""
    dialog = SearchDialog(catalogue, text[:MAX_SCAN_LENGTH], parent)
    try:
        dialog.exec()
        return dialog.scanned or dialog.product
    finally:
        dialog.deleteLater()
