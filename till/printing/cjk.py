"""Chinese on a thermal printer, two ways (``[printer] chinese``).

A generic ESC/POS printer starts in a single-byte code page (PC437): GB18030 bytes sent
there print as box-drawing garbage. So a line with double-width characters is sent either

- **double-byte**: ``FS &`` selects the printer's Chinese character mode, the line goes as
  GB18030 (ASCII stays one byte), ``FS .`` returns to the code page; for printers that have
  a Chinese font (the Chinese-market models), or
- **raster**: the line drawn as a 1-bit picture in the shipped CJK font (``fonts.py``), one
  character cell per receipt column, so columns stay aligned with the text lines around it;
  ``GS v 0`` prints it on any ESC/POS printer.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from till.printing.fonts import CJK_FONT_FILE

__all__ = ["FS_CANCEL", "FS_CHINESE", "double_byte", "needs_cjk", "raster_line", "wide"]

FS_CHINESE = b"\x1c&"  # FS &: select Kanji/Chinese character mode
FS_CANCEL = b"\x1c."  # FS .: cancel it
# Font A cells are 12 x 24 dots, Font B 9 x 17: the raster keeps the text lines' grid.
CELL = {"a": (12, 24), "b": (9, 17)}


def wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def needs_cjk(line: str) -> bool:
    """Whether ``line`` holds characters no single-byte code page prints."""
    return any(wide(ch) for ch in line)


def double_byte(line: str) -> bytes:
    """``line`` in the printer's Chinese mode, back to the code page after it."""
    return FS_CHINESE + line.encode("gb18030") + FS_CANCEL + b"\n"


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(CJK_FONT_FILE), size)


@cache
def _latin(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # The CJK font has no Latin letters; Pillow's own scalable font draws them.
    return ImageFont.load_default(size)


def _fitted(
    ch: str, size: int, room: int
) -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, tuple[float, float, float, float]]:
    """The font for ``ch`` at the largest size up to ``size`` whose glyph fits its cell: a
    letter never spills into the next column (a proportional "W" is wider than a cell)."""
    for tried in range(size, 6, -1):
        glyphs = _font(tried) if wide(ch) else _latin(tried)
        box = glyphs.getbbox(ch, anchor="ls")
        if box[2] - box[0] <= room:
            return glyphs, box
    return glyphs, box


def raster_line(line: str, *, font: str, columns: int) -> Image.Image:
    """``line`` as a black-on-white 1-bit image, ``columns`` cells wide (a wide character
    takes two), each cell the printer font's size."""
    cell_w, cell_h = CELL[font]
    image = Image.new("1", (cell_w * columns, cell_h), 1)
    draw = ImageDraw.Draw(image)
    size = cell_h - 2
    baseline = cell_h * 4 // 5
    column = 0
    for ch in line:
        span = 2 if wide(ch) else 1
        if column + span > columns:
            break
        if not ch.isspace():
            glyphs, box = _fitted(ch, size, span * cell_w)
            x = column * cell_w + (span * cell_w - (box[2] - box[0])) // 2 - box[0]
            # Every glyph on one baseline, whatever size it was fitted at.
            draw.text((x, baseline), ch, font=glyphs, fill=0, anchor="ls")
        column += span
    return image
