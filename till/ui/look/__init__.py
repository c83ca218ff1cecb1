"""The till's look: one stylesheet (``till.qss``) in a light or a high-contrast theme, named
text and button styles set as the ``role`` property, category colours for product tiles and
the icon set shipped under ``icons/`` (Tabler Icons, MIT), coloured per theme.

Screens never write colours or sizes of their own: they name a role (``set_role(label,
"total")``) and the stylesheet decides, so a new screen looks like the others for free.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from string import Template
from typing import Literal

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QWidget

Theme = Literal["light", "high-contrast"]
THEMES: tuple[Theme, ...] = ("light", "high-contrast")
HERE = Path(__file__).resolve().parent
ICON_DIR = HERE / "icons"
BODY_PX = 16  # px: body text and cart lines; the type scale's smallest size
TOUCH = 44  # px: the smallest target a finger gets (WCAG 2.5.5, Apple's 44 pt)

LIGHT = {
    "window": "#f3f5f8",
    "surface": "#ffffff",
    "text": "#1b1f24",
    "muted": "#57606a",
    "disabled": "#a0a7b0",
    "border": "#c5ccd4",
    "button": "#ffffff",
    "button_pressed": "#dde3ea",
    "primary": "#0a5bb5",
    "primary_pressed": "#084a93",
    "primary_text": "#ffffff",
    "danger": "#b3261e",
    "danger_text": "#ffffff",
    "money": "#0d2c4f",
    "ok": "#1b5e20",
    "error": "#b00020",
    "banner": "#fff3cd",
    "banner_text": "#5c4400",
    "selection": "#cfe2ff",
    "selection_text": "#0b1f33",
    "focus": "#0a5bb5",
    "line_width": "1px",
    "focus_width": "2px",
    "icon": "#1b1f24",
}
# Black, white and yellow only where it matters, thick lines: for glare, and for eyes that
# need more than the light theme's contrast (every text colour here is >= 7:1 on black).
HIGH_CONTRAST = {
    "window": "#000000",
    "surface": "#000000",
    "text": "#ffffff",
    "muted": "#e6e6e6",
    "disabled": "#8c8c8c",
    "border": "#ffffff",
    "button": "#000000",
    "button_pressed": "#333333",
    "primary": "#ffd400",
    "primary_pressed": "#e0b800",
    "primary_text": "#000000",
    "danger": "#ff8a80",
    "danger_text": "#000000",
    "money": "#ffffff",
    "ok": "#9cff9c",
    "error": "#ff8a80",
    "banner": "#ffd400",
    "banner_text": "#000000",
    "selection": "#ffd400",
    "selection_text": "#000000",
    "focus": "#ffd400",
    "line_width": "2px",
    "focus_width": "3px",
    "icon": "#ffffff",
}
PALETTES: dict[Theme, dict[str, str]] = {"light": LIGHT, "high-contrast": HIGH_CONTRAST}

# Category colours for product tiles: (tile, edge) in the light theme; the high-contrast
# theme keeps black tiles and shows the colour as a thick edge.
TILE_COLOURS = (
    ("#e3f2fd", "#1565c0"),  # blue
    ("#e8f5e9", "#2e7d32"),  # green
    ("#fff3e0", "#ef6c00"),  # orange
    ("#f3e5f5", "#7b1fa2"),  # purple
    ("#fce4ec", "#c2185b"),  # pink
    ("#e0f7fa", "#00838f"),  # teal
    ("#fffde7", "#f9a825"),  # yellow
    ("#efebe9", "#6d4c41"),  # brown
)
HIGH_CONTRAST_EDGES = (
    "#64b5f6",
    "#81c784",
    "#ffb74d",
    "#ce93d8",
    "#f48fb1",
    "#4dd0e1",
    "#fff176",
    "#bcaaa4",
)

# What each action shows, by the file names in icons/.
ICONS = {
    "search": "search",
    "quantity": "numbers",
    "discount": "discount",
    "price": "tag",
    "remove": "trash",
    "sale_discount": "receipt-tax",
    "park": "player-pause",
    "recall": "arrow-back-up",
    "pay": "cash-register",
    "cash": "cash",
    "nets": "building-bank",
    "card": "credit-card",
    "paynow": "qrcode",
    "voucher": "ticket",
    "points": "discount",
    "gift": "ticket",
    "customer": "user",
    "promotions": "rosette-discount",
    "remove_payment": "backspace",
    "back": "arrow-left",
    "receipts": "receipt",
    "shift": "cash-register",
    "stock": "package",
    "diagnostics": "stethoscope",
    "sign_out": "logout",
    "sign_in": "login",
    "received": "check",
    "cancel": "x",
}


def stylesheet(theme: Theme) -> str:
    """The whole stylesheet in ``theme``'s colours."""
    palette = PALETTES[theme]
    template = Template((HERE / "till.qss").read_text(encoding="utf-8"))
    return template.substitute(palette, tiles=_tile_rules(theme))


def _tile_rules(theme: Theme) -> str:
    rules = []
    for n, (tile, edge) in enumerate(TILE_COLOURS):
        if theme == "high-contrast":
            tile, edge = "#000000", HIGH_CONTRAST_EDGES[n]
        rules.append(
            f'QPushButton[category="{n}"] {{ background: {tile}; '
            f"border: 2px solid {edge}; border-left: 8px solid {edge}; }}"
        )
    return "\n".join(rules)


def category_slot(category: str | None) -> int | None:
    """Which of the tile colours a category takes: the same on every till and every day
    (a hash of its id, not the order categories arrive in); None without a category."""
    if not category:
        return None
    digest = hashlib.sha256(category.encode("utf-8")).digest()
    return digest[0] % len(TILE_COLOURS)


def apply_theme(theme: Theme) -> None:
    """Style the whole application (every window and dialog) in ``theme``."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    if app.property("sgpos_theme") == theme:
        return  # setting the same sheet again re-polishes every widget for nothing
    font = app.font()
    font.setPixelSize(BODY_PX)
    app.setFont(font)
    app.setStyleSheet(stylesheet(theme))
    app.setProperty("sgpos_theme", theme)
    _icon.cache_clear()


def current_theme() -> Theme:
    app = QApplication.instance()
    value = app.property("sgpos_theme") if app is not None else None
    return value if value in THEMES else "light"


def set_role(widget: QWidget, role: str | None) -> None:
    """Give ``widget`` one of the stylesheet's named styles (None: the plain one)."""
    if widget.property("role") == role:
        return  # re-polishing costs a style pass; a scan must not pay it for nothing
    widget.setProperty("role", role)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def icon(action: str, size: int = 24, *, on: str = "icon") -> QIcon:
    """The icon for ``action`` (a key of ``ICONS``) in the current theme, drawn in the
    palette's ``on`` colour ("primary_text" on a primary button)."""
    return _icon(ICONS[action], current_theme(), size, on)


@cache
def _icon(name: str, theme: Theme, size: int, on: str) -> QIcon:
    svg = (ICON_DIR / f"{name}.svg").read_text(encoding="utf-8")
    coloured = svg.replace("currentColor", PALETTES[theme][on])
    renderer = QSvgRenderer(QByteArray(coloured.encode("utf-8")))
    result = QIcon()
    for scale in (1, 2):
        pixmap = QPixmap(QSize(size, size) * scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        try:
            renderer.render(painter)
        finally:
            painter.end()
        pixmap.setDevicePixelRatio(scale)
        result.addPixmap(pixmap)
    return result
