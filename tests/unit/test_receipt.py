"""Receipts and tax invoices: numbering, the kind a sale gets, IRAS particulars, paper layout."""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.receipt import (
    CustomerDetails,
    Receipt,
    ReceiptKind,
    ReceiptLine,
    ReceiptNumber,
    ReceiptNumberError,
    ReceiptTender,
    Supplier,
    choose_kind,
    missing_particulars,
    render_text,
)

D = Decimal
NUMBER = ReceiptNumber("ORC", "T02", 123)
ISSUED = datetime(2026, 11, 20, 6, 3, tzinfo=UTC)  # 14:03 in Singapore
SUPPLIER = Supplier(
    "Orchard Grocer Pte Ltd", ("1 Orchard Road #01-02", "Singapore 238801"), "M2-1234567-8"
)
UNREGISTERED = Supplier("Ah Seng Provision Shop", ("Blk 123 Ang Mo Kio Ave 3",), None)
CUSTOMER = CustomerDetails(
    "Tan Holdings Pte Ltd", ("10 Anson Road #20-01", "Singapore 079903"), "201912345K"
)


def sr(description: str, qty: str, unit: str, amount: str, gst: str, discount: str = "0"):
    return ReceiptLine(description, D(qty), D(unit), D(amount), D(gst), "SR", D(9), D(discount))


def no_gst(description: str, amount: str, code: str) -> ReceiptLine:
    return ReceiptLine(description, D(1), D(amount), D(amount), D(0), code, D(0))


TOAST = sr("Kaya toast set", "2", "3.50", "7.00", "0.58")
MILO = sr("Milo peng", "1", "5.35", "5.35", "0.44")
CHAIRS = sr("Office chair", "2", "109.00", "218.00", "18.00")


def simplified(**changes: Any) -> Receipt:
    """A compliant simplified tax invoice for S$12.35, paid in cash; tests change one thing."""
    receipt = Receipt(
        number=NUMBER,
        issued_at=ISSUED,
        supplier=SUPPLIER,
        lines=(TOAST, MILO),
        cart_discount=D(0),
        gst_by_rate=((D(9), D("12.35"), D("1.02")),),
        gst_total=D("1.02"),
        rounding=D(0),
        total=D("12.35"),
        tenders=(ReceiptTender("Cash", D("20.00")),),
        change=D("7.65"),
        cashier="Siti",
        kind=ReceiptKind.SIMPLIFIED_TAX_INVOICE,
    )
    return dataclasses.replace(receipt, **changes)


def full(**changes: Any) -> Receipt:
    receipt = simplified(
        lines=(CHAIRS,),
        gst_by_rate=((D(9), D("218.00"), D("18.00")),),
        gst_total=D("18.00"),
        total=D("218.00"),
        tenders=(ReceiptTender("Visa", D("218.00"), card_last4="1234"),),
        change=D(0),
        kind=ReceiptKind.FULL_TAX_INVOICE,
        customer=CUSTOMER,
    )
    return dataclasses.replace(receipt, **changes)


def unregistered(**changes: Any) -> Receipt:
    receipt = simplified(
        supplier=UNREGISTERED,
        lines=(no_gst("Rice 5kg", "12.35", "OS"),),
        gst_by_rate=(),
        gst_total=D(0),
        kind=ReceiptKind.RECEIPT,
    )
    return dataclasses.replace(receipt, **changes)


def refund(**changes: Any) -> Receipt:
    receipt = simplified(
        number=NUMBER.next(),
        lines=(sr("Kaya toast set", "-2", "3.50", "-7.00", "-0.58"),),
        gst_by_rate=((D(9), D("-7.00"), D("-0.58")),),
        gst_total=D("-0.58"),
        total=D("-7.00"),
        tenders=(ReceiptTender("Cash", D("-7.00")),),
        change=D(0),
        kind=ReceiptKind.REFUND,
        original_number=NUMBER,
    )
    return dataclasses.replace(receipt, **changes)


