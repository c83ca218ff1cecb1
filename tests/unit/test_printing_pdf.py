"""PDF receipts and A4 tax invoices: what they say, that they render, that they are stable."""

from __future__ import annotations

import dataclasses
import io
import re
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from PIL import Image
from pypdf import PdfReader

from shared.receipt import Receipt, ReceiptKind, missing_particulars, render_text
from shared.receipt_text import full_totals
from tests.printing_samples import (
    CUSTOMER,
    ISSUED_TEXT,
    NUMBER,
    SUPPLIER,
    D,
    full,
    paid_by_paynow,
    simplified,
    sr,
    unregistered,
)
from till.printing.pdf import TaxInvoiceError, receipt_pdf, tax_invoice_pdf


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def first_page_image(data: bytes) -> Image.Image:
    document = pdfium.PdfDocument(data)
    try:
        image: Image.Image = document[0].render(scale=2).to_pil().convert("L")
        return image
    finally:
        document.close()


def dark_pixels(image: Image.Image) -> int:
    return sum(image.histogram()[:128])


def test_the_receipt_pdf_says_exactly_what_the_paper_says() -> None:
    receipt = simplified()
    text = pdf_text(receipt_pdf(receipt))
    paper = [line.strip() for line in render_text(receipt, width=42).splitlines() if line.strip()]
    assert [line.strip() for line in text.splitlines() if line.strip()] == paper
    for particular in (
        "Orchard Grocer Pte Ltd",
        "1 Orchard Road #01-02",
        "GST Reg No: M2-1234567-8",
        f"Receipt No: {NUMBER}",
        f"Date: {ISSUED_TEXT}",
        "Kaya toast set",
        "$12.35",
        "Price Payable includes GST",
    ):
        assert particular in text


def test_the_receipt_pdf_renders_and_draws_the_paynow_qr_code() -> None:
    cash, paynow = first_page_image(receipt_pdf(simplified())), None
    paynow = first_page_image(receipt_pdf(paid_by_paynow()))
    for image in (cash, paynow):
        assert image.width > 0 and image.height > image.width  # a roll, not a sheet
        assert image.getextrema()[0] < 128  # something is printed on it
    # The QR code adds a block of dark modules below the text.
    assert paynow.height - cash.height > 200
    assert dark_pixels(paynow) > dark_pixels(cash) + 20_000


def test_the_same_receipt_always_gives_the_same_pdf_bytes() -> None:
    assert receipt_pdf(paid_by_paynow()) == receipt_pdf(paid_by_paynow())
    assert tax_invoice_pdf(full()) == tax_invoice_pdf(full())
    assert receipt_pdf(simplified()) != receipt_pdf(simplified(reprint_count=1))


def test_chinese_names_are_text_in_the_pdf_and_keep_the_amounts_in_their_columns() -> None:
    def with_names(shop: str, kopi: str) -> Receipt:
        base = simplified()
        line = dataclasses.replace(base.lines[0], description=kopi)
        supplier = dataclasses.replace(SUPPLIER, name=shop)
        return dataclasses.replace(base, lines=(line, *base.lines[1:]), supplier=supplier)

    receipt = with_names("乌节杂货 Orchard Grocer Pte Ltd", "咖啡乌 Kopi O (冰)")
    data = receipt_pdf(receipt)
    text = pdf_text(data)
    assert "乌节杂货 Orchard Grocer Pte Ltd" in text  # whole lines: a reader finds and copies them
    assert "咖啡乌 Kopi O (冰)" in text
    assert data == receipt_pdf(receipt)
    # Three Chinese characters take six columns, as on paper: "Kopi" starts where it does
    # after six Latin letters.
    latin = receipt_pdf(with_names("ABCDEFGH Orchard Grocer Pte Ltd", "ABCDEF Kopi O (I)"))
    assert abs(left_of(data, "Kopi") - left_of(latin, "Kopi")) < 0.5
    assert abs(left_of(data, "Orchard") - left_of(latin, "Orchard")) < 0.5  # centred alike


def left_of(data: bytes, word: str) -> float:
    """Where ``word`` starts on the first page, in points from the left edge."""
    document = pdfium.PdfDocument(data)
    try:
        page = document[0].get_textpage()
        left: float = page.get_charbox(page.get_text_range().index(word))[0]
        return left
    finally:
        document.close()


def test_a_chinese_description_is_text_on_the_a4_tax_invoice() -> None:
    receipt = full()
    chair = dataclasses.replace(receipt.lines[0], description="办公椅 Office chair")
    text = pdf_text(tax_invoice_pdf(dataclasses.replace(receipt, lines=(chair,))))
    assert "办公椅 Office chair" in text


def test_a_48_column_receipt_pdf_keeps_the_80_mm_layout() -> None:
    receipt = simplified()
    text = pdf_text(receipt_pdf(receipt, columns=48))
    assert any(len(line) == 48 for line in text.splitlines())  # the rules run the full width
    assert max(len(line) for line in text.splitlines()) <= 48


def test_a_very_long_receipt_continues_on_another_page() -> None:
    lines = tuple(sr(f"Item {n}", "1", "1.09", "1.09", "0.09") for n in range(800))
    receipt = simplified(lines=lines)
    data = receipt_pdf(receipt)
    assert len(PdfReader(io.BytesIO(data)).pages) == 2
    text = pdf_text(data)
    assert "Item 0" in text and "Item 799" in text and "$12.35" in text


def test_a_receipt_pdf_of_a_shop_without_gst_registration_has_no_gst_line() -> None:
    text = pdf_text(receipt_pdf(unregistered()))
    assert "GST" not in text and "TAX INVOICE" not in text
    assert "RECEIPT" in text and "Ah Seng Provision Shop" in text


