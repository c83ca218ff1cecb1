"""Gift vouchers in the pure domain: serials, what a till may sell or take, and a voucher's
line in a cart (face value, no GST, never discounted, no promotion, survives parking)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from shared.cart import Cart, Discount, ProductSnapshot, SaleError, SaleRules
from shared.gift_vouchers import (
    VoucherBatch,
    VoucherError,
    check_redeemable,
    check_sellable,
    parse_serial,
    serial_of,
)
from shared.gst import TaxCode

D = Decimal
BATCH = VoucherBatch("b1", "GV50", 10, D("50.00"), date(2026, 12, 31), frozenset({"GV50-000003"}))
TODAY = date(2026, 6, 1)
AT = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)


def voucher(serial: str = "GV50-000001") -> ProductSnapshot:
    return ProductSnapshot("b1", serial, f"Gift voucher {serial}", D("50.00"), TaxCode.OUT_OF_SCOPE,
                           voucher_serial=serial)  # fmt: skip


SOAP = ProductSnapshot("p1", "SOAP", "Soap", D("10.90"), TaxCode.STANDARD)


def test_a_serial_is_read_forgivingly_and_written_one_way() -> None:
    assert parse_serial(" gv50-000012 ") == ("GV50", 12)
    assert serial_of("GV50", 12) == "GV50-000012"
    for bad in ("GV50000012", "50-000012", "GV50-12", "G-000001", ""):
        with pytest.raises(VoucherError, match="is not a gift voucher serial"):
            parse_serial(bad)


def test_a_till_sells_only_issued_unvoided_unexpired_vouchers_once() -> None:
    check_sellable(BATCH, "GV50-000001", TODAY, sold_here=False)
    cases = {
        ("GV50-000011", TODAY, False): "was issued",
        ("GV50-000003", TODAY, False): "voided",
        ("GV50-000001", date(2027, 1, 1), False): "expired on 31 Dec 2026",
        ("GV50-000001", TODAY, True): "already sold at this till",
    }
    for (serial, day, sold), words in cases.items():
        with pytest.raises(VoucherError, match=words):
            check_sellable(BATCH, serial, day, sold_here=sold)
    with pytest.raises(VoucherError, match="was issued"):
        check_sellable(None, "GV50-000001", TODAY, sold_here=False)


def test_a_voucher_gives_at_most_what_is_left() -> None:
    check_redeemable(BATCH, "GV50-000001", TODAY, D("20.00"), D("20.00"))
    with pytest.raises(VoucherError, match=r"has \$20.00 left, less than \$20.01"):
        check_redeemable(BATCH, "GV50-000001", TODAY, D("20.01"), D("20.00"))
    with pytest.raises(VoucherError, match="used up"):
        check_redeemable(BATCH, "GV50-000001", TODAY, D("1.00"), D("0.00"))


def test_a_voucher_line_is_face_value_without_gst_and_left_out_of_a_cart_discount() -> None:
    cart = Cart(SaleRules())
    cart.add(voucher())
    cart.add(SOAP)
    cart.discount_whole_cart(Discount(percent=D(10)))
    totals = cart.totals(AT)
    gift, soap = totals.lines
    assert (gift.amount, gift.gst, gift.cart_discount) == (D("50.00"), D("0.00"), D("0.00"))
    assert soap.cart_discount == D("1.09")
    assert totals.total == D("50.00") + D("10.90") - D("1.09")


def test_a_voucher_line_cannot_be_changed_doubled_or_counted_twice() -> None:
    cart = Cart(SaleRules())
    line = cart.add(voucher())
    with pytest.raises(SaleError, match="never discounted"):
        cart.discount_line(line.line_id, Discount(percent=D(5)))
    with pytest.raises(SaleError, match="its price cannot change"):
        cart.override_price(line.line_id, D("1.00"), approved_by="m1")
    with pytest.raises(SaleError, match="its own line"):
        cart.set_quantity(line.line_id, D(2))
    with pytest.raises(SaleError, match="already in this sale"):
        cart.add(voucher())
    assert not line.takes_promotions


def test_a_parked_cart_keeps_its_voucher_line() -> None:
    cart = Cart(SaleRules())
    cart.add(voucher("GV50-000002"))
    back = Cart.from_dict(SaleRules(), cart.to_dict())
    assert back.lines[0].product.voucher_serial == "GV50-000002"