def line_with(text: str, label: str) -> str:
    matches = [line for line in text.splitlines() if line.lstrip().startswith(label)]
    assert len(matches) == 1, f"expected one line starting {label!r} in:\n{text}"
    return matches[0]


# --- ReceiptNumber ---------------------------------------------------------------------------


def test_number_prints_zero_padded_to_six_digits_and_wider_when_needed() -> None:
    assert str(NUMBER) == "ORC-T02-000123"
    assert str(ReceiptNumber("ORC", "T02", 1_234_567)) == "ORC-T02-1234567"


def test_number_parses_back_from_any_case_with_stray_spaces() -> None:
    assert ReceiptNumber.parse("ORC-T02-000123") == NUMBER
    assert ReceiptNumber.parse("  orc - t02 - 123 ") == NUMBER


def test_next_number_is_the_following_serial_on_the_same_till() -> None:
    assert NUMBER.next() == ReceiptNumber("ORC", "T02", 124)
    assert str(ReceiptNumber("ORC", "T02", 999_999).next()) == "ORC-T02-1000000"


def test_numbers_sort_by_outlet_till_then_serial_numerically() -> None:
    numbers = [
        ReceiptNumber("ORC", "T02", 1_000_000),
        ReceiptNumber("ORC", "T01", 5),
        ReceiptNumber("ORC", "T02", 999_999),
        ReceiptNumber("AMK", "T09", 7),
    ]
    assert [str(n) for n in sorted(numbers)] == [
        "AMK-T09-000007",
        "ORC-T01-000005",
        "ORC-T02-999999",
        "ORC-T02-1000000",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("ORC-T02", "three parts"),
        ("ORC-T02-000123-1", "three parts"),
        ("ORC/T02/000123", "three parts"),
        ("ORC-T02-000000", "1 or more"),
        ("ORC-T02-12A", "digits only"),
        ("ORC-T02-", "digits only"),
        ("ORC-T02--5", "three parts"),
        ("ORCHARDRD-T02-000001", "outlet code must be 2-8"),
        ("O-T02-000001", "outlet code must be 2-8"),
        ("ORC-TILL00002-000001", "till code must be 2-8"),
        ("ORC-T_2-000001", "till code must be 2-8"),
        ("ORC-T02-١٢٣", "A-Z, 0-9"),  # Arabic-Indic digits are digits to int(), not to us
        ("ORC-T02-" + "9" * 19, "too long"),
    ],
)
def test_bad_receipt_numbers_are_refused_with_a_clear_reason(text: str, message: str) -> None:
    with pytest.raises(ReceiptNumberError, match=message):
        ReceiptNumber.parse(text)


@pytest.mark.parametrize(
    ("outlet", "till", "number"),
    [("orc", "T02", 1), ("ORC", "T-2", 1), ("ORC", "T02", 0), ("ORC", "T02", True)],
)
def test_receipt_number_fields_are_validated(outlet: str, till: str, number: int) -> None:
    with pytest.raises(ReceiptNumberError):
        ReceiptNumber(outlet, till, number)


@given(
    st.builds(
        ReceiptNumber,
        st.from_regex(r"[A-Z0-9]{2,8}", fullmatch=True),
        st.from_regex(r"[A-Z0-9]{2,8}", fullmatch=True),
        st.integers(1, 10**18 - 1),
    )
)
def test_printed_numbers_parse_back_exactly(number: ReceiptNumber) -> None:
    assert ReceiptNumber.parse(str(number)) == number
    assert ReceiptNumber.parse(str(number).lower()) == number


# --- choose_kind ---------------------------------------------------------------------------


