"""Refunding part of a sale re-prices what the customer keeps (docs/promotions.md): figures by
hand for each kind of set and each edge case, and properties over random catalogues,
promotions, baskets, discounts and sequences of partial refunds."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.cart import Cart, Discount, Offers, ProductSnapshot, SaleRules, SaleTotals
from shared.gst import SINGAPORE, GstRounding, TaxCode
from shared.money import ZERO, round_cents
from shared.promotions import Promotion, PromotionKind, Scope, price_basket
from shared.refund import (
    RefundedSoFar,
    RefundError,
    RefundLine,
    SaleTerms,
    SoldLine,
    refund_line,
    refund_sale,
    sale_terms,
    terms_from_json,
    terms_to_json,
)
from tests.promotion_carts import Shelf, random_scans, shelves

D = Decimal
AT = datetime(2026, 3, 7, 10, 0, tzinfo=SINGAPORE)
ROUNDINGS = st.sampled_from([GstRounding.ON_TOTAL, GstRounding.PER_LINE])

TEA = ProductSnapshot("tea", "T1", "Tea", D("2.80"), TaxCode.STANDARD, category_id="drinks")
CHIPS = ProductSnapshot("chips", "C1", "Chips", D("3.50"), TaxCode.STANDARD, category_id="snacks")
FISH = ProductSnapshot("fish", "S1", "Sardines", D("2.50"), TaxCode.STANDARD, category_id="snacks")
RICE = ProductSnapshot("rice", "R1", "Rice", D("12.00"), TaxCode.ZERO, category_id="staples")
APPLES = ProductSnapshot(
    "apples", "A1", "Apples", D("6.00"), TaxCode.STANDARD, weighed=True, category_id="fresh"
)

B2G1 = Promotion("b2g1", "Tea: buy 2 get 1 free", PromotionKind.BUY_X_GET_Y,
                 Scope(products=frozenset({"tea"})), buy=2, get=1)  # fmt: skip
ANY3 = Promotion("any3", "Any 3 snacks for $8", PromotionKind.MIX_AND_MATCH,
                 Scope(categories=frozenset({"snacks"})), buy=3, amount=D("8.00"))  # fmt: skip
TENTH = Promotion("tenth", "10% off fresh", PromotionKind.PERCENT_OFF,
                  Scope(categories=frozenset({"fresh"})), percent=D(10))  # fmt: skip
SPEND = Promotion("spend", "Spend $10 save $2", PromotionKind.SPEND_AND_SAVE,
                  threshold=D("10.00"), amount=D("2.00"))  # fmt: skip


class Sale:
    """A sale as the till stores it: its lines, its kept terms and what was refunded."""

    def __init__(self, cart: Cart, at: datetime = AT) -> None:
        self.totals = cart.totals(at)
        terms = sale_terms(cart, self.totals, at)
        # Kept as JSON in the till's store and read back for the refund.
        self.terms = None if terms is None else terms_from_json(terms_to_json(terms))
        self.lines = sold_lines(self.totals)
        self.so_far: dict[str, RefundedSoFar] = {}
        self.refunds: list[list[RefundLine]] = []

    def refund(self, wanted: Mapping[str, Decimal]) -> list[RefundLine]:
        out = refund_sale(self.lines, self.so_far, wanted, self.terms, receipt_no="R-1")
        for r in out:
            done = self.so_far.get(r.line_id, RefundedSoFar())
            self.so_far[r.line_id] = RefundedSoFar(
                done.quantity + r.quantity, done.amount + r.amount, done.gst + r.gst
            )
        self.refunds.append(out)
        return out

    def line(self, product: ProductSnapshot, nth: int = 0) -> str:
        return [x.line_id for x in self.lines if x.product_id == product.product_id][nth]


def sold_lines(t: SaleTotals) -> list[SoldLine]:
    return [
        SoldLine(
            p.line.line_id,
            p.line.product.product_id,
            p.line.product.name,
            p.line.quantity,
            p.amount,
            p.gst,
            p.gst_rate,
            p.line.product.tax_code.value,
            p.line.product.weighed,
            p.promotion_saving,
        )
        for p in t.lines
    ]


def cart_of(*scans: ProductSnapshot | tuple[ProductSnapshot, Decimal], promos=()) -> Cart:  # type: ignore[no-untyped-def]
    cart = Cart(SaleRules(), offers=Offers(tuple(promos), "ORC"))
    for scan in scans:
        product, qty = scan if isinstance(scan, tuple) else (scan, D(1))
        cart.add(product, qty)
    return cart


def total(lines: list[RefundLine]) -> Decimal:
    return sum((x.amount for x in lines), ZERO)


# --- figures by hand ------------------------------------------------------------------------


def test_one_tea_of_a_set_on_one_line_gives_nothing_back_and_the_rest_everything() -> None:
    sale = Sale(cart_of(TEA, TEA, TEA, promos=[B2G1]))
    assert sale.totals.total == D("5.60") and len(sale.lines) == 1
    [one] = sale.refund({sale.line(TEA): D(1)})
    # The two kept cost $5.60 without the set: what was paid for all three.
    assert (one.quantity, one.amount, one.gst) == (D(1), D("0.00"), D("0.00"))
    [rest] = sale.refund({sale.line(TEA): D(2)})
    assert (rest.amount, rest.gst) == (D("5.60"), sale.totals.gst_total)


def test_six_teas_returning_one_keeps_one_set() -> None:
    sale = Sale(cart_of((TEA, D(6)), promos=[B2G1]))
    assert sale.totals.total == D("11.20")  # two sets
    # Five kept: one set (5.60) and two at the shelf price (5.60) cost $11.20: nothing back.
    assert total(sale.refund({sale.line(TEA): D(1)})) == D("0.00")
    # Three kept: one set, $5.60: the other $5.60 goes back.
    assert total(sale.refund({sale.line(TEA): D(2)})) == D("5.60")


def test_a_set_on_separate_lines_moves_what_was_paid_between_them() -> None:
    # Chips between the teas keep them on separate lines.
    sale = Sale(cart_of(TEA, CHIPS, TEA, TEA, promos=[B2G1]))
    teas = [x for x in sale.lines if x.product_id == "tea"]
    assert len(teas) == 2 and sum(x.amount for x in teas) == D("5.60")
    assert total(sale.refund({sale.line(TEA, 1): D(2)})) == D("2.80")  # one kept: $2.80
    [last] = sale.refund({sale.line(TEA, 0): D(1)})
    # Everything paid for the teas is back, though the last line was paid less than $2.80.
    assert last.amount == D("2.80") > teas[0].amount
    back = [x for r in sale.refunds for x in r]
    assert sum(x.amount for x in back) == D("5.60")
    assert sum(x.gst for x in back) == sum(x.gst for x in teas)


def test_mix_and_match_kept_goods_cost_their_shelf_price() -> None:
    sale = Sale(cart_of(CHIPS, CHIPS, FISH, promos=[ANY3]))
    assert sale.totals.total == D("8.00")
    # Chips and sardines kept: $6.00 at the shelf price, so $2.00 goes back.
    assert total(sale.refund({sale.line(CHIPS): D(1)})) == D("2.00")
    assert total(sale.refund({sale.line(CHIPS): D(1), sale.line(FISH): D(1)})) == D("6.00")


def test_a_spend_threshold_no_longer_met_is_lost_on_what_is_kept() -> None:
    sale = Sale(cart_of(CHIPS, CHIPS, TEA, TEA, promos=[SPEND]))
    assert sale.totals.total == D("10.60")  # $12.60 less $2.00
    # Two chips and a tea kept cost $9.80, under the threshold: $0.80 comes back.
    assert total(sale.refund({sale.line(TEA): D(1)})) == D("0.80")
    # Chips alone: $7.00 kept, $2.80 more back (10.60 - 7.00 - 0.80).
    assert total(sale.refund({sale.line(TEA): D(1)})) == D("2.80")
    assert total(sale.refund({sale.line(CHIPS): D(2)})) == D("7.00")


def test_a_spend_threshold_is_re_priced_per_tax_code() -> None:
    # Rice is zero-rated, chips standard-rated; the $2.00 was spread over both.
    sale = Sale(cart_of(RICE, CHIPS, promos=[SPEND]))
    rice = next(x for x in sale.lines if x.product_id == "rice")
    chips = next(x for x in sale.lines if x.product_id == "chips")
    [back] = sale.refund({rice.line_id: D(1)})
    # Nothing rice-rated is kept: all that was paid in that tax code goes back; the chips kept
    # are worth $3.50 in their own, more than paid, but that never moves money across codes.
    assert (back.amount, back.gst) == (rice.amount, rice.gst)
    [last] = sale.refund({chips.line_id: D(1)})
    assert (last.amount, last.gst) == (chips.amount, chips.gst)


def test_percentage_off_keeps_each_unit_at_its_price() -> None:
    sale = Sale(cart_of((APPLES, D("1.500")), promos=[TENTH]))
    [part] = sale.refund({sale.line(APPLES): D("0.500")})
    assert part.amount == round_cents(sale.totals.total / 3)


def test_a_manual_discount_stands_and_the_line_refunds_as_before() -> None:
    cart = cart_of(TEA, TEA, TEA, CHIPS, promos=[B2G1])
    cart.discount_line(cart.lines[0].line_id, Discount(percent=D(50)), approved_by="mgr")
    sale = Sale(cart)
    tea = next(x for x in sale.lines if x.product_id == "tea")
    assert tea.promotion_saving == 0  # the cashier's discount took the place of the set
    [one] = sale.refund({tea.line_id: D(1)})
    assert one == refund_line(tea, D(1), RefundedSoFar())


def test_a_whole_sale_discount_stays_with_each_unit() -> None:
    cart = cart_of(TEA, TEA, TEA, promos=[B2G1])
    cart.discount_whole_cart(Discount(amount=D("0.60")), approved_by="mgr")
    sale = Sale(cart)
    assert sale.totals.total == D("5.00")
    # Two kept at the shelf price less their two thirds of the $0.60: 5.60 - 0.40 = 5.20,
    # more than the $5.00 paid: nothing back.
    assert total(sale.refund({sale.line(TEA): D(1)})) == D("0.00")
    assert total(sale.refund({sale.line(TEA): D(2)})) == D("5.00")


def test_a_sale_kept_without_terms_refunds_each_unit_its_share() -> None:
    sale = Sale(cart_of(TEA, TEA, TEA, promos=[B2G1]))
    sale.terms = None  # sold before the till kept its promotions
    assert total(sale.refund({sale.line(TEA): D(1)})) == D("1.87")


def test_bad_requests_are_refused() -> None:
    sale = Sale(cart_of(TEA, TEA, TEA, promos=[B2G1]))
    with pytest.raises(RefundError, match="only 3 of 3 sold is left"):
        sale.refund({sale.line(TEA): D(4)})
    with pytest.raises(RefundError, match="not on receipt R-1"):
        sale.refund({"nope": D(1)})
    with pytest.raises(RefundError, match="choose at least one item"):
        sale.refund({sale.line(TEA): D(0)})
    assert not sale.refunds
    with pytest.raises(RefundError, match="version 99"):
        terms_from_json({"version": 99})


# --- properties -----------------------------------------------------------------------------


def random_sale(shelf: Shelf, r: random.Random, rounding: GstRounding) -> Sale:
    cart = Cart(SaleRules(gst_rounding=rounding), offers=Offers(shelf.promotions, "ORC"))
    for i, quantity in random_scans(r, shelf):
        cart.add(shelf.products[i], quantity)
    for line in cart.lines:
        if r.random() < 0.1:
            cart.discount_line(line.line_id, Discount(percent=D(r.randint(1, 50))), "mgr")
    if r.random() < 0.2:
        cart.discount_whole_cart(Discount(percent=D(r.randint(1, 30))), "mgr")
    return Sale(cart)


def random_refunds(sale: Sale, r: random.Random) -> None:
    """Partial refunds in a random order until every unit is back."""
    while True:
        left = {
            x.line_id: (x, x.quantity - sale.so_far.get(x.line_id, RefundedSoFar()).quantity)
            for x in sale.lines
        }
        left = {k: v for k, v in left.items() if v[1] > 0}
        if not left:
            return
        wanted = {}
        for line_id, (x, q) in left.items():
            if r.random() < 0.5:
                continue
            if x.weighed:
                wanted[line_id] = (
                    q if r.random() < 0.5 else max(D("0.001"), (q / 2).quantize(D("0.001")))
                )
            else:
                wanted[line_id] = D(r.randint(1, int(q)))
        if not wanted:
            line_id, (x, q) = next(iter(left.items()))
            wanted[line_id] = q
        before = total([x for refund in sale.refunds for x in refund])
        out = sale.refund(wanted)
        # Never negative, never more than what every unit returned so far was paid.
        assert all(x.amount >= 0 and x.gst >= 0 for x in out)
        ceiling = sum(
            (round_cents(x.amount * sale.so_far.get(x.line_id, RefundedSoFar()).quantity
                         / x.quantity) for x in sale.lines),
            ZERO,
        )  # fmt: skip
        assert before + total(out) <= ceiling
        assert {x.line_id for x in out} == set(wanted)


def by_tax_group(
    lines: list[SoldLine] | list[RefundLine],
) -> dict[tuple[str, Decimal], tuple[Decimal, Decimal]]:
    out: dict[tuple[str, Decimal], tuple[Decimal, Decimal]] = {}
    for x in lines:
        a, g = out.get((x.tax_code, x.gst_rate), (ZERO, ZERO))
        out[(x.tax_code, x.gst_rate)] = (a + x.amount, g + x.gst)
    return out


@settings(max_examples=300)
@given(shelves, st.integers(0, 2**32), ROUNDINGS)
def test_refunding_everything_in_any_steps_gives_back_exactly_what_was_paid(
    shelf: Shelf, seed: int, rounding: GstRounding
) -> None:
    r = random.Random(seed)
    sale = random_sale(shelf, r, rounding)
    random_refunds(sale, r)
    back = [x for refund in sale.refunds for x in refund]
    assert by_tax_group(back) == by_tax_group(sale.lines)
    assert total(back) == sale.totals.total


@settings(max_examples=300)
@given(shelves, st.integers(0, 2**32), ROUNDINGS)
def test_without_promotions_each_refund_is_todays_rule(
    shelf: Shelf, seed: int, rounding: GstRounding
) -> None:
    r = random.Random(seed)
    sale = random_sale(Shelf(shelf.products, ()), r, rounding)
    assert sale.terms is None
    todays: dict[str, RefundedSoFar] = {}
    steps = len(sale.refunds)
    random_refunds(sale, r)
    for refund in sale.refunds[steps:]:
        for x in refund:
            sold = next(s for s in sale.lines if s.line_id == x.line_id)
            done = todays.get(x.line_id, RefundedSoFar())
            assert x == refund_line(sold, x.quantity, done)
            todays[x.line_id] = RefundedSoFar(
                done.quantity + x.quantity, done.amount + x.amount, done.gst + x.gst
            )


@settings(max_examples=300)
@given(shelves, st.integers(0, 2**32))
def test_kept_terms_read_back_price_the_sale_as_it_was(shelf: Shelf, seed: int) -> None:
    r = random.Random(seed)
    cart = Cart(SaleRules(), offers=Offers(shelf.promotions, "ORC"))
    for i, quantity in random_scans(r, shelf):
        cart.add(shelf.products[i], quantity)
    t = cart.totals(AT)
    terms = sale_terms(cart, t, AT)
    if terms is None:
        assert t.promotion_saving == 0
        return
    back = terms_from_json(terms_to_json(terms))
    assert back == terms
    assert isinstance(back, SaleTerms)
    # Only the promotions that saved something are kept, as they were.
    assert {p.promotion_id for p in back.promotions} == {
        a.promotion_id for a in t.promotion_outcome.applied
    }
    # Priced again with only them, the sale's lines save what they saved.
    again = price_basket(list(back.basket.values()), back.promotions, back.occasion)
    assert {k: v for k, v in again.line_savings.items() if v} == {
        p.line.line_id: p.promotion_saving for p in t.lines if p.promotion_saving
    }