def test_the_a4_tax_invoice_carries_every_particular_of_a_full_tax_invoice() -> None:
    data = tax_invoice_pdf(full())
    text = pdf_text(data)
    for particular in (
        "TAX INVOICE",
        str(NUMBER),  # invoice number
        ISSUED_TEXT,  # date
        SUPPLIER.name,
        *SUPPLIER.address_lines,
        f"GST Reg No: {SUPPLIER.gst_reg_no}",
        CUSTOMER.name,
        *CUSTOMER.address_lines,
        "Office chair",  # description
        "Qty",
        "Amount excl. GST (S$)",
        "200.00",  # line amount excluding GST
        "Total excl. GST",
        "GST @ 9%",  # rate
        "18.00",  # GST amount
        "Total incl. GST",
        "218.00",
    ):
        assert particular in text, f"{particular!r} missing from the tax invoice:\n{text}"
    image = first_page_image(data)
    assert image.width < image.height and image.getextrema()[0] < 128  # an A4 page, printed on
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_a_tax_invoice_with_several_rates_shows_each_rate_on_its_base() -> None:
    # A desk delivered under the old 8% rate invoiced together with chairs at 9%.
    old = dataclasses.replace(sr("Desk", "1", "108.00", "108.00", "8.00"), gst_rate=D(8))
    receipt = full(
        lines=(sr("Office chair", "2", "109.00", "218.00", "18.00"), old),
        gst_by_rate=((D(8), D(108), D(8)), (D(9), D(218), D(18))),
        gst_total=D(26),
        total=D(326),
    )
    text = pdf_text(tax_invoice_pdf(receipt))
    assert "GST @ 8% on 100.00" in text and "GST @ 9% on 200.00" in text
    assert "Total GST" in text and "26.00" in text and "326.00" in text


def figure(text: str, label: str) -> str:
    """The amount printed next to ``label`` in a table of the PDF."""
    lines = [line.strip() for line in text.splitlines()]
    return lines[lines.index(label) + 1]


def test_a_discount_on_the_whole_sale_is_shown_excluding_gst_and_everything_adds_up() -> None:
    # 10% off two chairs: S$196.20 paid, of which S$16.20 GST. The receipt line holds the
    # chairs before the discount (S$218.00) and the GST after it.
    receipt = full(
        cart_discount=D("21.80"),
        lines=(sr("Office chair", "2", "109.00", "218.00", "16.20"),),
        gst_by_rate=((D(9), D("196.20"), D("16.20")),),
        gst_total=D("16.20"),
        total=D("196.20"),
        tenders=(),
    )
    assert missing_particulars(receipt) == []
    text = pdf_text(tax_invoice_pdf(receipt))
    assert figure(text, "SR 9%") == "200.00"  # the chairs excl. GST, before the discount
    assert figure(text, "Subtotal excl. GST") == "200.00"
    assert figure(text, "Discount excl. GST") == "-20.00"
    assert figure(text, "Total excl. GST") == "180.00"
    assert figure(text, "GST @ 9%") == "16.20"
    assert figure(text, "Total incl. GST") == "196.20"


def test_the_a4_invoice_and_the_paper_full_tax_invoice_show_the_same_totals() -> None:
    # Chairs at 9% and an exempt gift card, 10% off the sale, paid in cash rounded down.
    chairs = sr("Office chair", "2", "109.00", "218.00", "16.20")
    card = dataclasses.replace(
        sr("Gift card", "1", "50.00", "50.00", "0.00"), tax_code="ES", gst_rate=D(0)
    )
    receipt = full(
        cart_discount=D("26.80"),
        lines=(chairs, card),
        gst_by_rate=((D(0), D(45), D(0)), (D(9), D("196.20"), D("16.20"))),
        gst_total=D("16.20"),
        rounding=D("-0.05"),
        total=D("241.15"),
        tenders=(),
    )
    pdf = [line.strip() for line in pdf_text(tax_invoice_pdf(receipt)).splitlines()]
    paper = render_text(receipt, width=48)
    rows = full_totals(receipt, lambda value: f"{value:,.2f}")
    assert [label for label, _ in rows][-1] == "Rounding"
    for label, amount in rows:
        assert pdf[pdf.index(label) + 1] == f"{amount:,.2f}"  # the PDF's table cell
    for label, amount in full_totals(receipt):
        assert re.search(rf"{re.escape(label)} +{amount:.2f}", paper), label
    assert figure(pdf_text(tax_invoice_pdf(receipt)), "Amount paid") == "241.15"


@pytest.mark.parametrize(
    ("receipt", "words"),
    [
        (unregistered(customer=CUSTOMER), "not GST-registered"),
        (simplified(), "customer's name and address"),
        (full(kind=ReceiptKind.REFUND, original_number=NUMBER), "refund"),
        (full(customer=dataclasses.replace(CUSTOMER, address_lines=())), "customer address"),
    ],
)
def test_a_tax_invoice_that_iras_would_not_accept_is_refused(receipt, words) -> None:
    with pytest.raises(TaxInvoiceError) as caught:
        tax_invoice_pdf(receipt)
    assert words in str(caught.value)


def test_shop_text_is_printed_as_text_never_read_as_markup() -> None:
    tricky = dataclasses.replace(CUSTOMER, name="Tan & <b>Sons</b> Pte Ltd")
    text = pdf_text(tax_invoice_pdf(full(customer=tricky)))
    assert "Tan & <b>Sons</b> Pte Ltd" in text


def test_a_weighed_line_shows_its_kg_in_the_pdf() -> None:
    line = dataclasses.replace(simplified().lines[0], quantity=Decimal("0.5"), weighed=True)
    assert "0.500 kg x" in pdf_text(receipt_pdf(simplified(lines=(line,))))
