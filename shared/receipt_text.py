"""Plain-text layout of a ``Receipt`` for 42- and 48-column thermal printers.

Widths are counted in printer columns: CJK and other wide characters take two columns on a
thermal printer, so they count as two here and no line ever exceeds the paper, in columns or
in characters. Amounts are right-aligned; when a registered supplier's receipt has ZR/ES/OS
items, the last two columns hold their tax-code marker, so every amount keeps one alignment.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import timedelta, timezone
from decimal import Decimal

from shared.receipt import Receipt, ReceiptKind, ReceiptLine

__all__ = ["WIDTHS", "full_totals", "render", "text_columns"]

WIDTHS = (42, 48)
_SGT = timezone(timedelta(hours=8), "SGT")
_MARKERS = {"ZR": "Z", "ES": "E", "OS": "O"}
_LEGEND = {"Z": "Z = zero-rated", "E": "E = exempt", "O": "O = out of scope"}
# 13-19 digits, optionally grouped by spaces or hyphens: the shape of a card number. A
# terminal reference of that shape is masked too; a 12-digit RRN stays readable.
_CARD_NUMBER = re.compile(r"[0-9](?:[ -]?[0-9]){12,18}")
_CENT = Decimal("0.01")


def text_columns(text: str) -> int:
    """Columns ``text`` takes on a receipt: a wide (CJK, full-width) character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _clean(text: str) -> str:
    # Control characters would reach the printer as commands (ESC/POS) or break the layout.
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(printable.split())