def kind_for(
    total: str = "12.35",
    codes: tuple[str, ...] = ("SR", "SR"),
    rates: tuple[str, ...] = ("9", "9"),
    *,
    supplier: Supplier = SUPPLIER,
    customer: CustomerDetails | None = None,
    is_refund: bool = False,
) -> ReceiptKind:
    return choose_kind(
        supplier=supplier,
        total=D(total),
        tax_codes=codes,
        rates=[D(rate) for rate in rates],
        customer=customer,
        is_refund=is_refund,
    )


def test_small_standard_rated_sale_gets_a_simplified_tax_invoice() -> None:
    assert kind_for() is ReceiptKind.SIMPLIFIED_TAX_INVOICE


def test_simplified_limit_is_one_thousand_dollars_inclusive() -> None:
    assert kind_for("1000.00") is ReceiptKind.SIMPLIFIED_TAX_INVOICE
    assert kind_for("1000.01") is ReceiptKind.RECEIPT


@pytest.mark.parametrize(
    ("codes", "rates"),
    [
        (("SR", "SR"), ("9", "8")),  # mixed rates
        (("SR", "ZR"), ("9", "0")),
        (("SR", "ES"), ("9", "0")),
        (("ZR",), ("0",)),  # no GST at all: nothing to invoice
    ],
)
def test_mixed_rates_or_zero_rated_or_exempt_items_get_a_receipt(codes, rates) -> None:
    assert kind_for(codes=codes, rates=rates) is ReceiptKind.RECEIPT


def test_out_of_scope_item_alongside_standard_rated_still_allows_simplified() -> None:
    assert kind_for(codes=("SR", "OS"), rates=("9", "0")) is ReceiptKind.SIMPLIFIED_TAX_INVOICE


def test_customer_details_get_a_full_tax_invoice_at_any_total() -> None:
    assert kind_for(customer=CUSTOMER) is ReceiptKind.FULL_TAX_INVOICE
    assert kind_for("25000.00", customer=CUSTOMER) is ReceiptKind.FULL_TAX_INVOICE


def test_non_registered_supplier_never_issues_a_tax_invoice() -> None:
    assert kind_for(supplier=UNREGISTERED) is ReceiptKind.RECEIPT
    assert kind_for(supplier=UNREGISTERED, customer=CUSTOMER) is ReceiptKind.RECEIPT


def test_refund_is_a_refund_whatever_else_applies() -> None:
    assert kind_for("-7.00", is_refund=True) is ReceiptKind.REFUND
    assert kind_for(supplier=UNREGISTERED, customer=CUSTOMER, is_refund=True) is (
        ReceiptKind.REFUND
    )


def test_choose_kind_refuses_float_money_and_unknown_tax_codes() -> None:
    with pytest.raises(TypeError, match="float"):
        choose_kind(supplier=SUPPLIER, total=12.35, tax_codes=["SR"], rates=[D(9)], customer=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="XX"):
        kind_for(codes=("SR", "XX"))


# --- model validation ----------------------------------------------------------------------


def test_money_as_float_is_refused_wherever_it_enters() -> None:
    with pytest.raises(TypeError, match="float"):
        ReceiptLine("Milo", D(1), 5.35, D("5.35"), D("0.44"), "SR", D(9))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="float"):
        ReceiptTender("Cash", 20.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="float"):
        simplified(total=12.35)


def test_amounts_with_fractions_of_a_cent_or_absurd_size_are_refused() -> None:
    with pytest.raises(ValueError, match="2 decimal places"):
        simplified(total=D("12.345"))
    with pytest.raises(ValueError, match="implausibly large"):
        simplified(total=D("1E+30"))


def test_per_gram_unit_prices_keep_their_extra_decimals() -> None:
    cheese = sr("Cheddar 150g", "150", "0.0345", "5.18", "0.43")
    text = render_text(simplified(lines=(cheese,)))
    assert "150 x 0.0345" in text


@pytest.mark.parametrize("last4", ["12345", "123", "12a4", "4111111111111111"])
def test_card_last4_must_be_exactly_four_digits(last4: str) -> None:
    with pytest.raises(ValueError, match="4 digits"):
        ReceiptTender("Visa", D("10.00"), card_last4=last4)


