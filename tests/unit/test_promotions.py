"""The promotion engine, kind by kind, with figures a shop would check by hand: windows in
Singapore time, outlets, members, stacking, caps, and the reasons a cashier reads."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal

import pytest

from shared.cart import Cart, Discount, Offers, ProductSnapshot, SaleRules
from shared.gst import SINGAPORE, TaxCode
from shared.promotions import Promotion, PromotionError, PromotionKind, Scope, Window

D = Decimal
K = PromotionKind
SAT_10AM = datetime(2026, 3, 7, 10, 0, tzinfo=SINGAPORE)  # a Saturday


def item(n: str, price: str, category: str = "drinks", **kw: object) -> ProductSnapshot:
    return ProductSnapshot(
        n,
        n.upper(),
        n.title(),
        D(price),
        TaxCode.STANDARD,
        category_id=category,
        **kw,  # type: ignore[arg-type]
    )


TEA, COKE = item("tea", "2.80"), item("coke", "1.50")
CHIPS, NUTS = item("chips", "3.50", "snacks"), item("nuts", "4.00", "snacks")
PRAWNS = item("prawns", "24.90", "fresh", weighed=True)


def promo(pid: str, kind: PromotionKind, **kw: object) -> Promotion:
    return Promotion(pid, kw.pop("name", pid), kind, **kw)  # type: ignore[arg-type]


def products(*ps: ProductSnapshot) -> Scope:
    return Scope(products=frozenset(p.product_id for p in ps))


def ring(
    promos: list[Promotion],
    *scans: tuple[ProductSnapshot, str],
    at: datetime = SAT_10AM,
    outlet: str = "ORC",
    member: bool = False,
) -> Cart:
    cart = Cart(SaleRules(), offers=Offers(tuple(promos), outlet, member))
    for product, qty in scans:
        cart.add(product, D(qty))
    return cart


def saved(cart: Cart, at: datetime = SAT_10AM) -> Decimal:
    return cart.totals(at).promotion_saving


def reasons(cart: Cart, at: datetime = SAT_10AM) -> dict[str, str]:
    return {v.promotion_id: v.reason for v in cart.totals(at).promotion_outcome.verdicts}


def test_each_kind_saves_what_the_shelf_label_promises() -> None:
    cases = [
        (promo("p", K.PERCENT_OFF, scope=products(TEA), percent=D(10)), [(TEA, "3")], "0.84"),
        (promo("a", K.AMOUNT_OFF, scope=products(TEA), amount=D("0.30")), [(TEA, "2")], "0.60"),
        (promo("f", K.FIXED_PRICE, scope=products(TEA), amount=D("2.00")), [(TEA, "2")], "1.60"),
        (promo("b", K.BUY_X_GET_Y, scope=products(TEA), buy=2, get=1), [(TEA, "7")], "5.60"),
        (
            promo("h", K.BUY_X_GET_Y, scope=products(TEA), buy=1, get=1, percent=D(50)),
            [(TEA, "2")],
            "1.40",
        ),
        (
            promo(
                "m",
                K.MIX_AND_MATCH,
                scope=Scope(categories=frozenset({"snacks"})),
                buy=3,
                amount=D("10.00"),
            ),
            [(CHIPS, "2"), (NUTS, "1")],
            "1.00",
        ),
        (
            promo("u", K.BUNDLE, components=(("tea", 1), ("chips", 1)), amount=D("5.30")),
            [(TEA, "2"), (CHIPS, "1")],
            "1.00",
        ),
        (
            promo("s", K.SPEND_AND_SAVE, threshold=D("10.00"), amount=D("2.00")),
            [(NUTS, "3")],
            "2.00",
        ),
        (
            promo(
                "g", K.BUY_X_GET_Y, scope=products(CHIPS), get_scope=products(COKE), buy=1, get=1
            ),
            [(CHIPS, "2"), (COKE, "3")],
            "3.00",
        ),
    ]
    for p, scans, expected in cases:
        assert saved(ring([p], *scans)) == D(expected), p.promotion_id


def test_hours_and_days_are_singapore_time_whatever_the_clock_says() -> None:
    breakfast = promo(
        "bk",
        K.PERCENT_OFF,
        scope=products(TEA),
        percent=D(50),
        window=Window(days=frozenset({5, 6}), opens=time(7), closes=time(10)),
    )
    cart = ring([breakfast], (TEA, "1"))
    # 01:59 UTC on a Saturday is 09:59 in Singapore: open; 02:00 UTC is 10:00: closed.
    assert saved(cart, datetime(2026, 3, 7, 1, 59, tzinfo=UTC)) == D("1.40")
    assert saved(cart, datetime(2026, 3, 7, 2, 0, tzinfo=UTC)) == 0
    ten_am = datetime(2026, 3, 7, 2, 0, tzinfo=UTC)
    assert reasons(cart, ten_am)["bk"] == "runs 07:00-10:00 SGT only"
    friday = datetime(2026, 3, 6, 8, 0, tzinfo=SINGAPORE)
    assert reasons(cart, friday)["bk"] == "runs on Sat, Sun only"
    late = promo(
        "n",
        K.PERCENT_OFF,
        scope=products(TEA),
        percent=D(10),
        window=Window(opens=time(22), closes=time(2)),
    )
    assert saved(ring([late], (TEA, "1")), datetime(2026, 3, 7, 1, 0, tzinfo=SINGAPORE)) > 0
    assert saved(ring([late], (TEA, "1")), datetime(2026, 3, 7, 3, 0, tzinfo=SINGAPORE)) == 0
    dated = promo(
        "d",
        K.PERCENT_OFF,
        scope=products(TEA),
        percent=D(10),
        window=Window(
            starts=datetime(2026, 3, 8, tzinfo=SINGAPORE),
            ends=datetime(2026, 3, 9, tzinfo=SINGAPORE),
        ),
    )
    assert reasons(ring([dated], (TEA, "1")))["d"] == "starts 08 Mar 2026 00:00 SGT"
    assert saved(ring([dated], (TEA, "1")), datetime(2026, 3, 8, 23, 59, tzinfo=SINGAPORE)) > 0
    after = datetime(2026, 3, 9, tzinfo=SINGAPORE)
    assert reasons(ring([dated], (TEA, "1")), after)["d"] == "ended 09 Mar 2026 00:00 SGT"


def test_outlet_scope_and_the_member_hook() -> None:
    orchard = promo(
        "o", K.PERCENT_OFF, scope=products(TEA), percent=D(10), outlets=frozenset({"ORC"})
    )
    members = promo("v", K.PERCENT_OFF, scope=products(TEA), percent=D(20), member_only=True)
    assert reasons(ring([orchard], (TEA, "1"), outlet="TPY"))["o"] == "not running at this outlet"
    assert saved(ring([orchard], (TEA, "1"), outlet="ORC")) == D("0.28")
    cart = ring([members], (TEA, "1"))
    assert reasons(cart)["v"] == "for members only: no member on this sale"
    cart.offers = Offers(cart.offers.promotions, "ORC", member=True)
    assert saved(cart) == D("0.56")


def test_exclusive_promotions_give_the_customer_the_best_then_markdowns_stack_first() -> None:
    ten = promo("ten", K.PERCENT_OFF, scope=products(TEA), percent=D(10))
    b2g1 = promo("b2g1", K.BUY_X_GET_Y, scope=products(TEA), buy=2, get=1)
    cart = ring([ten, b2g1], (TEA, "3"))
    assert saved(cart) == D("2.80")  # the free tea beats 10% off three
    assert reasons(cart)["ten"] == "its items went to b2g1, which saves the customer more"
    # A stackable markdown applies first; the deal then works on the marked-down price.
    markdown = promo("md", K.PERCENT_OFF, scope=products(TEA), percent=D(10), stackable=True)
    assert saved(ring([markdown, b2g1], (TEA, "3"))) == D("0.84") + D("2.52")
    # Among met spend thresholds the best exclusive one applies, plus every stackable one.
    t1 = promo("t1", K.SPEND_AND_SAVE, threshold=D(5), amount=D(1))
    t2 = promo("t2", K.SPEND_AND_SAVE, threshold=D(10), amount=D(3))
    t3 = promo("t3", K.SPEND_AND_SAVE, threshold=D(5), percent=D(5), stackable=True)
    cart = ring([t1, t2, t3], (NUTS, "3"))
    assert saved(cart) == D("3.00") + D("0.60")  # each on the spend before any threshold
    assert reasons(cart)["t1"] == "t2 saves more and they do not combine"


def test_a_set_never_saves_more_than_its_cheapest_item_and_says_so() -> None:
    deep = promo("deep", K.MIX_AND_MATCH, scope=products(TEA), buy=3, amount=D("3.00"))
    cart = ring([deep], (TEA, "3"))
    assert saved(cart) == D("2.80")  # 8.40 for 3.00 would save 5.40
    assert "capped" in reasons(cart)["deep"]
    assert ring([deep], (TEA, "2")).totals(SAT_10AM).total == D("5.60")  # 2 cost less than 3


def test_manual_discounts_and_overrides_take_no_promotion_weighed_lines_only_percentages() -> None:
    off = promo(
        "off", K.PERCENT_OFF, scope=Scope(categories=frozenset({"fresh", "drinks"})), percent=D(10)
    )
    fixed = promo("fx", K.FIXED_PRICE, scope=products(PRAWNS), amount=D("1.00"))
    cart = ring([off, fixed], (TEA, "1"))
    cart.add(PRAWNS, D("0.500"))
    assert saved(cart) == D("0.28") + D("1.25")  # 10% of 12.45; no fixed price per kg
    cart.discount_line(cart.lines[0].line_id, Discount(amount=D("0.10")))
    assert saved(cart) == D("1.25")


def test_a_promotion_that_cannot_work_is_refused_with_what_to_change() -> None:
    with pytest.raises(PromotionError, match="a mix and match takes 2 to 99 items"):
        promo("x", K.MIX_AND_MATCH, scope=products(TEA), buy=1, amount=D(1))
    with pytest.raises(PromotionError, match="only percentage off, amount off and spend"):
        promo("x", K.BUNDLE, components=(("a", 1), ("b", 1)), amount=D(1), stackable=True)
    with pytest.raises(PromotionError, match="choose the products or categories it covers"):
        promo("x", K.PERCENT_OFF, percent=D(5))
    with pytest.raises(PromotionError, match="must end after it starts"):
        Window(starts=SAT_10AM, ends=SAT_10AM)
