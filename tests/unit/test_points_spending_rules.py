"""Spending points, tiers and expiry dates (shared.loyalty): the cap, the refund rule as a
property over any order of partial refunds, the tier reached by spend."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.loyalty import (
    EligibleLine,
    LoyaltyScheme,
    Tier,
    expires_on,
    points_earned,
    points_redeemable,
    points_to_return,
    points_value,
    tier_for_spend,
)

D = Decimal
SCHEME = LoyaltyScheme(
    points_per_dollar=D(1),
    redeem_max_percent=D(50),
    redeem_max_points=5000,
    tiers=(Tier("Silver", D(500), D("1.25")), Tier("Gold", D(2000), D("1.5"))),
)


def test_the_cap_is_the_least_of_the_percentage_the_points_cap_and_the_balance() -> None:
    assert points_redeemable(SCHEME, balance=10_000, total=D("40.00")) == 2000  # half: $20
    assert points_redeemable(SCHEME, balance=10_000, total=D("400.00")) == 5000  # points cap
    assert points_redeemable(SCHEME, balance=300, total=D("400.00")) == 300  # the balance
    assert points_redeemable(SCHEME, balance=-5, total=D("40.00")) == 0  # overdrawn: none
    assert points_redeemable(SCHEME, balance=10, total=D("0.00")) == 0
    assert points_value(SCHEME, 2000) == D("20.00")


def test_a_scheme_refuses_a_cap_outside_0_to_100_percent_and_a_free_point() -> None:
    with pytest.raises(ValueError, match="cap"):
        LoyaltyScheme(points_per_dollar=D(1), redeem_max_percent=D(101))
    with pytest.raises(ValueError, match="worth"):
        LoyaltyScheme(points_per_dollar=D(1), point_value=D(0))


def test_tiers_multiply_what_a_member_earns_and_are_reached_by_spend() -> None:
    lines = [EligibleLine(D("100.00"), None)]
    assert points_earned(SCHEME, lines) == 100
    assert points_earned(SCHEME, lines, "Silver") == 125
    assert points_earned(SCHEME, lines, "Gold") == 150
    assert points_earned(SCHEME, lines, "Platinum") == 100  # a tier no longer in the scheme
    assert tier_for_spend(SCHEME, D("499.99")) is None
    assert tier_for_spend(SCHEME, D("500.00")) == SCHEME.tiers[0]
    assert tier_for_spend(SCHEME, D("9000")) == SCHEME.tiers[1]


def test_points_expire_calendar_months_after_the_sale_on_the_months_last_day_if_short() -> None:
    by_months = LoyaltyScheme(points_per_dollar=D(1), expiry_months=1, expiry_days=365)
    sold = datetime(2027, 1, 31, 10, 0, tzinfo=UTC)
    assert expires_on(by_months, sold) == datetime(2027, 2, 28, 10, 0, tzinfo=UTC)
    twelve = LoyaltyScheme(points_per_dollar=D(1), expiry_months=12)
    assert expires_on(twelve, sold) == datetime(2028, 1, 31, 10, 0, tzinfo=UTC)
    by_days = LoyaltyScheme(points_per_dollar=D(1), expiry_days=10)
    assert expires_on(by_days, sold) == datetime(2027, 2, 10, 10, 0, tzinfo=UTC)
    assert expires_on(LoyaltyScheme(points_per_dollar=D(1)), sold) is None


@given(
    redeemed=st.integers(min_value=1, max_value=50_000),
    cents=st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=8),
)
def test_refunds_give_back_at_most_what_was_spent_and_all_of_it_in_the_end(
    redeemed: int, cents: list[int]
) -> None:
    parts = [D(c) / 100 for c in cents]
    total = sum(parts, D(0))
    back = so_far = D(0)
    for part in parts:  # every line refunded, one refund each, in any order
        so_far += part
        given_now = points_to_return(
            redeemed=redeemed, already_returned=int(back), sale_total=total, refunded_so_far=so_far
        )
        assert given_now >= 0
        back += given_now
        assert back <= redeemed  # never more than was spent
        assert back <= redeemed * so_far / total  # never ahead of the goods brought back
    assert back == redeemed
