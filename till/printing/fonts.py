"""Which font draws which characters in a PDF.

The standard PDF fonts (Courier, Helvetica) need no embedding and draw Windows-1252: English,
Malay and accented Latin. Everything else a Singapore shop types (Chinese above all, also
Japanese kana and full-width forms) is drawn in Adobe's Simplified Chinese font
``STSong-Light``, which reportlab knows without a font file: it is named in the PDF, not
embedded, and every mainstream reader supplies it (Acrobat, Chrome, Edge, Preview, the mail
apps of phones). The bytes stay deterministic and small; the text stays text, so a search or
a copy from the PDF finds the product name. Scripts outside that font (Tamil, emoji) still
show as a box.
"""

from __future__ import annotations

from functools import cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

__all__ = ["CJK_FONT", "font_markup", "runs"]

CJK_FONT = "STSong-Light"


@cache
def _registered() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
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
