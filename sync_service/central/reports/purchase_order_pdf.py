"""A purchase order as an A4 PDF for the supplier, with reportlab as the till's tax invoice.

Built in reportlab's ``invariant`` mode, so the same order always gives the same bytes.
Drawn in the standard PDF fonts (Latin text); see docs/stock.md for names in other scripts.
"""

from __future__ import annotations

import io
from datetime import timedelta, timezone
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from sync_service.central.admin.purchasing import Order

_SGT = timezone(timedelta(hours=8), "SGT")


def _text(value: str) -> str:
    # Characters outside the standard fonts would draw as boxes: say so in the text instead.
    return escape("".join(ch if ch.encode("cp1252", "ignore") else "?" for ch in value))


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def purchase_order_pdf(order: Order, company: str) -> bytes:
    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        invariant=1,
        title=f"Purchase order {order.number}",
        author=company,
        creator="SG-POS",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
    )
    when = order.sent_at or order.created_at
    head = [
        Paragraph(f"<b>PURCHASE ORDER {order.number}</b>", styles["Title"]),
        Paragraph(f"From: {_text(company)}", styles["Normal"]),
        Paragraph(
            f"To: {_text(order.supplier)}"
            + (f" (UEN {_text(order.supplier_uen)})" if order.supplier_uen else ""),
            styles["Normal"],
        ),
        Paragraph(f"Contact: {_text(order.supplier_contact or '')}", styles["Normal"]),
        Paragraph(
            f"Deliver to: {_text(order.outlet_name)} ({order.outlet_code})", styles["Normal"]
        ),
        Paragraph(
            f"Date: {when.astimezone(_SGT):%d %b %Y}. "
            f"Payment terms: {order.payment_terms_days} days. Status: {order.status}.",
            styles["Normal"],
        ),
        Paragraph(
            "Please quote the order number on the delivery order and the invoice.",
            styles["Normal"],
        ),
        Spacer(1, 5 * mm),
    ]
    rows: list[list[Any]] = [
        ["#", "Your SKU", "Product", "Packs", "Pack", "Units", "Cost/unit", "Amount"]
    ]
    for i, line in enumerate(order.lines, start=1):
        rows.append(
            [
                str(i),
                _text(line.supplier_sku or ""),
                Paragraph(_text(f"{line.name} ({line.sku})"), styles["Normal"]),
                _number(line.packs.quantize(Decimal("0.001"))),
                _number(line.pack_size),
                _number(line.quantity),
                "" if line.unit_cost is None else f"{line.unit_cost:,.2f}",
                f"{line.value:,.2f}",
            ]
        )
    rows.append(["", "", "Total (excluding GST)", "", "", "", "", f"{order.total:,.2f}"])
    table = Table(
        rows,
        colWidths=[8 * mm, 22 * mm, None, 14 * mm, 12 * mm, 16 * mm, 20 * mm, 24 * mm],
        repeatRows=1,
        style=TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
                ("ALIGN", (3, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        ),
    )
    story: list[Any] = [*head, table]
    if order.note:
        story += [Spacer(1, 5 * mm), Paragraph(f"Note: {_text(order.note)}", styles["Normal"])]
    doc.build(story)
    return out.getvalue()