def test_zero_rated_line_cannot_carry_gst() -> None:
    with pytest.raises(ValueError, match="no GST"):
        ReceiptLine("Export", D(1), D(100), D(100), D(9), "ZR", D(0))


def test_issue_time_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        simplified(issued_at=datetime(2026, 11, 20, 14, 3))  # noqa: DTZ001


def test_an_address_given_as_one_string_is_refused_rather_than_printed_letter_by_letter() -> None:
    with pytest.raises(TypeError, match="tuple of strings"):
        Supplier("Shop", "1 Orchard Road", None)  # type: ignore[arg-type]


# --- missing_particulars ----------------------------------------------------------------------


@pytest.mark.parametrize("receipt", [simplified(), full(), unregistered(), refund()])
def test_compliant_receipts_lack_nothing(receipt: Receipt) -> None:
    assert missing_particulars(receipt) == []


def test_simplified_invoice_over_one_thousand_dollars_is_flagged() -> None:
    big = sr("Rice cooker", "1", "1000.01", "1000.01", "82.57")
    problems = missing_particulars(simplified(lines=(big,), total=D("1000.01")))
    assert len(problems) == 1
    assert "S$1,000.00" in problems[0]
    assert "1000.01" in problems[0]


def test_simplified_invoice_with_zero_rated_or_exempt_items_is_flagged() -> None:
    lines = (TOAST, no_gst("Export parcel", "5.35", "ZR"), no_gst("Gold bar", "1.00", "ES"))
    assert missing_particulars(simplified(lines=lines)) == [
        "simplified tax invoice must not include zero-rated (ZR) items",
        "simplified tax invoice must not include exempt (ES) items",
    ]


def test_simplified_invoice_with_two_gst_rates_is_flagged() -> None:
    old_rate = dataclasses.replace(MILO, gst_rate=D(8))
    assert missing_particulars(simplified(lines=(TOAST, old_rate))) == [
        "simplified tax invoice must have all items at one GST rate"
    ]


def test_full_tax_invoice_without_customer_is_flagged() -> None:
    assert missing_particulars(full(customer=None)) == ["customer name", "customer address"]
    no_address = dataclasses.replace(CUSTOMER, address_lines=())
    assert missing_particulars(full(customer=no_address)) == ["customer address"]


def test_tax_invoice_from_a_non_registered_supplier_is_flagged() -> None:
    problems = missing_particulars(unregistered(kind=ReceiptKind.SIMPLIFIED_TAX_INVOICE))
    assert any("must not issue a tax invoice" in problem for problem in problems)


def test_gst_charged_by_a_non_registered_supplier_is_flagged() -> None:
    problems = missing_particulars(simplified(supplier=UNREGISTERED, kind=ReceiptKind.RECEIPT))
    assert problems == ["no GST: a supplier that is not GST-registered must not charge GST"]


def test_tax_invoice_without_supplier_address_or_descriptions_is_flagged() -> None:
    blank = dataclasses.replace(MILO, description="  ")
    receipt = simplified(supplier=dataclasses.replace(SUPPLIER, address_lines=()))
    assert missing_particulars(dataclasses.replace(receipt, lines=(TOAST, blank))) == [
        "supplier address",
        "description of goods on line 2",
    ]


def test_receipt_without_gst_breakdown_is_flagged() -> None:
    problems = missing_particulars(simplified(kind=ReceiptKind.RECEIPT, gst_by_rate=()))
    assert problems == ["GST rate and amount: no GST breakdown for the standard-rated items"]


def test_refund_without_the_original_receipt_number_is_flagged() -> None:
    assert missing_particulars(refund(original_number=None)) == ["original receipt number"]


# --- render_text ---------------------------------------------------------------------------

WIDTHS = pytest.mark.parametrize("width", [42, 48])


def columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def assert_fits(text: str, width: int) -> None:
    for line in text.splitlines():
        assert len(line) <= width, line
        assert columns(line) <= width, line
        assert all(ch.isprintable() for ch in line), repr(line)


@pytest.mark.parametrize("width", [0, 32, 40, 80])
def test_only_42_and_48_column_paper_is_supported(width: int) -> None:
    with pytest.raises(ValueError, match="42 or 48"):
        render_text(simplified(), width=width)


@WIDTHS
def test_simplified_tax_invoice_shows_every_iras_particular(width: int) -> None:
    text = render_text(simplified(), width=width)
    assert_fits(text, width)
    for particular in [
        "Orchard Grocer Pte Ltd",
        "1 Orchard Road #01-02",
        "Singapore 238801",
        "GST Reg No: M2-1234567-8",
        "TAX INVOICE",
        "ORC-T02-000123",
        "20-11-2026 14:03",
        "Kaya toast set",
        "Milo peng",
        "Price Payable includes GST",
    ]:
        assert particular in text
    assert line_with(text, "TOTAL").endswith("$12.35")
    assert line_with(text, "GST 9% included").endswith("1.02")
    assert line_with(text, "Change").endswith("7.65")


@WIDTHS
def test_amounts_are_right_aligned_and_only_the_total_has_a_dollar_sign(width: int) -> None:
    lines = render_text(simplified(), width=width).splitlines()
    for label in ("2 x 3.50", "1 x 5.35", "TOTAL", "Cash ", "Change"):
        (row,) = [line for line in lines if line.lstrip().startswith(label)]
        assert len(row) == width
    assert [line for line in lines if "$" in line] == [line_with("\n".join(lines), "TOTAL")]


def test_supplier_and_title_are_centred() -> None:
    lines = render_text(simplified(), width=42).splitlines()
    assert lines[0] == " " * 10 + "Orchard Grocer Pte Ltd"
    assert " " * 15 + "TAX INVOICE" in lines


@WIDTHS
def test_full_tax_invoice_shows_customer_and_amounts_excluding_gst(width: int) -> None:
    text = render_text(full(), width=width)
    assert_fits(text, width)
    assert "TAX INVOICE" in text
    assert "Invoice No: ORC-T02-000123" in text
    for particular in ["Tan Holdings Pte Ltd", "10 Anson Road #20-01", "Singapore 079903"]:
        assert particular in text
    assert line_with(text, "Qty 2").endswith("200.00")
    assert line_with(text, "Total excl. GST").endswith("200.00")
    assert line_with(text, "GST @ 9%").endswith("18.00")
    assert line_with(text, "Total incl. GST").endswith("218.00")


def test_full_tax_invoice_cart_discount_keeps_the_excl_gst_column_adding_up() -> None:
    # S$10.90 off incl. GST is S$10.00 off the supply value and S$0.90 off the GST.
    receipt = full(
        cart_discount=D("10.90"),
        gst_by_rate=((D(9), D("207.10"), D("17.10")),),
        gst_total=D("17.10"),
        total=D("207.10"),
        tenders=(ReceiptTender("Visa", D("207.10"), card_last4="1234"),),
    )
    text = render_text(receipt)
    assert line_with(text, "Subtotal excl. GST").endswith("200.00")
    assert line_with(text, "Discount excl. GST").endswith("-10.00")
    assert line_with(text, "Total excl. GST").endswith("190.00")
    assert line_with(text, "GST @ 9%").endswith("17.10")


def test_full_tax_invoice_cart_discount_with_gst_charged_after_the_discount() -> None:
    # As the till builds it: the line amount before the whole-sale discount, its GST after.
    chairs = sr("Office chair", "2", "109.00", "218.00", "17.10")
    receipt = full(
        lines=(chairs,),
        cart_discount=D("10.90"),
        gst_by_rate=((D(9), D("207.10"), D("17.10")),),
        gst_total=D("17.10"),
        total=D("207.10"),
        tenders=(ReceiptTender("Visa", D("207.10"), card_last4="1234"),),
    )
    text = render_text(receipt)
    assert line_with(text, "Qty 2").endswith("200.00")
    assert line_with(text, "Subtotal excl. GST").endswith("200.00")
    assert line_with(text, "Discount excl. GST").endswith("-10.00")
    assert line_with(text, "Total excl. GST").endswith("190.00")


