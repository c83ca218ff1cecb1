"""A grid of favourite items (``quick_keys`` in till.toml, by SKU) for goods without a barcode
the cashier can scan: loose produce, counter items. One tap rings one up."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from shared.cart import ProductSnapshot
from till.services.ports import ProductLookup
from till.ui.look import category_slot
from till.ui.money_text import dollars
from till.ui.pin_pad import TOUCH_SIZE

COLUMNS = 4
MIN_KEY_WIDTH = 110  # px: "Gardenia Enriched White Bread 600g" in NAME_LINES lines
# Without a configured list the demo shows its hero products: produce by weight, the usual
# drinks and bread, a top-up (the first rows of shared.demo_catalogue).
DEMO_KEYS = 12
NAME_LINES = 3  # a long name ("Gardenia Enriched White Bread 600g") on a quarter-wide key
KEY_MARGIN = 3  # px inside the key's bevel
TILE_EDGE = 2  # px: the category colour's edge around a tile (till/ui/look/till.qss)


def resolve(catalogue: ProductLookup, skus: Sequence[str]) -> list[ProductSnapshot]:
    """The active products with these SKUs, in the order given; unknown SKUs are left out."""
    found = []
    for sku in skus:
        wanted = sku.strip().upper()
        match = next((p for p in catalogue.search(wanted, limit=5) if p.sku == wanted), None)
        if match is not None:
            found.append(match)
    return found


def demo_skus() -> list[str]:
    from shared.demo_catalogue import demo_catalogue

    heroes = demo_catalogue(DEMO_KEYS + 5).products
    # Weighed produce first: it is what quick keys are for.
    ordered = sorted(heroes, key=lambda p: not p.weighed)
    return [p.sku for p in ordered[:DEMO_KEYS]]


class QuickKey(QPushButton):
    """A touch key showing a product's whole name, word-wrapped (a push button's own text
    never wraps; the key has room for NAME_LINES lines), with its price underneath."""

    def __init__(
        self, product: ProductSnapshot, parent: QWidget | None = None, *, category: int | None
    ) -> None:
        super().__init__(parent)
        if category is not None:
            self.setProperty("category", str(category))  # the stylesheet's tile colour
        self.setMinimumSize(TOUCH_SIZE, TOUCH_SIZE)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setToolTip(product.name)
        self.setAccessibleName(product.name)
        suffix = "/kg" if product.weighed else ""
        self.name = self._label(product.name, "quick_name")
        self.name.setWordWrap(True)
        self.price = self._label(f"{dollars(product.unit_price)}{suffix}", "quick_price")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(KEY_MARGIN, KEY_MARGIN, KEY_MARGIN, KEY_MARGIN)
        layout.setSpacing(0)
        layout.addStretch(1)
        layout.addWidget(self.name)
        layout.addWidget(self.price)
        layout.addStretch(1)
        # The stylesheet's type sizes, not the platform default's: polished before measuring.
        self.name.ensurePolished()
        self.price.ensurePolished()
        text = NAME_LINES * self.name.fontMetrics().lineSpacing()
        text += self.price.fontMetrics().lineSpacing()
        self.setMinimumHeight(text + 2 * KEY_MARGIN + 2 * TILE_EDGE)

    def _label(self, text: str, name: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName(name)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Taps go to the button underneath.
        label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        return label


class QuickKeys(QWidget):
    chosen = Signal(object)  # ProductSnapshot

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("quick_keys")
        self.grid = QGridLayout(self)
        self.grid.setSpacing(4)
        self.products: list[ProductSnapshot] = []
        self._placed_columns = COLUMNS
        self.keys: list[QuickKey] = []

    def show_products(
        self, products: list[ProductSnapshot], categories: dict[str, str] | None = None
    ) -> None:
        """One key per product; ``categories`` (product id to category id) colours them."""
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()
        self.products = products
        self.keys = []
        for product in products:
            category = category_slot((categories or {}).get(product.product_id))
            button = QuickKey(product, self, category=category)
            button.setObjectName(f"quick_{product.sku}")
            button.clicked.connect(lambda _=False, p=product: self.chosen.emit(p))
            self.keys.append(button)
        self._place(self._columns(self.width()))

    def _columns(self, width: int) -> int:
        # Fewer, wider keys on a narrow window, so a whole name fits in NAME_LINES lines.
        return max(2, min(COLUMNS, width // MIN_KEY_WIDTH))

    def _place(self, columns: int) -> None:
        self._placed_columns = columns
        for key in self.keys:
            self.grid.removeWidget(key)
        for n, key in enumerate(self.keys):
            self.grid.addWidget(key, n // columns, n % columns)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        columns = self._columns(event.size().width())
        if columns != self._placed_columns:
            self._place(columns)
