"""Real sales from a real till store, on paper (python-escpos's Dummy printer) and as PDF."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from shared.cart import Discount
from shared.receipt import CustomerDetails, ReceiptKind, missing_particulars
from shared.tender import Tender, TenderType
from tests.integration.test_checkout import standard_barcodes
from tests.printing_samples import printed_text
from tests.tills import DemoTill, demo_till
from till.printing import PrinterSettings, ReceiptPrinter
from till.printing.pdf import receipt_pdf, tax_invoice_pdf
from till.services.checkout import CompletedSale

D = Decimal
BUYER = CustomerDetails("Lim Trading Pte Ltd", ("8 Shenton Way #30-01", "Singapore 068811"))


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoTill]:
    t = demo_till(tmp_path_factory.mktemp("printing") / "till")
    t.till.shifts.open_shift(t.cashier, D("100.00"))
    yield t
    t.till.close()


def cash_sale(shop: DemoTill) -> CompletedSale:
    """Three items, the second one twice, 5% off the cart, paid in cash with change."""
    checkout = shop.till.checkout(shop.cashier)
    codes = standard_barcodes(shop.till.store, 3)
    for code in codes:
        checkout.scan(code)
    checkout.set_quantity(checkout.cart.lines[1].line_id, D(2))
    checkout.discount_cart(Discount(percent=D(5)))
    return checkout.complete([Tender(TenderType.CASH, checkout.cash_due() + D("10.00"))])


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_real_sale_prints_every_particular_of_its_receipt_kind(shop: DemoTill) -> None:
    sale = cash_sale(shop)
    receipt = sale.receipt
    assert receipt.kind is ReceiptKind.SIMPLIFIED_TAX_INVOICE
    assert missing_particulars(receipt) == []
    printer = ReceiptPrinter(PrinterSettings(kind="dummy", paper_mm=80))

    assert printer.print_receipt(receipt, open_drawer=True).ok

    assert printer.last_output is not None
    paper = printed_text(printer.last_output)
    supplier = receipt.supplier
    for particular in (
        supplier.name,
        *supplier.address_lines,
        f"GST Reg No: {supplier.gst_reg_no}",
        f"Receipt No: {sale.receipt_no}",
        "Date: ",
        *(line.description[:20] for line in receipt.lines),
        f"${receipt.total:.2f}",
        "Price Payable includes GST",
        f"{receipt.gst_total:.2f}",
        "Discount",
        "Change",
    ):
        assert particular in paper, f"{particular!r} missing from the receipt:\n{paper}"
    assert max(len(line) for line in paper.splitlines()) <= 48
    # The PDF copy for e-mail carries the same words.
    text = pdf_text(receipt_pdf(receipt))
    assert [x.strip() for x in text.splitlines() if x.strip()] == [
        x.strip() for x in sale.receipt_text.splitlines() if x.strip()
    ]


def test_a_real_sale_becomes_an_a4_tax_invoice_for_a_registered_customer(shop: DemoTill) -> None:
    sale = cash_sale(shop)
    invoice = dataclasses.replace(sale.receipt, kind=ReceiptKind.FULL_TAX_INVOICE, customer=BUYER)
    assert missing_particulars(invoice) == []

    data = tax_invoice_pdf(invoice)

    text = pdf_text(data)
    incl = invoice.total - invoice.rounding
    # Each line excl. GST before the 5% discount; the discount line (excl. GST) takes the rest.
    lines_excl = [(line.amount * 100 / 109).quantize(D("0.01")) for line in invoice.lines]
    discount_excl = incl - invoice.gst_total - sum(lines_excl)
    assert discount_excl < 0
    for particular in (
        "TAX INVOICE",
        sale.receipt_no,
        invoice.supplier.name,
        f"GST Reg No: {invoice.supplier.gst_reg_no}",
        BUYER.name,
        *BUYER.address_lines,
        *(f"{amount:,.2f}" for amount in lines_excl),
        "Discount excl. GST",
        f"{discount_excl:,.2f}",
        "Total excl. GST",
        f"{incl - invoice.gst_total:,.2f}",
        "GST @ 9%",
        f"{invoice.gst_total:,.2f}",
        "Total incl. GST",
        f"{incl:,.2f}",
    ):
        assert particular in text, f"{particular!r} missing from the tax invoice:\n{text}"
    document = pdfium.PdfDocument(data)
    try:
        image = document[0].render(scale=1).to_pil().convert("L")
    finally:
        document.close()
    assert image.size[0] > 0 and image.getextrema()[0] < 128  # rendered, and not blank
