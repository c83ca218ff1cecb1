"""Reading GS1 variable-measure labels printed by shop scales (EAN-13, prefixes 20-29)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.scale_barcode import (
    Measure,
    ScaleBarcodeError,
    ScaleLayout,
    ScaleReading,
    base_code,
    ean13_check_digit,
    read_scale_label,
    scale_label,
    value_check_digit,
)

D = Decimal
WEIGHT = ScaleLayout("21")  # 21 IIIII WWWWW C, grams
PRICE_CHECKED = ScaleLayout("22", 4, Measure.PRICE, 2, value_check_digit=True)  # 22 IIII V PPPPP C
PRICE_4 = ScaleLayout("23", 5, Measure.PRICE, 2, value_check_digit=True)  # 23 IIIII V PPPP C
LAYOUTS = (WEIGHT, PRICE_CHECKED, PRICE_4)


def test_gs1s_own_examples_of_the_value_check_digit() -> None:
    # GS1 General Specifications, price/weight check digit: 4-digit 2875 -> 9, 5-digit 14685 -> 6.
    assert value_check_digit("2875") == "9"
    assert value_check_digit("14685") == "6"


def test_a_weight_label_is_read_to_the_gram() -> None:
    first12 = "210001200500"  # item 00012, 0.500 kg
    code = first12 + ean13_check_digit(first12)
    assert read_scale_label(code, LAYOUTS) == ScaleReading(
        base_code=base_code(WEIGHT, "00012"), measure=Measure.WEIGHT, value=D("0.500")
    )


def test_other_codes_are_not_labels() -> None:
    assert read_scale_label("8881234567890", LAYOUTS) is None  # not a 2x prefix
    assert read_scale_label("2912345678901", LAYOUTS) is None  # a prefix the shop does not use
    assert read_scale_label("21000120050", LAYOUTS) is None  # 12 digits


@given(
    layout=st.sampled_from(LAYOUTS),
    item=st.integers(0, 99_999),
    units=st.integers(0, 9_999),
)
def test_a_label_reads_back_what_the_scale_printed(
    layout: ScaleLayout, item: int, units: int
) -> None:
    item_code = f"{item % 10**layout.item_digits:0{layout.item_digits}d}"
    value = D(units).scaleb(-layout.decimals)
    code = scale_label(layout, item_code, value)
    assert len(code) == 13 and code.startswith(layout.prefix)
    reading = read_scale_label(code, LAYOUTS)
    assert reading == ScaleReading(base_code(layout, item_code), layout.measure, value)
    assert read_scale_label(reading.base_code, LAYOUTS) == ScaleReading(
        reading.base_code, layout.measure, D(0).scaleb(-layout.decimals)
    )


@given(
    layout=st.sampled_from(LAYOUTS),
    item=st.integers(0, 9_999),
    units=st.integers(1, 9_999),
    position=st.integers(2, 12),
    change=st.integers(1, 9),
)
def test_one_misread_digit_is_never_rung_up_as_another_value(
    layout: ScaleLayout, item: int, units: int, position: int, change: int
) -> None:
    item_code = f"{item % 10**layout.item_digits:0{layout.item_digits}d}"
    code = scale_label(layout, item_code, D(units).scaleb(-layout.decimals))
    digit = (int(code[position]) + change) % 10
    misread = code[:position] + str(digit) + code[position + 1 :]
    # The EAN check digit catches every single-digit error.
    with pytest.raises(ScaleBarcodeError, match="did not scan cleanly"):
        read_scale_label(misread, LAYOUTS)


@given(units=st.integers(0, 9_999), change=st.integers(1, 9), position=st.integers(0, 3))
def test_the_price_check_digit_catches_a_changed_price_digit(
    units: int, change: int, position: int
) -> None:
    # A label whose EAN check digit was recomputed over a wrong price (a faulty printer) is
    # still refused: the price's own check digit no longer matches.
    code = scale_label(PRICE_4, "00042", D(units).scaleb(-2))
    price = code[8:12]
    wrong = price[:position] + str((int(price[position]) + change) % 10) + price[position + 1 :]
    first12 = code[:8] + wrong
    forged = first12 + ean13_check_digit(first12)
    if value_check_digit(wrong) == code[7]:
        return  # the rare price with the same check digit: GS1's digit is not a full hash
    with pytest.raises(ScaleBarcodeError, match=r"price on label .* did not scan cleanly"):
        read_scale_label(forged, LAYOUTS)


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"prefix": "19"}, "a scale prefix is 20 to 29"),
        ({"prefix": "21", "item_digits": 7}, "use 1 to 6"),
        ({"prefix": "21", "item_digits": 3, "value_check_digit": True}, "4- or 5-digit"),
    ],
)
def test_a_layout_that_cannot_be_read_is_refused(kwargs: dict, problem: str) -> None:
    with pytest.raises(ScaleBarcodeError, match=problem):
        ScaleLayout(**kwargs)
