"""Receipts on thermal paper: the ESC/POS byte stream, built through python-escpos's Dummy."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from escpos.constants import CD_KICK_2, CD_KICK_5
from pydantic import ValidationError

from shared.receipt import (
    ReceiptKind,
    ReceiptNumber,
    ReceiptTender,
    Supplier,
    missing_particulars,
    render_text,
)
from tests.printing_samples import (
    CUSTOMER,
    ISSUED_TEXT,
    NUMBER,
    PAYNOW,
    QR_COMMAND,
    D,
    full,
    paid_by_paynow,
    printed_text,
    simplified,
    sr,
    unregistered,
)
from till.printing import NO_PRINTER, PrinterSettings, ReceiptPrinter, escpos_receipt

BOLD_ON, CENTRE = b"\x1bE\x01", b"\x1ba\x01"
FONT_A, FONT_B = b"\x1bM\x00", b"\x1bM\x01"
CUT = b"\x1dV"


def job(receipt, *, paper_mm=80, open_drawer=False) -> bytes:
    return escpos_receipt(receipt, paper_mm=paper_mm, open_drawer=open_drawer)


@pytest.mark.parametrize("paper_mm", [58, 80])
def test_a_simplified_tax_invoice_carries_every_iras_particular_on_paper(paper_mm) -> None:
    receipt = simplified()
    assert missing_particulars(receipt) == []
    text = printed_text(job(receipt, paper_mm=paper_mm))
    for particular in (
        "Orchard Grocer Pte Ltd",  # supplier name
        "1 Orchard Road #01-02",  # supplier address
        "Singapore 238801",
        "GST Reg No: M2-1234567-8",  # supplier GST registration number
        "TAX INVOICE",
        f"Receipt No: {NUMBER}",  # identifying number
        f"Date: {ISSUED_TEXT}",  # date, in Singapore time
        "Kaya toast set",  # descriptions
        "Milo peng",
        "$12.35",  # total including GST
        "Price Payable includes GST",  # IRAS wording
        "GST 9% included",
    ):
        assert particular in text, f"{particular!r} missing from the paper receipt:\n{text}"


def test_a_till_laid_out_at_42_columns_prints_42_on_80_mm_paper() -> None:
    # till.toml's paper_columns: the paper then shows what the till's screens and PDFs show.
    receipt = simplified()
    printer = ReceiptPrinter(PrinterSettings(kind="dummy", paper_mm=80), columns=42)
    assert printer.print_receipt(receipt).ok and printer.last_output is not None
    lines = printed_text(printer.last_output).splitlines()
    assert [x.strip() for x in lines] == [
        x.strip() for x in render_text(receipt, width=42).splitlines()
    ]


@pytest.mark.parametrize(("paper_mm", "columns", "font"), [(58, 42, FONT_B), (80, 48, FONT_A)])
def test_no_printed_line_is_wider_than_the_paper(paper_mm, columns, font) -> None:
    long_name = "Orchard Grocer & Sons Wholesale and Retail Provisions Pte Ltd"
    receipt = simplified(supplier=dataclasses.replace(simplified().supplier, name=long_name))
    stream = job(receipt, paper_mm=paper_mm)
    lines = printed_text(stream).splitlines()
    assert max(len(line) for line in lines) <= columns
    assert any(len(line) > 32 for line in lines)  # the 58 mm roll really uses Font B's width
    assert font in stream  # the font that has this many columns on this paper
    # The paper says what the screen says, word for word.
    assert [x.strip() for x in lines] == [
        x.strip() for x in render_text(receipt, width=columns).splitlines()
    ]


def test_the_header_is_bold_and_centred_even_when_the_shop_name_wraps() -> None:
    long_name = "Orchard Grocer & Sons Wholesale and Retail Provisions Pte Ltd"
    receipt = simplified(supplier=dataclasses.replace(simplified().supplier, name=long_name))
    stream = job(receipt, paper_mm=58)
    name_lines = [x.strip() for x in render_text(receipt, width=42).splitlines()[:2]]
    assert " ".join(name_lines) == long_name
    for piece in name_lines:
        before = stream.split(piece.encode())[0]
        assert before.rfind(BOLD_ON) > before.rfind(b"\x1bE\x00"), f"{piece!r} is not bold"
        assert before.rfind(CENTRE) > before.rfind(b"\x1ba\x00"), f"{piece!r} is not centred"
    before_title = stream.split(b"TAX INVOICE")[0]
    assert before_title.endswith(BOLD_ON + CENTRE)
    # The address is plain text again.
    before_address = stream.split(b"1 Orchard Road")[0]
    assert before_address.rfind(b"\x1bE\x00") > before_address.rfind(BOLD_ON)


def test_paynow_sale_prints_its_qr_code_with_the_exact_payload() -> None:
    stream = job(paid_by_paynow())
    # GS ( k, function 180 "store": length, cn=1 (QR), fn=P, m=0, then the payload itself.
    data = b"1P0" + PAYNOW.encode()
    assert QR_COMMAND + (len(data)).to_bytes(2, "little") + data in stream
    assert b"\x1d(k\x03\x001Q0" in stream  # ... and print it
    assert stream.index(QR_COMMAND) < stream.rindex(CUT)  # before the paper is cut
    assert "PayNow QR: see code" in printed_text(stream)


def test_a_cash_sale_prints_no_qr_code() -> None:
    stream = job(simplified())
    assert QR_COMMAND not in stream
    assert stream.rstrip(b"\x00\x01").endswith(CUT)


def test_the_drawer_opens_only_when_asked_and_on_the_configured_pin() -> None:
    assert CD_KICK_2 not in job(simplified(), open_drawer=False)
    assert CD_KICK_2 in job(simplified(), open_drawer=True)
    pin5 = escpos_receipt(simplified(), paper_mm=80, open_drawer=True, drawer_pin=5)
    assert CD_KICK_5 in pin5 and CD_KICK_2 not in pin5


def test_a_product_name_cannot_smuggle_printer_commands_onto_the_paper() -> None:
    sneaky = dataclasses.replace(simplified().lines[0], description="Toast\x1bp\x0022 set\x1dV\x00")
    stream = job(simplified(lines=(sneaky, simplified().lines[1])))
    assert CD_KICK_2 not in stream  # no drawer kick hidden in the description
    assert stream.count(CUT) == 1  # and no extra cut
    assert "Toast p 22 set V" in printed_text(stream)


def test_a_shop_that_is_not_gst_registered_prints_no_gst_at_all() -> None:
    receipt = unregistered()
    assert missing_particulars(receipt) == []
    text = printed_text(job(receipt))
    assert "GST" not in text and "TAX INVOICE" not in text
    assert "RECEIPT" in text and "Ah Seng Provision Shop" in text and "$12.35" in text


def test_a_full_tax_invoice_on_paper_names_the_customer_and_amounts_excluding_gst() -> None:
    receipt = full()
    assert missing_particulars(receipt) == []
    text = printed_text(job(receipt))
    for particular in (
        "TAX INVOICE",
        f"Invoice No: {NUMBER}",
        f"Customer: {CUSTOMER.name}",
        "10 Anson Road #20-01",
        "Office chair",
        "Qty 2",
        "200.00",  # the line excluding GST
        "Total excl. GST",
        "GST @ 9%",
        "18.00",
        "Total incl. GST",
        "Card ****1234",
    ):
        assert particular in text, f"{particular!r} missing:\n{text}"


def test_reprints_and_refunds_say_what_they_are() -> None:
    assert "REPRINT #2" in printed_text(job(simplified(reprint_count=2)))
    refund = simplified(
        number=NUMBER.next(),
        kind=ReceiptKind.REFUND,
        original_number=NUMBER,
        lines=(sr("Kaya toast set", "-2", "3.50", "-7.00", "-0.58"),),
        gst_by_rate=((D(9), D("-7.00"), D("-0.58")),),
        gst_total=D("-0.58"),
        total=D("-7.00"),
        tenders=(ReceiptTender("Cash", D("-7.00")),),
        change=D(0),
    )
    assert missing_particulars(refund) == []
    text = printed_text(job(refund))
    assert "REFUND" in text and f"Original receipt: {NUMBER}" in text and "-7.00" in text


# --- the printer object, without a device ----------------------------------------------------


def test_a_dummy_printer_keeps_exactly_the_bytes_it_was_sent() -> None:
    printer = ReceiptPrinter(PrinterSettings(kind="dummy", paper_mm=58))
    nothing_yet = printer.last_output
    assert nothing_yet is None
    receipt = paid_by_paynow()
    assert printer.print_receipt(receipt, open_drawer=True).ok
    assert printer.last_output == escpos_receipt(receipt, paper_mm=58, open_drawer=True)
    assert printer.open_drawer().ok and printer.last_output == CD_KICK_2
    assert printer.print_report("X REPORT\nCash  10.00").ok
    assert "X REPORT" in printed_text(printer.last_output)
    assert printer.check().ok


def test_a_report_cannot_carry_printer_commands() -> None:
    printer = ReceiptPrinter(PrinterSettings(kind="dummy"))
    assert printer.print_report("Z REPORT\x1bp\x0022\nTotal 5.00").ok
    assert printer.last_output is not None and CD_KICK_2 not in printer.last_output


def test_without_a_printer_every_job_says_so_and_points_at_pdf() -> None:
    printer = ReceiptPrinter(PrinterSettings())
    for outcome in (
        printer.print_receipt(simplified()),
        printer.print_report("X REPORT"),
        printer.open_drawer(),
        printer.check(),
    ):
        assert not outcome.ok and outcome.problem == NO_PRINTER
    assert "PDF" in NO_PRINTER and "till.toml" in NO_PRINTER
    assert printer.last_output is None


# --- [printer] settings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"kind": "network"}, "needs host"),
        ({"kind": "usb", "usb_vendor_id": 0x04B8}, "usb_product_id"),
        ({"kind": "serial"}, "serial_device"),
        ({"kind": "network", "host": "10.0.0.5", "hots": "x"}, "hots"),
        ({"kind": "bluetooth"}, "kind"),
        ({"kind": "dummy", "paper_mm": 76}, "paper_mm"),
        ({"kind": "network", "host": "10.0.0.5", "port": 0}, "port"),
        ({"kind": "usb", "usb_vendor_id": "zz", "usb_product_id": 1}, "lsusb"),
        ({"kind": "dummy", "profile": "TM-NOPE"}, "TM-NOPE"),
    ],
)
def test_a_wrong_printer_table_is_refused_in_plain_words(table, words) -> None:
    with pytest.raises(ValidationError) as caught:
        PrinterSettings(**table)
    assert words in str(caught.value)


def test_usb_ids_can_be_written_as_lsusb_shows_them() -> None:
    settings = PrinterSettings(kind="usb", usb_vendor_id="04b8", usb_product_id="0x0202")
    assert (settings.usb_vendor_id, settings.usb_product_id) == (0x04B8, 0x0202)
    assert settings.where == "the USB receipt printer 04b8:0202"
    assert PrinterSettings(kind="dummy", profile="TM-T20II").profile == "TM-T20II"


def test_receipt_numbers_print_as_issued() -> None:
    other = ReceiptNumber("ORC", "T09", 7)
    stream = job(simplified(number=other))
    assert b"ORC-T09-000007" in stream and str(NUMBER).encode() not in stream


def test_an_unregistered_shop_keeps_its_own_name_in_bold() -> None:
    shop = Supplier("Ah Seng", ("Blk 1",), None)
    stream = job(unregistered(supplier=shop))
    assert stream.split(b"Ah Seng")[0].endswith(BOLD_ON + CENTRE + b"\x1bt\x00")


def test_a_weighed_line_prints_its_kg_on_paper() -> None:
    line = dataclasses.replace(simplified().lines[0], quantity=Decimal("0.5"), weighed=True)
    assert b"0.500 kg x" in job(simplified(lines=(line,)))
