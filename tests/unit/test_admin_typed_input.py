"""Whatever is typed into a head-office form's field, the answer is the value or a field
error naming what to type: no arithmetic or parsing error escapes as a 500 (a price of 29
digits once did, rounding it to the cent being itself an error)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from sync_service.central.admin import fields, gift_vouchers, loyalty, promotions, purchasing
from sync_service.central.admin.edits import AdminError

FIELDS: dict[str, Callable[[str], Any]] = {
    "price": lambda t: fields.price("price", t),
    "moment": lambda t: fields.moment("at", t),
    "barcodes": lambda t: fields.barcodes("barcodes", t),
    "pin": lambda t: fields.pin("pin", t),
    "units": lambda t: purchasing.quantity("quantity", t),
    "cost": lambda t: purchasing.cost("cost", t),
    "order line units": lambda t: purchasing._units(1, t),
    "points number": lambda t: loyalty._number("per dollar", t),
    "points whole": lambda t: loyalty._whole("days", t),
    "percent": lambda t: promotions._number("percent", t),
    "promotion money": lambda t: promotions._money("amount", t),
    "sample cart": promotions.parse_sample,
    "voucher face value": lambda t: gift_vouchers.read_batch_form(
        "GV", "10", t, "", "", date(2026, 1, 1)
    ),
    "voucher count": lambda t: gift_vouchers.read_batch_form(
        "GV", t, "50", "", "", date(2026, 1, 1)
    ),
    "voucher expiry": lambda t: gift_vouchers.read_batch_form(
        "GV", "10", "50", t, "", date(2026, 1, 1)
    ),
}

NUMBERISH = st.from_regex(
    r"\A\s?[-+$]?(\d{0,40}|[１٣²])(\.\d{0,12})?([eE][-+]?\d{1,12})?(%|x\d{1,30})?\s?\Z"
)
HUGE = st.builds(
    "{}{}e{}{}".format,
    st.sampled_from(["", "-", "$"]),
    st.integers(1, 99),
    st.integers(-(10**12), 10**12),
    st.sampled_from(["", "%", "x24"]),
)


@pytest.mark.parametrize("name", sorted(FIELDS))
@given(typed=HUGE | NUMBERISH | st.text(max_size=40))
@example(typed="9" * 40)
@example(typed="1" * 29 + ".5")
@example(typed="NaN")
@example(typed="SKU xNaN")
@example(typed="9999-99-99")
def test_a_field_takes_the_value_or_says_what_to_type(name: str, typed: str) -> None:
    refused: AdminError | None = None
    try:
        FIELDS[name](typed)
    except AdminError as exc:
        refused = exc
    if refused is not None:
        assert str(refused) and "<class" not in str(refused)
