"""Which font draws which characters in a PDF.

The standard PDF fonts (Courier, Helvetica) need no embedding and draw Windows-1252: English,
Malay and accented Latin. Everything else a Singapore shop types (Chinese above all, also
Japanese kana and full-width forms) is drawn in Droid Sans Fallback (Apache 2.0, shipped in
``font_files/``), of which each PDF embeds the glyphs it uses: every reader shows the same
characters, poppler-based ones (Evince, Okular, pdftotext) included, which showed empty
boxes when the PDF only named Adobe's STSong-Light. The text stays text, so a search or a
copy from the PDF finds the product name. Scripts outside that font (Tamil, emoji) still
show as a box.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

__all__ = ["CJK_FONT", "font_markup", "runs"]

CJK_FONT = "DroidSansFallback"
CJK_FONT_FILE = Path(__file__).resolve().parent / "font_files" / "DroidSansFallbackFull.ttf"


@cache
def _registered() -> str:
    # A TTFont is embedded as a subset of the glyphs a document uses.
    pdfmetrics.registerFont(TTFont(CJK_FONT, str(CJK_FONT_FILE)))
    return CJK_FONT


def _standard(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def runs(text: str) -> list[tuple[str, str | None]]:
    """``text`` cut into pieces, each with the font to draw it in: None for the standard
    font the caller chose, or the CJK font."""
    pieces: list[tuple[str, str | None]] = []
    for ch in text:
        font = None if _standard(ch) else _registered()
        if pieces and pieces[-1][1] == font:
            pieces[-1] = (pieces[-1][0] + ch, font)
        else:
            pieces.append((ch, font))
    return pieces


def font_markup(escaped: str) -> str:
    """Paragraph markup (already escaped) with every non-standard run in the CJK font."""
    if all(_standard(ch) for ch in escaped):
        return escaped
    font = _registered()
    return "".join(
        piece if run_font is None else f'<font face="{font}">{piece}</font>'
        for piece, run_font in runs(escaped)
    )
