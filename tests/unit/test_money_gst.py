"""Money and GST rules from SINGAPORE.md, including its worked examples."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.gst import SINGAPORE, GstError, TaxCode, standard_rate_on, supply_date, tax_in_inclusive
from shared.money import (
    MAX_AMOUNT,
    CashRounding,
    MoneyError,
    allocate,
    from_cents,
    money,
    round_cash,
    round_cash_refund,
    to_cents,
)

D = Decimal
cents = st.integers(min_value=-10_000_000, max_value=10_000_000)


def test_109_dollars_at_9_percent_contains_9_dollars_of_gst() -> None:
    assert tax_in_inclusive(D("109.00"), D("9")) == D("9.00")


def test_gst_is_rounded_half_up_to_the_cent() -> None:
    # $1.00 at 9%: 0.0825… → 0.08; $3.00: 0.2477… → 0.25; $0.06 at 9%: 0.00495… → 0.00
    assert tax_in_inclusive(D("1.00"), D("9")) == D("0.08")
    assert tax_in_inclusive(D("3.00"), D("9")) == D("0.25")
    assert tax_in_inclusive(D("5.45"), D("9")) == D("0.45")  # exactly 0.45
    assert tax_in_inclusive(D("10.90"), D("0")) == D("0.00")


@pytest.mark.parametrize(
    ("moment", "rate"),
    [
        (datetime(2023, 12, 31, 23, 59, tzinfo=SINGAPORE), D("8")),
        (datetime(2024, 1, 1, 0, 0, tzinfo=SINGAPORE), D("9")),
        # 2023-12-31 16:30 UTC is already 2024-01-01 00:30 in Singapore
        (datetime(2023, 12, 31, 16, 30, tzinfo=UTC), D("9")),
        (datetime(2022, 12, 31, 23, 59, 59, tzinfo=SINGAPORE), D("7")),
        (datetime(2023, 1, 1, 0, 0, tzinfo=SINGAPORE), D("8")),
    ],
)
def test_rate_follows_the_singapore_date_of_supply(moment: datetime, rate: Decimal) -> None:
    assert standard_rate_on(moment) == rate


def test_rate_table_by_plain_date_and_refusals() -> None:
    assert standard_rate_on(date(2007, 7, 1)) == D("7")
    assert standard_rate_on(date(2026, 11, 20)) == D("9")
    with pytest.raises(GstError, match="did not exist"):
        standard_rate_on(date(1990, 1, 1))
    with pytest.raises(GstError, match="time zone"):
        supply_date(datetime(2024, 1, 1))  # noqa: DTZ001 - the naive time is the point


def test_tax_codes_charge_gst_only_when_standard_rated() -> None:
    day = date(2025, 6, 1)
    assert TaxCode.STANDARD.rate_on(day) == D("9")
    assert [c.rate_on(day) for c in (TaxCode.ZERO, TaxCode.EXEMPT, TaxCode.OUT_OF_SCOPE)] == [0] * 3


def test_money_refuses_floats_and_fractions_of_a_cent() -> None:
    assert money("12.5") == D("12.50")
    assert money(3) == D("3.00")
    with pytest.raises(TypeError):
        money(0.1)  # type: ignore[arg-type]
    with pytest.raises(MoneyError, match="fraction of a cent"):
        money("1.005")
    with pytest.raises(MoneyError, match="not an amount"):
        money("NaN")
    with pytest.raises(MoneyError, match="larger than"):
        money("1e15")
    with pytest.raises(MoneyError, match="fraction of a cent"):
        to_cents(D("0.001"))


@given(
    st.builds(
        "{}{}e{}".format,
        st.sampled_from(["", "-"]),
        st.integers(1, 999),
        st.integers(-(10**12), 10**12),
    )
    | st.text(max_size=30)
)
def test_money_is_an_amount_or_a_money_error_whatever_the_text(text: str) -> None:
    """1e999999999 once escaped as decimal.InvalidOperation: rounding it to the cent is
    itself an error, so the size is checked first."""
    try:
        amount = money(text)
    except MoneyError:
        return
    assert amount.copy_abs() <= MAX_AMOUNT and amount == amount.quantize(D("0.01"))


@given(cents)
def test_cents_round_trip_exactly(c: int) -> None:
    assert to_cents(from_cents(c)) == c
    assert isinstance(from_cents(c), Decimal)


@pytest.mark.parametrize(
    ("amount", "nearest", "down"),
    [
        ("10.00", "10.00", "10.00"),
        ("10.02", "10.00", "10.00"),
        ("10.03", "10.05", "10.00"),
        ("10.07", "10.05", "10.05"),
        ("10.08", "10.10", "10.05"),
        ("-10.03", "-10.05", "-10.05"),  # down favours the customer on a refund too
    ],
)
def test_cash_rounding_to_five_cents(amount: str, nearest: str, down: str) -> None:
    assert round_cash(D(amount), CashRounding.NEAREST) == D(nearest)
    assert round_cash(D(amount), CashRounding.DOWN) == D(down)
    assert round_cash(D(amount), CashRounding.OFF) == D(amount)


@pytest.mark.parametrize(
    ("refund", "nearest", "down"),
    [("8.92", "8.90", "8.95"), ("8.93", "8.95", "8.95"), ("8.95", "8.95", "8.95")],
)
def test_a_cash_refund_rounds_in_the_customers_favour_under_down(
    refund: str, nearest: str, down: str
) -> None:
    assert round_cash_refund(D(refund), CashRounding.DOWN) == D(down)
    assert round_cash_refund(D(refund), CashRounding.NEAREST) == D(nearest)
    assert round_cash_refund(D(refund), CashRounding.OFF) == D(refund)


@given(st.integers(0, 10_000_000).map(from_cents))
def test_a_cash_refund_never_pays_back_less_than_owed_under_down(a: Decimal) -> None:
    paid = round_cash_refund(a, CashRounding.DOWN)
    assert D(0) <= paid - a <= D("0.04") and to_cents(paid) % 5 == 0


@given(st.integers(0, 10_000_000).map(from_cents))
def test_cash_rounding_never_moves_more_than_two_cents_nearest_or_four_down(a: Decimal) -> None:
    n, d = round_cash(a, CashRounding.NEAREST), round_cash(a, CashRounding.DOWN)
    assert abs(n - a) <= D("0.02") and D(0) <= a - d <= D("0.04")
    assert to_cents(n) % 5 == 0 and to_cents(d) % 5 == 0


@given(
    cents.map(from_cents),
    st.lists(st.integers(0, 100_000).map(from_cents), min_size=1, max_size=20),
)
def test_allocate_sums_exactly_and_stays_proportional(
    total: Decimal, weights: list[Decimal]
) -> None:
    shares = allocate(total, weights)
    assert sum(shares, D(0)) == total
    basis = sum(weights, D(0))
    if basis:
        for share, w in zip(shares, weights, strict=True):
            assert abs(share - total * w / basis) < D("0.01")
