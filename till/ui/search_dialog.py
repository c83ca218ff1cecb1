"""Find a product by name or SKU as the cashier types (the catalogue's FTS index).

Each keystroke restarts a short timer and the search runs when typing pauses, so fast typing
does not queue a search per letter; results are ranked by the catalogue (bm25). A family's
variants found show once, as the family; picking it lists its variants (size, colour,
flavour) to pick from, and Esc goes back to the search (docs/variants.md).
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
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
from till.services.ports import FamilyLookup
from till.ui.keys import list_arrows, returns_keyboard
from till.ui.language import tr
from till.ui.money_text import dollars
from till.ui.sell_entry import MAX_SCAN_LENGTH

TYPING_PAUSE_MS = 120
# 8 or more digits at the end of the query, after a non-digit: a scanner's code.
_TRAILING_SCAN = re.compile(r"(?:^|\D)(\d{8,})\s*$")
RESULTS = 30


class SearchDialog(QDialog):
    """Type, Up/Down to pick, Enter to ring it up, Esc to go back."""

    def __init__(self, catalogue: FamilyLookup, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        returns_keyboard(self)
        self.setObjectName("search")
        self.setWindowTitle(tr("Find a product"))
        self.resize(640, 480)
        self.catalogue = catalogue
        self.product: ProductSnapshot | None = None
        self.scanned: str | None = None  # a barcode scanned while the search was open
        self.family: str | None = None  # the family whose variants are listed, if any
        layout = QVBoxLayout(self)
        self.query = QLineEdit(text)
        self.query.setObjectName("search_query")
        self.query.setPlaceholderText(tr("Type part of the name or SKU"))
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
        self.family = None
        found = self.catalogue.search(self.query.text(), limit=RESULTS)
        families = self.catalogue.families([p.product_id for p in found])
        self.results.clear()
        shown: set[str] = set()
        for product in found:
            family = families.get(product.product_id)
            if family is not None and family[1] > 1:
                name, count = family
                if name in shown:
                    continue
                shown.add(name)
                item = QListWidgetItem(f"{name}  ·  {count} variants  ▸")
                item.setData(Qt.ItemDataRole.UserRole, name)
                self.results.addItem(item)
                continue
            unit = "/kg" if product.weighed else ""
            item = QListWidgetItem(
                f"{product.name}  ·  {product.sku}  ·  {dollars(product.unit_price)}{unit}"
            )
            item.setData(Qt.ItemDataRole.UserRole, product)
            self.results.addItem(item)
        if found:
            self.results.setCurrentRow(0)
            self.hint.setText(tr("Up/Down to choose, Enter to add, Esc to go back"))
        else:
            typed = self.query.text().strip()
            self.hint.setText(
                tr("Nothing matches {text}").format(text=repr(typed))
                if typed
                else tr("Type to search")
            )

    def show_variants(self, family: str) -> None:
        """The family's variants in place of the search results."""
        self._timer.stop()
        self.family = family
        self.results.clear()
        for product, options in self.catalogue.variants(family):
            chosen = ", ".join(f"{k} {v}" for k, v in options.items())
            item = QListWidgetItem(
                f"{chosen}  ·  {product.sku}  ·  {dollars(product.unit_price)}  ({product.name})"
            )
            item.setData(Qt.ItemDataRole.UserRole, product)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)
        self.hint.setText(f"{family}: Up/Down to choose, Enter to add, Esc back to the search")

    def reject(self) -> None:
        if self.family is not None:
            self.run_search()  # Esc from a family's variants goes back to the search
            return
        super().reject()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.query and list_arrows(self.results, event):
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
        if self.family is None and (self._timer.isActive() or self.results.count() == 0):
            self.run_search()  # Enter before the pause: search what was typed first
            if self.results.count() != 1:
                return
        item = self.results.currentItem()
        if item is not None:
            self._take(item)

    def _take(self, item: QListWidgetItem) -> None:
        chosen = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(chosen, str):
            self.show_variants(chosen)
            return
        self.product = chosen
        self.accept()


def find_product(
    catalogue: FamilyLookup, text: str, parent: QWidget
) -> ProductSnapshot | str | None:
    """The product chosen, a barcode scanned instead (``str``), or None when Esc was pressed."""
    dialog = SearchDialog(catalogue, text[:MAX_SCAN_LENGTH], parent)
    try:
        dialog.exec()
        return dialog.scanned or dialog.product
    finally:
        dialog.deleteLater()
