"""Ringing up a cart: totals, discounts, manager rules, GST rounding, tenders and refunds."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.cart import (
    ApprovalNeeded,
    Cart,
    Discount,
    ManagerAction,
    PriceCeiling,
    ProductSnapshot,
    QuantityError,
    SaleError,
    SaleRules,
)
from shared.gst import SINGAPORE, GstRounding, TaxCode
from shared.money import CashRounding, from_cents
from shared.refund import RefundedSoFar, RefundError, SoldLine, refund_line
from shared.tender import InsufficientTender, Tender, TenderType, settle

D = Decimal
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=SINGAPORE)
ON_TOTAL = SaleRules(gst_rounding=GstRounding.ON_TOTAL)
PER_LINE = SaleRules(gst_rounding=GstRounding.PER_LINE)


def product(n: int = 1, price: str = "1.00", code: TaxCode = TaxCode.STANDARD, **kw: Any):
    return ProductSnapshot(f"p{n}", f"SKU{n}", f"Item {n}", D(price), code, **kw)


def test_three_one_dollar_items_24_cents_per_line_25_on_the_total() -> None:
    for rules, gst in ((PER_LINE, "0.24"), (ON_TOTAL, "0.25")):
        cart = Cart(rules)
        for n in (1, 2, 3):
            cart.add(product(n))
        totals = cart.totals(NOW)
        assert totals.total == D("3.00")
        assert totals.gst_total == D(gst)
        assert sum(p.gst for p in totals.lines) == D(gst)  # lines always add up to the sale


def test_scanning_the_same_item_again_adds_to_its_line() -> None:
    cart = Cart(ON_TOTAL)
    cart.add(product(1, "2.50"))
    cart.add(product(1, "2.50"))
    assert len(cart.lines) == 1 and cart.lines[0].quantity == 2
    assert cart.totals(NOW).total == D("5.00")


def test_weighed_goods_take_three_decimals_and_round_the_line() -> None:
    cart = Cart(ON_TOTAL)
    line = cart.add(product(7, "12.90", weighed=True), D("0.375"))
    assert line.gross == D("4.84")  # 4.8375 → 4.84
    with pytest.raises(QuantityError, match="3 decimals"):
        cart.add(product(7, "12.90", weighed=True), D("0.3751"))


@pytest.mark.parametrize("qty", [D(0), D(-1), D("1.5"), D("10000"), D("NaN")])
def test_absurd_quantities_are_refused_and_the_cart_is_unchanged(qty: Decimal) -> None:
    cart = Cart(ON_TOTAL)
    cart.add(product(1))
    with pytest.raises(QuantityError):
        cart.set_quantity(cart.lines[0].line_id, qty)
    assert cart.lines[0].quantity == 1


def test_float_quantity_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        Cart(ON_TOTAL).add(product(1), 1.0)  # type: ignore[arg-type]


def test_discount_within_limit_is_allowed_above_needs_a_manager() -> None:
    cart = Cart(SaleRules(discount_limit_percent=D("10")))
    line = cart.add(product(1, "20.00"))
    cart.discount_line(line.line_id, Discount(percent=D("10")))
    assert cart.totals(NOW).total == D("18.00")
    with pytest.raises(ApprovalNeeded) as err:
        cart.discount_line(line.line_id, Discount(amount=D("5.00")))
    assert err.value.action is ManagerAction.DISCOUNT_OVER_LIMIT
    assert cart.totals(NOW).total == D("18.00")  # refused change left the cart as it was
    cart.discount_line(line.line_id, Discount(amount=D("5.00")), approved_by="mgr-1")
    assert cart.totals(NOW).total == D("15.00")
    assert cart.line(line.line_id).approved_by == "mgr-1"


def test_price_override_needs_a_manager() -> None:
    cart = Cart(ON_TOTAL)
    line = cart.add(product(1, "4.00"))
    with pytest.raises(ApprovalNeeded, match="manager"):
        cart.override_price(line.line_id, D("3.00"))
    cart.override_price(line.line_id, D("3.00"), approved_by="mgr-1")
    assert cart.line(line.line_id).price_overridden
    assert cart.totals(NOW).total == D("3.00")


@pytest.mark.parametrize(
    ("list_price", "ceiling"),
    [
        ("17.90", "179.00"),  # ten times the list price
        ("600.00", "5000.00"),  # but never above the cap
        ("6000.00", "6000.00"),  # and never below the list price itself
        ("0.00", "5000.00"),  # an open-price item: the cap
    ],
)
def test_the_price_ceiling_by_default(list_price: str, ceiling: str) -> None:
    assert PriceCeiling().for_price(D(list_price)) == D(ceiling)


def test_a_price_above_the_ceiling_is_refused_even_with_a_manager() -> None:
    cart = Cart(SaleRules(price_ceiling=PriceCeiling(D("2.5"), D("100.00"))))
    line = cart.add(product(1, "4.00"))
    with pytest.raises(SaleError, match=r"at most \$10\.00; its list price is \$4\.00"):
        cart.override_price(line.line_id, D("10.01"), approved_by="mgr-1")
    assert not cart.line(line.line_id).price_overridden
    with pytest.raises(ApprovalNeeded, match=r"from \$4\.00 to \$10\.00"):
        cart.override_price(line.line_id, D("10.00"))


def test_cart_discount_is_spread_over_lines_and_gst_by_tax_code() -> None:
    cart = Cart(SaleRules(discount_limit_percent=D("50")))
    cart.add(product(1, "10.90"))
    cart.add(product(2, "5.00", TaxCode.ZERO))
    cart.discount_whole_cart(Discount(percent=D("10")))
    totals = cart.totals(NOW)
    assert totals.discount_total == D("1.59")
    assert totals.total == D("14.31")
    assert sum(p.cart_discount for p in totals.lines) == D("1.59")
    groups = {g.tax_code: g for g in totals.tax_groups}
    assert groups[TaxCode.STANDARD].amount == D("9.81")
    assert groups[TaxCode.STANDARD].gst == D("0.81")  # 9.81 × 9/109 = 0.8100…
    assert groups[TaxCode.ZERO].gst == D("0.00")


def test_an_outlet_that_is_not_gst_registered_charges_no_gst() -> None:
    cart = Cart(SaleRules(gst_registered=False))
    cart.add(product(1, "109.00"))
    totals = cart.totals(NOW)
    assert totals.gst_total == 0 and totals.total == D("109.00")


def test_parked_cart_round_trips_through_json_form() -> None:
    cart = Cart(SaleRules(discount_limit_percent=D("50")))
    line = cart.add(product(1, "3.30"), D(2))
    cart.discount_line(line.line_id, Discount(percent=D("20")))
    cart.add(product(2, "8.80", weighed=True), D("0.250"))
    cart.discount_whole_cart(Discount(amount=D("1.00")))
    again = Cart.from_dict(cart.rules, cart.to_dict())
    assert again.totals(NOW) == cart.totals(NOW)


# --- tenders -------------------------------------------------------------------------------


def test_cash_rounding_is_its_own_line_and_applies_to_cash_only() -> None:
    s = settle(D("10.03"), [Tender(TenderType.CASH, D("20.00"))], CashRounding.NEAREST)
    assert (s.rounding, s.amount_due, s.change) == (D("0.02"), D("10.05"), D("9.95"))
    card = Tender(TenderType.CARD, D("10.03"), reference="A1B2C3", card_last4="4242")
    s = settle(D("10.03"), [card], CashRounding.NEAREST)
    assert (s.rounding, s.amount_due, s.change) == (D("0"), D("10.03"), D("0"))


def test_split_tender_rounds_only_the_cash_part() -> None:
    paynow = Tender(TenderType.PAYNOW, D("5.00"), reference="ORC-T01-000001", confirmed_by="s1")
    s = settle(D("12.37"), [paynow, Tender(TenderType.CASH, D("10.00"))], CashRounding.DOWN)
    assert s.rounding == D("-0.02") and s.amount_due == D("12.35") and s.change == D("2.65")


def test_insufficient_tender_says_what_is_still_due() -> None:
    with pytest.raises(InsufficientTender, match=r"\$2\.50 is still due") as err:
        settle(D("12.50"), [Tender(TenderType.CASH, D("10.00"))], CashRounding.OFF)
    assert err.value.still_due == D("2.50")


def test_non_cash_never_gives_change_and_card_numbers_are_refused() -> None:
    with pytest.raises(SaleError, match="no change"):
        settle(D("5.00"), [Tender(TenderType.NETS, D("6.00"), reference="X")], CashRounding.OFF)
    with pytest.raises(SaleError, match="last 4 digits"):
        Tender(TenderType.CARD, D("5.00"), reference="X", card_last4="4111111111111111")
    with pytest.raises(SaleError, match="approval code"):
        Tender(TenderType.CARD, D("5.00"))
    with pytest.raises(SaleError, match="PayNow"):
        Tender(TenderType.PAYNOW, D("5.00"))


# --- refunds -------------------------------------------------------------------------------


def sold(qty: str = "3", amount: str = "3.00", gst: str = "0.25") -> SoldLine:
    return SoldLine("l1", "p1", "Item 1", D(qty), D(amount), D(gst), D("8"), "SR")


def test_partial_refunds_at_the_original_rate_return_exactly_what_was_paid() -> None:
    line, so_far, refunds = sold(), RefundedSoFar(), []
    for _ in range(3):
        r = refund_line(line, D(1), so_far)
        refunds.append(r)
        so_far = RefundedSoFar(so_far.quantity + 1, so_far.amount + r.amount, so_far.gst + r.gst)
    assert [r.amount for r in refunds] == [D("1.00")] * 3
    assert sum(r.gst for r in refunds) == D("0.25")
    assert all(r.gst_rate == D("8") for r in refunds)  # the rate charged, not today's 9%
    with pytest.raises(RefundError, match="only 0 of 3"):
        refund_line(line, D(1), so_far)


# --- properties ----------------------------------------------------------------------------

prices = st.integers(1, 50_000).map(from_cents)
codes = st.sampled_from(list(TaxCode))
line_specs = st.lists(st.tuples(prices, st.integers(1, 20), codes), min_size=1, max_size=12)
rules = st.builds(
    SaleRules,
    gst_registered=st.booleans(),
    gst_rounding=st.sampled_from(list(GstRounding)),
    discount_limit_percent=st.just(D("100")),
)


def build(r: SaleRules, specs: list[tuple[Decimal, int, TaxCode]]) -> Cart:
    cart = Cart(r)
    for n, (price, qty, code) in enumerate(specs):
        cart.add(product(n, str(price), code), D(qty))
    return cart


def no_floats(value: object) -> bool:
    if isinstance(value, float):
        return False
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return all(no_floats(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, tuple | list):
        return all(no_floats(v) for v in value)
    return True


@given(rules, line_specs, st.one_of(st.none(), st.integers(1, 99).map(D)))
def test_totals_equal_the_sum_of_lines_and_never_hold_a_float(
    r: SaleRules, specs: list[tuple[Decimal, int, TaxCode]], cart_pct: Decimal | None
) -> None:
    cart = build(r, specs)
    if cart_pct is not None:
        cart.discount_whole_cart(Discount(percent=cart_pct))
    t = cart.totals(NOW)
    assert t.total == sum(p.amount for p in t.lines)
    assert t.gst_total == sum(p.gst for p in t.lines) == sum(g.gst for g in t.tax_groups)
    assert t.total == t.subtotal - t.discount_total
    assert all(p.amount >= 0 and 0 <= p.gst <= p.amount for p in t.lines)
    assert no_floats(t)
    if not r.gst_registered:
        assert t.gst_total == 0


@given(st.lists(prices, min_size=1, max_size=10), st.integers(1, 10))
def test_gst_of_a_split_equals_gst_of_the_whole(amounts: list[Decimal], parts: int) -> None:
    """On the total: identical. Per line: each extra line may move GST by at most half a cent,
    so a sale split into k lines differs from one line by under k - 1 cents (docs/domain.md)."""
    total = sum(amounts, D(0))
    whole = build(ON_TOTAL, [(total, 1, TaxCode.STANDARD)]).totals(NOW).gst_total
    split = build(ON_TOTAL, [(a, 1, TaxCode.STANDARD) for a in amounts]).totals(NOW)
    assert split.gst_total == whole
    per_line = build(PER_LINE, [(a, 1, TaxCode.STANDARD) for a in amounts]).totals(NOW)
    assert abs(per_line.gst_total - whole) <= D("0.005") * len(amounts) + D("0.005")


@given(
    st.integers(1, 50),
    st.integers(1, 100_000).map(from_cents),
    st.lists(st.integers(1, 50), max_size=30),
)
def test_refunds_never_exceed_what_was_sold(qty: int, amount: Decimal, asks: list[int]) -> None:
    line = SoldLine("l", "p", "x", D(qty), amount, amount * 9 / 109, D("9"), "SR")
    line = dataclasses.replace(line, gst=line.gst.quantize(D("0.01")))
    so_far = RefundedSoFar()
    for ask in asks:
        try:
            r = refund_line(line, D(ask), so_far)
        except RefundError:
            assert so_far.quantity + ask > qty
            continue
        assert r.amount >= 0 and r.gst >= 0
        so_far = RefundedSoFar(
            so_far.quantity + r.quantity, so_far.amount + r.amount, so_far.gst + r.gst
        )
        assert so_far.quantity <= qty and so_far.amount <= amount and so_far.gst <= line.gst
    if so_far.quantity == qty:
        assert (so_far.amount, so_far.gst) == (amount, line.gst)