@WIDTHS
def test_non_registered_supplier_prints_no_gst_and_no_tax_invoice(width: int) -> None:
    for receipt in [unregistered(), unregistered(kind=ReceiptKind.SIMPLIFIED_TAX_INVOICE)]:
        text = render_text(receipt, width=width)
        assert "GST" not in text.upper()
        assert "TAX INVOICE" not in text.upper()
        assert "RECEIPT" in text
        assert line_with(text, "TOTAL").endswith("$12.35")


def test_registered_receipt_over_the_limit_still_breaks_gst_down_per_rate() -> None:
    lines = (sr("TV", "1", "1090.00", "1090.00", "90.00"), no_gst("Export parcel", "50.00", "ZR"))
    receipt = simplified(
        kind=ReceiptKind.RECEIPT,
        lines=lines,
        gst_by_rate=((D(9), D("1090.00"), D("90.00")),),
        gst_total=D("90.00"),
        total=D("1140.00"),
        tenders=(ReceiptTender("NETS", D("1140.00"), reference="000123"),),
        change=D(0),
    )
    text = render_text(receipt)
    assert "TAX INVOICE" not in text
    assert "RECEIPT" in text
    assert line_with(text, "GST 9% included in 1090.00").endswith("90.00")
    # The zero-rated line is marked and the marker explained.
    assert line_with(text, "1 x 50.00").endswith("50.00 Z")
    assert "Z = zero-rated" in text.splitlines()
    assert "Change" not in text


def test_rounding_line_appears_only_when_cash_rounding_applied() -> None:
    assert "Rounding" not in render_text(simplified())
    odd = sr("Kopi O", "1", "12.37", "12.37", "1.02")
    text = render_text(simplified(lines=(odd,), rounding=D("-0.02"), total=D("12.35")))
    assert line_with(text, "Rounding").endswith("-0.02")
    assert line_with(text, "TOTAL").endswith("$12.35")


def test_card_tender_prints_only_the_last_four_digits() -> None:
    visa = ReceiptTender("Visa", D("12.35"), reference="4111 1111 1111 1111", card_last4="1111")
    text = render_text(simplified(tenders=(visa,), change=D(0)))
    assert "Card ****1111" in text
    assert "4111" not in text
    assert "1111 1111" not in text
    assert "Change" not in text


def test_reprint_is_marked_with_its_counter() -> None:
    assert "REPRINT" not in render_text(simplified())
    assert "REPRINT #2" in render_text(simplified(reprint_count=2))


def test_refund_references_the_original_receipt_with_negative_amounts() -> None:
    text = render_text(refund())
    assert "REFUND" in text
    assert "TAX INVOICE" not in text
    assert "Receipt No: ORC-T02-000124" in text
    assert "Original receipt: ORC-T02-000123" in text
    assert line_with(text, "-2 x 3.50").endswith("-7.00")
    assert line_with(text, "TOTAL").endswith("-$7.00")
    assert line_with(text, "GST 9% included").endswith("-0.58")
    assert "Price Payable" not in text
    assert "Change" not in text


