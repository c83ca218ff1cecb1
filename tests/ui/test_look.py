"""The stylesheet, its themes' contrast, the category colours and the shipped icons."""

from __future__ import annotations

import re

import pytest
from pytestqt.qtbot import QtBot

from till.ui.look import (
    ICON_DIR,
    ICONS,
    PALETTES,
    THEMES,
    TILE_COLOURS,
    Theme,
    category_slot,
    icon,
    stylesheet,
)

ROLES = ("primary", "danger", "money", "total", "heading", "muted", "error", "ok", "banner")


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", THEMES)
def test_the_stylesheet_is_whole_and_has_every_named_style(theme: Theme) -> None:
    sheet = stylesheet(theme)
    assert "$" not in sheet
    for role in ROLES:
        assert f'[role="{role}"]' in sheet, role
    total = re.search(r'QLabel\[role="total"\]\s*\{[^}]*font-size:\s*(\d+)px', sheet)
    assert total is not None and int(total[1]) >= 40
    for n in range(len(TILE_COLOURS)):
        assert f'QPushButton[category="{n}"]' in sheet


@pytest.mark.parametrize(("theme", "least"), [("light", 4.5), ("high-contrast", 7.0)])
def test_text_colours_meet_wcag_contrast(theme: Theme, least: float) -> None:
    p = PALETTES[theme]
    pairs = {
        "text": (p["text"], p["window"]),
        "text on fields": (p["text"], p["surface"]),
        "muted": (p["muted"], p["window"]),
        "money": (p["money"], p["window"]),
        "ok": (p["ok"], p["window"]),
        "error": (p["error"], p["window"]),
        "primary key": (p["primary_text"], p["primary"]),
        "selection": (p["selection_text"], p["selection"]),
        "banner": (p["banner_text"], p["banner"]),
    }
    low = {name: round(contrast(*pair), 2) for name, pair in pairs.items()}
    assert all(ratio >= least for ratio in low.values()), low


def test_light_tiles_keep_dark_text_readable() -> None:
    for tile, _edge in TILE_COLOURS:
        assert contrast(PALETTES["light"]["text"], tile) >= 7.0, tile


def test_a_category_keeps_its_colour() -> None:
    slots = {category_slot(f"cat-{n}") for n in range(50)}
    assert slots <= set(range(len(TILE_COLOURS))) and len(slots) > 4
    assert category_slot("7f3c") == category_slot("7f3c")
    assert category_slot(None) is None and category_slot("") is None


def test_every_icon_is_shipped_and_draws(qtbot: QtBot) -> None:
    assert (ICON_DIR / "LICENSE").is_file()
    for action, name in ICONS.items():
        assert (ICON_DIR / f"{name}.svg").is_file(), name
        image = icon(action).pixmap(24, 24).toImage()
        inked = sum(1 for y in range(24) for x in range(24) if image.pixelColor(x, y).alpha() > 0)
        assert inked > 10, action
