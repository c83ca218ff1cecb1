"""Properties of automatic promotions over random catalogues, promotions and baskets: scanning
order never changes the total, removing an item never makes the basket dearer, and totals,
GST and refunds stay consistent with the cart's own rules."""

from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.cart import Cart, Offers, SaleRules, SaleTotals
from shared.gst import SINGAPORE, GstRounding, tax_in_inclusive
from shared.money import ZERO
from shared.promotions import PromotionKind
from shared.refund import RefundedSoFar, SoldLine, refund_line
from tests.promotion_carts import Shelf, apart_shelves, item_shelves, random_scans, shelves

D = Decimal
# A Saturday 10:00 in Singapore: inside the generated 08:00-22:00 windows.
AT = datetime(2026, 3, 7, 10, 0, tzinfo=SINGAPORE)
LATE = datetime(2026, 3, 7, 23, 0, tzinfo=SINGAPORE)
ROUNDINGS = st.sampled_from([GstRounding.ON_TOTAL, GstRounding.PER_LINE])


def ring(
    shelf: Shelf,
    scans: list[tuple[int, Decimal]],
    rounding: GstRounding = GstRounding.ON_TOTAL,
    *,
    member: bool = False,
    at: datetime = AT,
) -> SaleTotals:
    cart = Cart(SaleRules(gst_rounding=rounding), offers=Offers(shelf.promotions, "ORC", member))
    for i, quantity in scans:
        cart.add(shelf.products[i], quantity)
    return cart.totals(at)


def one_by_one(scans: list[tuple[int, Decimal]], shelf: Shelf) -> list[tuple[int, Decimal]]:
    """The same goods scanned a unit at a time (weighed lines stay whole)."""
    out: list[tuple[int, Decimal]] = []
    for i, q in scans:
        out += [(i, q)] if shelf.products[i].weighed else [(i, D(1))] * int(q)
    return out


def group_amounts(t: SaleTotals) -> dict[tuple[str, Decimal], Decimal]:
    return {(g.tax_code.value, g.rate): g.amount for g in t.tax_groups if g.amount}


@settings(max_examples=400)
@given(shelves, st.integers(0, 2**32), st.booleans(), st.randoms(use_true_random=False))
def test_scanning_order_never_changes_the_total(
    shelf: Shelf, seed: int, member: bool, shuffler: random.Random
) -> None:
    scans = random_scans(random.Random(seed), shelf)
    first = ring(shelf, scans, member=member)
    units = one_by_one(scans, shelf)
    shuffler.shuffle(units)
    again = ring(shelf, units, member=member)
    assert again.total == first.total
    assert again.promotion_saving == first.promotion_saving
    # Totalled GST depends only on what each tax code sold, which the order cannot move.
    assert group_amounts(again) == group_amounts(first)
    assert again.gst_total == first.gst_total


@settings(max_examples=400)
@given(item_shelves, st.integers(0, 2**32), st.integers(0, 50), st.booleans())
def test_removing_an_item_never_raises_the_total(
    shelf: Shelf, seed: int, pick: int, member: bool
) -> None:
    scans = one_by_one(random_scans(random.Random(seed), shelf), shelf)
    before = ring(shelf, scans, member=member)
    del scans[pick % len(scans)]
    if not scans:
        return
    after = ring(shelf, scans, member=member)
    assert after.total <= before.total


@settings(max_examples=400)
@given(apart_shelves, st.integers(0, 2**32), st.integers(0, 50))
def test_removing_an_item_raises_the_total_only_by_a_threshold_it_loses(
    shelf: Shelf, seed: int, pick: int
) -> None:
    """A spend threshold is all or nothing: dropping below it may cost at most its saving."""
    scans = one_by_one(random_scans(random.Random(seed), shelf), shelf)
    before = ring(shelf, scans)
    del scans[pick % len(scans)]
    if not scans:
        return
    after = ring(shelf, scans)
    ids = {p.promotion_id for p in shelf.promotions if p.kind is PromotionKind.SPEND_AND_SAVE}
    lost = sum((a.saving for a in before.promotion_outcome.applied if a.promotion_id in ids), ZERO)
    assert after.total <= before.total + lost


@settings(max_examples=400)
@given(shelves, st.integers(0, 2**32), ROUNDINGS, st.booleans(), st.booleans())
def test_totals_and_gst_follow_the_cart_rules(
    shelf: Shelf, seed: int, rounding: GstRounding, member: bool, late: bool
) -> None:
    t = ring(
        shelf,
        random_scans(random.Random(seed), shelf),
        rounding,
        member=member,
        at=LATE if late else AT,
    )
    assert t.total == sum((p.amount for p in t.lines), ZERO)
    assert t.subtotal - t.discount_total == t.total
    assert t.promotion_saving == sum((p.promotion_saving for p in t.lines), ZERO)
    assert t.promotion_saving == t.promotion_outcome.saved
    assert t.promotion_saving == sum((a.saving for a in t.promotion_outcome.applied), ZERO)
    for a in t.promotion_outcome.applied:
        given_by = [x for p in t.lines for pid, x in p.promotion_savings if pid == a.promotion_id]
        assert sum(given_by, ZERO) == a.saving
    assert t.gst_total == sum((p.gst for p in t.lines), ZERO)
    assert t.gst_total == sum((g.gst for g in t.tax_groups), ZERO)
    for p in t.lines:
        assert ZERO <= p.amount <= p.line.gross
        assert p.line_discount == p.line.gross - p.amount - p.cart_discount
        assert bool(p.promotions) == (p.promotion_saving > 0)
        # Which promotion saved what on the line (the uplift report's figures) adds up.
        assert sum((x for _, x in p.promotion_savings), ZERO) == p.promotion_saving
        assert all(x > 0 for _, x in p.promotion_savings)
        if rounding is GstRounding.PER_LINE:
            assert p.gst == tax_in_inclusive(p.amount, p.gst_rate)
    if rounding is GstRounding.ON_TOTAL:
        for g in t.tax_groups:
            assert g.gst == tax_in_inclusive(g.amount, g.rate)
    # Nothing closed (members only, outside its hours) ever saves anything.
    shut = {v.promotion_id for v in t.promotion_outcome.verdicts if not v.applied}
    assert not shut & {a.promotion_id for a in t.promotion_outcome.applied}
    if not member:
        members = {p.promotion_id for p in shelf.promotions if p.member_only}
        assert not members & {a.promotion_id for a in t.promotion_outcome.applied}


@settings(max_examples=200)
@given(shelves, st.integers(0, 2**32), ROUNDINGS)
def test_refunding_everything_a_unit_at_a_time_returns_exactly_the_sale(
    shelf: Shelf, seed: int, rounding: GstRounding
) -> None:
    t = ring(shelf, random_scans(random.Random(seed), shelf), rounding)
    amount = gst = ZERO
    for p in t.lines:
        sold = SoldLine(
            p.line.line_id,
            p.line.product.product_id,
            p.line.product.name,
            p.line.quantity,
            p.amount,
            p.gst,
            p.gst_rate,
            p.line.product.tax_code.value,
            p.line.product.weighed,
        )
        so_far = RefundedSoFar()
        steps = [p.line.quantity] if sold.weighed else [D(1)] * int(p.line.quantity)
        for q in steps:
            r = refund_line(sold, q, so_far)
            assert r.amount >= 0 and r.gst >= 0
            so_far = RefundedSoFar(
                so_far.quantity + q, so_far.amount + r.amount, so_far.gst + r.gst
            )
        amount += so_far.amount
        gst += so_far.gst
    assert (amount, gst) == (t.total, t.gst_total)
