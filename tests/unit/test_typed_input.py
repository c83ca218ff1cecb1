"""Whatever a cashier types or a scanner sends into a number field, the till answers in words
or takes the value: no parser of typed input lets an arithmetic error escape (a cost of
``1e999999999`` once did, and the till showed "[<class 'decimal.InvalidOperation'>]")."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from shared.cart import ProductSnapshot
from shared.gst import TaxCode
from till.services import stock
from till.services.context import REFUSALS
from till.ui import actions, money_text, sell_entry

LINE = stock.OrderLine(
    po_line_id="1",
    product=ProductSnapshot("p", "SKU", "Tea", Decimal("1.20"), TaxCode.STANDARD),
    supplier_sku=None,
    pack_size=Decimal(24),
    ordered=Decimal(48),
    received_before=Decimal(0),
    unit_cost=None,
)
PARSERS: dict[str, Callable[[str], Any]] = {
    "units against an order": lambda t: stock.order_quantity(t, LINE),
    "cartons": stock.carton_count,
    "stock quantity": stock.parse_quantity,
    "weighed stock quantity": lambda t: stock.parse_quantity(t, weighed=True),
    "stock cost": stock.parse_cost,
    "amount": money_text.parse_amount,
    "amount at the shift screen": lambda t: actions.dollars(t, "amount"),
    "quantity": money_text.parse_quantity,
    "discount": sell_entry.parse_discount,
    "weight": sell_entry.parse_weight,
}

STOCK_QUANTITIES = {"units against an order", "cartons", "stock quantity", "weighed stock quantity"}
# Numbers as Decimal reads them: signs, exponents far out, NaNs, digits of other scripts.
NUMBERISH = st.from_regex(
    r"\A\s?[-+$]?(\d{0,30}|[１２٣])(\.\d{0,12})?([eE][-+]?\d{1,12})?(%|kg|x\d{1,25})?\s?\Z"
) | st.sampled_from(["NaN", "sNaN", "-Infinity", "inf", "1e999999999", "9" * 5000, "0e-999999"])
# Far out on either side, in every unit the fields take.
HUGE = st.builds(
    "{}{}e{}{}".format,
    st.sampled_from(["", "-", "+", "$"]),
    st.integers(1, 99),
    st.integers(-(10**12), 10**12),
    st.sampled_from(["", "%", "kg", "x24"]),
)


@pytest.mark.parametrize("name", sorted(PARSERS))
@given(typed=HUGE | NUMBERISH | st.text(max_size=40))
@example(typed="1e999999999")
@example(typed="-1e999999999")
@example(typed="99999999999999999999p")
@example(typed="²p")
@example(typed="1E+999999999x2")
def test_typed_input_is_taken_or_refused_in_words(name: str, typed: str) -> None:
    refused: Exception | None = None
    try:
        taken = PARSERS[name](typed)
    except REFUSALS as exc:
        refused = exc
    if refused is not None:  # answered in words a cashier can act on
        assert str(refused) and "<class" not in str(refused)
        return
    if name in STOCK_QUANTITIES:  # within what a shop holds (the cart checks its own)
        assert 0 < taken <= stock.MAX_UNITS
