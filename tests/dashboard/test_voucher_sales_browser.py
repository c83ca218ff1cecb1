"""Gift vouchers sold are not goods in the sales breakdowns, in headless Chromium: a till at
an outlet of its own sells a voucher alone, a voucher with goods, and goods alone, refunds
part of the goods, and pushes. Sales by item and by outlet show the goods by hand and no
voucher; the daily trend above them (the takings) still holds the vouchers' money."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from shared.gst import SINGAPORE
from shared.tender import Tender, TenderType
from sync_service.central.reports.breakdown import sales_breakdown
from sync_service.central.reports.common import Period, Scope
from tests.central import add_outlet, enrolled_till
from tests.dashboard.conftest import Shop
from tests.dashboard.report_support import push_all
from tests.dashboard.support import PASSWORD, LiveDashboard
from tests.dashboard.test_browser import signed_in_browser
from tests.gift_voucher_support import new_batch, pull_batches
from tests.integration.test_gift_vouchers import goods, snapshot

pytestmark = pytest.mark.postgres
D = Decimal
DAY = date(2026, 8, 12)  # the till's day; its outlet is its own, so no other test trades there
AUGUST = Period(date(2026, 8, 1), date(2026, 8, 31))
FACE = D("50.00")


@dataclass(frozen=True)
class Traded:
    outlet_id: uuid.UUID
    tea: tuple[str, Decimal]  # product id and price: two sold with a voucher, one refunded
    other: tuple[str, Decimal]  # sold alone


@pytest.fixture(scope="module")
def traded(shop: Shop, tmp_path_factory: pytest.TempPathFactory) -> Traded:
    outlet = add_outlet(shop.engine)
    prefix = new_batch(shop.engine, face_value=str(FACE))
    till = enrolled_till(shop.engine, tmp_path_factory.mktemp("vouchers"), outlet, "T01")
    demo, cashier = till.demo, till.demo.cashier
    try:
        pull_batches(shop.engine, till)
        demo.clock.now = datetime.combine(DAY, time(11), tzinfo=SINGAPORE)
        demo.till.shifts.open_shift(cashier, D("100.00"))
        tea, other = goods(demo.till, 0), goods(demo.till, 1)

        def sell(serial: str | None, *items: object) -> str:
            checkout = demo.till.checkout(cashier)
            if serial:
                checkout.scan(serial)
            for product in items:
                checkout.add(snapshot(demo.till, product))  # type: ignore[arg-type]
            due = checkout.totals().total
            return checkout.complete([Tender(TenderType.CARD, due, reference="A1")]).receipt_no

        sell(f"{prefix}-000001")
        mixed = sell(f"{prefix}-000002", tea, tea)
        sell(None, other)
        refunds = demo.till.refunds()
        [tea_line] = [ln for ln in refunds.lookup(mixed).lines if ln.left == 2]
        refunds.refund(cashier, mixed, {tea_line.line_id: D(1)}, reason="faulty")
        push_all(shop.engine, till)
    finally:
        demo.till.close()
    return Traded(outlet.outlet_id, (tea.product_id, tea.price), (other.product_id, other.price))


@pytest.fixture(scope="module")
def browser(dashboard: LiveDashboard, shop: Shop) -> Iterator[WebDriver]:
    with signed_in_browser(dashboard.url, shop.emails["analyst"], PASSWORD) as driver:
        yield driver


def money(cell: str) -> Decimal:
    return Decimal(cell.replace(",", "").strip())


def shown_rows(browser: WebDriver) -> dict[str, dict[str, str]]:
    found = {}
    for row in browser.find_elements(By.CSS_SELECTOR, "tr[data-row]"):
        cells = row.find_elements(By.CSS_SELECTOR, "td[data-figure]")
        found[str(row.get_attribute("data-row"))] = {
            str(c.get_attribute("data-figure")): str(c.get_attribute("textContent")).strip()
            for c in cells
        }
    return found


def page(browser: WebDriver, dashboard: LiveDashboard, traded: Traded, by: str, p: Period) -> None:
    browser.get(
        f"{dashboard.url}/ho/reports?by={by}&outlet={traded.outlet_id}&from={p.start}&to={p.end}"
    )


def figures(row: dict[str, str]) -> tuple[str, str, Decimal, Decimal]:
    return row["quantity"], row["transactions"], money(row["revenue"]), money(row["refunds"])


def _expect_goods_only(browser: WebDriver, dashboard: LiveDashboard, traded: Traded) -> None:
    (tea, tea_price), (other, other_price) = traded.tea, traded.other
    for period in (Period.day(DAY), AUGUST):  # day rows; the month's rollup
        page(browser, dashboard, traded, "item", period)
        rows = shown_rows(browser)
        # By hand: two teas on one sale, one refunded; the other product once; no voucher.
        assert set(rows) == {tea, other, "total"}
        assert figures(rows[tea]) == ("2", "1", 2 * tea_price, tea_price)
        assert figures(rows[other]) == ("1", "1", other_price, D("0.00"))
        assert figures(rows["total"]) == ("3", "2", 2 * tea_price + other_price, tea_price)
    page(browser, dashboard, traded, "outlet", Period.day(DAY))
    rows = shown_rows(browser)
    assert set(rows) == {str(traded.outlet_id), "total"}
    assert figures(rows[str(traded.outlet_id)]) == (
        "3",
        "2",
        2 * tea_price + other_price,
        tea_price,
    )
    # The takings beside it: every sale's money, the two vouchers' included.
    trend = browser.find_element(By.CSS_SELECTOR, "[data-figure='trend-current']").text
    assert money(trend) == 2 * FACE + 2 * tea_price + other_price


def test_sales_by_item_and_outlet_show_the_goods_and_no_gift_voucher(
    browser: WebDriver, dashboard: LiveDashboard, shop: Shop, traded: Traded
) -> None:
    _expect_goods_only(browser, dashboard, traded)
    with shop.engine.connect() as conn:
        for by in ("category", "staff", "till", "hour", "day", "week", "month"):
            report = sales_breakdown(conn, Scope.outlet(traded.outlet_id), AUGUST, by)
            total = report.total
            assert (total.quantity, total.transactions) == (D(3), 2), by
            assert total.revenue == 2 * traded.tea[1] + traded.other[1], by
            assert total.refunds == traded.tea[1], by
