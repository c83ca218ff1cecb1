"""ESC/POS print jobs, built through python-escpos's ``Dummy`` printer and sent as one block.

The receipt's words and layout come from ``shared.receipt.render_text`` (the same text the
screen and the PDF show); this module only adds what paper needs on top: the font that gives
the paper's column count, a bold header, the PayNow QR, the cut and the cash-drawer kick.
Building the whole job first means a printer that fails half-way never holds half a receipt
of ours in its buffer followed by the next one.
"""

from __future__ import annotations

from typing import Literal

from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy

from shared.receipt import Receipt, render_text
from till.printing.cjk import double_byte, needs_cjk, raster_line, wide
from till.printing.layout import header_marks
from till.printing.settings import COLUMNS, FONT

ChineseMode = Literal["double-byte", "raster"]

__all__ = ["drawer_kick", "escpos_receipt", "escpos_report"]

PaperMm = Literal[58, 80]
DrawerPin = Literal[2, 5]
# 6 dots per module: a PayNow payload (130-180 characters, level M) is a code of about 49
# modules, 37 mm wide at 203 dpi, which fits a 58 mm roll and scans easily from a phone.
_QR_MODULE_DOTS = 6


def _job(paper_mm: PaperMm, profile: str | None) -> Dummy:
    job = Dummy(profile=profile)
    job.hw("INIT")  # ESC @: forget whatever a previous job (or another program) left set
    job.set(font=FONT[paper_mm], align="left", bold=False, normal_textsize=True)
    return job


def _finish(job: Dummy) -> bytes:
    job.cut()
    output: bytes = job.output
    return output


def escpos_receipt(
    receipt: Receipt,
    *,
    paper_mm: PaperMm,
    open_drawer: bool,
    drawer_pin: DrawerPin = 2,
    profile: str | None = None,
    columns: int | None = None,
    chinese: ChineseMode = "raster",
) -> bytes:
    """The print job for ``receipt``: text, PayNow QR when set, cut, drawer kick when asked.
    ``columns`` narrows the text (an 80 mm roll laid out as 42); default the paper's width.
    Lines with Chinese go in the printer's double-byte mode or as a picture (``cjk``)."""
    job = _job(paper_mm, profile)
    if open_drawer:
        # First, so the drawer opens while the paper is still printing.
        job.cashdraw(drawer_pin)
    width = min(columns or COLUMNS[paper_mm], COLUMNS[paper_mm])
    lines = render_text(receipt, width=width).splitlines()
    marks = header_marks(lines, receipt)
    for index, line in enumerate(lines):
        mark = marks.get(index)
        if needs_cjk(line):
            _cjk_line(job, line, paper_mm, chinese, centred=mark is not None)
            continue
        if mark is None:
            job.textln(line)
            continue
        # Double height keeps the column count, so the centred name still fits the paper.
        name = mark == "name"
        job.set(align="center", bold=True, double_height=name or None)
        job.textln(line.strip())
        job.set(align="left", bold=False, normal_textsize=name or None)
    if receipt.paynow_payload:
        job.ln()
        job.set(align="center")
        # Native (GS ( k): the printer draws the code at its full resolution, and the job
        # stays a few hundred bytes instead of a raster image.
        job.qr(receipt.paynow_payload, ec=QR_ECLEVEL_M, size=_QR_MODULE_DOTS, native=True)
        job.set(align="left")
    return _finish(job)


def _cjk_line(
    job: Dummy, line: str, paper_mm: PaperMm, mode: ChineseMode, *, centred: bool
) -> None:
    text = line.strip() if centred else line.rstrip()
    if mode == "double-byte":
        job.set(align="center" if centred else "left", bold=centred)
        job._raw(double_byte(text))
        job.set(align="left", bold=False)
        return
    columns = COLUMNS[paper_mm]
    if centred:  # the header's name: centred on the paper as the text lines are
        width = sum(2 if wide(ch) else 1 for ch in text)
        text = " " * max(0, (columns - width) // 2) + text
    picture = raster_line(text, font=FONT[paper_mm], columns=columns)
    job.image(picture, impl="bitImageRaster", center=False)


def escpos_report(
    text: str, *, paper_mm: PaperMm, profile: str | None = None, chinese: ChineseMode = "raster"
) -> bytes:
    """A plain-text document (X/Z report) as laid out by its maker, then a cut."""
    job = _job(paper_mm, profile)
    for line in text.splitlines():
        # Control characters would reach the printer as commands.
        clean = "".join(ch if ch.isprintable() else " " for ch in line).rstrip()
        if needs_cjk(clean):
            _cjk_line(job, clean, paper_mm, chinese, centred=False)
        else:
            job.textln(clean)
    return _finish(job)


def drawer_kick(*, drawer_pin: DrawerPin = 2, profile: str | None = None) -> bytes:
    """Only the cash-drawer pulse (a no-sale): nothing printed, nothing cut."""
    job = Dummy(profile=profile)
    job.cashdraw(drawer_pin)
    output: bytes = job.output
    return output
