"""PDF receipts (receipt-roll shaped, the paper receipt's exact text) and A4 tax invoices.

For e-mail and for shops without a thermal printer. The receipt PDF draws the lines of
``shared.receipt.render_text`` in a monospaced font, so it says exactly what the paper says,
plus the PayNow QR as a vector drawing. Documents are built with reportlab's ``invariant``
mode: the same receipt always gives the same bytes (no creation time, no random document id),
so a re-sent PDF is recognisably the same document.

Latin text is drawn in the standard PDF fonts, Chinese in a CJK font (``fonts``); each
character of the receipt sits in its column (a wide one takes two, as on paper), so amounts
stay aligned under a Chinese product name.
"""

from __future__ import annotations

import io
from itertools import groupby

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from shared.receipt import Receipt, render_text
from shared.receipt_text import text_columns
from till.printing.fonts import runs
from till.printing.layout import Mark, header_marks
from till.printing.tax_invoice import TaxInvoiceError, tax_invoice_pdf

__all__ = ["TaxInvoiceError", "receipt_pdf", "report_pdf", "tax_invoice_pdf"]

_ROLL_WIDTH = 80 * mm
_MARGIN = 4 * mm
_FONT, _BOLD = "Courier", "Courier-Bold"
_COLUMN = 0.6  # Courier's advance, in em: one receipt column
_QR_SIZE = 40 * mm
_LEADING = 1.25  # line height as a multiple of the font size
# PDF viewers refuse pages taller than 200 inches; a very long receipt continues on a new page.
_MAX_PAGE_HEIGHT = 14_000.0
_CREATOR = "SG-POS"


def receipt_pdf(receipt: Receipt, *, columns: int = 42) -> bytes:
    """The receipt as a roll-shaped PDF: the paper text, the bold header, the PayNow QR."""
    lines = render_text(receipt, width=columns).splitlines()
    return _roll_pdf(
        lines,
        header_marks(lines, receipt),
        columns=columns,
        title=f"Receipt {receipt.number}",
        author=receipt.supplier.name,
        subject=f"{receipt.supplier.name} receipt {receipt.number}",
        qr=receipt.paynow_payload,
    )


def report_pdf(text: str, *, title: str, shop: str, columns: int = 42) -> bytes:
    """An X or Z report as a roll-shaped PDF: exactly the lines the printer gets, the first
    (the report's own title) in bold, as the paper prints it."""
    lines = text.splitlines()
    return _roll_pdf(
        lines,
        {0: "title"} if lines else {},
        columns=columns,
        title=title,
        author=shop,
        subject=f"{shop} {title}",
        qr=None,
    )


def _roll_pdf(
    lines: list[str],
    marks: dict[int, Mark],
    *,
    columns: int,
    title: str,
    author: str,
    subject: str,
    qr: str | None,
) -> bytes:
    # The font size that fits the columns into the printable width.
    size = min(8.0, (_ROLL_WIDTH - 2 * _MARGIN) / (columns * _COLUMN))
    leading = size * _LEADING
    qr_block = _QR_SIZE + leading if qr else 0.0
    per_page = max(1, int((_MAX_PAGE_HEIGHT - 2 * _MARGIN - qr_block) // leading))
    pages = [lines[start : start + per_page] for start in range(0, len(lines), per_page)] or [[]]

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(_ROLL_WIDTH, 100), invariant=1, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setSubject(subject)
    canvas.setCreator(_CREATOR)
    first = 0
    for number, page in enumerate(pages, start=1):
        last = number == len(pages)
        height = 2 * _MARGIN + len(page) * leading + (qr_block if last else 0.0)
        canvas.setPageSize((_ROLL_WIDTH, height))
        y = height - _MARGIN - size
        for index, line in enumerate(page, start=first):
            mark = marks.get(index)
            font = _BOLD if mark else _FONT
            if mark:
                text = line.strip()
                x = (_ROLL_WIDTH - text_columns(text) * size * _COLUMN) / 2
                _draw_columns(canvas, x, y, text, font, size)
            else:
                # Spaces are the layout (right-aligned amounts): draw them, never strip them.
                _draw_columns(canvas, _MARGIN, y, line, font, size)
            y -= leading
        if last and qr:
            _draw_qr(canvas, qr, y + size - leading - _QR_SIZE)
        canvas.showPage()
        first += len(page)
    canvas.save()
    return out.getvalue()


def _draw_columns(canvas: Canvas, x: float, y: float, text: str, font: str, size: float) -> None:
    """``text`` from ``x`` as one line of text (so a reader copies and finds it whole), each
    character in its receipt column: Latin runs in ``font``, the rest in the CJK font with
    its spacing stretched to the columns (a 1 em Chinese glyph fills two 0.6 em columns)."""
    column = size * _COLUMN
    line = canvas.beginText(x, y)
    for piece, other in runs(text):
        if other is None:
            line.setFont(font, size)
            line.setCharSpace(0)
            line.textOut(piece)
            continue
        line.setFont(other, size)
        for (columns, advance), group in groupby(
            piece, key=lambda ch: (text_columns(ch), stringWidth(ch, other, size))
        ):
            line.setCharSpace(columns * column - advance)
            line.textOut("".join(group))
    canvas.drawText(line)


def _draw_qr(canvas: Canvas, payload: str, bottom: float) -> None:
    widget = QrCodeWidget(payload, barLevel="M", barBorder=2)
    x0, y0, x1, y1 = widget.getBounds()
    scale_x, scale_y = _QR_SIZE / (x1 - x0), _QR_SIZE / (y1 - y0)
    drawing = Drawing(_QR_SIZE, _QR_SIZE, transform=[scale_x, 0, 0, scale_y, 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, (_ROLL_WIDTH - _QR_SIZE) / 2, bottom)