def _split_at(word: str, width: int) -> tuple[str, str]:
    used = 0
    for index, ch in enumerate(word):
        used += text_columns(ch)
        if used > width:
            return word[:index], word[index:]
    return word, ""


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in _clean(text).split(" "):
        candidate = f"{current} {word}" if current else word
        if text_columns(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while text_columns(word) > width:
            head, word = _split_at(word, width)
            lines.append(head)
        current = word
    if current:
        lines.append(current)
    return lines or [""]


def _mask_card_numbers(text: str) -> str:
    return _CARD_NUMBER.sub(lambda m: "****" + re.sub("[^0-9]", "", m.group())[-4:], text)


def _amount(value: Decimal, *, dollar: bool = False) -> str:
    sign = "-" if value < 0 else ""  # Decimal("-0.00") is not < 0: no "-0.00" on paper
    return f"{sign}{'$' if dollar else ''}{abs(value):.2f}"


def _unit(price: Decimal) -> str:
    if price == price.quantize(_CENT):
        return _amount(price)
    return f"{price.normalize():f}"  # per-gram prices keep their extra decimals


def _quantity(line: ReceiptLine) -> str:
    """``2`` items, or ``0.500 kg``: a weight always shows its unit and the grams."""
    return f"{line.quantity:.3f} kg" if line.weighed else _number(line.quantity)


def _number(value: Decimal) -> str:
    return "0" if value == 0 else f"{value.normalize():f}"


class _Sheet:
    def __init__(self, width: int, *, marker_column: bool) -> None:
        self.width = width
        self.marker_column = marker_column
        self.lines: list[str] = []

    def blank(self) -> None:
        self.lines.append("")

    def rule(self) -> None:
        self.lines.append("-" * self.width)

    def text(self, text: str, *, indent: int = 0) -> None:
        self.lines += [" " * indent + piece for piece in _wrap(text, self.width - indent)]

    def centre(self, text: str) -> None:
        for piece in _wrap(text, self.width):
            self.lines.append(" " * ((self.width - text_columns(piece)) // 2) + piece)

    def row(self, left: str, right: str, *, indent: int = 0, marker: str = "") -> None:
        if self.marker_column:
            right = f"{right} {marker or ' '}"
        pieces = [" " * indent + piece for piece in _wrap(left, self.width - indent)]
        gap = self.width - text_columns(pieces[-1]) - text_columns(right)
        if gap >= 1:
            pieces[-1] += " " * gap + right
        else:
            # Left text too long to share a line with the amount: the amount gets its own.
            for piece in _wrap(right, self.width):
                pieces.append(" " * (self.width - text_columns(piece)) + piece)
        self.lines += pieces


def render(receipt: Receipt, *, width: int = 42) -> str:
    """See ``shared.receipt.render_text``."""
    if width not in WIDTHS:
        raise ValueError(f"width must be 42 or 48 columns, got {width!r}")
    registered = receipt.supplier.gst_registered
    markers = {_MARKERS[line.tax_code] for line in receipt.lines if line.tax_code in _MARKERS}
    # A non-registered supplier prints no tax codes: they are GST vocabulary.
    markers = markers if registered else set()
    sheet = _Sheet(width, marker_column=bool(markers))
    _header(sheet, receipt)
    _items(sheet, receipt)
    if registered and receipt.kind is ReceiptKind.FULL_TAX_INVOICE:
        _full_totals(sheet, receipt)
    else:
        _totals(sheet, receipt)
    _payment(sheet, receipt)
    if markers:
        sheet.blank()
        for marker in "ZEO":
            if marker in markers:
                sheet.text(_LEGEND[marker])
    if receipt.footer:
        sheet.blank()
        for line in receipt.footer:
            sheet.centre(line)
    return "\n".join(line.rstrip() for line in sheet.lines) + "\n"


def _title(receipt: Receipt) -> str:
    if receipt.kind is ReceiptKind.REFUND:
        return "VOID" if receipt.is_void else "REFUND"
    # Whatever kind was asked for, a non-registered supplier must not say "tax invoice".
    if receipt.supplier.gst_registered and receipt.kind in {
        ReceiptKind.SIMPLIFIED_TAX_INVOICE,
        ReceiptKind.FULL_TAX_INVOICE,
    }:
        return "TAX INVOICE"
    return "RECEIPT"


def _is_full(receipt: Receipt) -> bool:
    return receipt.supplier.gst_registered and receipt.kind is ReceiptKind.FULL_TAX_INVOICE


def _header(sheet: _Sheet, receipt: Receipt) -> None:
    supplier = receipt.supplier
    sheet.centre(supplier.name)
    for line in supplier.address_lines:
        sheet.centre(line)
    if supplier.gst_reg_no is not None:
        sheet.centre(f"GST Reg No: {supplier.gst_reg_no}")
    sheet.blank()
    sheet.centre(_title(receipt))
    if receipt.reprint_count:
        sheet.centre(f"REPRINT #{receipt.reprint_count}")
    sheet.blank()
    sheet.text(f"{'Invoice' if _is_full(receipt) else 'Receipt'} No: {receipt.number}")
    if receipt.kind is ReceiptKind.REFUND and receipt.original_number is not None:
        voided = "Voided sale" if receipt.is_void else "Original receipt"
        sheet.text(f"{voided}: {receipt.original_number}")
    # f-string rather than strftime: glibc does not zero-pad years before 1000.
    at = receipt.issued_at.astimezone(_SGT)
    sheet.text(f"Date: {at.day:02d}-{at.month:02d}-{at.year:04d} {at.hour:02d}:{at.minute:02d}")
    sheet.text(f"Cashier: {receipt.cashier}")
    customer = receipt.customer
    if _is_full(receipt) and customer is not None:
        sheet.blank()
        sheet.text(f"Customer: {customer.name}")
        for line in customer.address_lines:
            sheet.text(line, indent=2)
        if customer.gst_reg_no:
            sheet.text(f"Customer GST Reg No: {customer.gst_reg_no}")


def _discount_sign(receipt: Receipt) -> int:
    # A discount lowers what is paid on a sale and what is paid back on a refund.
    return 1 if receipt.kind is ReceiptKind.REFUND else -1


def _items(sheet: _Sheet, receipt: Receipt) -> None:
    full = _is_full(receipt)
    sheet.rule()
    if full:
        sheet.row("Item", "Excl. GST")
    for line in receipt.lines:
        sheet.text(line.description)
        marker = _MARKERS.get(line.tax_code, "") if sheet.marker_column else ""
        if full:
            sheet.row(
                f"Qty {_quantity(line)}",
                _amount(receipt.line_excl_gst(line)),
                indent=2,
                marker=marker,
            )
            if line.discount:
                # The discount is GST-inclusive; the excl. GST amount above is already net of it.
                sheet.text(f"after {_amount(line.discount)} discount incl. GST", indent=2)
                if line.promotion:
                    sheet.text(line.promotion, indent=2)
        else:
            sheet.row(
                f"{_quantity(line)} x {_unit(line.unit_price)}{'/kg' if line.weighed else ''}",
                _amount(line.amount),
                indent=2,
                marker=marker,
            )
            if line.discount:
                label = line.promotion or "Discount"
                sheet.row(label, _amount(_discount_sign(receipt) * line.discount), indent=2)
    sheet.rule()


def _rates_need_base(receipt: Receipt) -> bool:
    # With one rate on every item, "GST 9% included" is unambiguous; otherwise say on what.
    return len(receipt.gst_by_rate) > 1 or any(line.tax_code != "SR" for line in receipt.lines)


def _totals(sheet: _Sheet, receipt: Receipt) -> None:
    if receipt.cart_discount:
        sheet.row("Subtotal", _amount(sum((line.amount for line in receipt.lines), Decimal(0))))
        sheet.row("Discount", _amount(_discount_sign(receipt) * receipt.cart_discount))
    if receipt.rounding:
        sheet.row("Rounding", _amount(receipt.rounding))
    sheet.row("TOTAL", _amount(receipt.total, dollar=True))
    _saved(sheet, receipt)
    if not receipt.supplier.gst_registered:
        return
    charged = bool(receipt.gst_by_rate) or receipt.gst_total != 0
    if receipt.kind is ReceiptKind.REFUND:
        if charged:
            sheet.text("Refund includes GST")
    elif charged or receipt.kind is ReceiptKind.SIMPLIFIED_TAX_INVOICE:
        sheet.text("Price Payable includes GST")  # IRAS wording for a simplified tax invoice
    with_base = _rates_need_base(receipt)
    for rate, taxable, gst in receipt.gst_by_rate:
        label = f"GST {_number(rate)}% included"
        sheet.row(f"{label} in {_amount(taxable)}" if with_base else label, _amount(gst))
    if len(receipt.gst_by_rate) != 1 and receipt.gst_total:
        label = "Total GST included" if receipt.gst_by_rate else "GST included"
        sheet.row(label, _amount(receipt.gst_total))


def _saved(sheet: _Sheet, receipt: Receipt) -> None:
    if receipt.saved and receipt.kind is not ReceiptKind.REFUND:
        sheet.row("You saved", _amount(receipt.saved, dollar=True))


def full_totals(
    receipt: Receipt, amount: Callable[[Decimal], str] = _amount
) -> list[tuple[str, Decimal]]:
    """The totals of a full tax invoice, as (label, figure) rows: excl. GST (with the whole-sale
    discount, if any), GST per rate, incl. GST, then any cash rounding. The paper receipt and
    the A4 invoice (``till.printing.tax_invoice``) both print these, so they show the same
    figures; ``amount`` formats the taxable base a label names."""
    incl = receipt.total - receipt.rounding  # cash rounding is not part of the supply
    excl = incl - receipt.gst_total
    rows: list[tuple[str, Decimal]] = []
    if receipt.cart_discount:
        # Shown excl. GST, derived from the engine's totals, so the excl. GST column adds up.
        lines_excl = sum((receipt.line_excl_gst(line) for line in receipt.lines), Decimal(0))
        rows += [("Subtotal excl. GST", lines_excl), ("Discount excl. GST", excl - lines_excl)]
    rows.append(("Total excl. GST", excl))
    with_base = _rates_need_base(receipt)
    for rate, taxable, gst in receipt.gst_by_rate:
        on = f" on {amount(taxable - gst)}" if with_base else ""
        rows.append((f"GST @ {_number(rate)}%{on}", gst))
    if len(receipt.gst_by_rate) != 1 and receipt.gst_total:
        rows.append(("Total GST", receipt.gst_total))
    rows.append(("Total incl. GST", incl))
    if receipt.rounding:
        rows.append(("Rounding", receipt.rounding))
    return rows


def _full_totals(sheet: _Sheet, receipt: Receipt) -> None:
    for label, figure in full_totals(receipt):
        sheet.row(label, _amount(figure))
    sheet.row("TOTAL", _amount(receipt.total, dollar=True))
    _saved(sheet, receipt)


def _payment(sheet: _Sheet, receipt: Receipt) -> None:
    if not receipt.tenders and not receipt.change and not receipt.paynow_payload:
        return
    sheet.rule()
    for tender in receipt.tenders:
        sheet.row(_mask_card_numbers(_clean(tender.label)), _amount(tender.amount))
        if tender.card_last4:
            sheet.text(f"Card ****{tender.card_last4}", indent=2)
        if tender.reference:
            sheet.text(f"Ref: {_mask_card_numbers(_clean(tender.reference))}", indent=2)
    paid_cash = any(_clean(tender.label).lower() == "cash" for tender in receipt.tenders)
    # "Change 0.00" reassures a cash customer; on a card sale or a refund it is noise.
    if receipt.change or (paid_cash and receipt.kind is not ReceiptKind.REFUND):
        sheet.row("Change", _amount(receipt.change))
    if receipt.paynow_payload:
        sheet.text("PayNow QR: see code")
