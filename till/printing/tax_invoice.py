"""The A4 full tax invoice (GST (General) Regulations reg 11) a GST-registered customer asks for.

Particulars, in IRAS's order: the words "tax invoice", invoice number and date; the supplier's
name, address and GST registration number; the customer's name and address; per line the
description, quantity and amount excluding GST; the total excluding GST, the GST rate and
amount, and the total including GST. Totals are derived exactly as on the paper receipt
(``shared.receipt_text.full_totals``), so both documents show the same figures.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Sequence
from datetime import timedelta, timezone
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from shared.receipt import Receipt, ReceiptKind, missing_particulars
from shared.receipt_text import full_totals
from till.printing.fonts import font_markup

__all__ = ["TaxInvoiceError", "tax_invoice_pdf"]

_SGT = timezone(timedelta(hours=8), "SGT")
_CENT = Decimal("0.01")


class TaxInvoiceError(ValueError):
    """This sale cannot get a full tax invoice; the message says why and what to do instead."""


def _amount(value: Decimal) -> str:
    sign = "-" if value < 0 else ""  # no "-0.00"
    return f"{sign}{abs(value):,.2f}"


def _number(value: Decimal) -> str:
    return "0" if value == 0 else f"{value.normalize():f}"


def _text(value: str) -> str:
    # Paragraphs take reportlab's mini-markup: shop data must never be read as tags. Chinese
    # runs are then put in the CJK font (the markup added is ours, around escaped text).
    cleaned = " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())
    return font_markup(escape(cleaned))


def _refuse_if_not_allowed(receipt: Receipt) -> None:
    number = receipt.number
    if receipt.kind is ReceiptKind.REFUND:
        raise TaxInvoiceError(
            f"{number} is a refund, not a sale: a refund gets a refund receipt, not a tax invoice"
        )
    if not receipt.supplier.gst_registered:
        raise TaxInvoiceError(
            f"{receipt.supplier.name} is not GST-registered, so it must not issue tax "
            "invoices; send the receipt PDF instead"
        )
    if receipt.customer is None:
        raise TaxInvoiceError(
            f"a full tax invoice for {number} needs the customer's name and address; "
            "ask the customer for them"
        )
    problems = missing_particulars(dataclasses.replace(receipt, kind=ReceiptKind.FULL_TAX_INVOICE))
    if problems:
        raise TaxInvoiceError(
            f"tax invoice {number} would lack what IRAS requires: {'; '.join(problems)}"
        )


def _styles() -> dict[str, ParagraphStyle]:
    sheet = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=sheet["BodyText"], fontSize=9.5, leading=12)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10),
        "supplier": ParagraphStyle("supplier", parent=sheet["Title"], alignment=0, fontSize=16),
        "title": ParagraphStyle("title", parent=sheet["Heading1"], fontSize=20, spaceBefore=6),
        "heading": ParagraphStyle("heading", parent=body, fontName="Helvetica-Bold"),
    }


def _party(lines: Sequence[str], style: ParagraphStyle) -> Paragraph:
    return Paragraph("<br/>".join(_text(line) for line in lines if line.strip()), style)


def _header(receipt: Receipt, st: dict[str, ParagraphStyle]) -> list[Any]:
    supplier, customer = receipt.supplier, receipt.customer
    assert customer is not None  # checked by _refuse_if_not_allowed
    at = receipt.issued_at.astimezone(_SGT)
    facts = [
        ["Invoice No", str(receipt.number)],
        ["Date", f"{at.day:02d}-{at.month:02d}-{at.year:04d} {at.hour:02d}:{at.minute:02d}"],
    ]
    if receipt.reprint_count:
        facts.append(["Copy", f"REPRINT #{receipt.reprint_count}"])
    customer_lines = ["Bill to:", customer.name, *customer.address_lines]
    if customer.gst_reg_no:
        customer_lines.append(f"GST Reg No: {customer.gst_reg_no}")
    parties = Table(
        [[_party(customer_lines, st["body"]), Table(facts, hAlign="RIGHT")]],
        colWidths=["60%", "40%"],
        style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0)],
    )
    return [
        Paragraph(_text(supplier.name), st["supplier"]),
        _party([*supplier.address_lines, f"GST Reg No: {supplier.gst_reg_no}"], st["body"]),
        Paragraph("TAX INVOICE", st["title"]),
        parties,
        Spacer(1, 6 * mm),
    ]


def _line_rows(receipt: Receipt, st: dict[str, ParagraphStyle]) -> list[list[Any]]:
    rows: list[list[Any]] = [["No", "Description", "Qty", "Tax", "Amount excl. GST (S$)"]]
    for position, line in enumerate(receipt.lines, start=1):
        description = _text(line.description)
        if line.discount:
            description += (
                f"<br/><font size=8>after {_amount(line.discount)} discount incl. GST</font>"
            )
        tax = (
            f"{line.tax_code} {_number(line.gst_rate)}%" if line.tax_code == "SR" else line.tax_code
        )
        rows.append(
            [
                str(position),
                Paragraph(description, st["body"]),
                _number(line.quantity),
                tax,
                _amount(receipt.line_excl_gst(line)),
            ]
        )
    return rows


def _total_rows(receipt: Receipt) -> list[list[str]]:
    rows = [[label, _amount(figure)] for label, figure in full_totals(receipt, _amount)]
    if receipt.rounding:
        rows.append(["Amount paid", _amount(receipt.total)])
    return rows


_SUPPLY_TYPES = (
    ("SR", "Standard-rated supplies"),
    ("ZR", "Zero-rated supplies"),
    ("ES", "Exempt supplies"),
    ("OS", "Out-of-scope supplies"),
)


def supply_rows(receipt: Receipt) -> list[list[str]]:
    """A mixed supply states the gross amount of each type of supply separately (reg 11):
    per tax code (standard-rated per rate), the amount excluding GST, the GST and the amount
    including it, after any whole-sale discount. Empty when every line is of one type."""
    kinds = {(line.tax_code, line.gst_rate) for line in receipt.lines}
    if len(kinds) < 2:
        return []
    rows = [["Type of supply", "Excl. GST", "GST", "Incl. GST"]]
    for code, label in _SUPPLY_TYPES:
        rates = sorted({line.gst_rate for line in receipt.lines if line.tax_code == code})
        for rate in rates:
            mine = [x for x in receipt.lines if x.tax_code == code and x.gst_rate == rate]
            incl = sum((x.amount - x.cart_discount for x in mine), Decimal(0))
            gst = sum((x.gst for x in mine), Decimal(0))
            name = f"{label} @ {_number(rate)}%" if code == "SR" else label
            rows.append([name, _amount(incl - gst), _amount(gst), _amount(incl)])
    return rows


def _payment_rows(receipt: Receipt) -> list[list[str]]:
    rows = []
    for tender in receipt.tenders:
        detail = [f"card ****{tender.card_last4}"] if tender.card_last4 else []
        detail += [f"ref {tender.reference}"] if tender.reference else []
        label = f"Paid by {tender.label}" + (f" ({', '.join(detail)})" if detail else "")
        rows.append([label, _amount(tender.amount)])
    if receipt.change:
        rows.append(["Change", _amount(receipt.change)])
    return rows


_GRID = TableStyle(
    [
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, -1), (-1, -1), 0.8, colors.black),
        ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def _figures(rows: list[list[str]], *, bold_last: bool) -> Table:
    style: list[tuple[Any, ...]] = [
        ("ALIGN", (1, 0), (1, -1), "RIGHT"),
        ("FONTSIZE", (0, 0), (-1, -1), 9.5),
    ]
    if bold_last:
        style += [
            ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
        ]
    return Table(rows, colWidths=[60 * mm, 30 * mm], hAlign="RIGHT", style=style)


def tax_invoice_pdf(receipt: Receipt) -> bytes:
    """The sale as an A4 full tax invoice; ``receipt.customer`` must name the customer."""
    _refuse_if_not_allowed(receipt)
    st = _styles()
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        invariant=1,
        title=f"Tax invoice {receipt.number}",
        author=receipt.supplier.name,
        subject=f"{receipt.supplier.name} tax invoice {receipt.number}",
        creator="SG-POS",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
    )
    lines = Table(
        _line_rows(receipt, st),
        colWidths=[10 * mm, None, 18 * mm, 20 * mm, 40 * mm],
        repeatRows=1,
        style=_GRID,
    )
    story: list[Any] = [*_header(receipt, st), lines, Spacer(1, 4 * mm)]
    if supplies := supply_rows(receipt):
        story += [
            Table(
                supplies,
                colWidths=[None, 30 * mm, 25 * mm, 30 * mm],
                style=TableStyle([*_GRID.getCommands(), ("ALIGN", (1, 0), (-1, -1), "RIGHT")]),
            ),
            Spacer(1, 4 * mm),
        ]
    story.append(_figures(_total_rows(receipt), bold_last=True))
    if payments := _payment_rows(receipt):
        story += [Spacer(1, 4 * mm), _figures(payments, bold_last=False)]
    if receipt.footer:
        story += [Spacer(1, 8 * mm), _party(receipt.footer, st["small"])]

    def page_footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawRightString(
            A4[0] - 18 * mm, 10 * mm, f"Tax invoice {receipt.number} - page {doc.page}"
        )
        canvas.restoreState()

    document.build(story, onFirstPage=page_footer, onLaterPages=page_footer)
    return out.getvalue()
