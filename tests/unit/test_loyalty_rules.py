"""The points rules of shared.loyalty, by example and by property."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from shared.loyalty import EligibleLine, LoyaltyScheme, points_earned, points_to_reverse

D = Decimal
SCHEME = LoyaltyScheme(
    points_per_dollar=D("1"),
    category_multipliers={"fresh": D("2")},
    excluded_categories=frozenset({"counter"}),
)


def test_a_point_a_dollar_double_on_a_bonus_category_none_on_an_excluded_one() -> None:
    lines = [
        EligibleLine(D("10.99"), "grocery"),
        EligibleLine(D("3.50"), "fresh"),
        EligibleLine(D("84.90"), "counter"),
        EligibleLine(D("0.60"), None),
    ]
    # 10.99 + 7.00 + 0.60 = 18.59: rounded down once for the sale, not per line.
    assert points_earned(SCHEME, lines) == 18


def test_a_full_refund_takes_back_exactly_what_was_earned() -> None:
    sold = [EligibleLine(D("10.99"), "grocery"), EligibleLine(D("3.50"), "fresh")]
    earned = points_earned(SCHEME, sold)
    assert (
        points_to_reverse(
            SCHEME, earned=earned, already_reversed=0, sold=sold, refunded_so_far=sold
        )
        == earned
    )


amounts = st.decimals(min_value=D("0.05"), max_value=D("500"), places=2)


@given(st.lists(amounts, min_size=1, max_size=8), st.data())
def test_partial_refunds_in_any_order_never_leave_points_for_goods_returned(
    prices: list[Decimal], data: st.DataObject
) -> None:
    sold = [EligibleLine(p, "grocery") for p in prices]
    earned = points_earned(SCHEME, sold)
    order = data.draw(st.permutations(range(len(sold))))
    reversed_so_far, back, returned = 0, [], set()
    for index in order:
        back.append(sold[index])
        returned.add(index)
        step = points_to_reverse(
            SCHEME, earned=earned, already_reversed=reversed_so_far, sold=sold, refunded_so_far=back
        )
        assert step >= 0
        reversed_so_far += step
        kept = earned - reversed_so_far
        still_bought = sum((p for i, p in enumerate(prices) if i not in returned), D(0))
        # What the member keeps is never more than what the goods still bought would earn.
        assert kept <= still_bought
    assert reversed_so_far == earned