def test_line_and_cart_discounts_are_shown_as_their_own_lines() -> None:
    discounted = sr("Kaya toast set", "2", "3.50", "6.00", "0.50", discount="1.00")
    receipt = simplified(
        lines=(discounted, MILO),
        cart_discount=D("2.00"),
        gst_by_rate=((D(9), D("9.35"), D("0.77")),),
        gst_total=D("0.77"),
        total=D("9.35"),
        change=D("10.65"),
    )
    lines = render_text(receipt).splitlines()
    item = lines.index(line_with("\n".join(lines), "2 x 3.50"))
    assert lines[item + 1].startswith("  Discount")
    assert lines[item + 1].endswith("-1.00")
    assert line_with("\n".join(lines), "Subtotal").endswith("11.35")
    cart = [line for line in lines if line.startswith("Discount")]
    assert cart == [cart[0]]
    assert cart[0].endswith("-2.00")


@WIDTHS
def test_long_descriptions_wrap_without_losing_words(width: int) -> None:
    description = "Premium Japanese Hokkaido milk bread loaf, thick-cut and extra soft"
    text = render_text(simplified(lines=(dataclasses.replace(TOAST, description=description),)))
    assert_fits(text, width)
    assert description in " ".join(text.split())


def test_a_word_longer_than_the_paper_is_broken_not_truncated() -> None:
    word = "SKU" + "0123456789" * 6
    text = render_text(simplified(lines=(dataclasses.replace(TOAST, description=word),)))
    assert_fits(text, 42)
    lines = text.splitlines()
    start = lines.index(word[:42])
    assert lines[start] + lines[start + 1] == word


def test_printer_control_codes_in_text_never_reach_the_paper() -> None:
    sneaky = dataclasses.replace(TOAST, description="Toast\x1b@\x1dV\x00 set\nnow")
    text = render_text(simplified(lines=(sneaky,)))
    assert "\x1b" not in text
    assert "\x1d" not in text
    assert "\x00" not in text


def test_paynow_note_only_when_a_payload_is_present() -> None:
    assert "PayNow QR" not in render_text(simplified())
    assert "PayNow QR: see code" in render_text(simplified(paynow_payload="000201..."))


def test_footer_lines_are_centred() -> None:
    lines = render_text(simplified(footer=("Thank you!",)), width=48).splitlines()
    assert lines[-1] == " " * 19 + "Thank you!"


# Latin, accented, CJK (two columns each on the printer), emoji, combining marks and controls.
TEXT = st.text(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from("咖椰吐司奶茶 éü😀\u0301 \t\n"),
    ),
    max_size=120,
)


@given(
    width=st.sampled_from([42, 48]),
    descriptions=st.lists(TEXT, min_size=1, max_size=4),
    name=TEXT,
    address=st.lists(TEXT, max_size=3),
    footer=st.lists(TEXT, max_size=3),
    reference=TEXT,
    kind=st.sampled_from(ReceiptKind),
)
def test_every_printed_line_fits_the_paper(
    width, descriptions, name, address, footer, reference, kind
) -> None:
    supplier = dataclasses.replace(SUPPLIER, name=name, address_lines=tuple(address))
    customer = dataclasses.replace(CUSTOMER, name=name, address_lines=tuple(address))
    lines = tuple(dataclasses.replace(MILO, description=text) for text in descriptions)
    tender = ReceiptTender(name or "Cash", D("12.35"), reference=reference, card_last4="4242")
    receipt = simplified(
        supplier=supplier,
        customer=customer,
        lines=(*lines, no_gst("Stamp", "0.60", "ZR")),
        kind=kind,
        cashier=name,
        tenders=(tender,),
        footer=tuple(footer),
        reprint_count=3,
        cart_discount=D("1.00"),
        rounding=D("-0.02"),
    )
    text = render_text(receipt, width=width)
    assert_fits(text, width)
    assert "REPRINT #3" in text


def test_a_weighed_line_prints_its_weight_in_kg_and_its_price_per_kg() -> None:
    bananas = dataclasses.replace(sr("Bananas", "0.5", "5.90", "2.95", "0.24"), weighed=True)
    text = render_text(simplified(lines=(bananas,)))
    assert "0.500 kg x 5.90/kg" in text and "0.5 x 5.90" not in text
    assert "Qty 0.500 kg" in render_text(full(lines=(bananas,)))
