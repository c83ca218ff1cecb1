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
from till.printing.layout import header_marks
from till.printing.settings import COLUMNS, FONT

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
) -> bytes:
    """The print job for ``receipt``: text, PayNow QR when set, cut, drawer kick when asked.
    ``columns`` narrows the text (an 80 mm roll laid out as 42); default the paper's width."""
    job = _job(paper_mm, profile)
    if open_drawer:
        # First, so the drawer opens while the paper is still printing.
        job.cashdraw(drawer_pin)
    width = min(columns or COLUMNS[paper_mm], COLUMNS[paper_mm])
    lines = render_text(receipt, width=width).splitlines()
    marks = header_marks(lines, receipt)
    for index, line in enumerate(lines):
        mark = marks.get(index)
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


def escpos_report(text: str, *, paper_mm: PaperMm, profile: str | None = None) -> bytes:
    """A plain-text document (X/Z report) as laid out by its maker, then a cut."""
    job = _job(paper_mm, profile)
    for line in text.splitlines():
        # Control characters would reach the printer as commands.
        job.textln("".join(ch if ch.isprintable() else " " for ch in line).rstrip())
    return _finish(job)


def drawer_kick(*, drawer_pin: DrawerPin = 2, profile: str | None = None) -> bytes:
    """Only the cash-drawer pulse (a no-sale): nothing printed, nothing cut."""
    job = Dummy(profile=profile)
    job.cashdraw(drawer_pin)
    output: bytes = job.output
    return output
